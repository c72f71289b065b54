"""Translate parallel samples message by message through the translation layer.

Every distinct message text goes through :func:`lima_x.translate.run.translate_texts` once per
target language: deduplicated, cached and in the backend's batches.
"""

from __future__ import annotations

from collections.abc import Sequence

from lima_x.records import ParallelSample
from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.run import distinct_texts, translate_texts


def message_texts(samples: Sequence[ParallelSample]) -> list[str]:
    """Every message content of ``samples``, in order."""
    return [message["content"] for sample in samples for message in sample.messages]


def unique_texts(samples: Sequence[ParallelSample]) -> list[str]:
    """Every distinct non-blank message content, in first-seen order."""
    return distinct_texts(message_texts(samples))


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
    texts = unique_texts(samples)
    result = translate_texts(
        texts,
        translator,
        source_lang=source_lang,
        target_lang=target_lang,
        options=options,
        progress=progress,
    )
    translated = dict(zip(texts, result, strict=True))
    return [
        sample.translated(
            target_lang, [translated.get(m["content"], m["content"]) for m in sample.messages]
        )
        for sample in samples
    ]
