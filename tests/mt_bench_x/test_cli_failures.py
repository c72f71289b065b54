"""Ordinary failures of ``mt-bench-x`` end in one clear line and exit 1, never a traceback:
run as a user would, as a subprocess of the real command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mt_bench_x.judge_fixtures import judge_reply, make_data_dir
from tests.servers.openai_server import OpenAICompatibleServer

REPO_ROOT = Path(__file__).resolve().parents[2]


def mt_bench_x(*args: str, **env: str) -> str:
    """Run the command; it must fail in exactly one ``error:`` line. Returns that line."""
    environment = {**os.environ, "OPENAI_API_KEY": "sk-test", "POLYGLOT_TRACEBACK_DIR": "", **env}
    done = subprocess.run(
        [sys.executable, "-m", "mt_bench_x.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        timeout=300,
        check=False,
    )
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 1, done.stderr
    assert len(errors) == 1, done.stderr
    assert "Traceback" not in done.stderr and "unexpected" not in errors[0], done.stderr
    return errors[0]


@pytest.fixture
def data_dir(tmp_path: Path, shared_data: Path) -> Path:
    return make_data_dir(tmp_path / "data", shared_data, models=("model-a",), per_category=1)


def judge_or_answer(body: dict) -> str:
    """A judge's verdict for judge prompts (they open with a system message), else an answer."""
    return judge_reply(body) if body["messages"][0]["role"] == "system" else "An answer."


@pytest.fixture
def server():
    with OpenAICompatibleServer(judge_or_answer) as running:
        yield running


def judge_args(data_dir: Path, server: OpenAICompatibleServer, *models: str) -> list[str]:
    return ["judge", "--lang", "DE", "--data-dir", str(data_dir), "--no-progress",
            "--judge-base-url", server.base_url,
            "--model-list", *(models or ("model-a",))]  # fmt: skip


def answer_args(data_dir: Path, server: OpenAICompatibleServer, model_id: str) -> list[str]:
    return ["answer", "--backend", "openai", "--model-path", "served", "--model-id", model_id,
            "--lang", "DE", "--data-dir", str(data_dir), "--base-url", server.base_url,
            "--limit", "2", "--no-progress"]  # fmt: skip


def judgment_dir(data_dir: Path) -> Path:
    return data_dir / "mt_bench_DE" / "model_judgment"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_judge_on_a_full_disk(data_dir: Path, server: OpenAICompatibleServer) -> None:
    judgment_dir(data_dir).mkdir()
    target = judgment_dir(data_dir) / "gpt-4_single.jsonl"
    target.symlink_to("/dev/full")  # every write: ENOSPC
    line = mt_bench_x(*judge_args(data_dir, server))
    assert "No space left on device" in line and str(target) in line


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_answer_on_a_full_disk(data_dir: Path, server: OpenAICompatibleServer) -> None:
    target = data_dir / "mt_bench_DE" / "model_answer" / "full.jsonl"
    target.symlink_to("/dev/full")
    line = mt_bench_x(*answer_args(data_dir, server, "full"))
    assert "No space left on device" in line and str(target) in line


def test_judge_into_a_folder_that_cannot_be_written(
    data_dir: Path, server: OpenAICompatibleServer
) -> None:
    try:
        Path("/sys/mt-bench-x-probe.jsonl").open("a").close()
        pytest.skip("/sys is writable here")
    except OSError:
        pass
    judgment_dir(data_dir).symlink_to("/sys")  # sysfs refuses new files, even to root
    line = mt_bench_x(*judge_args(data_dir, server))
    assert "Permission denied" in line and "gpt-4_single.jsonl" in line
    assert server.requests == []  # refused before any call is paid


def test_a_300_character_model_id(data_dir: Path, server: OpenAICompatibleServer) -> None:
    model_id = "m" * 300
    line = mt_bench_x(*answer_args(data_dir, server, model_id))
    assert "too long" in line
    line = mt_bench_x(*judge_args(data_dir, server, model_id))
    assert "too long" in line
    assert server.requests == []


def test_answer_with_a_model_path_that_does_not_exist(data_dir: Path) -> None:
    line = mt_bench_x("answer", "--model-path", "/nonexistent", "--model-id", "m",
                      "--lang", "DE", "--data-dir", str(data_dir), "--no-progress")  # fmt: skip
    assert "--model-path /nonexistent" in line and "checkpoint folder" in line


def test_push_offline(data_dir: Path) -> None:
    card = "---\nconfigs:\n- config_name: DE\n  data_files: mt_bench_DE/question.jsonl\n---\n"
    (data_dir / "README.md").write_text(card)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    line = mt_bench_x(
        "push", "--repo-dir", str(data_dir), "--repo-id", "org/mt-bench-x",
        HF_TOKEN="hf_test_secret", HF_ENDPOINT=f"http://127.0.0.1:{port}",
    )  # fmt: skip
    assert "org/mt-bench-x" in line and "ConnectError" in line
    assert "hf_test_secret" not in line


def test_show_with_a_score_that_is_not_a_number(data_dir: Path) -> None:
    path = judgment_dir(data_dir) / "gpt-4_single.jsonl"
    path.parent.mkdir()
    base = {"model": "model-a", "judge": ["gpt-4", "single-v1"], "turn": 1}
    lines = [{**base, "question_id": "81_DE", "score": 7}, {**base, "question_id": "82_DE",
             "score": "seven"}]  # fmt: skip
    path.write_text("".join(json.dumps(record) + "\n" for record in lines))
    line = mt_bench_x("show", "--data-dir", str(data_dir), "--lang", "DE")
    assert f"{path}:2" in line and "'seven'" in line


def test_an_answer_file_that_is_not_utf8(data_dir: Path, server: OpenAICompatibleServer) -> None:
    path = data_dir / "mt_bench_DE" / "model_answer" / "model-a.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b"Answer of", "Antwort \u00e4".encode("latin-1"))
    path.write_bytes(b"".join(lines))
    for args in (
        judge_args(data_dir, server),  # the model named
        judge_args(data_dir, server)[:-2],  # every model with answers
        answer_args(data_dir, server, "model-a"),  # resuming
    ):
        line = mt_bench_x(*args)
        assert f"{path}:2" in line and "not UTF-8" in line
    assert server.requests == []


def test_a_judge_prompt_asking_for_an_unknown_placeholder(
    data_dir: Path, server: OpenAICompatibleServer
) -> None:
    from mt_bench_x.formats.layout import BenchPaths

    prompts_file = BenchPaths(data_dir, "DE").judge_prompts_file
    lines = prompts_file.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if json.loads(line)["name"] == "single-v1")
    record = json.loads(lines[number - 1])
    record["prompt_template"] += "\n{answer_c}"
    lines[number - 1] = json.dumps(record, ensure_ascii=False)
    prompts_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    line = mt_bench_x(*judge_args(data_dir, server))
    assert f"{prompts_file}:{number}:" in line
    assert "'single-v1'" in line and "{answer_c}" in line
    assert server.requests == []
