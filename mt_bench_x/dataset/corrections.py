"""Human corrections of machine-translated questions: whole edited rows that replace MT rows.

A corrections file is JSONL in the question format (``question_id``, ``category``, ``turns`` and,
where the edited row has one, ``reference``). Each row replaces the machine-translated question
with the same number, as written: a row without ``reference`` yields a question without one, and
the row's own line (escapes included) is what ``question.jsonl`` gets. A row counts as *changed*
when it differs from the machine translation; identical rows are accepted and not counted.

The language of a row comes from its id (``"95_FR"``), else from where the file sits:
``mt_bench_<LANG>/question.jsonl`` (a published benchmark folder: its corrected questions),
``<LANG>.jsonl`` or ``<anything>_<LANG>.jsonl``. A directory stands for the ``*.jsonl`` files
directly in it plus ``mt_bench_<LANG>/question.jsonl`` below it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.jsonl import iter_jsonl
from mt_bench_x.formats.layout import BENCH_PREFIX, normalize_lang, question_files_below
from mt_bench_x.formats.questions import (
    Question,
    _raw_lines,
    question_from_record,
    question_id_lang,
    question_to_record,
)

logger = logging.getLogger(__name__)

_STEM_LANG = re.compile(r"(?:^|_)([A-Za-z]{2}(?:-[A-Za-z]{2,4})?)$")


@dataclass
class Correction:
    """One edited row and where it came from."""

    question: Question
    path: Path
    line: int


@dataclass
class CorrectionReport:
    """What the corrections did to one language."""

    lang: str
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        return len(self.changed)


def _lang_of_file(path: Path) -> str | None:
    if path.parent.name.startswith(BENCH_PREFIX):
        try:
            return normalize_lang(path.parent.name[len(BENCH_PREFIX) :])
        except ValueError:
            return None
    match = _STEM_LANG.search(path.stem)
    if match:
        try:
            return normalize_lang(match.group(1))
        except ValueError:
            return None
    return None


def correction_files(paths: list[Path]) -> list[Path]:
    """Expand directories into the files they stand for (see the module docstring)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.glob("*.jsonl")) + question_files_below(path)
            if not found:
                raise InputFileError(
                    str(path), "no corrections found (expected *.jsonl or mt_bench_<LANG>/...)"
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputFileError(str(path), "file not found")
    return files


def load_corrections(paths: list[Path]) -> dict[str, dict[int, Correction]]:
    """Language -> question number -> correction, from files or directories."""
    by_lang: dict[str, dict[int, Correction]] = {}
    for file in correction_files(paths):
        file_lang = _lang_of_file(file)
        raw_lines = _raw_lines(file)
        for line, record in iter_jsonl(file):
            question = question_from_record(record, file, line)
            question.source_line = raw_lines[line - 1]
            lang = question_id_lang(question.question_id) or file_lang
            if lang is None:
                raise InputFileError(
                    str(file),
                    "cannot tell the language of this correction: use an id like '81_DE' or "
                    "a file name like DE.jsonl",
                    line=line,
                )
            rows = by_lang.setdefault(lang, {})
            earlier = rows.get(question.number)
            if earlier is not None:
                raise InputFileError(
                    str(file),
                    f"question {question.number} ({lang}) is corrected twice "
                    f"(also {earlier.path}:{earlier.line})",
                    line=line,
                )
            rows[question.number] = Correction(question, file, line)
    return by_lang


def apply_corrections(
    lang: str, questions: list[Question], corrections: dict[int, Correction]
) -> tuple[list[Question], CorrectionReport]:
    """Replace machine-translated rows by their corrections; report what changed."""
    report = CorrectionReport(lang)
    by_number = {q.number: q for q in questions}
    for number, correction in corrections.items():
        if number not in by_number:
            raise InputFileError(
                str(correction.path),
                f"question {number} is not in the {lang} benchmark",
                line=correction.line,
            )
        if correction.question.category != by_number[number].category:
            raise InputFileError(
                str(correction.path),
                f"category {correction.question.category!r} differs from the benchmark's "
                f"{by_number[number].category!r} for question {number}",
                line=correction.line,
            )
    out: list[Question] = []
    for question in questions:
        found = corrections.get(question.number)
        if found is None:
            out.append(question)
            continue
        edited = found.question
        if question_to_record(replace(edited, question_id=question.question_id)) == (
            question_to_record(question)
        ):
            report.unchanged.append(question.number)
            out.append(question)
            continue
        report.changed.append(question.number)
        if edited.question_id != question.question_id:
            edited = replace(edited, question_id=question.question_id, source_line=None)
        out.append(edited)
    logger.info(
        "%s: corrections changed %d question(s)%s",
        lang,
        report.changed_count,
        f", {len(report.unchanged)} identical to the machine translation"
        if report.unchanged
        else "",
    )
    return out, report
