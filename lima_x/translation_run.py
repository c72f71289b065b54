"""Translate parallel samples message by message through the translation layer.

Every distinct message text goes through :func:`lima_x.translate.run.translate_texts` once per
target language: deduplicated, cached and in the backend's batches. Texts that lose protected
code are handled by ``on_protected_loss`` (see :mod:`lima_x.translate.run`); here they are
named by sample id and message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from lima_x.errors import InputFormatError
from lima_x.records import ParallelSample
from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.errors import ProtectedTextError, ProtectedTextLoss
from lima_x.translate.run import distinct_texts, translate_texts

logger = logging.getLogger(__name__)


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
    on_protected_loss: str = "stop",
    kept_source: list[str] | None = None,
) -> list[ParallelSample]:
    """The samples in ``target_lang`` (origin ``machine_translation``; flags carry over).

    ``kept_source`` collects ``sample <source_id> message <n>`` for each message kept in the
    source language under ``on_protected_loss="keep-source"``. Under ``stop`` (and ``retry``
    once its retries are spent) a :class:`ProtectedTextError` names each sample and message.
    """
    texts = unique_texts(samples)
    kept: list[str] = []
    try:
        result = translate_texts(
            texts,
            translator,
            source_lang=source_lang,
            target_lang=target_lang,
            options=options,
            progress=progress,
            on_protected_loss=on_protected_loss,
            kept_source=kept,
        )
    except ProtectedTextLoss as exc:
        where = describe_texts(samples, exc.lost)
        shown = [f"{w} {_preview(t)}: {why}" for t, why in exc.lost.items() for w in where[t]]
        raise ProtectedTextError(
            f"{len(exc.lost)} text(s) {source_lang}→{target_lang} lost protected code: "
            + "; ".join(shown[:5])
            + (f"; and {len(shown) - 5} more" if len(shown) > 5 else "")
            + ". The other translations are cached: a rerun sends only these. Pass "
            "--on-protected-loss retry (send them again) or keep-source (keep the "
            f"{source_lang} text of these messages)."
        ) from None
    if kept:
        where = describe_texts(samples, dict.fromkeys(kept))
        places = [place for text in kept for place in where[text]]
        logger.warning(
            "%d message(s) kept in %s because their %s translation lost protected code: %s",
            len(places),
            source_lang,
            target_lang,
            ", ".join(places),
        )
        if kept_source is not None:
            kept_source.extend(places)
    translated = dict(zip(texts, result, strict=True))
    return [
        sample.translated(
            target_lang, [translated.get(m["content"], m["content"]) for m in sample.messages]
        )
        for sample in samples
    ]


def describe_texts(
    samples: Sequence[ParallelSample], texts: Mapping[str, object]
) -> dict[str, list[str]]:
    """Where each of ``texts`` occurs: ``sample <source_id> message <n>`` (1-based)."""
    where: dict[str, list[str]] = {text: [] for text in texts}
    for sample in samples:
        for number, message in enumerate(sample.messages, start=1):
            if message["content"] in where:
                where[message["content"]].append(f"sample {sample.source_id} message {number}")
    return where


def check_text_sizes(
    samples: Sequence[ParallelSample],
    backend: str,
    *,
    path: str,
    source_lang: str,
    target_langs: Sequence[str],
    options: TranslationOptions,
    model: str | None = None,
) -> None:
    """Refuse, before any request, a message no single request of ``backend`` can carry.

    DeepL takes at most 128 KiB per request; a longer text would be refused after the earlier
    requests were paid. Names the file, the row and the sample.
    """
    if backend.strip().lower() != "deepl" or not target_langs:
        return
    from lima_x.translate.batching import DEEPL_MAX_BODY_BYTES
    from lima_x.translate.deepl_backend import oversized_texts, request_params

    texts = unique_texts(samples)
    params = request_params(source_lang, target_langs[0], options, model_type=model)
    too_big = {texts[i] for i in oversized_texts(texts, params, options)}
    if not too_big:
        return
    for sample in samples:
        for number, message in enumerate(sample.messages, start=1):
            if message["content"] in too_big:
                raise InputFormatError(
                    path,
                    f"message {number} of sample {sample.source_id} has "
                    f"{len(message['content']):,} characters, more than one DeepL request "
                    f"carries ({DEEPL_MAX_BODY_BYTES // 1024} KiB): shorten or split it, or "
                    "drop the row; nothing was sent",
                    row=sample.row if sample.row is not None else sample.source_id,
                )


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat[:50] + ("..." if len(flat) > 50 else ""))
