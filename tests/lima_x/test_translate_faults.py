"""Translation backends against faulty servers: malformed 200s, lost code, slow or failing
servers. Real HTTP against the local test servers."""

from __future__ import annotations

import time

import pytest

from lima_x.errors import MalformedReplyError, ProtectedTextLoss, TranslationError
from lima_x.translate.base import TranslationOptions
from lima_x.translate.cache import CachedTranslator
from lima_x.translate.deepl_backend import DeepLTranslator
from tests.servers.deepl_server import DeepLCompatibleServer, mark_words
from tests.servers.openai_server import (
    OpenAICompatibleServer,
    echo_respond,
    raw_reply_responder,
)

KEY = "test-key-faults"
OPTIONS = TranslationOptions()
CODE_TEXT = "Run this:\n\n```python\nprint('hi')  # greet\n```\n\nLOSE the code"


def make_translator(url: str, **kwargs) -> DeepLTranslator:
    kwargs.setdefault("retry_wait_s", 0.01)
    return DeepLTranslator(KEY, server_url=url, show_progress=False, **kwargs)


@pytest.fixture
def no_sdk_retries(monkeypatch):
    """The SDK's own retry loop off (its backoff starts at 1 s), so the backend's is tested."""
    import deepl.http_client

    monkeypatch.setattr(deepl.http_client, "max_network_retries", 0)


@pytest.mark.parametrize("fault", ["html", "not_json", "short"])
def test_a_malformed_200_is_retried_and_then_translated(fault) -> None:
    texts = ["one two", "three"]
    with DeepLCompatibleServer(fault=fault, fault_count=1) as server:
        out = make_translator(server.url).translate(
            texts, source_lang="EN", target_lang="DE", options=OPTIONS
        )
        assert out == [mark_words(t, "DE") for t in texts]
        assert len(server.requests) == 2


@pytest.mark.parametrize("fault", ["html", "not_json", "short"])
def test_a_malformed_200_ends_in_a_clear_error_and_caches_nothing(fault, tmp_path) -> None:
    texts = ["one two", "three"]
    with DeepLCompatibleServer(fault=fault) as server:
        cached = CachedTranslator(
            make_translator(server.url, max_retries=2), tmp_path / "c.sqlite", show_progress=False
        )
        with pytest.raises(MalformedReplyError) as caught:
            cached.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
        assert "after 3 attempt(s)" in str(caught.value)
        assert "translations for 2 texts" in str(caught.value)
        assert "Nothing of this request was cached" in str(caught.value)
        assert len(server.requests) == 3
        assert len(cached) == 0
        cached.close()


def test_retries_stop_at_the_retry_time_limit(no_sdk_retries) -> None:
    with DeepLCompatibleServer(rate_limit_every=1) as server:  # every request gets a 429
        translator = make_translator(
            server.url, max_retries=50, retry_wait_s=0.2, max_retry_time_s=1.0
        )
        started = time.monotonic()
        with pytest.raises(TranslationError, match="retry time limit 1 s"):
            translator.translate(["Hi"], source_lang="EN", target_lang="DE", options=OPTIONS)
        elapsed = time.monotonic() - started
    # waits 0.2 + 0.4 fit in 1 s, the next 0.8 would not: three attempts, not 51
    assert len(server.requests) == 3
    assert elapsed < 5


def test_a_slow_server_counts_its_reply_time_against_the_limit(no_sdk_retries) -> None:
    with DeepLCompatibleServer(rate_limit_every=1, delay_s=0.4) as server:
        translator = make_translator(
            server.url, max_retries=50, retry_wait_s=0.05, max_retry_time_s=1.0
        )
        with pytest.raises(TranslationError, match="retry time limit"):
            translator.translate(["Hi"], source_lang="EN", target_lang="DE", options=OPTIONS)
    assert 2 <= len(server.requests) <= 3


def test_lost_code_keeps_the_good_translations_in_the_cache(tmp_path) -> None:
    texts = ["first text", CODE_TEXT, "third text"]
    with DeepLCompatibleServer(drop_tags_when="LOSE") as server:
        cached = CachedTranslator(make_translator(server.url), tmp_path / "c.sqlite")
        with pytest.raises(ProtectedTextLoss) as caught:
            cached.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
        assert list(caught.value.lost) == [CODE_TEXT]
        assert caught.value.done == {t: mark_words(t, "DE") for t in (texts[0], texts[2])}
        assert len(cached) == 2
        assert cached.missing(texts, source_lang="EN", target_lang="DE", options=OPTIONS) == [
            CODE_TEXT
        ]
        cached.close()


