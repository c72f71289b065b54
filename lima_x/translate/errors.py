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


class MissingCredentialError(TranslationError):
    """A backend needs a key from the environment and it is not set."""

    def __init__(self, variable: str, purpose: str) -> None:
        self.variable = variable
        super().__init__(f"{variable} is not set: export it to {purpose}")
