"""Ordinary failures of `lima-x` end in one clear line and exit 1: the real command line in a
subprocess, with no traceback printed and none saved."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.lima_x.sources import lima_rows, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def lima_x(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "POLYGLOT_TRACEBACK_DIR": str(tmp_path / "tracebacks"),
        "DEEPL_AUTH_KEY": "test-key",
        "DEEPL_SERVER_URL": "http://127.0.0.1:9",  # nothing may be sent in these tests
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
    }
    return subprocess.run(
        [sys.executable, "-m", "lima_x.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], tmp_path: Path) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "unexpected" not in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "tracebacks").exists()  # no bug report was saved
    return lines[0]


@pytest.fixture
def train(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "train.jsonl", lima_rows(6))


def build_args(train: Path, cache: Path) -> list[str]:
    return [
        "build", "lima", "--source", str(train), "--langs", "EN,DE", "--translator", "deepl",
        "--validation-fraction", "0.2",
        "--cache", str(cache), "--out", "out", "--no-progress",
    ]  # fmt: skip


def test_a_corrupt_cache_file(tmp_path: Path, train: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"this is not an SQLite database, just some bytes " * 20)
    line = assert_one_clear_line(lima_x(tmp_path, *build_args(train, cache)), tmp_path)
    assert str(cache) in line and "not an intact SQLite file" in line


def test_a_folder_where_the_cache_file_should_be(tmp_path: Path, train: Path) -> None:
    cache = tmp_path / "cache-dir"
    cache.mkdir()
    line = assert_one_clear_line(lima_x(tmp_path, *build_args(train, cache)), tmp_path)
    assert str(cache) in line and "is a folder" in line


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` read-only, for root too (``chattr +i``); skips where neither works."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported on this file system")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_cache_fails_before_any_request(tmp_path: Path, train: Path) -> None:
    from lima_x.translate.cache import TranslationCache

    cache = tmp_path / "cache.sqlite"
    TranslationCache(cache).close()
    with read_only(cache):
        line = assert_one_clear_line(lima_x(tmp_path, *build_args(train, cache)), tmp_path)
    assert str(cache) in line and "read-only" in line


def test_lima_input_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    lines = [json.dumps(row).encode() for row in lima_rows(4)]
    lines[3] = lines[3].replace(b"works", b"w\xf6rks")
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = lima_x(
        tmp_path, "build", "lima", "--source", str(path), "--langs", "EN",
        "--translator", "none", "--validation-fraction", "0.2", "--out", "out",
    )  # fmt: skip
    line = assert_one_clear_line(result, tmp_path)
    assert f"{path}, row 4: expected UTF-8" in line


def test_lima_row_numbers_count_from_one(tmp_path: Path) -> None:
    rows = lima_rows(3)
    rows[0]["conversations"] = ["a question without an answer"]
    path = write_jsonl(tmp_path / "train.jsonl", rows)
    result = lima_x(
        tmp_path, "build", "lima", "--source", str(path), "--langs", "EN",
        "--translator", "none", "--validation-fraction", "0.2", "--out", "out",
    )  # fmt: skip
    assert f"{path}, row 1:" in assert_one_clear_line(result, tmp_path)


@pytest.fixture
def built(tmp_path: Path, train: Path) -> Path:
    result = lima_x(
        tmp_path, "build", "lima", "--source", str(train), "--langs", "EN",
        "--translator", "none", "--validation-fraction", "0.2", "--out", "built", "--no-progress",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return tmp_path / "built"


def test_inspect_a_folder_with_a_missing_parquet_file(tmp_path: Path, built: Path) -> None:
    missing = built / "data" / "EN" / "train-00000-of-00001.parquet"
    missing.unlink()
    line = assert_one_clear_line(lima_x(tmp_path, "inspect", str(built)), tmp_path)
    assert "missing files" in line and "train-00000-of-00001.parquet" in line
    assert "config EN" in line


def test_inspect_a_folder_with_a_corrupt_parquet_file(tmp_path: Path, built: Path) -> None:
    corrupt = built / "data" / "EN" / "validation-00000-of-00001.parquet"
    corrupt.write_bytes(b"junk")
    line = assert_one_clear_line(lima_x(tmp_path, "inspect", str(built)), tmp_path)
    assert "validation-00000-of-00001.parquet" in line and "not a readable parquet" in line


def test_inspect_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    line = assert_one_clear_line(lima_x(tmp_path, "inspect", "nowhere"), tmp_path)
    assert "nowhere" in line


def test_two_builds_sharing_a_cache_pay_each_text_once(tmp_path: Path) -> None:
    """Two `lima-x build lima` processes at once, one cache file: every text is sent once."""
    from tests.servers.deepl_server import DeepLCompatibleServer

    train = write_jsonl(tmp_path / "train.jsonl", lima_rows(80))
    cache = tmp_path / "shared.sqlite"
    with DeepLCompatibleServer(delay_s=1.0) as server:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DEEPL_AUTH_KEY": "test-key",
            "DEEPL_SERVER_URL": server.url,
        }
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "lima_x.cli",
                    "build",
                    "lima",
                    "--source",
                    str(train),
                    "--langs",
                    "EN,DE",
                    "--translator",
                    "deepl",
                    "--validation-fraction",
                    "0.2",
                    "--cache",
                    str(cache),
                    "--out",
                    str(tmp_path / f"out-{n}"),
                    "--no-progress",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(2)
        ]
        for run in runs:
            _, stderr = run.communicate(timeout=300)
            assert run.returncode == 0, stderr
        sent = [text for request in server.requests for text in request["texts"]]
    assert len(sent) == len(set(sent))  # no text paid twice
    built = [
        (tmp_path / f"out-{n}" / "data/DE/train-00000-of-00001.parquet").read_bytes()
        for n in range(2)
    ]
    assert built[0] == built[1]
