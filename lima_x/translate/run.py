"""Translate a list of texts: each distinct text once, through the cache, in the backend's batches.

This is the one way both datasets translate (``lima_x`` message by message, ``mt_bench_x``
question by question). Texts go to the translator in chunks of :data:`CHUNK` so that a
progress bar moves and a run killed half-way keeps what was done: a
:class:`~lima_x.translate.cache.CachedTranslator` (what
:func:`~lima_x.translate.factory.create_translator` returns when given a cache path) stores
every finished request, and inside a chunk it groups the texts into the backend's requests
(DeepL: at most 50 texts and 128 KiB each). A rerun pays only for what is missing.

A translation that loses protected code (:class:`~lima_x.translate.errors.ProtectedTextLoss`)
is handled by the policy ``on_protected_loss`` (the command line's ``--on-protected-loss``),
after every other text has been translated and cached:

* ``stop`` (default): raise :class:`~lima_x.translate.errors.ProtectedTextLoss` naming the
  texts (``lost``) with every other translation (``done``); the good ones are cached, so a
  rerun sends only the lost texts.
* ``retry``: send those texts again, up to :data:`PROTECTED_RETRIES` times; texts still losing
  code then stop the run as with ``stop``.
* ``keep-source``: keep the source text for them (not cached, so a later run may try again)
  and list them in ``kept_source``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from tqdm.auto import tqdm

from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.errors import ProtectedTextLoss, TranslationError

#: Distinct texts handed to the translator per call.
CHUNK = 50
#: What ``--on-protected-loss`` accepts.
PROTECTED_LOSS_POLICIES = ("stop", "retry", "keep-source")
PROTECTED_RETRIES = 2

logger = logging.getLogger(__name__)


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
    on_protected_loss: str = "stop",
    kept_source: list[str] | None = None,
) -> list[str]:
    """One translation per text of ``texts``, in order.

    Each distinct text is sent once; blank texts come back as they are. Raises
    :class:`~lima_x.translate.errors.TranslationError` when the translator returns a different
    number of translations than it was given texts. ``on_protected_loss``: one of
    :data:`PROTECTED_LOSS_POLICIES` (see the module docstring); ``kept_source`` collects the
    texts kept untranslated under ``keep-source``.
    """
    if on_protected_loss not in PROTECTED_LOSS_POLICIES:
        raise ValueError(
            f"on_protected_loss must be one of {', '.join(PROTECTED_LOSS_POLICIES)}, "
            f"got {on_protected_loss!r}"
        )
    translated: dict[str, str] = {}
    lost: dict[str, str] = {}
    chunks = text_chunks(texts)
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
    if lost and on_protected_loss == "keep-source":
        translated.update({text: text for text in lost})
        if kept_source is not None:
            kept_source.extend(lost)
    elif lost:
        raise ProtectedTextLoss(
            f"{len(lost)} text(s) {source_lang}→{target_lang} lost protected code: "
            + "; ".join(f"{_preview(t)}: {why}" for t, why in list(lost.items())[:3]),
            done=translated,
            lost=lost,
        )
    return [translated.get(text, text) for text in texts]


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


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat[:50] + ("..." if len(flat) > 50 else ""))
