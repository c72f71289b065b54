"""What one ``mt-bench-x judge`` run does in one language: inputs read, matches made.

Reads the language's questions, judge prompts, the named models' answers and (when a
reference-guided prompt is used) the reference set, each from the FastChat layout that
:class:`~mt_bench_x.formats.layout.BenchPaths` knows. The reference set is an option of its own
(``gpt-4`` by default), never derived from the judge's name as FastChat does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.layout import BenchPaths, JudgmentKind
from mt_bench_x.formats.questions import load_model_answers, load_questions, load_reference_answers
from mt_bench_x.judge.currency import TodayInputs, finished_keys
from mt_bench_x.judge.matches import Match, MissingDataError, Mode, make_matches
from mt_bench_x.judge.prompts import has_both_bad_prompts, load_prompts
from mt_bench_x.judge.truncation import estimate_tokens

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JudgeJob:
    """The options of a judge run that do not depend on the language."""

    mode: Mode
    judge_model: str
    models: tuple[str, ...]
    baseline: str | None = "gpt-3.5-turbo"
    reference_set: str = "gpt-4"
    run: int = 0
    #: ``None``: use the ``-both-bad`` pairwise prompts when the prompt file has them.
    both_bad: bool | None = None
    #: Only the first N questions of each language (FastChat's ``--first-n``, for trials).
    first_n: int | None = None

    @property
    def kind(self) -> JudgmentKind:
        return "single" if self.mode == "single" else "pair"


@dataclass(frozen=True)
class LanguagePlan:
    """The matches of one language and the file their judgments go to."""

    paths: BenchPaths
    matches: list[Match]
    output: Path
    #: the reference set the matches' reference answers come from
    reference_set: str = "gpt-4"


def plan_language(data_dir: Path, lang: str, job: JudgeJob) -> LanguagePlan:
    """Read one language's inputs and make its matches; errors name the file at fault."""
    paths = BenchPaths(data_dir, lang)
    questions = load_questions(paths.question_file)
    if job.first_n is not None:
        questions = questions[: job.first_n]
    prompts = load_prompts(paths.judge_prompts_file)
    both_bad = job.both_bad
    if both_bad is None:
        both_bad = job.mode != "single" and has_both_bad_prompts(prompts)
        if job.mode != "single":
            logger.info(
                "%s: pairwise prompts %s the [[D]] both-bad verdict",
                paths.bench_name,
                "with" if both_bad else "without",
            )
    model_ids = list(job.models)
    if job.mode == "pairwise-baseline" and job.baseline and job.baseline not in model_ids:
        model_ids.append(job.baseline)
    answers = load_model_answers(paths, model_ids)
    reference_file = paths.reference_answer_file(job.reference_set)
    references = (
        load_reference_answers(reference_file, paths.lang) if reference_file.is_file() else None
    )
    try:
        matches = make_matches(
            job.mode,
            questions,
            answers,
            prompts,
            models=job.models,
            references=references,
            baseline=job.baseline,
            both_bad=both_bad,
            prompt_source=str(paths.judge_prompts_file),
        )
    except MissingDataError as error:
        where = reference_file if "reference" in str(error) else paths.model_answer_dir
        raise InputFileError(str(where), str(error)) from None
    output = paths.judgment_file(job.judge_model, job.kind, job.run)
    return LanguagePlan(paths, matches, output, job.reference_set)


@dataclass(frozen=True)
class DryRunEstimate:
    """What a run would send: calls, estimated tokens and cost."""

    matches: int
    already_done: int
    calls: int
    input_tokens: int
    output_tokens: int

    def cost(self, input_price_per_mtok: float, output_price_per_mtok: float) -> float:
        return (
            self.input_tokens * input_price_per_mtok + self.output_tokens * output_price_per_mtok
        ) / 1e6


def estimate_plan(
    plan: LanguagePlan,
    run: int,
    *,
    output_tokens_per_call: int,
    max_context_tokens: int | None,
    max_output_tokens: int = 2048,
    count_tokens: Callable[[list[dict[str, str]]], int] | None = None,
) -> DryRunEstimate:
    """The calls the plan still needs (finished ones skipped) and their tokens: counted by
    ``count_tokens`` (messages -> tokens), else estimated."""
    from mt_bench_x.judge.calls import build_call

    inputs = TodayInputs.from_matches(plan.matches, plan.reference_set)
    done, _ = finished_keys(plan.output, inputs)
    todo = [match for match in plan.matches if match.key(run) not in done]
    calls = 0
    input_tokens = 0
    for match in todo:
        for order in match.games():
            call = build_call(
                match,
                order,
                max_context_tokens=max_context_tokens,
                max_output_tokens=max_output_tokens,
            )
            calls += 1
            if count_tokens is not None:
                input_tokens += count_tokens(call.messages)
            else:
                input_tokens += sum(estimate_tokens(m["content"]) for m in call.messages)
    return DryRunEstimate(
        matches=len(plan.matches),
        already_done=len(plan.matches) - len(todo),
        calls=calls,
        input_tokens=input_tokens,
        output_tokens=calls * output_tokens_per_call,
    )
