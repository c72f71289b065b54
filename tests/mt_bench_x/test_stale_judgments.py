"""Stale judgments: a judgment counts only while its stored prompt hash equals the one today's
question, answers, reference and judge prompt give. The judge redoes stale ones, ``show``
counts the newest current line per key and says how many stale lines it skipped."""

from __future__ import annotations

import json
from pathlib import Path
from statistics import fmean

import pytest

from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.judge.currency import current_judgments_in_file
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import (
    answer_text,
    dump,
    judge_reply,
    last_marks,
    make_data_dir,
    score_for,
)
from tests.mt_bench_x.test_judge_http import MODELS, judge_cli, single_file
from tests.servers.openai_server import OpenAICompatibleServer


@pytest.fixture
def data_dir(tmp_path: Path, shared_data: Path) -> Path:
    return make_data_dir(tmp_path / "data", shared_data, models=MODELS)


def show(root: Path, *extra: str) -> tuple[dict, str]:
    args = ["show", "--data-dir", str(root), "--lang", "DE", "--format", "json", *extra]
    result = run_mt_bench_x(args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def overall(report: dict, model: str) -> dict:
    (row,) = [
        r
        for r in report["rows"]
        if (r["lang"], r["model"], r["category"], r["turn"]) == ("DE", model, "all", "all")
    ]
    return row


def rewrite_answers(root: Path, model: str, numbers: set[int], as_model: str) -> int:
    """Give ``model`` new answers to the questions ``numbers`` (marked as ``as_model``'s, so
    the test judge scores them differently); returns how many answers changed."""
    path = root / "mt_bench_DE" / "model_answer" / f"{model}.jsonl"
    records = dump(path)
    changed = 0
    for record in records:
        number = int(str(record["question_id"]).split("_")[0])
        if number in numbers:
            record["choices"][0]["turns"] = [answer_text(as_model, number, t) for t in (1, 2)]
            changed += 1
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return changed


def question_numbers(root: Path) -> list[int]:
    lines = (root / "mt_bench_DE" / "question.jsonl").read_text().splitlines()
    return [int(str(json.loads(line)["question_id"]).split("_")[0]) for line in lines]


def test_a_changed_answer_supersedes_its_judgment(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url, "--model-list", "model-a")[0] == 0
        first_two = set(question_numbers(data_dir)[:2])
        assert rewrite_answers(data_dir, "model-a", first_two, "model-x") == 2
        # before the judge runs again, show skips the 4 stale judgments (2 questions x 2 turns)
        report, notes = show(data_dir)
        assert overall(report, "model-a")["n"] == 28
        assert "skipped 4 stale judgment(s)" in notes and "run `mt-bench-x judge` again" in notes
        asked = len(server.requests)
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
    assert code == 0, output
    assert "4 judged (4 stale redone), 28 already done" in output
    assert len(server.requests) - asked == 4
    redone = dump(single_file(data_dir))[32:]
    assert {last_marks(r["user_prompt"])[-1][0] for r in redone} == {"model-x"}
    # show counts the new judgments, not the old ones, and still says what it skipped
    report, notes = show(data_dir)
    expected = [
        score_for("model-x" if number in first_two else "model-a", number, turn)
        for number in question_numbers(data_dir)
        for turn in (1, 2)
    ]
    row = overall(report, "model-a")
    assert (row["n"], row["score"]) == (32, pytest.approx(fmean(expected)))
    assert "skipped 4 stale judgment(s)" in notes and "judge` again" not in notes
    assert report["skipped"]["DE"] == {"stale": 4, "stale_not_redone": 0, "unchecked": 0}
    # a third run has nothing left to do
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
    assert code == 0 and server.requests == [] and "0 judged, 32 already done" in output


def test_an_answer_changed_back_makes_the_older_judgment_current_again(
    data_dir: Path,
) -> None:
    path = data_dir / "mt_bench_DE" / "model_answer" / "model-a.jsonl"
    original = path.read_bytes()
    first = {question_numbers(data_dir)[0]}
    with OpenAICompatibleServer(judge_reply) as server:
        judge_cli(data_dir, server.base_url, "--model-list", "model-a")
        rewrite_answers(data_dir, "model-a", first, "model-x")
        judge_cli(data_dir, server.base_url, "--model-list", "model-a")
        path.write_bytes(original)
        asked = len(server.requests)
        code, _ = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
    assert code == 0 and len(server.requests) == asked  # the first judgments fit again
    report, notes = show(data_dir)
    expected = [score_for("model-a", n, t) for n in question_numbers(data_dir) for t in (1, 2)]
    assert overall(report, "model-a")["score"] == pytest.approx(fmean(expected))
    assert "skipped 2 stale judgment(s)" in notes


def test_pairwise_only_the_judgment_that_shows_the_changed_turn_is_redone(
    data_dir: Path,
) -> None:
    args = ("--mode", "pairwise-all", "--model-list", "model-a", "model-b")
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url, *args)[0] == 0
        path = data_dir / "mt_bench_DE" / "model_answer" / "model-b.jsonl"
        records = dump(path)
        records[0]["choices"][0]["turns"][1] += " (edited)"  # turn 2 of the first question
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        asked = len(server.requests)
        code, output = judge_cli(data_dir, server.base_url, *args)
    assert code == 0, output
    assert "1 judged (1 stale redone), 31 already done" in output
    assert len(server.requests) - asked == 2  # both orders of the one turn-2 match
    assert all("(edited)" in body["messages"][-1]["content"] for body in server.requests[asked:])


