"""``mt-bench-x show``: per language, category and turn; failures never averaged in."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from statistics import fmean

import pytest

from mt_bench_x.formats.jsonl import write_jsonl
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import judge_reply, last_marks, make_data_dir, score_for
from tests.servers.openai_server import OpenAICompatibleServer

MODELS = ("model-a", "model-b")


def cli(*args: str) -> tuple[int, str]:
    result = run_mt_bench_x(list(args), env={"OPENAI_API_KEY": "test"})
    return result.exit_code, result.output


def sloppy_reply(body: dict) -> str:
    """Unparseable for question numbers divisible by 3, else the fixture judge."""
    _, number, _ = last_marks(body["messages"][-1]["content"])[-1]
    return "No verdict, sorry." if number % 3 == 0 else judge_reply(body)


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """DE and EN judged in single and pairwise-all mode by a judge that sometimes fails."""
    data_dir = make_data_dir(
        tmp_path_factory.mktemp("results") / "data", shared_data, langs=("DE", "EN")
    )
    with OpenAICompatibleServer(sloppy_reply) as server:
        for mode in ("single", "pairwise-all"):
            code, output = cli(
                "judge", "--lang", "all", "--mode", mode, "--data-dir", str(data_dir),
                "--judge-base-url", server.base_url, "--no-progress",
                "--model-list", *MODELS,
            )  # fmt: skip
            assert code == 0, output
    return data_dir


def show_json(data_dir: Path, *extra: str) -> dict:
    args = ["show", "--data-dir", str(data_dir), "--format", "json", *extra]
    result = run_mt_bench_x(args, env={"OPENAI_API_KEY": "test"})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # notes go to stderr


def expected_scores(data_dir: Path, lang: str) -> dict[tuple[str, str, str], list[int]]:
    """Scores by (model, category, turn) computed from the fixture's rules, not from files."""
    questions = [
        json.loads(line)
        for line in (data_dir / f"mt_bench_{lang}" / "question.jsonl").read_text().splitlines()
    ]
    scores: dict[tuple[str, str, str], list[int]] = {}
    for question in questions:
        number = int(str(question["question_id"]).split("_")[0])
        if number % 3 == 0:
            continue
        for model in MODELS:
            for turn in (1, 2):
                for key in [
                    (model, c, t) for c in (question["category"], "all") for t in (str(turn), "all")
                ]:
                    scores.setdefault(key, []).append(score_for(model, number, turn))
    return scores


def test_single_scores_per_language_category_turn(judged: Path) -> None:
    report = show_json(judged)
    rows = {(r["lang"], r["model"], r["category"], r["turn"]): r for r in report["rows"]}
    for lang in ("DE", "EN"):
        for (model, category, turn), scores in expected_scores(judged, lang).items():
            row = rows[(lang, model, category, turn)]
            assert row["score"] == pytest.approx(fmean(scores))
            assert row["n"] == len(scores)
    # unparseable verdicts (question numbers divisible by 3) are counted, not averaged in
    failures = rows[("DE", "model-a", "all", "all")]["parse_failures"]
    questions = (judged / "mt_bench_DE" / "question.jsonl").read_text().splitlines()
    numbers = [int(json.loads(q)["question_id"].split("_")[0]) for q in questions]
    assert failures == 2 * sum(1 for n in numbers if n % 3 == 0) > 0
    # cross-lingual: the mean of the language means
    for model in MODELS:
        cross = rows[("all", model, "all", "1")]["score"]
        per_lang = [rows[(lang, model, "all", "1")]["score"] for lang in ("DE", "EN")]
        assert cross == pytest.approx(fmean(per_lang))


def test_show_table_and_csv(judged: Path) -> None:
    code, table = cli("show", "--data-dir", str(judged), "--lang", "DE")
    assert code == 0, table
    assert "Scores per category and turn" in table and "unparsed" in table
    assert "model-a" in table and "writing" in table
    code, text = cli("show", "--data-dir", str(judged), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["lang"] for r in rows} == {"DE", "EN", "all"}
    assert {r["turn"] for r in rows} == {"1", "2", "all"}


