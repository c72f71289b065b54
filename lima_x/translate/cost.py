"""What a translation run would send and cost, computed without calling any service.

Only texts the cache cannot answer count (a missing cache file counts as empty and is not
created). DeepL bills source characters: the estimate counts every character of a text that
has something to translate, code included (so it is an upper bound if DeepL does not bill
the content of ignored tags), and groups the texts into requests as the DeepL backend does.
For an OpenAI-compatible model it estimates tokens as characters / 4 for the system prompt,
the text and an answer of the same length.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lima_x.translate.base import TranslationOptions
from lima_x.translate.cache import TranslationCache
from lima_x.translate.code_spans import Protection, protect
from lima_x.translate.errors import TranslatorSettingError
from lima_x.translate.run import distinct_texts, text_chunks

#: DeepL API Pro: 25 USD per million characters (the usage-based price, 2024).
DEEPL_USD_PER_MILLION_CHARS = 25.0
CHARS_PER_TOKEN = 4.0


@dataclass(frozen=True)
class LanguageEstimate:
    """One target language: what would be sent."""

    target_lang: str
    texts: int  # distinct texts to send
    cached: int  # distinct texts the cache already has
    characters: int
    requests: int
    tokens: int | None = None  # OpenAI-compatible backends only
    usd: float | None = None


@dataclass(frozen=True)
class CostEstimate:
    """Per-language estimates and their totals; ``usd`` is None when no price is known."""

    backend: str
    source_lang: str
    languages: tuple[LanguageEstimate, ...]
    price_note: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def characters(self) -> int:
        return sum(lang.characters for lang in self.languages)

    @property
    def requests(self) -> int:
        return sum(lang.requests for lang in self.languages)

    @property
    def texts(self) -> int:
        return sum(lang.texts for lang in self.languages)

    @property
    def usd(self) -> float | None:
        prices = [lang.usd for lang in self.languages]
        return None if any(p is None for p in prices) else sum(p or 0.0 for p in prices)

    def table(self) -> str:
        """A plain-text table for the command line."""
        header = f"{'target':<8}{'texts':>8}{'cached':>8}{'characters':>13}{'requests':>10}"
        with_tokens = any(lang.tokens is not None for lang in self.languages)
        header += f"{'tokens':>12}" if with_tokens else ""
        header += f"{'USD':>10}"
        lines = [f"{self.backend}, source {self.source_lang}", header]
        rows = [*self.languages, None]
        for lang in rows:
            name = "total" if lang is None else lang.target_lang
            texts = self.texts if lang is None else lang.texts
            cached = sum(x.cached for x in self.languages) if lang is None else lang.cached
            chars = self.characters if lang is None else lang.characters
            requests = self.requests if lang is None else lang.requests
            line = f"{name:<8}{texts:>8}{cached:>8}{chars:>13,}{requests:>10}"
            if with_tokens:
                tokens = sum(x.tokens or 0 for x in self.languages) if lang is None else lang.tokens
                line += f"{tokens or 0:>12,}"
            usd = self.usd if lang is None else lang.usd
            line += f"{'n/a' if usd is None else f'{usd:.2f}':>10}"
            lines.append(line)
        if self.price_note:
            lines.append(self.price_note)
        lines.extend(self.notes)
        return "\n".join(lines)


def estimate_cost(
    texts: Sequence[str],
    target_langs: Sequence[str],
    *,
    source_lang: str,
    backend: str = "deepl",
    options: TranslationOptions | None = None,
    cache_path: Path | None = None,
    model: str | None = None,
    usd_per_million_chars: float = DEEPL_USD_PER_MILLION_CHARS,
    usd_per_million_input_tokens: float | None = None,
    usd_per_million_output_tokens: float | None = None,
) -> CostEstimate:
    """Estimate a run translating ``texts`` from ``source_lang`` into each of ``target_langs``.

    ``backend`` and ``model`` name the translator as :func:`create_translator` does; they
    select the cache entries that count as done.
    """
    options = options or TranslationOptions()
    name = backend.strip().lower()
    if name not in ("deepl", "openai"):
        raise TranslatorSettingError(
            f"no cost estimate for translator {backend!r}: expected deepl or openai"
        )
    cache = (
        TranslationCache(cache_path, writable=False)
        if cache_path and Path(cache_path).exists()
        else None
    )
    identity = _identity(name, model)
    languages = []
    try:
        for target in target_langs:
            unique = list(dict.fromkeys(texts))
            todo = (
                cache.missing(
                    identity, unique, source_lang=source_lang, target_lang=target, options=options
                )
                if cache is not None
                else unique
            )
            if name == "deepl":
                languages.append(
                    _deepl_language(
                        todo,
                        len(unique),
                        source_lang,
                        target,
                        options,
                        model,
                        usd_per_million_chars,
                    )
                )
            else:
                languages.append(
                    _llm_language(
                        todo,
                        len(unique),
                        source_lang,
                        target,
                        options,
                        model,
                        usd_per_million_input_tokens,
                        usd_per_million_output_tokens,
                    )
                )
    finally:
        if cache is not None:
            cache.close()
    if name == "deepl":
        note = f"price: {usd_per_million_chars:g} USD per million characters"
    elif usd_per_million_input_tokens is None or usd_per_million_output_tokens is None:
        note = "price: give the model's USD per million input and output tokens for a cost"
    else:
        note = (
            f"price: {usd_per_million_input_tokens:g} / {usd_per_million_output_tokens:g} USD "
            "per million input / output tokens; tokens estimated as characters / 4"
        )
    return CostEstimate(name, source_lang, tuple(languages), price_note=note)


def _identity(backend: str, model: str | None) -> str:
    if backend == "deepl":
        from lima_x.translate.deepl_backend import deepl_identity

        return deepl_identity(model_type=model)
    return f"openai:{model}"


def _billable(texts: Sequence[str], options: TranslationOptions) -> list[str]:
    protection = Protection.from_options(options)
    return [t for t in texts if protect(t, protection).has_prose]


def _deepl_language(
    todo: Sequence[str],
    unique: int,
    source_lang: str,
    target: str,
    options: TranslationOptions,
    model: str | None,
    usd_per_million_chars: float,
) -> LanguageEstimate:
    from lima_x.translate.deepl_backend import plan_requests, request_params, xml_payloads

    billable = _billable(todo, options)
    params = request_params(source_lang, target, options, model_type=model)
    requests = len(plan_requests(xml_payloads(billable, options), params))
    characters = sum(len(t) for t in billable)
    return LanguageEstimate(
        target_lang=target,
        texts=len(todo),
        cached=unique - len(todo),
        characters=characters,
        requests=requests,
        usd=characters / 1_000_000 * usd_per_million_chars,
    )


def _llm_language(
    todo: Sequence[str],
    unique: int,
    source_lang: str,
    target: str,
    options: TranslationOptions,
    model: str | None,
    usd_in: float | None,
    usd_out: float | None,
) -> LanguageEstimate:
    from lima_x.translate.llm_backend import system_prompt

    billable = _billable(todo, options)
    characters = sum(len(t) for t in billable)
    prompt_chars = len(system_prompt(source_lang, target, options)) * len(billable)
    tokens_in = round((prompt_chars + characters) / CHARS_PER_TOKEN)
    tokens_out = round(characters / CHARS_PER_TOKEN)
    usd = None
    if usd_in is not None and usd_out is not None:
        usd = (tokens_in * usd_in + tokens_out * usd_out) / 1_000_000
    return LanguageEstimate(
        target_lang=target,
        texts=len(todo),
        cached=unique - len(todo),
        characters=characters,
        requests=len(billable),
        tokens=tokens_in + tokens_out,
        usd=usd,
    )


def deepl_requests_as_run(
    text_groups: Sequence[Sequence[str]],
    *,
    cached: Collection[str],
    source_lang: str,
    target_lang: str,
    options: TranslationOptions,
    model: str | None = None,
) -> int:
    """DeepL requests a run sends translating ``text_groups`` one after the other (each through
    :func:`~lima_x.translate.run.translate_texts`) into one language.

    Follows the run call by call: each group goes in chunks of
    :data:`~lima_x.translate.run.CHUNK` distinct texts; what the cache holds (``cached``) or an
    earlier chunk sent is not sent again; the rest is grouped into requests within DeepL's
    limits, as the DeepL backend does.
    """
    from lima_x.translate.deepl_backend import plan_requests, request_params, xml_payloads

    params = request_params(source_lang, target_lang, options, model_type=model)
    done = set(cached)
    requests = 0
    for texts in text_groups:
        for chunk in text_chunks(texts):
            todo = [text for text in chunk if text not in done]
            done.update(todo)
            if todo:
                requests += len(plan_requests(xml_payloads(todo, options), params))
    return requests


def estimate_run_cost(
    text_groups: Sequence[Sequence[str]],
    target_langs: Sequence[str],
    *,
    source_lang: str,
    backend: str = "deepl",
    options: TranslationOptions | None = None,
    cache_path: Path | None = None,
    model: str | None = None,
) -> CostEstimate:
    """:func:`estimate_cost` of a run that translates ``text_groups`` one after the other
    (a build's splits), with DeepL's request count as that run sends them."""
    options = options or TranslationOptions()
    texts = distinct_texts(text for group in text_groups for text in group)
    estimate = estimate_cost(
        texts,
        target_langs,
        source_lang=source_lang,
        backend=backend,
        options=options,
        cache_path=cache_path,
        model=model,
    )
    if estimate.backend != "deepl":
        return estimate
    cache = (
        TranslationCache(cache_path, writable=False)
        if cache_path and Path(cache_path).exists()
        else None
    )
    identity = _identity("deepl", model)
    languages = []
    try:
        for lang in estimate.languages:
            missing = (
                cache.missing(
                    identity,
                    texts,
                    source_lang=source_lang,
                    target_lang=lang.target_lang,
                    options=options,
                )
                if cache is not None
                else texts
            )
            requests = deepl_requests_as_run(
                text_groups,
                cached=set(texts) - set(missing),
                source_lang=source_lang,
                target_lang=lang.target_lang,
                options=options,
                model=model,
            )
            languages.append(dataclasses.replace(lang, requests=requests))
    finally:
        if cache is not None:
            cache.close()
    return dataclasses.replace(estimate, languages=tuple(languages))
