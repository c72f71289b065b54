"""Errors of the Hub-repo layer, under the toolkit's root."""

from __future__ import annotations

from polyglot_instruct.errors import ToolkitError


class HubRepoError(ToolkitError):
    """A repo folder is not as expected (no card, no configs, missing files) or an upload
    failed."""


class OutputExistsError(HubRepoError):
    """The output folder exists already and overwriting was not asked for."""


class ForeignOutputError(OutputExistsError):
    """The output exists and was not written by this project's builds (or holds files they
    did not write): it is never replaced."""
