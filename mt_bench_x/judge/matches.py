"""Which games a judge run plays: one ``make_matches`` for every mode.

A *match* is one judgment line: one model's answer to one turn (``single``), or two models'
answers to one turn (``pairwise-*``), which the judge sees in both orders (two calls, ``g1``
and ``g2``). Turn 2 shows the judge the whole two-turn conversation, as FastChat does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from mt_bench_x.formats.errors import MTBenchXError, SelectionError
from mt_bench_x.formats.judgments import ResumeKey, resume_key
from mt_bench_x.formats.layout import JUDGE_PROMPTS_NAME
from mt_bench_x.formats.questions import Question
from mt_bench_x.judge.prompts import JudgePrompt, PromptType, choose_prompt, uses_reference

Mode = Literal["single", "pairwise-baseline", "pairwise-all"]
MODES: tuple[str, ...] = ("single", "pairwise-baseline", "pairwise-all")
TURNS: tuple[int, ...] = (1, 2)

__all__ = [
    "MODES",
    "TURNS",
    "Match",
    "MissingDataError",
    "Mode",
    "ResumeKey",
    "make_matches",
    "model_pairs",
    "resume_key",
]


class MissingDataError(MTBenchXError):
    """A match needs an answer or reference that the inputs do not have."""


@dataclass(frozen=True)
class Match:
    """One judgment line to produce (see the module docstring)."""

    question: Question
    models: tuple[str, ...]
    answers: tuple[tuple[str, ...], ...]
    turn: int
    prompt: JudgePrompt
    reference: tuple[str, ...] | None = None

    @property
    def kind(self) -> PromptType:
        return "single" if len(self.models) == 1 else "pairwise"

    def key(self, run: int) -> ResumeKey:
        return resume_key(self.question.question_id, self.models, self.turn, self.prompt.name, run)

    def games(self) -> list[tuple[str, ...]]:
        """The answer orders shown to the judge: one for single, A/B then B/A for pairs."""
        if self.kind == "single":
            return [self.models]
        return [self.models, self.models[::-1]]

    def prompt_values(self, order: tuple[str, ...]) -> dict[str, str]:
        """The template values for one game (answers in the given model order)."""
        by_model = dict(zip(self.models, self.answers, strict=True))
        turns = self.question.turns
        values: dict[str, str] = {}
        if self.turn == 1:
            values["question"] = turns[0]
        else:
            values["question_1"], values["question_2"] = turns[0], turns[1]
        slots = ("",) if self.kind == "single" else ("_a", "_b")
        for slot, model in zip(slots, order, strict=True):
            answer = by_model[model]
            if self.turn == 1:
                values[f"answer{slot}"] = answer[0]
            else:
                values[f"answer{slot}_1"], values[f"answer{slot}_2"] = answer[0], answer[1]
        if self.reference is not None:
            values["ref_answer_1"] = self.reference[0]
            if self.turn == 2:
                values["ref_answer_2"] = self.reference[1]
        return values


def model_pairs(mode: Mode, models: Sequence[str], baseline: str | None) -> list[tuple[str, ...]]:
    """The model tuples of a mode: ``(m,)``, ``(m, baseline)`` or every ``(m_i, m_j), i < j``.

    A mode left with nothing to judge (no model; pairwise with one model) is a
    :class:`~mt_bench_x.formats.errors.SelectionError` (a ``ValueError``) rather than a run
    that judges nothing and reports success. A model named twice counts once (it would
    otherwise be judged twice, or against itself).
    """
    models = list(dict.fromkeys(models))
    if mode == "single":
        tuples: list[tuple[str, ...]] = [(model,) for model in models]
        needed = "at least one model"
    elif mode == "pairwise-baseline":
        if not baseline:
            raise SelectionError("pairwise-baseline needs a baseline model")
        tuples = [(model, baseline) for model in models if model != baseline]
        needed = f"a model other than the baseline {baseline!r}"
    elif mode == "pairwise-all":
        tuples = [(a, b) for i, a in enumerate(models) for b in models[i + 1 :]]
        needed = "at least two models"
    else:
        raise SelectionError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    if not tuples:
        raise SelectionError(f"{mode} needs {needed}; got {list(models)}")
    return tuples


def make_matches(
    mode: Mode,
    questions: Sequence[Question],
    model_answers: Mapping[str, Mapping[int, Sequence[str]]],
    prompts: Mapping[str, JudgePrompt],
    *,
    models: Sequence[str],
    references: Mapping[int, Sequence[str]] | None = None,
    baseline: str | None = None,
    both_bad: bool = False,
    turns: Sequence[int] = TURNS,
    prompt_source: str = JUDGE_PROMPTS_NAME,
) -> list[Match]:
    """Every match of a mode, question by question, turn by turn, model tuple by tuple.

    Raises :class:`MissingDataError` naming the model and question when an answer (or, for a
    reference-guided prompt, a reference answer) is missing or has too few turns.
    """
    kind: PromptType = "single" if mode == "single" else "pairwise"
    tuples = model_pairs(mode, models, baseline)
    matches: list[Match] = []
    for question in questions:
        for turn in turns:
            if turn > len(question.turns):
                continue
            prompt = choose_prompt(
                dict(prompts),
                kind,
                question.category,
                turn,
                both_bad=both_bad and kind == "pairwise",
                source=prompt_source,
            )
            reference = _reference(prompt, question, turn, references)
            for models_of_match in tuples:
                answers = tuple(
                    _answer(model_answers, model, question, turn) for model in models_of_match
                )
                matches.append(Match(question, models_of_match, answers, turn, prompt, reference))
    return matches


def _answer(
    model_answers: Mapping[str, Mapping[int, Sequence[str]]],
    model: str,
    question: Question,
    turn: int,
) -> tuple[str, ...]:
    turns = model_answers.get(model, {}).get(question.number)
    if turns is None:
        raise MissingDataError(f"model {model!r} has no answer to question {question.question_id}")
    if len(turns) < turn:
        raise MissingDataError(
            f"model {model!r} answered {len(turns)} turn(s) of question "
            f"{question.question_id}; turn {turn} is needed"
        )
    return tuple(turns)


def _reference(
    prompt: JudgePrompt,
    question: Question,
    turn: int,
    references: Mapping[int, Sequence[str]] | None,
) -> tuple[str, ...] | None:
    if not uses_reference(prompt):
        return None
    turns = (references or {}).get(question.number)
    if turns is None or len(turns) < turn:
        raise MissingDataError(
            f"judge prompt {prompt.name!r} needs a reference answer (turn {turn}) to question "
            f"{question.question_id} ({question.category}); none in the reference set"
        )
    return tuple(turns)
