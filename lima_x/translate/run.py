"""Translate a list of texts: each distinct text once, through the cache, in the backend's batches.

This is the one way both datasets translate (``lima_x`` message by message, ``mt_bench_x``
question by question). Texts go to the translator in chunks of :data:`CHUNK` so that a
progress bar moves and a run killed half-way keeps what was done: a
:class:`~lima_x.translate.cache.CachedTranslator` (what
:func:`~lima_x.translate.factory.create_translator` returns when given a cache path) stores
every finished request, and inside a chunk it groups the texts into the backend's requests
(DeepL: at most 50 texts and 128 KiB each). A rerun pays only for what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tqdm.auto import tqdm

from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.errors import TranslationError

#: Distinct texts handed to the translator per call.
CHUNK = 50


def distinct_texts(texts: Iterable[str]) -> list[str]:
    """Every distinct text with something besides white space in it, in first-seen order."""
    return list(dict.fromkeys(text for text in texts if text.strip()))


def text_chunks(texts: Iterable[str], size: int = CHUNK) -> list[list[str]]:
    """The texts :func:`translate_texts` hands to the translator, call by call."""
    unique = distinct_texts(texts)
    return [unique[start : start + size] for start in range(0, len(unique), size)]


def translate_texts(
    texts: Sequence[str],
    translator: Translator,
    *,
    source_lang: str,
    target_lang: str,
    options: TranslationOptions,
    progress: bool = True,
) -> list[str]:
    """One translation per text of ``texts``, in order.

    Each distinct text is sent once; blank texts come back as they are. Raises
    :class:`~lima_x.translate.errors.TranslationError` when the translator returns a different
    number of translations than it was given texts.
    """
    translated: dict[str, str] = {}
    chunks = text_chunks(texts)
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
    return [translated.get(text, text) for text in texts]
