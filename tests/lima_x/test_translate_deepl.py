"""The DeepL backend over real HTTP, with the real ``deepl`` SDK, against a local server."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lima_x.errors import MissingCredentialError, QuotaExceededError, TranslationError
from lima_x.translate.base import TranslationOptions
from lima_x.translate.cache import CachedTranslator
from lima_x.translate.deepl_backend import DeepLTranslator
from lima_x.translate.factory import create_translator
from tests.servers.deepl_server import (
    MAX_BODY_BYTES,
    MAX_TEXTS,
    DeepLCompatibleServer,
    mark_words,
)

KEY = "test-key-5f0c2e9a-do-not-leak"
OPTIONS = TranslationOptions()

PYTHON_SAMPLE = """Here is a function that sums the even numbers of a list:

```python
def sum_even(numbers):
    # keep only the even numbers
    evens = [n for n in numbers if n % 2 == 0]  # filter step
    return sum(evens)
```

Call `sum_even([1, 2, 3, 4])` to get 6.
"""

JS_SAMPLE = """In JavaScript the same idea looks like this:

```javascript
// sum the even values
function sumEven(values) {
  const label = "// not a comment";
  /* reduce the filtered list */
  return values.filter((v) => v % 2 === 0).reduce((a, b) => a + b, 0);
}
```
"""


def code_block(text: str) -> str:
    start = text.index("```")
    return text[start : text.index("```", start + 3) + 3]


def code_lines_without_comments(block: str) -> list[str]:
    """Each line of a code block with everything after a comment marker removed."""
    lines = []
    for line in block.splitlines():
        for marker in ("  # ", "    # ", "// ", "/* "):
            if marker in line and not line.strip().startswith("const label"):
                line = line[: line.index(marker) + len(marker)]
        lines.append(line)
    return lines


@pytest.fixture
def server():
    with DeepLCompatibleServer() as running:
        yield running


def make_translator(url: str, **kwargs) -> DeepLTranslator:
    return DeepLTranslator(KEY, server_url=url, show_progress=False, **kwargs)


def test_code_is_kept_and_comments_and_prose_are_translated(server) -> None:
    translator = make_translator(server.url)
    out_py, out_js = translator.translate(
        [PYTHON_SAMPLE, JS_SAMPLE], source_lang="EN", target_lang="DE", options=OPTIONS
    )
    # Prose changed.
    assert out_py.startswith("de:Here de:is de:a de:function")
    assert "de:Call `sum_even([1, 2, 3, 4])` de:to de:get de:6." in out_py
    assert out_js.startswith("de:In de:JavaScript")
    # Comments translated, their markers kept.
    assert "    # de:keep de:only de:the de:even de:numbers\n" in out_py
    assert "  # de:filter de:step\n" in out_py
    assert "// de:sum de:the de:even de:values\n" in out_js
    assert "/* de:reduce de:the de:filtered de:list */" in out_js
    # Code identical once comment text is set aside; a comment marker inside a string stays.
    for original, translated in ((PYTHON_SAMPLE, out_py), (JS_SAMPLE, out_js)):
        assert code_lines_without_comments(code_block(translated)) == code_lines_without_comments(
            code_block(original)
        )
    assert 'const label = "// not a comment";' in out_js
    request = server.requests[0]
    assert request["tag_handling"] == "xml"
    assert request["ignore_tags"] == ["lxcode", "lxblock"]
    assert request["options"]["non_splitting_tags"] == ["lxcode"]


def test_the_server_changes_unprotected_code(server) -> None:
    """Without protection the same snippet loses its code: the check above can fail."""
    translator = make_translator(server.url)
    (out,) = translator.translate(
        [PYTHON_SAMPLE],
        source_lang="EN",
        target_lang="DE",
        options=TranslationOptions(preserve_code=False),
    )
    assert "de:def de:sum_even(numbers):" in out
    assert code_block(out) != code_block(PYTHON_SAMPLE)


def test_xml_special_characters_in_prose_survive(server) -> None:
    text = "If a < b && b > c, then \"a\" isn't 'c' (&amp; stays literal)."
    (out,) = make_translator(server.url).translate(
        [text], source_lang="EN", target_lang="FR", options=OPTIONS
    )
    assert out == " ".join("fr:" + word for word in text.split())
    assert "&lt;" not in out and "&amp;amp;" not in out


def test_characters_xml_cannot_carry_come_back_unchanged(server) -> None:
    text = "Page one\x0cpage two, bell\x07 here.\n```\nprint('\x1b[1m')  # bold\n```"
    (out,) = make_translator(server.url).translate(
        [text], source_lang="EN", target_lang="DE", options=OPTIONS
    )
    prose, code = out.split("\n", 1)
    assert prose == "de:Page de:one\x0cde:page de:two, de:bell\x07 de:here."
    assert code == "```\nprint('\x1b[1m')  # bold\n```"
    assert not any(ch in "".join(server.requests[0]["texts"]) for ch in "\x0c\x07\x1b")


def test_texts_without_prose_are_not_sent(server) -> None:
    texts = ["```\nonly = code\n```", "42", "", "Real text."]
    out = make_translator(server.url).translate(
        texts, source_lang="EN", target_lang="DE", options=OPTIONS
    )
    assert out == ["```\nonly = code\n```", "42", "", "de:Real de:text."]
    assert [r["texts"] for r in server.requests] == [["Real text."]]


def test_batches_stay_within_deepl_limits(server) -> None:
    # 120 texts, about 150 KiB of JSON in total with non-ASCII characters escaped.
    texts = [
        (f"Sample {i}: Grüße aus Köln, " + "the quick brown fox " * 55).strip() for i in range(120)
    ]
    out = make_translator(server.url).translate(
        texts, source_lang="EN", target_lang="IT", options=OPTIONS
    )
    assert out == [" ".join("it:" + w for w in t.split()) for t in texts]
    assert sum(r["body_bytes"] for r in server.requests) > MAX_BODY_BYTES
    assert len(server.requests) >= 3
    for request in server.requests:
        assert request["status"] == 200
        assert len(request["texts"]) <= MAX_TEXTS
        assert request["body_bytes"] <= MAX_BODY_BYTES
    assert [t for r in server.requests for t in r["texts"]] == texts


def test_the_server_refuses_oversized_requests(server) -> None:
    """The limits are real: a client ignoring them gets 413."""
    translator = make_translator(server.url, max_texts=80, max_retries=0)
    with pytest.raises(TranslationError, match="413"):
        translator.translate(
            [f"text {i}" for i in range(60)], source_lang="EN", target_lang="DE", options=OPTIONS
        )


def test_a_single_text_over_the_body_limit_is_refused_with_its_index(server) -> None:
    with pytest.raises(TranslationError, match=r"text #1 .* split it"):
        make_translator(server.url).translate(
            ["short", "word " * 30_000], source_lang="EN", target_lang="DE", options=OPTIONS
        )
    assert server.requests == []


def test_429_is_retried() -> None:
    with DeepLCompatibleServer(rate_limit_every=2) as server:
        texts = [f"text number {i}" for i in range(150)]
        out = make_translator(server.url).translate(
            texts, source_lang="EN", target_lang="ES", options=OPTIONS
        )
    assert out == [" ".join("es:" + w for w in t.split()) for t in texts]
    statuses = [r["status"] for r in server.requests]
    assert statuses.count(429) >= 1
    assert statuses.count(200) == 3


def test_backend_retries_when_the_sdk_gives_up(monkeypatch) -> None:
    """With the SDK's own retries off, the backend's bounded retry layer answers a 429."""
    import deepl.http_client

    monkeypatch.setattr(deepl.http_client, "max_network_retries", 0)
    with DeepLCompatibleServer(rate_limit_every=2) as server:
        translator = make_translator(server.url, retry_wait_s=0.01, max_retries=1)
        texts = [f"text {i}" for i in range(60)]  # two requests; the second is refused once
        out = translator.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
        assert out == [mark_words(t, "DE") for t in texts]
        assert [r["status"] for r in server.requests] == [200, 429, 200]
    with DeepLCompatibleServer(rate_limit_every=1) as server:
        translator = make_translator(server.url, retry_wait_s=0.01, max_retries=2)
        with pytest.raises(TranslationError, match="after 3 attempt"):
            translator.translate(["Hi"], source_lang="EN", target_lang="DE", options=OPTIONS)
        assert [r["status"] for r in server.requests] == [429, 429, 429]


def test_quota_exhaustion_stops_cleanly_and_keeps_finished_batches(tmp_path) -> None:
    texts = [f"sentence {i:03d} " + "x" * 180 for i in range(150)]  # 50 texts ≈ 9,700 chars
    with DeepLCompatibleServer(character_quota=20_000) as server:
        cached = CachedTranslator(make_translator(server.url), tmp_path / "cache.sqlite")
        with pytest.raises(QuotaExceededError) as caught:
            cached.translate(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
        message = str(caught.value)
        assert "456" in message and "quota" in message
        assert "100 of the 150 texts" in message
        assert str(tmp_path / "cache.sqlite") in message and "Rerun" in message
        assert KEY not in message
        assert [r["status"] for r in server.requests] == [200, 200, 456]
        assert len(cached) == 100
        assert (
            cached.missing(texts, source_lang="EN", target_lang="DE", options=OPTIONS)
            == (texts[100:])
        )
        cached.close()


def test_formality_context_and_glossary_are_passed_through(server) -> None:
    options = TranslationOptions(
        formality="prefer_more", context="A letter to a customer.", glossary_id="gls-123"
    )
    make_translator(server.url).translate(
        ["Could you send it?"], source_lang="EN", target_lang="IT", options=options
    )
    sent = server.requests[0]
    assert sent["options"]["formality"] == "prefer_more"
    assert sent["options"]["context"] == "A letter to a customer."
    assert sent["options"]["glossary_id"] == "gls-123"
    assert (sent["source_lang"], sent["target_lang"]) == ("EN", "IT")


@pytest.mark.parametrize(
    ("kwargs", "source", "target", "sent"),
    [
        ({}, "DE", "EN", ("DE", "EN-US")),
        ({"english": "EN-GB"}, "DE", "en", ("DE", "EN-GB")),
        ({}, "EN-US", "PT", ("EN", "PT-PT")),
        ({"portuguese": "pt-br"}, "EN", "PT", ("EN", "PT-BR")),
    ],
)
def test_language_codes_follow_deepl_rules(server, kwargs, source, target, sent) -> None:
    make_translator(server.url, **kwargs).translate(
        ["Hallo"], source_lang=source, target_lang=target, options=OPTIONS
    )
    assert (server.requests[0]["source_lang"], server.requests[0]["target_lang"]) == sent


def test_the_key_never_reaches_errors_or_logs(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with DeepLCompatibleServer(auth_key="the-right-key") as server:
        translator = make_translator(server.url)
        with pytest.raises(TranslationError) as caught:
            translator.translate(["Hello"], source_lang="EN", target_lang="DE", options=OPTIONS)
    assert "DEEPL_AUTH_KEY" in str(caught.value) and "403" in str(caught.value)
    rendered = "".join(traceback.format_exception(caught.value))
    for place in (str(caught.value), repr(caught.value), rendered, caplog.text, repr(translator)):
        assert KEY not in place


def test_missing_key_names_the_variable(monkeypatch) -> None:
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    with pytest.raises(MissingCredentialError, match="DEEPL_AUTH_KEY"):
        create_translator("deepl", cache_path=None)


def test_environment_configures_the_factory(server, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DEEPL_AUTH_KEY", KEY)
    monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
    translator = create_translator("deepl", cache_path=tmp_path / "c.sqlite")
    assert isinstance(translator, CachedTranslator)
    assert translator.translate(["Hi"], source_lang="EN", target_lang="NL", options=OPTIONS) == [
        "nl:Hi"
    ]
    assert len(server.requests) == 1


def test_the_standalone_server_serves_a_build_through_deepl_server_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m tests.servers.deepl_server` (as the docs tell users) and DEEPL_SERVER_URL."""
    import subprocess
    import sys

    from typer.testing import CliRunner

    from lima_x.cli import build_app
    from tests.lima_x.sources import lima_rows, write_jsonl

    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.deepl_server", "--auth-key", "k-123"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = server.stdout.readline().split()  # type: ignore[union-attr]
        assert ready[0] == "READY", ready
        monkeypatch.setenv("DEEPL_AUTH_KEY", "k-123")
        monkeypatch.setenv("DEEPL_SERVER_URL", ready[1])
        train = write_jsonl(tmp_path / "train.jsonl", lima_rows(4))
        result = CliRunner().invoke(
            build_app(),
            ["build", "lima", "--source", str(train), "--langs", "EN,DE", "--translator",
             "deepl", "--cache", str(tmp_path / "c.sqlite"), "--out", str(tmp_path / "out"),
             "--validation-fraction", "0.25", "--no-progress"],
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result.exit_code == 0, result.output
    rows = pq.read_table(tmp_path / "out/data/DE/train-00000-of-00001.parquet").to_pylist()
    assert rows and all(m["content"].startswith("de:") for r in rows for m in r["messages"])
