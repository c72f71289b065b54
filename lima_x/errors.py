"""Exceptions raised by lima_x. Messages say what was expected, what was found and where."""

from __future__ import annotations

from hub_cards.errors import ForeignOutputError, OutputExistsError
from lima_x.translate.errors import (
    MalformedReplyError,
    MissingCredentialError,
    PartialTranslationError,
    ProtectedTextError,
    ProtectedTextLoss,
    QuotaExceededError,
    TranslationCacheError,
    TranslationError,
    TranslatorSettingError,
    UnsupportedLanguageError,
)
from polyglot_instruct.errors import ToolkitError

__all__ = [
    "BuildSettingError",
    "ForeignOutputError",
    "InputFormatError",
    "LimaXError",
    "MalformedReplyError",
    "MissingCredentialError",
    "MixtureSpecError",
    "OutputExistsError",
    "OutputHoldsSourceError",
    "PartialTranslationError",
    "ProtectedTextError",
    "ProtectedTextLoss",
    "QuotaExceededError",
    "SourceAccessError",
    "TranslationCacheError",
    "TranslationError",
    "TranslatorSettingError",
    "UnsupportedLanguageError",
]


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


class BuildSettingError(LimaXError, ValueError):
    """A build setting is out of range (e.g. a validation share outside (0, 1))."""


class SourceAccessError(LimaXError):
    """A source on the Hugging Face Hub could not be downloaded (gated, missing, offline)."""


class MixtureSpecError(LimaXError):
    """A mixture name does not decompose into the languages being built."""


class OutputHoldsSourceError(OutputExistsError, LimaXError):
    """The output folder is, or contains, a source: replacing it would delete the source."""


class CurationError(LimaXError):
    """A validation-set curation run cannot start or go on (settings, inputs, dependencies)."""


def require_module(module: str, extra: str) -> None:
    """Fail with the pip command to fix it when the optional ``module`` is not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise CurationError(
            f"expected the Python package {module!r}, found it missing: "
            f"pip install 'polyglot-instruct[{extra}]'"
        )
