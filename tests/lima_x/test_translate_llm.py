"""The OpenAI-compatible LLM backend over real HTTP against the local chat server."""

from __future__ import annotations

import logging
import re
import threading

import pytest

from lima_x.errors import MissingCredentialError, TranslationError
from lima_x.translate.base import TranslationOptions
from lima_x.translate.cache import CachedTranslator
from lima_x.translate.code_spans import with_placeholder_protection
from lima_x.translate.factory import create_translator
from lima_x.translate.llm_backend import OpenAIChatTranslator
from tests.servers.openai_server import OpenAICompatibleServer

KEY = "sk-test-llm-0d9e-do-not-leak"
OPTIONS = TranslationOptions()

SAMPLE = """To count words, split the text:

```python
def count_words(text):
    # split on whitespace
    return len(text.split())  # number of words
```

Then call `count_words(s)` on your string.
"""


def fake_translate(text: str) -> str:
    """A model that follows the instructions: words outside code get a ``de:`` prefix, and so
    do the words of ``#`` comments inside fenced code; code itself is left alone."""
    out, in_code = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
            out.append(line)
        elif in_code:
            code, marker, comment = line.partition("# ")
            words = re.sub(r"\S+", lambda m: "de:" + m.group(0), comment)
            out.append(code + marker + words)
        else:
            parts = re.split(r"(`[^`]*`)", line)
            out.append(
                "".join(
                    p if p.startswith("`") else re.sub(r"\S+", lambda m: "de:" + m.group(0), p)
                    for p in parts
                )
            )
    return "\n".join(out)


def original_text(body: dict) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def translator(server: OpenAICompatibleServer, **kwargs) -> OpenAIChatTranslator:
    return OpenAIChatTranslator(
        "test-model", api_key=KEY, base_url=server.base_url, show_progress=False, **kwargs
    )


def test_prose_and_comments_translated_code_kept() -> None:
    with OpenAICompatibleServer(lambda body: fake_translate(original_text(body))) as server:
        (out,) = translator(server).translate(
            [SAMPLE], source_lang="EN", target_lang="DE", options=OPTIONS
        )
        body = server.requests[0]
    assert out.startswith("de:To de:count de:words,")
    assert "    # de:split de:on de:whitespace\n" in out
    assert "    return len(text.split())  # de:number de:of de:words\n" in out
    assert "de:Then de:call `count_words(s)` de:on" in out
    assert out.endswith("\n")
    assert body["model"] == "test-model"
    assert body["temperature"] == 0
    system = body["messages"][0]["content"]
    assert "from English to German" in system and "comments" in system


def test_a_model_that_changes_code_is_asked_again_once() -> None:
    calls = {"n": 0}
    lock = threading.Lock()

    def respond(body: dict) -> str:
        with lock:
            calls["n"] += 1
            first = calls["n"] == 1
        translated = fake_translate(original_text(body))
        return translated.replace("count_words", "zaehle_woerter") if first else translated

    with OpenAICompatibleServer(respond) as server:
        (out,) = translator(server).translate(
            [SAMPLE], source_lang="EN", target_lang="DE", options=OPTIONS
        )
        assert len(server.requests) == 2
        retry = server.requests[1]["messages"]
    assert "zaehle_woerter" not in out and "def count_words(text):" in out
    assert retry[2]["role"] == "assistant" and "changed code" in retry[3]["content"]


def test_a_model_that_keeps_changing_code_fails_naming_the_text(caplog) -> None:
    caplog.set_level(logging.DEBUG)

    def respond(body: dict) -> str:
        return fake_translate(original_text(body)).replace("split()", "teilen()")

    with (
        OpenAICompatibleServer(respond) as server,
        pytest.raises(TranslationError, match=r"text #1 \('To count words") as caught,
    ):
        translator(server).translate(
            ["Fine.", SAMPLE], source_lang="EN", target_lang="DE", options=OPTIONS
        )
    assert KEY not in str(caught.value)
    assert KEY not in caplog.text


def test_placeholders_survive_when_protection_is_asked_for() -> None:
    template = "[Question]\n{question}\n\nAnswer with [[A]] or [[B]]."

    def respond(body: dict) -> str:
        return "[Frage]\n{question}\n\nAntworte mit [[A]] oder [[B]]."

    with OpenAICompatibleServer(respond) as server:
        options = with_placeholder_protection(OPTIONS)
        (out,) = translator(server).translate(
            [template], source_lang="EN", target_lang="DE", options=options
        )
        system = server.requests[0]["messages"][0]["content"]
    assert out == "[Frage]\n{question}\n\nAntworte mit [[A]] oder [[B]]."
    assert "{name}" in system and "[[A]]" in system


def test_server_faults_are_retried_by_the_client(tmp_path) -> None:
    texts = [f"Sentence {i} here." for i in range(30)]
    with OpenAICompatibleServer(
        lambda body: fake_translate(original_text(body)), fault_rate=0.3, retry_after_s=0.01
    ) as server:
        with CachedTranslator(translator(server), tmp_path / "llm.sqlite") as cache:
            out = cache.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
            first = len(server.requests)
            again = cache.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
            assert len(server.requests) == first
        assert server.faults > 0
    assert out == again == [fake_translate(t) for t in texts]


def test_formality_and_context_reach_the_prompt() -> None:
    with OpenAICompatibleServer(lambda body: "Könnten Sie es senden?") as server:
        translator(server).translate(
            ["Could you send it?"],
            source_lang="EN",
            target_lang="DE",
            options=TranslationOptions(formality="more", context="A letter to a customer."),
        )
        system = server.requests[0]["messages"][0]["content"]
    assert "formal register" in system and "A letter to a customer." in system


def test_factory_reads_key_and_base_url_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingCredentialError, match="OPENAI_API_KEY"):
        create_translator("openai", cache_path=None, model="m")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with pytest.raises(ValueError, match="--model"):
        create_translator("openai", cache_path=None)
    with OpenAICompatibleServer(lambda body: "Hallo") as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        built = create_translator("openai", cache_path=None, model="test-model")
        assert built is not None
        assert built.cache_identity() == "openai:test-model"
        assert built.translate(["Hello"], source_lang="EN", target_lang="DE", options=OPTIONS) == [
            "Hallo"
        ]
    assert create_translator("none", cache_path=None) is None
    with pytest.raises(ValueError, match="expected one of deepl, openai, none"):
        create_translator("google", cache_path=None)


def test_the_command_line_logs_no_line_per_http_request(caplog: pytest.LogCaptureFixture) -> None:
    """The CLI's logging: our INFO messages, but not the clients' one line per request."""
    from lima_x.cli import QUIET_LOGGERS, configure_logging

    names = ["", "lima_x", *QUIET_LOGGERS]
    levels = {name: logging.getLogger(name).level for name in names}
    try:
        logging.getLogger().setLevel(logging.INFO)  # as basicConfig sets it outside pytest
        configure_logging()
        with OpenAICompatibleServer(lambda body: fake_translate(original_text(body))) as server:
            translator(server).translate(
                ["Hello world."], source_lang="EN", target_lang="DE", options=OPTIONS
            )
        logging.getLogger("lima_x").info("our own message")
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    messages = [record.getMessage() for record in caplog.records]
    assert "our own message" in messages
    assert not [m for m in messages if "HTTP Request" in m], messages
