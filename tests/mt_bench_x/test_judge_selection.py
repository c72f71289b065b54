"""Which languages and models `judge` and `show` take, and runs with nothing to judge."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mt_bench_x.judge.matches import model_pairs
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import (
    answer_text,
    judge_reply,
    make_data_dir,
    question_number,
)
from tests.servers.openai_server import OpenAICompatibleServer


def cli(*args: str) -> tuple[int, str, str]:
    result = run_mt_bench_x(list(args), env={"OPENAI_API_KEY": "sk-test"})
    return result.exit_code, result.stdout, result.output


@pytest.fixture
def two_langs(tmp_path: Path, shared_data: Path) -> Path:
    """DE with answers of model-a and model-b; EN with questions and prompts only."""
    data_dir = make_data_dir(tmp_path / "data", shared_data, langs=("DE", "EN"), per_category=1)
    shutil.rmtree(data_dir / "mt_bench_EN" / "model_answer")
    return data_dir


def test_no_answers_is_an_error_not_an_empty_success(two_langs: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        code, _, output = cli("judge", "--lang", "EN", "--data-dir", str(two_langs),
                              "--judge-base-url", server.base_url, "--no-progress")  # fmt: skip
    assert code == 1, output
    assert "mt_bench_EN/model_answer" in output and "no model answers" in output
    assert server.requests == []


@pytest.mark.parametrize(
    ("mode", "models", "needed"),
    [
        ("pairwise-all", ["model-a"], "at least two models"),
        ("pairwise-baseline", ["model-b"], "other than the baseline"),
        ("single", [], "at least one model"),
    ],
)
def test_a_mode_with_nothing_to_judge_is_an_error(mode: str, models: list, needed: str) -> None:
    with pytest.raises(ValueError, match=needed):
        model_pairs(mode, models, "model-b")  # type: ignore[arg-type]


def test_lang_all_judges_and_shows_the_languages_that_have_answers(two_langs: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        args = ["--judge-base-url", server.base_url, "--no-progress"]
        code, stdout, output = cli("judge", "--lang", "all", "--data-dir", str(two_langs), *args)
    assert code == 0, output
    assert "no answers in EN; skipped" in output
    assert stdout.startswith("DE: 32 judged")  # 8 questions x 2 turns x 2 models
    assert not (two_langs / "mt_bench_EN" / "model_judgment").exists()
    code, stdout, output = cli("show", "--lang", "all", "--data-dir", str(two_langs),
                               "--format", "json")  # fmt: skip
    assert code == 0, output
    assert "no judgments in EN; skipped" in output
    assert json.loads(stdout)["languages"] == ["DE"]


def test_show_with_an_absent_baseline_names_the_models_present(two_langs: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        code, _, output = cli("judge", "--lang", "DE", "--mode", "pairwise-all",
                              "--data-dir", str(two_langs), "--judge-base-url", server.base_url,
                              "--no-progress")  # fmt: skip
    assert code == 0, output
    code, _, output = cli("show", "--lang", "DE", "--mode", "pairwise-baseline",
                          "--data-dir", str(two_langs))  # fmt: skip
    assert code == 1
    assert "baseline 'gpt-3.5-turbo'" in output and "model-a, model-b" in output


def test_default_models_are_the_ids_in_the_answer_files(two_langs: Path) -> None:
    """``--model-id org/model`` is stored as ``org__model.jsonl``; judging without
    ``--model-list`` must name it ``org/model``, as judging with it does."""
    answers = two_langs / "mt_bench_DE" / "model_answer"
    for path in list(answers.glob("*.jsonl")):
        path.unlink()
    questions = (answers.parent / "question.jsonl").read_text().splitlines()
    with (answers / "org__model-c.jsonl").open("w") as handle:
        for line in questions:
            question_id = json.loads(line)["question_id"]
            turns = [answer_text("model-c", question_number(question_id), t) for t in (1, 2)]
            record = {"question_id": question_id, "model_id": "org/model-c",
                      "choices": [{"index": 0, "turns": turns}]}  # fmt: skip
            handle.write(json.dumps(record) + "\n")
    base = ["judge", "--lang", "DE", "--data-dir", str(two_langs), "--no-progress"]
    with OpenAICompatibleServer(judge_reply) as server:
        code, _, output = cli(*base, "--judge-base-url", server.base_url)
        assert code == 0, output
        code, stdout, output = cli(*base, "--judge-base-url", server.base_url,
                                   "--model-list", "org/model-c")  # fmt: skip
    assert code == 0, output
    assert stdout.startswith("DE: 0 judged, 16 already done")
    judged = (two_langs / "mt_bench_DE" / "model_judgment" / "gpt-4_single.jsonl").read_text()
    assert {json.loads(line)["model"] for line in judged.splitlines()} == {"org/model-c"}


def test_a_model_named_twice_is_judged_once() -> None:
    assert model_pairs("single", ["a", "b", "a"], None) == [("a",), ("b",)]
    assert model_pairs("pairwise-all", ["a", "a", "b"], None) == [("a", "b")]
    assert model_pairs("pairwise-baseline", ["a", "a"], "b") == [("a", "b")]


def test_a_language_named_twice_is_judged_once(two_langs: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        args = ["--data-dir", str(two_langs), "--judge-base-url", server.base_url]
        code, stdout, output = cli("judge", "--lang", "DE,de", *args, "--no-progress")
    assert code == 0, output
    assert stdout.count("judged") == 1
    assert len(server.requests) == 32


def test_the_same_run_started_twice_is_refused_before_any_call(two_langs: Path) -> None:
    from mt_bench_x.formats.jsonl import JsonlAppender

    output = two_langs / "mt_bench_DE" / "model_judgment" / "gpt-4_single.jsonl"
    with OpenAICompatibleServer(judge_reply) as server, JsonlAppender(output):
        args = ["--data-dir", str(two_langs), "--judge-base-url", server.base_url]
        code, _, output_text = cli("judge", "--lang", "DE", *args, "--no-progress")
    assert code == 1
    assert "another process is writing" in output_text
    assert server.requests == []
