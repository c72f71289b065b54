"""Exceptions raised by lima_x. Messages say what was expected, what was found and where."""

from __future__ import annotations

from polyglot_instruct.errors import ToolkitError


class LimaXError(ToolkitError):
    """Base class of every error lima_x raises on purpose."""


class InputFormatError(LimaXError):
    """A source file or one of its rows does not have the expected shape."""

    def __init__(self, path: str, problem: str, *, row: int | str | None = None) -> None:
        self.path = path
        self.row = row
        self.problem = problem
        where = f"{path}" if row is None else f"{path}, row {row}"
        super().__init__(f"{where}: {problem}")


class TranslationError(LimaXError):
    """A translation backend failed in a way that retrying will not fix."""


class QuotaExceededError(TranslationError):
    """The translation service refused further work because the account quota is used up."""


class SourceAccessError(LimaXError):
    """A source on the Hugging Face Hub could not be downloaded (gated, missing, offline)."""


class MixtureSpecError(LimaXError):
    """A mixture name does not decompose into the languages being built."""


class OutputExistsError(LimaXError):
    """The output folder exists already and overwriting was not asked for."""


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


class OutputHoldsSourceError(OutputExistsError):
    """The output folder is, or contains, a source: replacing it would delete the source."""
