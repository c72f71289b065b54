"""What the voting page shows: one language's questions, two models' answers and the
reference solutions, read once from the FastChat layout (:class:`BenchPaths`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import (
    Question,
    load_model_answers,
    load_questions,
    load_reference_answers,
)
from mt_bench_x.human_eval.store import Study


@dataclass(frozen=True)
class StudyData:
    """Questions answered by both models (others are left out), by question number."""

    study: Study
    questions: dict[int, Question]
    answers: dict[str, dict[int, list[str]]]
    references: dict[int, list[str]]

    @property
    def categories(self) -> dict[int, str]:
        return {number: question.category for number, question in self.questions.items()}

    def reference(self, question: int, turn: int) -> str | None:
        """The reference solution of a turn: the question's own ``reference`` field, else the
        reference set's answer; ``None`` where there is none."""
        own = self.questions[question].reference or []
        texts = own or self.references.get(question, [])
        return texts[turn - 1] if len(texts) >= turn and texts[turn - 1].strip() else None


def load_study_data(data_dir: Path, study: Study, *, reference_set: str = "gpt-4") -> StudyData:
    """Read questions, both models' answers and the reference set of ``study.lang``."""
    paths = BenchPaths(data_dir, study.lang)
    questions = {q.number: q for q in load_questions(paths.question_file)}
    answers = load_model_answers(paths, [study.model_1, study.model_2])
    both = {
        number
        for number in questions
        if all(len(answers[model].get(number, [])) >= 2 for model in answers)
    }
    if not both:
        raise MTBenchXError(
            f"{paths.model_answer_dir}: no question has two-turn answers from both "
            f"{study.model_1!r} and {study.model_2!r}"
        )
    reference_file = paths.reference_answer_file(reference_set)
    references = (
        load_reference_answers(reference_file, paths.lang) if reference_file.is_file() else {}
    )
    return StudyData(
        study=study,
        questions={number: questions[number] for number in sorted(both)},
        answers=answers,
        references=references,
    )
