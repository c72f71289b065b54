"""`lima-x build lima` against bad options, oversized texts and translations that lose code.

Real DeepL SDK against the local DeepL-compatible server; every refusal is checked to come
before any request.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lima_x.cli import build_app
from tests.lima_x.sources import lima_rows, write_jsonl
from tests.servers.deepl_server import DeepLCompatibleServer

CODE_ANSWER = "Like this:\n\n```python\nprint(total)  # show it\n```\n\nThat is all."
LOSE_QUESTION = "LOSE: how do I print a total?"


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["build", "lima", *args, "--no-progress"])
    return result.exit_code, result.output


@pytest.fixture
def deepl(monkeypatch: pytest.MonkeyPatch):
    """A DeepL server that drops the code of every text containing ``LOSE``."""
    with DeepLCompatibleServer(drop_tags_when="LOSE") as server:
        monkeypatch.setenv("DEEPL_AUTH_KEY", "test-key")
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        yield server


@pytest.fixture
def train(tmp_path: Path) -> Path:
    rows = lima_rows(6)
    rows[4] = {"conversations": [LOSE_QUESTION, f"LOSE {CODE_ANSWER}"], "source": "nlp"}
    return write_jsonl(tmp_path / "lima" / "train.jsonl", rows)


def common(train: Path, tmp_path: Path, langs: str = "EN,DE") -> list[str]:
    return [
        "--source", str(train), "--langs", langs, "--translator", "deepl",
        "--validation-fraction", "0.2",
        "--cache", str(tmp_path / "c.sqlite"), "--out", str(tmp_path / "out"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- item 2: options


def test_an_unsupported_target_language_is_refused_before_any_request(
    deepl, train: Path, tmp_path: Path
) -> None:
    code, output = build(*common(train, tmp_path, "EN,DE,XX"))
    assert code == 1, output
    assert "DeepL does not translate into XX" in output and "nothing was sent" in output
    assert deepl.requests == []
    assert not (tmp_path / "out").exists()
    code, output = build(*common(train, tmp_path, "EN,DE,XX"), "--dry-run")
    assert code == 1 and "XX" in output


def test_an_unknown_formality_is_a_usage_error(deepl, train: Path, tmp_path: Path) -> None:
    code, output = build(*common(train, tmp_path), "--formality", "bogus")
    assert code == 2
    assert "bogus" in output and "prefer_more" in output
    assert deepl.requests == []


def test_formality_more_for_a_target_without_it_is_refused(
    deepl, train: Path, tmp_path: Path
) -> None:
    code, output = build(*common(train, tmp_path, "EN,DE,FI"), "--formality", "more")
    assert code == 1 and "FI" in output and "prefer_more" in output
    assert deepl.requests == []


def test_an_unknown_protected_loss_policy_is_a_usage_error(train: Path, tmp_path: Path) -> None:
    code, output = build(*common(train, tmp_path), "--on-protected-loss", "ask")
    assert code == 2 and "keep-source" in output


# --------------------------------------------------------------------------- item 3: lost code


def test_lost_code_stops_naming_sample_and_text_and_caches_the_rest(
    deepl, train: Path, tmp_path: Path
) -> None:
    code, output = build(*common(train, tmp_path))
    assert code == 1
    assert "lost protected code" in output
    assert "sample 4 message 2" in output  # the 0-based LIMA id, 1-based message
    assert "--on-protected-loss" in output
    assert not (tmp_path / "out").exists()
    sent_first = sum(len(r["texts"]) for r in deepl.requests)
    before = len(deepl.requests)
    # The rerun sends only the text that lost its code: the rest is cached.
    code, _ = build(*common(train, tmp_path))
    assert code == 1
    resent = [text for r in deepl.requests[before:] for text in r["texts"]]
    assert len(resent) == 1 and "LOSE" in resent[0]
    assert sent_first > 1


def test_keep_source_keeps_the_english_text_and_reports_it(
    deepl, train: Path, tmp_path: Path
) -> None:
    code, output = build(*common(train, tmp_path), "--on-protected-loss", "keep-source")
    assert code == 0, output
    report = json.loads((tmp_path / "out" / "build_report.json").read_text())
    assert report["protected_loss"] == {
        "policy": "keep-source",
        "kept_source": {"DE": ["sample 4 message 2"]},
    }
    import pyarrow.parquet as pq

    rows = pq.read_table(tmp_path / "out/data/DE/train-00000-of-00001.parquet").to_pylist()
    kept = next(r for r in rows if r["source_id"] == "4")
    assert kept["messages"][1]["content"] == f"LOSE {CODE_ANSWER}"
    assert kept["messages"][0]["content"].startswith("de:")  # the question was translated


def test_retry_sends_the_lost_text_again_then_stops(deepl, train: Path, tmp_path: Path) -> None:
    code, output = build(*common(train, tmp_path), "--on-protected-loss", "retry")
    assert code == 1 and "sample 4 message 2" in output
    lose_requests = [r for r in deepl.requests if any("LOSE " in t for t in r["texts"])]
    assert len(lose_requests) == 3  # the first try and two more


def test_retry_succeeds_when_the_server_recovers(
    train: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with DeepLCompatibleServer(drop_tags_when="LOSE") as server:
        monkeypatch.setenv("DEEPL_AUTH_KEY", "test-key")
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        original = server._inject_fault

        def recover(payload):  # from the second request on, code comes back
            server.drop_tags_when = None
            return original(payload)

        server._inject_fault = recover  # type: ignore[method-assign]
        code, output = build(*common(train, tmp_path), "--on-protected-loss", "retry")
    assert code == 0, output


# --------------------------------------------------------------------------- item 5


def test_a_text_too_large_for_one_request_is_refused_before_any_request(
    deepl, tmp_path: Path
) -> None:
    rows = lima_rows(5)
    rows[3]["conversations"][1] = "word " * 40_000  # 200 kB, over DeepL's 128 KiB
    train = write_jsonl(tmp_path / "lima" / "train.jsonl", rows)
    for extra in (["--dry-run"], []):
        code, output = build(*common(train, tmp_path), *extra)
        assert code == 1, output
        assert f"{train}, row 4: message 2 of sample 3" in output
        assert "200,000 characters" in output
        assert deepl.requests == []


def test_validation_equal_to_source_is_refused(tmp_path: Path) -> None:
    train = write_jsonl(tmp_path / "lima" / "train.jsonl", lima_rows(5))
    code, output = build(
        "--source", str(train), "--validation", str(tmp_path / "lima" / ".." / "lima" /
        "train.jsonl"), "--langs", "EN", "--translator", "none", "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == 1 and "is the --source file" in output
    assert not (tmp_path / "o").exists()
