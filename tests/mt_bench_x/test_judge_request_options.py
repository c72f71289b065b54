"""``--judge-param``: the request body of every judge call, against a reasoning-model server."""

from __future__ import annotations

from pathlib import Path

import pytest

from mt_bench_x.formats.errors import JudgeOptionError
from mt_bench_x.judge.request_options import RequestOptions, parse_judge_params
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import dump, judge_reply, make_data_dir
from tests.servers.openai_server import OpenAICompatibleServer, ReasoningModel


def judge_cli(data_dir: Path, base_url: str, *extra: str) -> tuple[int, str]:
    args = [
        "judge",
        "--lang",
        "DE",
        "--data-dir",
        str(data_dir),
        "--judge-model",
        "o4-mini",
        "--judge-base-url",
        base_url,
        "--no-progress",
        "--model-list",
        "model-a",
        "--max-retries",
        "1",
        *extra,
    ]
    result = run_mt_bench_x(args, env={"OPENAI_API_KEY": "sk-test-secret"})
    return result.exit_code, result.output


@pytest.fixture
def data_dir(tmp_path: Path, shared_data: Path) -> Path:
    return make_data_dir(tmp_path / "data", shared_data, models=("model-a",), per_category=1)


def judgment_file(data_dir: Path) -> Path:
    return data_dir / "mt_bench_DE" / "model_judgment" / "o4-mini_single.jsonl"


def reasoning_server(**options: object) -> OpenAICompatibleServer:
    model = ReasoningModel(judge_reply, **options)  # type: ignore[arg-type]
    return OpenAICompatibleServer(model, reply_hook=model.hook, model="o4-mini-2025-04-16")


def test_params_are_json_and_null_removes_a_default() -> None:
    params = parse_judge_params(
        ["max_completion_tokens=4096", "reasoning_effort=low", "temperature=null", "seed=7"]
    )
    assert params == {
        "max_completion_tokens": 4096,
        "reasoning_effort": "low",
        "temperature": None,
        "seed": 7,
    }
    template = RequestOptions(2048, params).template()
    assert template == {"max_completion_tokens": 4096, "reasoning_effort": "low", "seed": 7, "n": 1}
    assert RequestOptions(2048, params).max_output_tokens == 4096
    # FastChat's defaults when nothing is changed
    assert RequestOptions(512).template() == {"temperature": 0, "max_tokens": 512, "n": 1}
    assert parse_judge_params(['extra_body={"top_k": 5}']) == {"extra_body": {"top_k": 5}}


@pytest.mark.parametrize("item", ["novalue", "=3", "model=gpt-4o", "messages=[]"])
def test_malformed_or_reserved_params_are_refused(item: str) -> None:
    with pytest.raises(JudgeOptionError, match="--judge-param"):
        parse_judge_params([item])


def test_a_reasoning_judge_refusing_max_tokens_names_the_flag(data_dir: Path) -> None:
    with reasoning_server() as server:
        code, output = judge_cli(data_dir, server.base_url)
    assert code == 1
    assert "param max_tokens" in output
    assert "--judge-param max_completion_tokens=N" in output
    assert "sk-test-secret" not in output
    assert len(server.requests) == 16  # 8 questions x 2 turns, a 400 is not retried


def test_judge_params_reach_every_request_and_judge_a_reasoning_model(data_dir: Path) -> None:
    with reasoning_server() as server:
        code, output = judge_cli(
            data_dir,
            server.base_url,
            "--judge-param",
            "max_completion_tokens=4000",
            "--judge-param",
            "temperature=null",
            "--judge-param",
            "reasoning_effort=low",
        )
    assert code == 0, output
    assert len(server.requests) == 16
    for body in server.requests:
        assert "max_tokens" not in body and "temperature" not in body
        assert body["max_completion_tokens"] == 4000
        assert body["reasoning_effort"] == "low"
        assert body["n"] == 1
    records = dump(judgment_file(data_dir))
    assert len(records) == 16
    assert all(1 <= record["score"] <= 10 for record in records)


def test_a_reply_cut_off_by_its_budget_is_an_error_not_a_verdict(data_dir: Path) -> None:
    with reasoning_server(reasoning_tokens=1000) as server:
        code, output = judge_cli(
            data_dir,
            server.base_url,
            "--judge-param",
            "max_completion_tokens=600",
            "--judge-param",
            "temperature=null",
        )
    assert code == 1
    assert "finish_reason length" in output
    assert "--judge-param max_completion_tokens=N" in output
    assert len(server.requests) == 16  # not retried with the same budget
    records = dump(judgment_file(data_dir))
    assert len(records) == 16
    assert all(record["score"] == -1 and "error" in record for record in records)
    # a larger budget judges them on the next run
    with reasoning_server(reasoning_tokens=1000) as server:
        code, output = judge_cli(
            data_dir,
            server.base_url,
            "--judge-param",
            "max_completion_tokens=5000",
            "--judge-param",
            "temperature=null",
        )
    assert code == 0, output
    assert len(server.requests) == 16