# --------------------------------------------------------------------------- OpenAI-compatible


def chat_translator(server, **kwargs):
    from lima_x.translate.llm_backend import OpenAIChatTranslator

    return OpenAIChatTranslator(
        "test-model", api_key=KEY, base_url=server.base_url, show_progress=False, **kwargs
    )


@pytest.mark.parametrize("kind", ["html", "not_json"])
def test_a_malformed_chat_reply_is_asked_again(kind) -> None:
    with OpenAICompatibleServer(raw_reply_responder(kind, times=1)) as server:
        out = chat_translator(server).translate(
            ["Hello there"], source_lang="EN", target_lang="DE", options=OPTIONS
        )
        assert out == ["Hello there"]  # the echo server's "translation"
        assert len(server.requests) == 2


@pytest.mark.parametrize("kind", ["html", "not_json"])
def test_a_malformed_chat_reply_keeps_the_other_texts(kind, tmp_path) -> None:
    def respond(body: dict) -> str:
        if "broken" in echo_respond(body):
            return raw_reply_responder(kind)(body)
        return echo_respond(body)

    texts = ["first text", "a broken one", "third text"]
    with OpenAICompatibleServer(respond) as server:
        cached = CachedTranslator(
            chat_translator(server, batch_size=8, malformed_retries=1), tmp_path / "c.sqlite"
        )
        with pytest.raises(MalformedReplyError) as caught:
            cached.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
        message = str(caught.value)
        assert "not JSON" in message or "not a chat completion" in message
        assert "AttributeError" not in message
        assert len(cached) == 2  # the two good translations are kept
        assert cached.missing(texts, source_lang="EN", target_lang="DE", options=OPTIONS) == [
            "a broken one"
        ]
        cached.close()


# --------------------------------------------------------------------------- a shared cache


def test_two_runs_sharing_a_cache_send_each_text_once(tmp_path) -> None:
    """Two translators (two connections, as two builds have) on one cache file, at once: each
    text is paid once; the run that finds a text claimed by the other waits for it."""
    import threading

    texts = [f"sentence number {i}" for i in range(120)]
    cache = tmp_path / "shared.sqlite"
    results: dict[str, list[str]] = {}
    with DeepLCompatibleServer(delay_s=0.05) as server:
        runs = {
            name: CachedTranslator(
                make_translator(server.url, max_texts=10), cache, show_progress=False
            )
            for name in ("a", "b")
        }
        start = threading.Barrier(2)

        def run(name: str) -> None:
            start.wait()
            results[name] = runs[name].translate(
                texts, source_lang="EN", target_lang="DE", options=OPTIONS
            )

        threads = [threading.Thread(target=run, args=(name,)) for name in runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        sent = [text for request in server.requests for text in request["texts"]]
        for translator in runs.values():
            translator.close()
    expected = [mark_words(t, "DE") for t in texts]
    assert results == {"a": expected, "b": expected}
    assert sorted(sent) == sorted(texts)  # every text once, none twice
    assert len(server.requests) == 12


def test_a_claim_of_a_process_that_is_gone_is_taken_over(tmp_path) -> None:
    from lima_x.translate.cache import TranslationCache

    cache = TranslationCache(tmp_path / "c.sqlite")
    cached, mine, elsewhere = cache.claim(["k1", "k2"])
    assert (cached, sorted(mine), elsewhere) == ({}, ["k1", "k2"], [])
    other = TranslationCache(tmp_path / "c.sqlite")
    assert other.claim(["k1"]) == ({}, [], ["k1"])  # held by a live run
    with other._db:  # the claim's process has ended (pid 2**22 + 1 is never handed out)
        other._db.execute("UPDATE claims SET owner = ? WHERE key = 'k1'",
                          (cache.owner.split(":")[0] + f":{2**22 + 1}:0",))  # fmt: skip
    assert other.claim(["k1"]) == ({}, ["k1"], [])
    cache.close()
    other.close()
