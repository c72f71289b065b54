"""The protocol every translation backend implements.

A backend translates a batch of texts from one language to another. Batching, request
limits, retries and code preservation are the backend's job; caching is layered on top by
:class:`lima_x.translate.cache.CachedTranslator`, keyed by :meth:`Translator.cache_identity`,
the language pair, the options and the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class TranslationOptions:
    """Options passed through to the backend; all of them are part of the cache key.

    ``formality``: DeepL's ``formality`` (``default``, ``more``, ``less``, ``prefer_more``,
    ``prefer_less``); the paper's Italian polite form came out as plural without it.
    ``context``: extra text that guides the translation but is not translated or billed.
    ``glossary_id``: a DeepL glossary id. ``preserve_code``: keep code blocks untouched except
    for their comments.
    """

    formality: str | None = None
    context: str | None = None
    glossary_id: str | None = None
    preserve_code: bool = True
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def cache_fields(self) -> dict[str, object]:
        """The options as a plain, JSON-serialisable mapping (stable order) for cache keys."""
        return {
            "formality": self.formality,
            "context": self.context,
            "glossary_id": self.glossary_id,
            "preserve_code": self.preserve_code,
            "extra": [list(pair) for pair in self.extra],
        }


@runtime_checkable
class Translator(Protocol):
    """Translate texts between languages given as upper-case codes (``EN``, ``DE``, ``PT-BR``)."""

    def cache_identity(self) -> str:
        """The backend and its model/settings, e.g. ``deepl`` or ``openai:gpt-4o``."""
        ...

    def translate(
        self,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[str]:
        """Return one translation per input text, in order."""
        ...
