"""`mt-bench-x build` refuses options it would ignore, and languages the translator does not
offer, before any request (the real command line in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers.deepl_server import DeepLCompatibleServer

REPO_ROOT = Path(__file__).resolve().parents[2]


def mt_bench_x(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mt_bench_x.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--corrections", "/nonexistent.jsonl"], "--corrections"),
        (["--formality", "IT=more"], "--formality"),
        (["--translator", "openai"], "--translator"),
        (["--no-preserve-code"], "--preserve-code"),
        (["--on-protected-loss", "keep-source"], "--on-protected-loss"),
    ],
)
def test_from_published_refuses_translation_options(
    shared_data: Path, tmp_path: Path, extra: list[str], named: str
) -> None:
    out = tmp_path / "repo"
    done = mt_bench_x(
        "build", "--from-published", str(shared_data / "mt_bench_x"), "--out", str(out), *extra
    )
    assert done.returncode == 2, done.stderr
    assert named in done.stderr and "--from-fastchat" in done.stderr
    others = [flag for flag in ("--corrections", "--formality", "--cache") if flag != named]
    assert not any(flag in done.stderr for flag in others)  # only what was given is named
    assert not out.exists()


def test_from_published_without_translation_options_builds(
    shared_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "repo"
    done = mt_bench_x(
        "build", "--from-published", str(shared_data / "mt_bench_x"), "--langs", "DE",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (out / "README.md").is_file()


def test_from_fastchat_refuses_an_unsupported_language_before_any_request(
    shared_data: Path, tmp_path: Path
) -> None:
    with DeepLCompatibleServer() as server:
        env = {"DEEPL_AUTH_KEY": "test-key", "DEEPL_SERVER_URL": server.url}
        done = mt_bench_x(
            "build", "--from-fastchat", str(shared_data / "mt_bench"), "--langs", "DE,XX",
            "--out", str(tmp_path / "repo"), env=env,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert "DeepL does not translate into XX" in done.stderr
        assert "Traceback" not in done.stderr
        done = mt_bench_x(
            "build", "--from-fastchat", str(shared_data / "mt_bench"), "--langs", "DE,FI",
            "--formality", "FI=more", "--out", str(tmp_path / "repo"), env=env,
        )  # fmt: skip
        assert done.returncode == 1 and "prefer_more" in done.stderr
        done = mt_bench_x(
            "build", "--from-fastchat", str(shared_data / "mt_bench"), "--langs", "DE",
            "--formality", "DE=bogus", "--out", str(tmp_path / "repo"), env=env,
        )  # fmt: skip
        assert done.returncode == 2 and "DE=bogus" in done.stderr  # a usage error
        assert server.requests == []
    assert not (tmp_path / "repo").exists()