def test_pairwise_counts_both_bad_as_its_own_outcome(judged: Path) -> None:
    report = show_json(judged, "--mode", "pairwise-all")
    rows = {(r["lang"], r["model"], r["turn"]): r for r in report["rows"]}
    records = [
        json.loads(line)
        for line in (judged / "mt_bench_DE" / "model_judgment" / "gpt-4_pair.jsonl")
        .read_text()
        .splitlines()
    ]
    usable = [r for r in records if "error" not in (r["g1_winner"], r["g2_winner"])]
    both_bad = sum(1 for r in usable if r["g1_verdict"] == r["g2_verdict"] == "D")
    wins_a = sum(1 for r in usable if r["g1_winner"] == r["g2_winner"] == "model_1")
    row = rows[("DE", "model-a", "all")]
    assert row["both_bad"] == both_bad > 0
    assert row["win"] == wins_a
    assert row["parse_failures"] == len(records) - len(usable) > 0
    assert row["win"] + row["loss"] + row["tie"] + row["both_bad"] == len(usable)
    assert row["win_rate"] == pytest.approx(row["win"] / len(usable))
    assert rows[("DE", "model-b", "all")]["loss"] == wins_a
    total = rows[("all", "model-a", "all")]
    assert total["win"] == row["win"] + rows[("EN", "model-a", "all")]["win"]


def test_api_errors_are_reported_and_the_retry_wins(tmp_path: Path) -> None:
    path = tmp_path / "mt_bench_DE" / "model_judgment" / "gpt-4_single.jsonl"
    base = {"model": "m", "judge": ["gpt-4", "single-v1"], "user_prompt": "", "turn": 1}
    write_jsonl(
        path,
        [
            {**base, "question_id": 81, "judgment": "$ERROR$", "score": -1, "error": "HTTP 500"},
            {**base, "question_id": 82, "judgment": "$ERROR$", "score": -1, "error": "HTTP 503"},
            {**base, "question_id": 81, "judgment": "[[6]]", "score": 6},
            {**base, "question_id": 83, "judgment": "[[9]]", "score": 9},
        ],
    )
    report = show_json(tmp_path, "--lang", "DE")
    (row,) = [r for r in report["rows"] if r["category"] == "all" and r["turn"] == "all"]
    assert (row["score"], row["n"], row["api_errors"], row["parse_failures"]) == (7.5, 2, 1, 0)


def test_fastchat_error_lines_are_api_errors_and_judged_again(tmp_path: Path) -> None:
    """FastChat's gen_judgment writes a failed call as ``$ERROR$`` with no ``error`` field."""
    from mt_bench_x.formats.judgments import done_keys

    path = tmp_path / "mt_bench_DE" / "model_judgment" / "gpt-4_single.jsonl"
    base = {"model": "m", "judge": ["gpt-4", "single-v1"], "user_prompt": "", "turn": 1}
    write_jsonl(
        path,
        [
            {**base, "question_id": "81_DE", "judgment": "$ERROR$", "score": -1},
            {**base, "question_id": "82_DE", "judgment": "no verdict", "score": -1},
            {**base, "question_id": "83_DE", "judgment": "[[9]]", "score": 9},
        ],
    )
    report = show_json(tmp_path, "--lang", "DE")
    (row,) = [r for r in report["rows"] if r["category"] == "all" and r["turn"] == "all"]
    assert (row["score"], row["n"], row["api_errors"], row["parse_failures"]) == (9.0, 1, 1, 1)
    assert {key[0] for key in done_keys(path)} == {"82_DE", "83_DE"}


def test_missing_judgment_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "mt_bench_DE").mkdir()
    code, output = cli("show", "--data-dir", str(tmp_path), "--lang", "DE", "--run", "2")
    assert code == 1 and "gpt-4_single_run2.jsonl" in output


