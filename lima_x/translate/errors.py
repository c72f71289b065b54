"""Errors of the translation layer, under the toolkit's root.

The layer sits below ``lima_x`` and ``mt_bench_x``: both catch (or let the one command-line
handler catch) these, and neither needs the other's error classes for a translation failure.
Messages say what failed, on which text, and what to do; they never hold a key.
"""

from __future__ import annotations

from polyglot_instruct.errors import ToolkitError


class TranslationError(ToolkitError):
    """A translation backend failed in a way that retrying will not fix."""


class TranslatorSettingError(TranslationError, ValueError):
    """A translator was asked for with settings it cannot use (unknown backend, no model)."""


class QuotaExceededError(TranslationError):
    """The translation service refused further work because the account quota is used up."""


class ProtectedTextError(TranslationError):
    """A translation lost or changed a piece that must come back untouched (code, placeholders)."""


class MalformedReplyError(TranslationError):
    """The service answered 200 with something that is not the promised translations (an HTML
    page, a body that is not JSON, too few or too many translations). Retried like a 5xx;
    nothing of that request is cached."""


class PartialTranslationError(TranslationError):
    """Some texts of a call were translated, others failed.

    ``done``: text → translation for the texts that came back fine (the cache keeps them);
    ``lost``: text → why it failed.
    """

    def __init__(self, message: str, *, done: dict[str, str], lost: dict[str, str]) -> None:
        self.done = done
        self.lost = lost
        super().__init__(message)


class ProtectedTextLoss(PartialTranslationError, ProtectedTextError):
    """Translations that lost or changed protected code; the other texts of the call are in
    ``done``. What happens next is the caller's choice (``--on-protected-loss``)."""


class UnsupportedLanguageError(TranslationError):
    """A language or option the chosen translation backend does not offer."""


class TranslationCacheError(TranslationError):
    """The translation cache file cannot be opened, read or written (corrupt, read-only, a
    folder in its place)."""


class MissingCredentialError(TranslationError):
    """A backend needs a key from the environment and it is not set."""

    def __init__(self, variable: str, purpose: str) -> None:
        self.variable = variable
        super().__init__(f"{variable} is not set: export it to {purpose}")
