"""The SQLite translation cache in front of the DeepL backend, over real HTTP."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lima_x.translate.base import TranslationOptions
from lima_x.translate.cache import CachedTranslator, cache_key
from lima_x.translate.deepl_backend import DeepLTranslator
from tests.servers.deepl_server import DeepLCompatibleServer, mark_words, transform_xml

REPO_ROOT = Path(__file__).resolve().parents[2]
KEY = "cache-test-key"
OPTIONS = TranslationOptions()


def cached_deepl(url: str, path: Path) -> CachedTranslator:
    inner = DeepLTranslator(KEY, server_url=url, show_progress=False)
    return CachedTranslator(inner, path, show_progress=False)


def sent_texts(server: DeepLCompatibleServer) -> list[str]:
    return [t for r in server.requests if r["status"] == 200 for t in r["texts"]]


def test_second_run_makes_zero_requests(tmp_path) -> None:
    texts = [f"Sentence number {i}." for i in range(120)]
    with DeepLCompatibleServer() as server:
        with cached_deepl(server.url, tmp_path / "c.sqlite") as first:
            out1 = first.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
        assert len(server.requests) == 3
        with cached_deepl(server.url, tmp_path / "c.sqlite") as second:
            out2 = second.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
            assert second.requests_made == 0
        assert len(server.requests) == 3
    assert out1 == out2 == [mark_words(t, "DE") for t in texts]


def test_duplicates_are_translated_once_and_order_is_kept(tmp_path) -> None:
    texts = ["Hello.", "Bye.", "Hello.", "Hello.", "Bye."]
    with DeepLCompatibleServer() as server, cached_deepl(server.url, tmp_path / "c.db") as cache:
        out = cache.translate(texts, source_lang="EN", target_lang="FR", options=OPTIONS)
        assert sent_texts(server) == ["Hello.", "Bye."]
    assert out == ["fr:Hello.", "fr:Bye.", "fr:Hello.", "fr:Hello.", "fr:Bye."]


def test_languages_and_options_are_part_of_the_key(tmp_path) -> None:
    with DeepLCompatibleServer() as server, cached_deepl(server.url, tmp_path / "c.db") as cache:
        cache.translate(["Hi."], source_lang="EN", target_lang="DE", options=OPTIONS)
        cache.translate(["Hi."], source_lang="EN", target_lang="IT", options=OPTIONS)
        formal = TranslationOptions(formality="more")
        cache.translate(["Hi."], source_lang="EN", target_lang="DE", options=formal)
        cache.translate(["Hi."], source_lang="EN", target_lang="DE", options=formal)
        assert len(server.requests) == 3
        assert len(cache) == 3
    keys = {
        cache_key("deepl", "EN", "DE", OPTIONS, "Hi."),
        cache_key("deepl", "EN", "DE", formal, "Hi."),
        cache_key("openai:m", "EN", "DE", OPTIONS, "Hi."),
        cache_key("deepl", "EN", "DE", OPTIONS, "Hi!"),
    }
    assert len(keys) == 4


def test_missing_lists_only_uncached_texts(tmp_path) -> None:
    with DeepLCompatibleServer() as server, cached_deepl(server.url, tmp_path / "c.db") as cache:
        cache.translate(["a b", "c d"], source_lang="EN", target_lang="DE", options=OPTIONS)
        missing = cache.missing(
            ["a b", "e f", "e f", "c d", "g"], source_lang="EN", target_lang="DE", options=OPTIONS
        )
    assert missing == ["e f", "g"]


def test_two_processes_can_share_the_cache(tmp_path) -> None:
    path = tmp_path / "shared.sqlite"
    with DeepLCompatibleServer() as server:
        first = cached_deepl(server.url, path)
        second = cached_deepl(server.url, path)
        first.translate(["one"], source_lang="EN", target_lang="DE", options=OPTIONS)
        second.translate(["one", "two"], source_lang="EN", target_lang="DE", options=OPTIONS)
        assert sent_texts(server) == ["one", "two"]
        first.close()
        second.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


WORKER = textwrap.dedent(
    """
    import sys
    from lima_x.translate.base import TranslationOptions
    from lima_x.translate.cache import CachedTranslator
    from lima_x.translate.deepl_backend import DeepLTranslator

    url, path = sys.argv[1], sys.argv[2]
    texts = [f"Line {i} of the long run." for i in range(300)]
    inner = DeepLTranslator("cache-test-key", server_url=url, show_progress=False)
    with CachedTranslator(inner, path, show_progress=False) as cache:
        cache.translate(texts, source_lang="EN", target_lang="DE", options=TranslationOptions())
    print("finished")
    """
)


@pytest.mark.slow
def test_a_killed_run_resumes_without_paying_twice(tmp_path) -> None:
    texts = [f"Line {i} of the long run." for i in range(300)]
    path = tmp_path / "resume.sqlite"

    def slow_translate(text: str, source: str | None, target: str) -> str:
        time.sleep(0.01)  # 50 texts: about half a second per request
        return transform_xml(text, {"lxcode", "lxblock"}, lambda s: mark_words(s, target))[0]

    with DeepLCompatibleServer(slow_translate) as server:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, server.url, str(path)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while len(server.requests) < 3 and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        first_run = sent_texts(server)
        assert 100 <= len(first_run) < 300

        with cached_deepl(server.url, path) as cache:
            done_before = set(texts) - set(
                cache.missing(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
            )
            # Every batch answered before the kill was committed (the last may be in flight).
            assert len(done_before) >= len(first_run) - 50
            requests_before = len(server.requests)
            out = cache.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
        resumed = [t for r in server.requests[requests_before:] for t in r["texts"]]
    assert not set(resumed) & done_before
    assert set(resumed) | done_before == set(texts)
    assert len(resumed) == len(set(resumed))
    assert out == [mark_words(t, "DE") for t in texts]