@pytest.mark.parametrize("edit", ["question", "reference", "judge prompt"])
def test_every_input_of_a_prompt_decides_whether_it_is_current(
    data_dir: Path,
    edit: str,
) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url, "--model-list", "model-a", "model-b")[0] == 0
    paths = BenchPaths(data_dir, "DE")
    judged = dump(single_file(data_dir))
    questions = dump(paths.question_file)
    math_id = next(q["question_id"] for q in questions if q["category"] == "math")
    if edit == "question":
        questions[0]["turns"][1] += " Bitte kurz."  # the second turn: only turn-2 prompts
        _write(paths.question_file, questions)
        expected = [r for r in judged if r["question_id"] == questions[0]["question_id"]]
        expected = [r for r in expected if r["turn"] == 2]
    elif edit == "reference":
        file = paths.reference_answer_file("gpt-4")
        references = dump(file)
        for record in references:
            if record["question_id"] == math_id:
                record["choices"][0]["turns"][0] = "Die Antwort ist 42."
        _write(file, references)
        expected = [r for r in judged if r["question_id"] == math_id]  # both turns show turn 1
    else:
        prompts = dump(paths.judge_prompts_file)
        for prompt in prompts:
            if prompt["name"] == "single-v1":
                prompt["system_prompt"] += " Sei streng."
        _write(paths.judge_prompts_file, prompts)
        expected = [r for r in judged if r["judge"][1] == "single-v1"]
    assert expected
    selection = current_judgments_in_file(paths, single_file(data_dir))
    assert selection.stale_lines == len(expected)
    stale = {(r["question_id"], r["model"], r["turn"]) for r in expected}
    assert {(k[0], k[1][0], k[2]) for k in selection.stale_keys} == stale
    assert len(selection.records) == len(judged) - len(expected)


def test_truncated_judgments_stay_current_under_another_context_limit(
    data_dir: Path,
) -> None:
    answers = data_dir / "mt_bench_DE" / "model_answer" / "model-a.jsonl"
    records = dump(answers)
    records[0]["choices"][0]["turns"][0] += " lang" * 5000
    _write(answers, records)
    limit = ("--max-judge-context-tokens", "6000")
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url, "--model-list", "model-a", *limit)[0] == 0
        cut = [r for r in dump(single_file(data_dir)) if r["truncated_answers"]]
        assert len(cut) == 2 and all(r["context_limit"] == [6000, 2048] for r in cut)
        asked = len(server.requests)
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
    assert code == 0 and len(server.requests) == asked, output
    report, notes = show(data_dir)
    assert overall(report, "model-a")["n"] == 32 and notes == ""


def test_lines_without_a_prompt_hash_count_and_are_noted(tmp_path: Path) -> None:
    path = tmp_path / "mt_bench_DE" / "model_judgment" / "gpt-4_single.jsonl"
    base = {"model": "m", "judge": ["gpt-4", "single-v1"], "user_prompt": "", "turn": 1}
    _write(path, [{**base, "question_id": n, "judgment": "[[5]]", "score": 5} for n in (81, 82)])
    report, notes = show(tmp_path)
    assert overall(report, "m")["n"] == 2
    assert "2 judgment(s) counted without a check" in notes


def _write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def test_the_answer_browser_shows_only_current_judgments(data_dir: Path) -> None:
    from mt_bench_x.human_eval.answer_browser import question_view

    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url, "--model-list", "model-a")[0] == 0
    judge = single_file(data_dir).stem.removesuffix("_single")
    changed, unchanged = question_numbers(data_dir)[:2]
    rewrite_answers(data_dir, "model-a", {changed}, "model-x")

    def shown(number: int) -> list[list[str]]:
        views = question_view(data_dir, "DE", number, ["model-a"], judge)
        return [list(view.single_judgments) for view in views]

    assert shown(unchanged) == [["model-a"], ["model-a"]]
    assert shown(changed) == [[], []]  # judged on the old answer: stale, not shown
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url, "--model-list", "model-a")[0] == 0
    views = question_view(data_dir, "DE", changed, ["model-a"], judge)
    for view in views:
        marks = last_marks(view.single_judgments["model-a"]["user_prompt"])
        assert marks[-1][0] == "model-x"  # the judgment of today's answer
