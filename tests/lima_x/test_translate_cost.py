"""Dry-run estimates: characters, requests and price per language, cache-aware."""

from __future__ import annotations

import pytest

from lima_x.translate.base import TranslationOptions
from lima_x.translate.cache import CachedTranslator
from lima_x.translate.cost import estimate_cost
from lima_x.translate.deepl_backend import DeepLTranslator
from tests.servers.deepl_server import DeepLCompatibleServer

OPTIONS = TranslationOptions()
TEXTS = [f"Instruction {i}: explain " + "why the sky is blue " * (i % 40 + 1) for i in range(130)]
TEXTS += ["```\nprint('only code')\n```", TEXTS[0]]  # nothing to translate; a duplicate


def test_estimate_matches_what_a_real_run_bills_and_sends(tmp_path) -> None:
    estimate = estimate_cost(TEXTS, ["DE", "FR"], source_lang="EN", backend="deepl")
    with DeepLCompatibleServer() as server:
        translator = DeepLTranslator("k", server_url=server.url, show_progress=False)
        for target in ("DE", "FR"):
            translator.translate(TEXTS, source_lang="EN", target_lang=target, options=OPTIONS)
        assert estimate.characters == server.characters_billed
        assert estimate.requests == len(server.requests)
    by_lang = {lang.target_lang: lang for lang in estimate.languages}
    assert by_lang["DE"].texts == len(set(TEXTS))
    assert by_lang["DE"].characters == by_lang["FR"].characters
    assert estimate.usd == pytest.approx(estimate.characters * 25 / 1_000_000)
    table = estimate.table()
    assert "DE" in table and "total" in table and "25 USD per million characters" in table


def test_only_texts_missing_from_the_cache_count(tmp_path) -> None:
    path = tmp_path / "cache.sqlite"
    with DeepLCompatibleServer() as server:
        inner = DeepLTranslator("k", server_url=server.url, show_progress=False)
        with CachedTranslator(inner, path, show_progress=False) as cache:
            cache.translate(TEXTS[:60], source_lang="EN", target_lang="DE", options=OPTIONS)
        before, billed_before = len(server.requests), server.characters_billed
        estimate = estimate_cost(
            TEXTS, ["DE"], source_lang="EN", cache_path=path, usd_per_million_chars=20.0
        )
        assert len(server.requests) == before  # the estimate sends nothing
        with CachedTranslator(inner, path, show_progress=False) as cache:
            cache.translate(TEXTS, source_lang="EN", target_lang="DE", options=OPTIONS)
        billed_after = server.characters_billed - billed_before
    (german,) = estimate.languages
    assert german.cached == 60
    assert german.texts == len(set(TEXTS)) - 60
    assert german.characters == billed_after
    assert german.usd == pytest.approx(billed_after * 20 / 1_000_000)


def test_a_missing_cache_file_is_not_created(tmp_path) -> None:
    path = tmp_path / "none.sqlite"
    estimate = estimate_cost(["Hello."], ["IT"], source_lang="EN", cache_path=path)
    assert estimate.texts == 1
    assert not path.exists()


def test_llm_estimate_counts_tokens_and_prices_only_when_given() -> None:
    plain = estimate_cost(TEXTS, ["ES"], source_lang="EN", backend="openai", model="m")
    priced = estimate_cost(
        TEXTS,
        ["ES"],
        source_lang="EN",
        backend="openai",
        model="m",
        usd_per_million_input_tokens=1.0,
        usd_per_million_output_tokens=4.0,
    )
    (spanish,) = plain.languages
    assert spanish.requests == len(set(TEXTS)) - 1  # one request per text with prose
    assert spanish.tokens is not None and spanish.tokens > spanish.characters / 4
    assert plain.usd is None and "n/a" in plain.table()
    assert priced.usd is not None and priced.usd > 0
    with pytest.raises(ValueError, match="expected deepl or openai"):
        estimate_cost(TEXTS, ["ES"], source_lang="EN", backend="none")
