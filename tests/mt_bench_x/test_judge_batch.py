"""``mt-bench-x judge --batch`` over real HTTP against the test server's Files/Batch endpoints."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mt_bench_x.formats.judgments import record_key
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import dump, judge_reply, last_marks, make_data_dir
from tests.servers.batch_api import BatchAPIOptions
from tests.servers.openai_server import JudgeResponder, OpenAICompatibleServer

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELS = ("model-a", "model-b")


def judge_args(data_dir: Path, base_url: str, *extra: str) -> list[str]:
    return [
        "judge",
        "--lang",
        "DE",
        "--data-dir",
        str(data_dir),
        "--judge-model",
        "gpt-4o",
        "--judge-base-url",
        base_url,
        "--no-progress",
        "--model-list",
        *MODELS,
        *extra,
    ]


def judge_cli(data_dir: Path, base_url: str, *extra: str) -> tuple[int, str]:
    result = run_mt_bench_x(judge_args(data_dir, base_url, *extra), env={"OPENAI_API_KEY": "k"})
    return result.exit_code, result.output


@pytest.fixture
def data_dirs(tmp_path: Path, shared_data: Path) -> tuple[Path, Path]:
    online = make_data_dir(tmp_path / "online", shared_data, models=MODELS, per_category=1)
    batch = tmp_path / "batch"
    shutil.copytree(online, batch)
    return online, batch


def judgment_file(data_dir: Path, kind: str = "single") -> Path:
    return data_dir / "mt_bench_DE" / "model_judgment" / f"gpt-4o_{kind}.jsonl"


def keyed(path: Path) -> dict[tuple, dict]:
    """Records by (question, models, turn, prompt, run), without tstamp."""
    records = {}
    for line, record in enumerate(dump(path), 1):
        key = record_key(record, path, line)
        assert key not in records, "a judgment was written twice"
        records[key] = {name: value for name, value in record.items() if name != "tstamp"}
    return records


@pytest.mark.parametrize(
    ("mode", "kind", "calls"), [("single", "single", 32), ("pairwise-all", "pair", 32)]
)
def test_batch_judgments_equal_online_judgments(
    data_dirs: tuple[Path, Path], mode: str, kind: str, calls: int
) -> None:
    online_dir, batch_dir = data_dirs
    with OpenAICompatibleServer(JudgeResponder(), model="gpt-4o-2024-08-06") as server:
        code, output = judge_cli(online_dir, server.base_url, "--mode", mode)
        assert code == 0, output
        online_requests = len(server.requests)
    options = BatchAPIOptions(polls_to_finish=3)
    with OpenAICompatibleServer(
        JudgeResponder(), model="gpt-4o-2024-08-06", batch_api=options
    ) as server:
        code, output = judge_cli(
            batch_dir, server.base_url, "--mode", mode, "--batch", "--batch-poll-seconds", "0.01"
        )
        assert code == 0, output
        assert server.requests == []  # nothing online
        assert server.batch_api.creates == 1
        assert len(server.batch_api.lines_run) == online_requests == calls
    assert keyed(judgment_file(batch_dir, kind)) == keyed(judgment_file(online_dir, kind))
    assert "0 failed line(s)" in output
    ledger = dump(judgment_file(batch_dir, kind).with_name(f"gpt-4o_{kind}.ledger.jsonl"))
    assert [entry["mode"] for entry in ledger] == ["batch"]
    assert ledger[0]["batch_factor"] == 0.5 and ledger[0]["calls"] == calls
    assert not (batch_dir / "mt_bench_DE" / "model_judgment" / f".gpt-4o_{kind}.batch").exists()


def test_failed_lines_are_judged_online(data_dirs: tuple[Path, Path]) -> None:
    online_dir, batch_dir = data_dirs
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(online_dir, server.base_url)[0] == 0

    def fails(body: dict) -> bool:
        _, number, turn = last_marks(body["messages"][-1]["content"])[-1]
        return (number + turn) % 3 == 0

    options = BatchAPIOptions(fail_line=fails)
    with OpenAICompatibleServer(judge_reply, batch_api=options) as server:
        code, output = judge_cli(batch_dir, server.base_url, "--batch", "--batch-poll-seconds", "0")
        failed = [body for body in server.batch_api.lines_run if fails(body)]
        assert 0 < len(failed) < 32
        # exactly the failed lines went online, once each
        assert sorted(map(json.dumps, server.requests)) == sorted(
            json.dumps({**body}) for body in failed
        )
    assert code == 0, output
    assert f"{len(failed)} failed line(s) judged online" in output
    assert keyed(judgment_file(batch_dir)) == keyed(judgment_file(online_dir))
    ledger = dump(judgment_file(batch_dir).with_name("gpt-4o_single.ledger.jsonl"))
    by_mode = {entry["mode"]: entry for entry in ledger}
    assert by_mode["batch"]["calls"] == 32 - len(failed)
    assert by_mode["online"]["calls"] == len(failed)
    assert by_mode["online"]["batch_factor"] == 1.0


def test_batches_are_split_at_the_request_limit(data_dirs: tuple[Path, Path]) -> None:
    online_dir, batch_dir = data_dirs
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(online_dir, server.base_url)[0] == 0
    options = BatchAPIOptions(max_requests=10)
    with OpenAICompatibleServer(judge_reply, batch_api=options) as server:
        code, output = judge_cli(
            batch_dir,
            server.base_url,
            "--batch",
            "--batch-poll-seconds",
            "0",
            "--batch-max-requests",
            "10",
        )
        assert code == 0, output
        assert server.batch_api.creates == math.ceil(32 / 10)
        assert server.requests == []
    assert keyed(judgment_file(batch_dir)) == keyed(judgment_file(online_dir))


def test_a_run_killed_while_polling_resumes_its_batch(data_dirs: tuple[Path, Path]) -> None:
    online_dir, batch_dir = data_dirs
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(online_dir, server.base_url)[0] == 0
    state = batch_dir / "mt_bench_DE" / "model_judgment" / ".gpt-4o_single.batch" / "state.json"
    with OpenAICompatibleServer(judge_reply, batch_api=BatchAPIOptions(hold=True)) as server:
        command = [
            sys.executable,
            "-m",
            "mt_bench_x.cli",
            *judge_args(batch_dir, server.base_url, "--batch", "--batch-poll-seconds", "0.05"),
        ]
        env = {**os.environ, "OPENAI_API_KEY": "k"}
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if state.is_file() and json.loads(state.read_text())["parts"][0]["batch_id"]:
                    break
                time.sleep(0.02)
            time.sleep(0.3)  # a few polls
            assert process.poll() is None, "the run ended while its batch was held"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        assert server.batch_api.creates == 1
        assert not judgment_file(batch_dir).exists()
        server.batch_api.options.hold = False
        code, output = judge_cli(batch_dir, server.base_url, "--batch", "--batch-poll-seconds", "0")
        assert code == 0, output
        assert server.batch_api.creates == 1  # the same batch, not a second one
        assert server.requests == []
    assert keyed(judgment_file(batch_dir)) == keyed(judgment_file(online_dir))
    assert not state.parent.exists()


def test_a_create_lost_before_its_id_was_recorded_is_found_by_its_tag(
    data_dirs: tuple[Path, Path],
) -> None:
    """Killed between batches.create and writing its id: the tag in the batch's metadata
    finds it, so the resumed run does not create another."""
    _, batch_dir = data_dirs
    state = batch_dir / "mt_bench_DE" / "model_judgment" / ".gpt-4o_single.batch" / "state.json"
    with OpenAICompatibleServer(judge_reply, batch_api=BatchAPIOptions(hold=True)) as server:
        command = [
            sys.executable,
            "-m",
            "mt_bench_x.cli",
            *judge_args(batch_dir, server.base_url, "--batch", "--batch-poll-seconds", "0.05"),
        ]
        env = {**os.environ, "OPENAI_API_KEY": "k"}
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and server.batch_api.creates == 0:
                time.sleep(0.02)
            time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        recorded = json.loads(state.read_text())
        recorded["parts"][0]["batch_id"] = None  # as if killed before the id was written
        state.write_text(json.dumps(recorded))
        server.batch_api.options.hold = False
        code, output = judge_cli(batch_dir, server.base_url, "--batch", "--batch-poll-seconds", "0")
        assert code == 0, output
        assert server.batch_api.creates == 1
    assert len(dump(judgment_file(batch_dir))) == 32
