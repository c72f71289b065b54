"""MT-Bench(-X) records and their FastChat JSONL files: questions, reference and model answers.

FastChat numbers questions with ints (``81``); MT-Bench-X with strings (``"81_DE"``). Both are
accepted and kept as the source has them; the *number* (``81``) joins languages and answers.

A question or answer read from a file remembers its line; writing the record back unchanged
reproduces that line byte for byte (human-edited files keep their own escapes), while a changed
record is written as canonical JSON (``ensure_ascii=False``, FastChat's key order).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.jsonl import iter_jsonl, write_lines_atomic
from mt_bench_x.formats.layout import BenchPaths, file_safe

logger = logging.getLogger(__name__)

QuestionId = int | str

#: FastChat's MT-Bench categories, in the order of its question file.
CATEGORIES: tuple[str, ...] = (
    "writing",
    "roleplay",
    "reasoning",
    "math",
    "coding",
    "extraction",
    "stem",
    "humanities",
)

_ID_PATTERN = re.compile(r"^(\d+)(?:_([A-Za-z]{2}(?:-[A-Za-z]{2,4})?))?$")


def question_number(question_id: QuestionId) -> int:
    """The number of a question id: ``81`` for ``81``, ``"81"`` and ``"81_DE"``."""
    if isinstance(question_id, bool):
        raise ValueError(f"question id {question_id!r}: expected an int or a string like '81_DE'")
    if isinstance(question_id, int):
        return question_id
    if isinstance(question_id, str):
        match = _ID_PATTERN.match(question_id.strip())
        if match:
            return int(match.group(1))
    raise ValueError(f"question id {question_id!r}: expected an int or a string like '81_DE'")


def question_id_lang(question_id: QuestionId) -> str | None:
    """The language suffix of a string id (``"81_DE"`` -> ``DE``), else ``None``."""
    if isinstance(question_id, str):
        match = _ID_PATTERN.match(question_id.strip())
        if match and match.group(2):
            return match.group(2).upper()
    return None


def id_from_string(value: str) -> QuestionId:
    """Undo the string column of the Hub repo: ``"81"`` -> ``81``; ``"81_DE"`` stays a string."""
    return int(value) if value.isdigit() else value


@dataclass
class Question:
    """One MT-Bench question: two user turns, an optional ``reference`` kept as data."""

    question_id: QuestionId
    category: str
    turns: list[str]
    reference: list[str] | None = None
    #: The line this record was read from (without newline); reused when writing it unchanged.
    source_line: str | None = field(default=None, compare=False, repr=False)

    @property
    def number(self) -> int:
        return question_number(self.question_id)


def question_to_record(question: Question) -> dict[str, Any]:
    """The FastChat record of a question; ``reference`` only when the question has one."""
    record: dict[str, Any] = {
        "question_id": question.question_id,
        "category": question.category,
        "turns": list(question.turns),
    }
    if question.reference is not None:
        record["reference"] = list(question.reference)
    return record


def _check_id(value: Any, path: Path, line: int) -> QuestionId:
    try:
        question_number(value)
    except ValueError as error:
        raise InputFileError(str(path), f"question_id: {error}", line=line) from None
    checked: QuestionId = value
    return checked


def _check_strings(value: Any, what: str, path: Path, line: int, count: int | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputFileError(
            str(path), f"{what}: expected a list of strings, found {value!r:.80}", line=line
        )
    if count is not None and len(value) != count:
        raise InputFileError(
            str(path), f"{what}: expected {count} strings, found {len(value)}", line=line
        )
    return value


def question_from_record(
    record: dict[str, Any], path: Path, line: int, *, n_turns: int | None = 2
) -> Question:
    """Validate one question record; errors name ``path:line``."""
    for key in ("question_id", "category", "turns"):
        if key not in record:
            raise InputFileError(str(path), f"missing field {key!r}", line=line)
    question_id = _check_id(record["question_id"], path, line)
    category = record["category"]
    if not isinstance(category, str) or not category:
        raise InputFileError(
            str(path), f"category: expected a non-empty string, found {category!r}", line=line
        )
    turns = _check_strings(record["turns"], "turns", path, line, n_turns)
    reference = record.get("reference")
    if reference is not None:
        reference = _check_strings(reference, "reference", path, line, None)
    return Question(question_id, category, turns, reference)


def _raw_lines(path: Path) -> list[str]:
    """The lines of a file as :func:`iter_jsonl` numbers them, without line endings."""
    if not path.is_file():
        return []
    # Bytes first: a line that is not UTF-8 is reported by iter_jsonl with file and line.
    with path.open("rb") as handle:
        return [raw.decode("utf-8", "replace").rstrip("\r\n") for raw in handle]


def load_questions(path: Path, *, n_turns: int | None = 2) -> list[Question]:
    """Read a FastChat ``question.jsonl``: ids unique by number, ``n_turns`` turns each."""
    path = Path(path)
    questions: list[Question] = []
    seen: dict[int, int] = {}
    raw_lines = _raw_lines(path)
    for line, record in iter_jsonl(path):
        question = question_from_record(record, path, line, n_turns=n_turns)
        if question.number in seen:
            raise InputFileError(
                str(path),
                f"question {question.number} appears twice (first on line {seen[question.number]})",
                line=line,
            )
        seen[question.number] = line
        question.source_line = raw_lines[line - 1]
        questions.append(question)
    return questions


def _line_for(record: dict[str, Any], source_line: str | None) -> str:
    if source_line is not None:
        try:
            if json.loads(source_line) == record and list(json.loads(source_line)) == list(record):
                return source_line
        except json.JSONDecodeError:
            pass
    return json.dumps(record, ensure_ascii=False)


def write_questions(path: Path, questions: Iterable[Question]) -> None:
    """Write a ``question.jsonl`` atomically, reusing unchanged source lines byte for byte."""
    write_lines_atomic(path, (_line_for(question_to_record(q), q.source_line) for q in questions))


@dataclass
class AnswerRecord:
    """A FastChat answer record (reference or model answer) with its first choice's turns."""

    question_id: QuestionId
    model_id: str
    turns: list[str]
    answer_id: str = ""
    tstamp: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    source_line: str | None = field(default=None, compare=False, repr=False)

    @property
    def number(self) -> int:
        return question_number(self.question_id)