def test_show_reads_a_file_being_written_without_changing_it(tmp_path: Path) -> None:
    path = tmp_path / "mt_bench_DE" / "model_judgment" / "gpt-4_single.jsonl"
    base = {"model": "m", "judge": ["gpt-4", "single-v1"], "user_prompt": "", "turn": 1}
    write_jsonl(path, [{**base, "question_id": 81, "judgment": "[[4]]", "score": 4}])
    with path.open("a") as handle:
        handle.write('{"question_id": 82, "model": "m", "sco')  # a line still being written
    before = path.read_bytes()
    report = show_json(tmp_path, "--lang", "DE")
    (row,) = [r for r in report["rows"] if r["category"] == "all" and r["turn"] == "all"]
    assert (row["score"], row["n"]) == (4.0, 1)
    assert path.read_bytes() == before


def test_three_option_and_both_bad_judgments_are_kept_apart(tmp_path: Path) -> None:
    """One game judged with the 3-option prompt and with the [[D]] prompt is one game in each
    prompt set, never two games of one."""
    path = tmp_path / "mt_bench_DE" / "model_judgment" / "gpt-4_pair.jsonl"
    base = {"question_id": 81, "model_1": "a", "model_2": "b", "turn": 1, "g1_judgment": "",
            "g2_judgment": "", "g1_user_prompt": "", "g2_user_prompt": ""}  # fmt: skip
    write_jsonl(
        path,
        [
            {**base, "judge": ["gpt-4", "pair-v2"], "g1_winner": "model_1",
             "g2_winner": "model_1", "g1_verdict": "A", "g2_verdict": "B"},
            {**base, "judge": ["gpt-4", "pair-v2-both-bad"], "g1_winner": "tie",
             "g2_winner": "tie", "g1_verdict": "D", "g2_verdict": "D"},
        ],
    )  # fmt: skip
    report = show_json(tmp_path, "--lang", "DE", "--mode", "pairwise-all")
    rows = {(r["prompts"], r["model"], r["turn"]): r for r in report["rows"]}
    three = rows[("3-option", "a", "all")]
    both = rows[("both-bad", "a", "all")]
    assert (three["win"], three["loss"], three["tie"], three["both_bad"]) == (1, 0, 0, 0)
    assert (both["win"], both["loss"], both["tie"], both["both_bad"]) == (0, 0, 0, 1)
    assert report["columns"][:3] == ["lang", "prompts", "model"]


def test_verdict_rule_fastchat_accepts_a_zero_rating(tmp_path: Path, shared_data: Path) -> None:
    """A judge answering ``[[0]]``: unreadable under the strict rule, a score of 0 under
    FastChat's rule (whose regex accepts it), and the line says which rule read it."""
    data_dir = make_data_dir(tmp_path / "data", shared_data, models=("model-a",), per_category=1)
    with OpenAICompatibleServer(lambda body: "Rating: [[0]]") as server:
        for rule, run in (("strict", "0"), ("fastchat", "1")):
            code, output = cli(
                "judge", "--lang", "DE", "--data-dir", str(data_dir), "--judge-base-url",
                server.base_url, "--no-progress", "--model-list", "model-a", "--first-n", "1",
                "--run", run, "--verdict-rule", rule,
            )  # fmt: skip
            assert code == 0, output
    judgments = data_dir / "mt_bench_DE" / "model_judgment"
    strict = [json.loads(line) for line in (judgments / "gpt-4_single.jsonl").open()]
    fastchat = [json.loads(line) for line in (judgments / "gpt-4_single_run1.jsonl").open()]
    assert {r["score"] for r in strict} == {-1} and "verdict_rule" not in strict[0]
    assert {r["score"] for r in fastchat} == {0}
    assert {r["verdict_rule"] for r in fastchat} == {"fastchat"}
