"""Exceptions raised by mt_bench_x. Messages say what was expected, what was found and where."""

from __future__ import annotations

from polyglot_instruct.errors import ToolkitError


class MTBenchXError(ToolkitError):
    """Base class of every error mt_bench_x raises on purpose."""


class InputFileError(MTBenchXError):
    """A data file (questions, answers, judgments, prompts) is malformed."""

    def __init__(self, path: str, problem: str, *, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {problem}")


class LanguageCodeError(MTBenchXError, ValueError):
    """A language code that is not of the shape ``EN`` / ``PT-BR``."""


class SelectionError(MTBenchXError, ValueError):
    """A judge mode, model list or baseline that leaves nothing to judge."""


class JudgeOptionError(MTBenchXError, ValueError):
    """Judge options that cannot work (e.g. a context too small for the prompt alone)."""


class AnswerOptionError(MTBenchXError, ValueError):
    """Answer options that select nothing that exists (e.g. an unknown ``--question-ids``)."""


class JudgePromptTemplateError(MTBenchXError):
    """A judge prompt's template asks for a placeholder that its games do not provide."""