def answer_to_record(answer: AnswerRecord) -> dict[str, Any]:
    """The FastChat record: ``question_id, answer_id, model_id, choices, tstamp`` (+ extras)."""
    return {
        "question_id": answer.question_id,
        "answer_id": answer.answer_id,
        "model_id": answer.model_id,
        "choices": [{"index": 0, "turns": list(answer.turns)}],
        "tstamp": answer.tstamp,
        **answer.extra,
    }


def new_answer(question_id: QuestionId, model_id: str, turns: list[str]) -> AnswerRecord:
    """A fresh answer record with a random ``answer_id`` and the current time."""
    return AnswerRecord(
        question_id=question_id,
        model_id=model_id,
        turns=list(turns),
        answer_id=uuid.uuid4().hex[:22],
        tstamp=time.time(),
    )


_ANSWER_KEYS = {"question_id", "answer_id", "model_id", "choices", "tstamp"}


def answer_from_record(record: dict[str, Any], path: Path, line: int) -> AnswerRecord:
    """Validate one answer record; errors name ``path:line``."""
    for key in ("question_id", "choices"):
        if key not in record:
            raise InputFileError(str(path), f"missing field {key!r}", line=line)
    question_id = _check_id(record["question_id"], path, line)
    choices = record["choices"]
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise InputFileError(
            str(path), "choices: expected a non-empty list of {'index', 'turns'}", line=line
        )
    turns = _check_strings(choices[0].get("turns"), "choices[0].turns", path, line, None)
    model_id = record.get("model_id", "")
    if not isinstance(model_id, str):
        raise InputFileError(
            str(path), f"model_id: expected a string, found {model_id!r}", line=line
        )
    tstamp = record.get("tstamp", 0.0)
    if not isinstance(tstamp, int | float) or isinstance(tstamp, bool):
        raise InputFileError(str(path), f"tstamp: expected a number, found {tstamp!r}", line=line)
    return AnswerRecord(
        question_id=question_id,
        model_id=model_id,
        turns=turns,
        answer_id=str(record.get("answer_id", "")),
        tstamp=tstamp,
        extra={k: v for k, v in record.items() if k not in _ANSWER_KEYS},
    )


