"""The read-only answer browser's data: one question of one language with its reference, two
models' answers and the judge's explanations (pairwise in both orders, single-answer per model),
read from the FastChat layout, as FastChat's ``qa_browser`` shows them for English. Only
current judgments are shown (see :mod:`mt_bench_x.judge.currency`): one judged on an answer
that changed since is left out, as ``show`` leaves it out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mt_bench_x.formats.judgments import record_models
from mt_bench_x.formats.layout import BenchPaths, available_languages
from mt_bench_x.formats.questions import (
    Question,
    load_model_answers,
    load_questions,
    load_reference_answers,
    question_number,
)
from mt_bench_x.judge.currency import current_judgments_in_file


@dataclass
class BrowserChoices:
    """What can be picked in one language: questions, models with answers, judges."""

    langs: list[str]
    questions: list[Question]
    models: list[str]
    judges: list[str]


@dataclass
class TurnView:
    turn: int
    user: str
    reference: str | None
    answers: dict[str, str]
    pair_judgments: list[dict[str, Any]] = field(default_factory=list)
    single_judgments: dict[str, dict[str, Any]] = field(default_factory=dict)


def browser_choices(data_dir: Path, lang: str) -> BrowserChoices:
    paths = BenchPaths(data_dir, lang)
    return BrowserChoices(
        langs=available_languages(data_dir),
        questions=load_questions(paths.question_file),
        models=[file.stem for file in paths.model_answer_files()],
        judges=paths.judges_with_judgments(),
    )


def _judgment_lines(paths: BenchPaths, path: Path, question: int) -> list[dict[str, Any]]:
    """The current judgments of ``question`` in the judgment file ``path`` (newest per key)."""
    if not path.is_file():
        return []
    found = []
    for record in current_judgments_in_file(paths, path).records.values():
        try:
            if question_number(record["question_id"]) == question:
                found.append(record)
        except (KeyError, ValueError):
            continue
    return found


def question_view(
    data_dir: Path, lang: str, question: int, models: list[str], judge: str | None
) -> list[TurnView]:
    """Both turns of one question side by side for ``models`` (answer files by stem)."""
    paths = BenchPaths(data_dir, lang)
    by_number = {q.number: q for q in load_questions(paths.question_file)}
    if question not in by_number:
        return []
    item = by_number[question]
    answers = load_model_answers(paths, models) if models else {}
    reference_file = paths.reference_answer_file("gpt-4")
    references = item.reference or (
        load_reference_answers(reference_file, paths.lang).get(question, [])
        if reference_file.is_file()
        else []
    )
    pair_lines: list[dict[str, Any]] = []
    single_lines: list[dict[str, Any]] = []
    if judge:
        pair_lines = _judgment_lines(paths, paths.judgment_file(judge, "pair"), question)
        single_lines = _judgment_lines(paths, paths.judgment_file(judge, "single"), question)
    views = []
    for turn, user in enumerate(item.turns, start=1):
        reference = references[turn - 1] if len(references) >= turn else None
        view = TurnView(
            turn=turn,
            user=user,
            reference=reference or None,
            answers={m: [*a.get(question, []), "", ""][turn - 1] for m, a in answers.items()},
        )
        for record in pair_lines:
            if int(record.get("turn", 1)) == turn and set(record_models(record)) == set(models):
                view.pair_judgments.append(record)
        for record in single_lines:
            if int(record.get("turn", 1)) == turn and record_models(record)[0] in models:
                view.single_judgments[record_models(record)[0]] = record
        views.append(view)
    return views
