"""``mt-bench-x answer --backend openai --batch`` against the test server's Batch API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import load_answer_records
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.servers.batch_api import BatchAPIOptions
from tests.servers.openai_server import OpenAICompatibleServer


def reply(body: dict) -> str:
    """A reply that depends on the whole conversation, so turn 2 shows turn 1 was kept."""
    messages = body["messages"]
    last = messages[-1]["content"]
    return f"{len(messages)} messages; t={body['temperature']}; re: {last[:30]}"


@pytest.fixture
def data_dirs(shared_data: Path, tmp_path: Path) -> tuple[Path, Path]:
    paths = BenchPaths(tmp_path / "online", "DE")
    paths.root.mkdir(parents=True)
    shutil.copyfile(
        shared_data / "mt_bench_x" / "mt_bench_DE" / "question.jsonl", paths.question_file
    )
    shutil.copytree(tmp_path / "online", tmp_path / "batch")
    return tmp_path / "online", tmp_path / "batch"


def answer(data_dir: Path, base_url: str, *extra: str) -> tuple[int, str]:
    args = [
        "answer", "--backend", "openai", "--model-path", "served", "--model-id", "served",
        "--lang", "DE", "--data-dir", str(data_dir), "--base-url", base_url, "--limit", "10",
        "--batch-size", "64", "--no-progress", *extra,
    ]  # fmt: skip
    result = run_mt_bench_x(args, env={"OPENAI_API_KEY": "k"})
    return result.exit_code, result.output


def turns(data_dir: Path) -> dict[object, list[str]]:
    path = BenchPaths(data_dir, "DE").model_answer_file("served")
    return {record.question_id: record.turns for record in load_answer_records(path)}


def test_batch_answers_equal_online_answers(data_dirs: tuple[Path, Path]) -> None:
    online, batch = data_dirs
    with OpenAICompatibleServer(reply) as server:
        code, output = answer(online, server.base_url)
        assert code == 0, output
    fails = {"n": 0}

    def fail_first(body: dict) -> bool:  # the first line run by the server fails
        fails["n"] += 1
        return fails["n"] == 1

    options = BatchAPIOptions(fail_line=fail_first)
    with OpenAICompatibleServer(reply, batch_api=options) as server:
        code, output = answer(batch, server.base_url, "--batch", "--batch-poll-seconds", "0")
        assert code == 0, output
        assert server.batch_api.creates >= 2  # turn 1 and turn 2 (per temperature group)
        assert len(server.requests) == 1  # the failed line, sent online
    assert turns(batch) == turns(online)
    assert len(turns(batch)) == 10
    assert not any((batch / ".answer-batches").iterdir())


def test_batch_needs_the_openai_backend(data_dirs: tuple[Path, Path]) -> None:
    online, _ = data_dirs
    result = run_mt_bench_x(
        ["answer", "--model-path", "x", "--model-id", "x", "--lang", "DE", "--data-dir",
         str(online), "--batch"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--batch needs --backend openai" in result.output


def test_a_run_killed_while_polling_resumes_its_batch(data_dirs: tuple[Path, Path]) -> None:
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    online, batch = data_dirs
    with OpenAICompatibleServer(reply) as server:
        assert answer(online, server.base_url)[0] == 0
    state_dir = batch / ".answer-batches"
    with OpenAICompatibleServer(reply, batch_api=BatchAPIOptions(hold=True)) as server:
        command = [
            sys.executable, "-m", "mt_bench_x.cli", "answer", "--backend", "openai",
            "--model-path", "served", "--model-id", "served", "--lang", "DE", "--data-dir",
            str(batch), "--base-url", server.base_url, "--limit", "10", "--batch-size", "64",
            "--no-progress", "--batch", "--batch-poll-seconds", "0.05",
        ]  # fmt: skip
        env = {**os.environ, "OPENAI_API_KEY": "k"}
        repo = Path(__file__).resolve().parents[2]
        process = subprocess.Popen(command, cwd=repo, env=env, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                states = list(state_dir.glob("*.json")) if state_dir.is_dir() else []
                if states and json.loads(states[0].read_text())["batch_id"]:
                    break
                time.sleep(0.02)
            time.sleep(0.3)
            assert process.poll() is None
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        created_before = server.batch_api.creates
        assert created_before >= 1
        server.batch_api.options.hold = False
        code, output = answer(batch, server.base_url, "--batch", "--batch-poll-seconds", "0")
        assert code == 0, output
        held = {batch_id for kind, batch_id in server.batch_api.events if kind == "create"}
        # the batches created before the kill were resumed, none was created twice
        assert len(held) == server.batch_api.creates
        first_round = [e for e in server.batch_api.events if e[0] == "create"][:created_before]
        assert all(("complete", batch_id) in server.batch_api.events for _, batch_id in first_round)
        assert server.requests == []
    assert turns(batch) == turns(online)
