"""The human-eval app as users meet it: a real server subprocess, real HTTP, headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.mt_bench_x.human_eval_fixtures import (
    MODELS,
    REPO_ROOT,
    AppServer,
    add_annotator,
    cli,
    free_port,
    http,
    make_bench,
    votes_in,
)

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

SCREENSHOT = REPO_ROOT / "docs" / "img" / "human_eval_vote.png"
MARK = re.compile(r"\[([PQ])\|(\d+)\|(\d)\]")
SIDE_MODEL = {letter: model for model, letter in MODELS.items()}


@pytest.fixture
def server(tmp_path: Path, shared_data: Path):
    data_dir = make_bench(tmp_path / "data", shared_data)
    app = AppServer(data_dir, tmp_path / "votes.sqlite", free_port(), tmp_path / "server.log")
    app.start()
    try:
        yield app
    finally:
        app.kill()


def _db(server: AppServer) -> Path:
    return Path(server.args[server.args.index("--db") + 1])


def _form(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(nonce|question|turn)" value="([^"]*)"', html))


def _vote(driver, choice: str) -> None:
    """Click a choice and wait until the next page has replaced this one."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element("tag name", "main")
    driver.find_element("id", f"choice-{choice}").click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))


def _marks(text: str) -> list[tuple[str, int, int]]:
    return [(side, int(n), int(t)) for side, n, t in MARK.findall(text)]


def test_annotator_votes_both_turns_reloads_and_continues(server, chromium, tmp_path):
    link = add_annotator(_db(server), "Anna", server.port)
    assert re.fullmatch(rf"{server.url}/vote/[\w-]{{20,}}", link)
    chromium.get(link)
    form = chromium.find_element("id", "vote-form")
    question = int(form.get_attribute("data-question"))
    assert form.get_attribute("data-turn") == "1"
    assert all(model not in chromium.page_source for model in MODELS)
    left = _marks(chromium.find_element("id", "answer-a").text)
    assert left[0][1:] == (question, 1)
    shot = tmp_path / "vote.png"
    chromium.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("MTBX_WRITE_SCREENSHOTS") == "1":
        shutil.copy(shot, SCREENSHOT)

    _vote(chromium, "A")
    form = chromium.find_element("id", "vote-form")
    assert (int(form.get_attribute("data-question")), form.get_attribute("data-turn")) == (
        question,
        "2",
    )
    assert chromium.find_element("id", "earlier-turn")  # turn 1 stays visible as context
    turn2_left = chromium.find_element("id", "answer-a").text
    chromium.refresh()  # a reload shows the same item on the same sides
    assert chromium.find_element("id", "answer-a").text == turn2_left
    assert chromium.find_element("id", "vote-form").get_attribute("data-turn") == "2"
    _vote(chromium, "bothbad")

    form = chromium.find_element("id", "vote-form")
    assert form.get_attribute("data-turn") == "1"
    assert int(form.get_attribute("data-question")) != question  # never the same question twice
    votes = votes_in(_db(server))
    assert [(v["question"], v["turn"], v["choice"]) for v in votes] == [
        (question, 1, "A"),
        (question, 2, "bothbad"),
    ]
    assert votes[0]["model_left"] == SIDE_MODEL[left[0][0]]  # the side shown is stored
    assert votes[1]["model_left"] == SIDE_MODEL[_marks(turn2_left)[0][0]]
    assert {votes[1]["model_left"], votes[1]["model_right"]} == set(MODELS)
    assert "2" in chromium.find_element("id", "progress").text


