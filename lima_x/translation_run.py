"""Translate parallel samples message by message through any :class:`Translator`.

Texts go to the translator in chunks of :data:`CHUNK` so that a progress bar moves and a run
killed half-way keeps what was done: the translator returned by
``lima_x.translate.factory.create_translator`` caches every finished text in SQLite, so the
rerun only pays for what is missing. Identical texts are sent once.

A translation that loses protected code (:class:`~lima_x.errors.ProtectedTextLoss`) is handled
by the policy ``on_protected_loss`` (the command line's ``--on-protected-loss``), after every
other text has been translated and cached:

* ``stop`` (default): raise :class:`~lima_x.errors.ProtectedTextError` naming each sample id,
  message and text; the good translations are cached, so a rerun sends only those texts.
* ``retry``: send those texts again, up to :data:`PROTECTED_RETRIES` times; texts still losing
  code then stop the run as with ``stop``.
* ``keep-source``: keep the source text for those messages (not cached, so a later run may try
  again) and list them in ``kept_source``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence

from lima_x.errors import (
    InputFormatError,
    ProtectedTextError,
    ProtectedTextLoss,
    TranslationError,
)
from lima_x.records import ParallelSample
from lima_x.translate.base import TranslationOptions, Translator

CHUNK = 50
#: What ``--on-protected-loss`` accepts.
PROTECTED_LOSS_POLICIES = ("stop", "retry", "keep-source")
PROTECTED_RETRIES = 2

logger = logging.getLogger(__name__)


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
    on_protected_loss: str = "stop",
    kept_source: list[str] | None = None,
) -> list[ParallelSample]:
    """The samples in ``target_lang`` (origin ``machine_translation``; flags carry over).

    ``on_protected_loss``: one of :data:`PROTECTED_LOSS_POLICIES` (see the module docstring);
    ``kept_source`` collects ``<source_id> message <n>`` for each message kept in the source
    language under ``keep-source``.
    """
    from tqdm.auto import tqdm

    if on_protected_loss not in PROTECTED_LOSS_POLICIES:
        raise ValueError(
            f"on_protected_loss must be one of {', '.join(PROTECTED_LOSS_POLICIES)}, "
            f"got {on_protected_loss!r}"
        )
    chunks = text_chunks(samples)
    translated: dict[str, str] = {}
    lost: dict[str, str] = {}
    with tqdm(
        total=sum(map(len, chunks)),
        desc=f"translate {source_lang}→{target_lang}",
        unit="text",
        disable=not progress,
    ) as bar:
        for chunk in chunks:
            lost.update(
                _translate_chunk(chunk, translator, source_lang, target_lang, options, translated)
            )
            bar.update(len(chunk))
    if lost and on_protected_loss == "retry":
        for attempt in range(PROTECTED_RETRIES):
            logger.warning(
                "%d translation(s) %s→%s lost protected code; sending them again (%d of %d)",
                len(lost),
                source_lang,
                target_lang,
                attempt + 1,
                PROTECTED_RETRIES,
            )
            lost = _translate_chunk(
                list(lost), translator, source_lang, target_lang, options, translated
            )
            if not lost:
                break
    if lost:
        where = describe_texts(samples, lost)
        places = [place for text in lost for place in where[text]]
        if on_protected_loss == "keep-source":
            logger.warning(
                "%d message(s) kept in %s because their %s translation lost protected code: %s",
                len(places),
                source_lang,
                target_lang,
                ", ".join(places),
            )
            translated.update({text: text for text in lost})
            if kept_source is not None:
                kept_source.extend(places)
        else:
            shown = [f"{w} {_preview(t)}: {why}" for t, why in lost.items() for w in where[t]]
            raise ProtectedTextError(
                f"{len(lost)} text(s) {source_lang}→{target_lang} lost protected code: "
                + "; ".join(shown[:5])
                + (f"; and {len(shown) - 5} more" if len(shown) > 5 else "")
                + ". The other translations are cached: a rerun sends only these. Pass "
                "--on-protected-loss retry (send them again) or keep-source (keep the "
                f"{source_lang} text of these messages)."
            )
    return [
        sample.translated(
            target_lang, [translated.get(m["content"], m["content"]) for m in sample.messages]
        )
        for sample in samples
    ]


def _translate_chunk(
    chunk: list[str],
    translator: Translator,
    source_lang: str,
    target_lang: str,
    options: TranslationOptions,
    translated: dict[str, str],
) -> dict[str, str]:
    """Translate ``chunk`` into ``translated``; returns the texts that lost protected code."""
    try:
        result = translator.translate(
            chunk, source_lang=source_lang, target_lang=target_lang, options=options
        )
    except ProtectedTextLoss as exc:
        wanted = set(chunk)
        translated.update((t, out) for t, out in exc.done.items() if t in wanted)
        return {t: why for t, why in exc.lost.items() if t in wanted}
    if len(result) != len(chunk):
        raise TranslationError(
            f"{translator.cache_identity()} returned {len(result)} translations "
            f"for {len(chunk)} texts ({source_lang}→{target_lang})"
        )
    translated.update(zip(chunk, result, strict=True))
    return {}


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


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat[:50] + ("..." if len(flat) > 50 else ""))