def load_answer_records(path: Path) -> list[AnswerRecord]:
    """All answer records of a file, in file order, duplicates included (validated)."""
    path = Path(path)
    raw_lines = _raw_lines(path)
    answers = []
    for line, record in iter_jsonl(path):
        answer = answer_from_record(record, path, line)
        answer.source_line = raw_lines[line - 1]
        answers.append(answer)
    return answers


def _turns_by_number(path: Path, lang: str | None = None) -> dict[int, list[str]]:
    """Question number -> turns; a repeated question: the last line wins, with a warning.

    With ``lang``, an id of another language (``"81_EN"`` in the DE benchmark: a file copied
    into the wrong folder) is an error; ids without a language (``81``) are accepted.
    """
    by_number: dict[int, list[str]] = {}
    for answer in load_answer_records(path):
        other = question_id_lang(answer.question_id)
        if lang is not None and other is not None and other != lang:
            raise InputFileError(
                str(path),
                f"question id {answer.question_id!r} belongs to {other}, but the file is in the "
                f"{lang} benchmark (copied from mt_bench_{other}?)",
            )
        if answer.number in by_number:
            logger.warning(
                "%s: question %d answered more than once; using the last line",
                path,
                answer.number,
            )
        by_number[answer.number] = answer.turns
    return by_number


def write_answers(path: Path, answers: Iterable[AnswerRecord]) -> None:
    """Write answer records atomically, reusing unchanged source lines byte for byte."""
    write_lines_atomic(path, (_line_for(answer_to_record(a), a.source_line) for a in answers))


def load_reference_answers(path: Path, lang: str | None = None) -> dict[int, list[str]]:
    """A reference set (``reference_answer/<set>.jsonl``): question number -> turns (ids of
    a language other than ``lang`` refused, see :func:`_turns_by_number`)."""
    return _turns_by_number(Path(path), lang)


def check_answer_owner(path: Path, model_id: str, answers: Iterable[AnswerRecord]) -> None:
    """Refuse an answer file that holds another model whose id maps to the same file name.

    ``org/model`` is stored as ``org__model.jsonl``, and so is ``org__model``: without this
    check the second model would take the first one's answers for its own (and a rerun of
    ``answer`` would call them "already done"). Answers whose ``model_id`` is empty or maps
    to another file name (a file copied under a new name) are not a collision and are kept.
    """
    for answer in answers:
        other = answer.model_id
        if other and other != model_id and file_safe(other) == file_safe(model_id):
            raise InputFileError(
                str(path),
                f"holds the answers of model {other!r}; model id {model_id!r} maps to the "
                "same file ('/' is stored as '__'): give one of the two another model id",
            )


def load_model_answers(
    paths: BenchPaths, model_ids: list[str] | None = None
) -> dict[str, dict[int, list[str]]]:
    """Model answers of one language: model id -> question number -> turns.

    With ``model_ids`` each named model must have ``model_answer/<model_id>.jsonl`` (``/`` in
    an id becomes ``__``) that holds no other model mapped to that name
    (:func:`check_answer_owner`); without, every file in ``model_answer/`` is read and keyed by its
    file name, as FastChat does.
    """
    if model_ids is None:
        files = paths.model_answer_files()
        return {file.stem: _turns_by_number(file, paths.lang) for file in files}
    answers: dict[str, dict[int, list[str]]] = {}
    for model_id in model_ids:
        file = paths.model_answer_file(model_id)
        if not file.is_file():
            raise InputFileError(
                str(file),
                f"no answers for model {model_id!r} in {paths.bench_name} "
                f"(expected {file_safe(model_id)}.jsonl; run `mt-bench-x answer` first)",
            )
        check_answer_owner(file, model_id, load_answer_records(file))
        answers[model_id] = _turns_by_number(file, paths.lang)
    return answers
