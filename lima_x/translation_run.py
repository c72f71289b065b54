"""Translate parallel samples message by message through any :class:`Translator`.

Texts go to the translator in chunks of :data:`CHUNK` so that a progress bar moves and a run
killed half-way keeps what was done: the translator returned by
``lima_x.translate.factory.create_translator`` caches every finished text in SQLite, so the
rerun only pays for what is missing. Identical texts are sent once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from lima_x.errors import TranslationError
from lima_x.records import ParallelSample
from lima_x.translate.base import TranslationOptions, Translator

CHUNK = 50


def unique_texts(samples: Sequence[ParallelSample]) -> list[str]:
    """Every distinct non-blank message content, in first-seen order."""
    seen: dict[str, None] = {}
    for sample in samples:
        for message in sample.messages:
            if message["content"].strip():
                seen.setdefault(message["content"], None)
    return list(seen)


def text_chunks(samples: Sequence[ParallelSample]) -> list[list[str]]:
    """The texts :func:`translate_samples` hands to the translator, call by call."""
    texts = unique_texts(samples)
    return [texts[start : start + CHUNK] for start in range(0, len(texts), CHUNK)]


def deepl_request_count(
    splits: Sequence[Sequence[ParallelSample]],
    *,
    cached: Collection[str],
    source_lang: str,
    target_lang: str,
    options: TranslationOptions,
    model: str | None = None,
) -> int:
    """DeepL requests a build sends translating ``splits`` one after the other into one language.

    Follows the build call by call: each split goes in chunks of :data:`CHUNK` texts; what
    the cache holds (``cached``) or an earlier chunk sent is not sent again; the rest is grouped
    into requests within DeepL's limits, as the DeepL backend does.
    """
    from lima_x.translate.deepl_backend import plan_requests, request_params, xml_payloads

    params = request_params(source_lang, target_lang, options, model_type=model)
    done = set(cached)
    requests = 0
    for samples in splits:
        for chunk in text_chunks(samples):
            todo = [text for text in chunk if text not in done]
            done.update(todo)
            if todo:
                requests += len(plan_requests(xml_payloads(todo, options), params))
    return requests


def character_count(samples: Sequence[ParallelSample]) -> int:
    """Characters a translation of ``samples`` into one language would bill."""
    return sum(len(text) for text in unique_texts(samples))


def translate_samples(
    samples: Sequence[ParallelSample],
    translator: Translator,
    *,
    source_lang: str,
    target_lang: str,
    options: TranslationOptions,
    progress: bool = True,
) -> list[ParallelSample]:
    """The samples in ``target_lang`` (origin ``machine_translation``; flags carry over)."""
    from tqdm.auto import tqdm

    chunks = text_chunks(samples)
    translated: dict[str, str] = {}
    with tqdm(
        total=sum(map(len, chunks)),
        desc=f"translate {source_lang}→{target_lang}",
        unit="text",
        disable=not progress,
    ) as bar:
        for chunk in chunks:
            result = translator.translate(
                chunk, source_lang=source_lang, target_lang=target_lang, options=options
            )
            if len(result) != len(chunk):
                raise TranslationError(
                    f"{translator.cache_identity()} returned {len(result)} translations "
                    f"for {len(chunk)} texts ({source_lang}→{target_lang})"
                )
            translated.update(zip(chunk, result, strict=True))
            bar.update(len(chunk))
    return [
        sample.translated(
            target_lang, [translated.get(m["content"], m["content"]) for m in sample.messages]
        )
        for sample in samples
    ]