def test_requests_without_a_valid_token_or_with_a_forged_vote_are_refused(server):
    db = _db(server)
    link = add_annotator(db, "Bert", server.port)
    reviewer = add_annotator(db, "Rita", server.port, role="reviewer")
    token = link.rsplit("/", 1)[1]

    for url in (f"{server.url}/", f"{server.url}/vote/", f"{server.url}/docs"):
        assert http(url)[0] == 404
    status, body = http(f"{server.url}/vote/not-a-token")
    assert status == 403 and "Antwort" not in body and "vote-form" not in body
    assert http(reviewer.replace("/browse/", "/vote/"))[0] == 403  # a reviewer does not vote
    assert http(f"{server.url}/browse/{token}")[0] == 403  # an annotator sees no model names

    status, page = http(link)
    assert status == 200
    form = _form(page)
    other = "82" if form["question"] != "82" else "83"
    forged = [
        ("not-a-token", {**form, "choice": "A"}, 403),
        (token, {**form, "choice": "Z"}, 400),
        (token, {**form, "nonce": "x" * 22, "choice": "A"}, 400),
        (token, {**form, "question": other, "choice": "A"}, 400),
        (token, {**form, "turn": "2", "choice": "A"}, 400),
        (token, {**form, "turn": "zwei", "choice": "A"}, 400),
        (token, {"choice": "A"}, 400),
    ]
    for who, data, expected in forged:
        assert http(f"{server.url}/vote/{who}", data)[0] == expected, data
    assert votes_in(db) == []

    assert http(f"{server.url}/vote/{token}", {**form, "choice": "B"})[0] == 303
    assert http(f"{server.url}/vote/{token}", {**form, "choice": "B"})[0] == 400  # no replay
    assert [v["choice"] for v in votes_in(db)] == ["B"]


def test_votes_survive_a_server_restart_and_export(server, tmp_path):
    db = _db(server)
    link = add_annotator(db, "Carla", server.port)
    form = _form(http(link)[1])
    assert http(link, {**form, "choice": "tie"})[0] == 303
    turn2 = _form(http(link)[1])
    assert (turn2["question"], turn2["turn"]) == (form["question"], "2")

    server.restart()  # SIGKILL, then a fresh process on the same file
    assert _form(http(link)[1]) == turn2  # the same open item, nonce included
    assert http(link, {**turn2, "choice": "skip"})[0] == 303
    third = _form(http(link)[1])
    assert http(link, {**third, "choice": "A"})[0] == 303
    assert [v["choice"] for v in votes_in(db)] == ["tie", "skip", "A"]

    out = tmp_path / "human.json"
    result = cli("human-eval", "export", "--db", str(db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    import json

    records = json.loads(out.read_text())
    assert [(r["question_id"], r["turn"], r["judge"]) for r in records] == [
        (int(form["question"]), 1, "expert_0"),
        (int(third["question"]), 1, "expert_0"),
    ]  # the skip is not exported
    assert records[0]["winner"] == "tie"
    assert "Carla" not in out.read_text()
    progress = cli("human-eval", "progress", "--db", str(db))
    assert progress.returncode == 0
    assert re.search(r"Carla\s+DE\s+2\s+1\s+1", progress.stdout), progress.stdout


def test_reviewer_browses_answers_and_judgments(server, chromium):
    data_dir = Path(server.args[server.args.index("--data-dir") + 1])
    bench = data_dir / "mt_bench_DE"
    judgment = {
        "question_id": "81_DE",
        "model_1": "bactrian-de",
        "model_2": "bactrian-endefrites",
        "g1_winner": "model_2",
        "g2_winner": "model_2",
        "judge": ["gpt-4", "pair-v2"],
        "g1_user_prompt": "",
        "g1_judgment": "Erklärung der ersten Reihenfolge [[B]]",
        "g2_user_prompt": "",
        "g2_judgment": "Erklärung der zweiten Reihenfolge [[A]]",
        "turn": 1,
        "tstamp": 0.0,
    }
    (bench / "model_judgment").mkdir()
    import json

    (bench / "model_judgment" / "gpt-4_pair.jsonl").write_text(json.dumps(judgment) + "\n")
    link = add_annotator(_db(server), "Rita", server.port, role="reviewer")
    chromium.get(f"{link}?lang=DE&question=81")
    text = chromium.find_element("tag name", "main").text
    assert "bactrian-de" in text and "bactrian-endefrites" in text
    assert "Erklärung der ersten Reihenfolge" in text and "Erklärung der zweiten" in text
    assert "[P|81|1]" in text and "[Q|81|2]" in text
    assert "Hawaii" in text  # the real German question 81
