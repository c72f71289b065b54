"""Which languages and models a judge run takes when the user does not name them all.

Read from the data folder: ``--lang all`` means every language with a question file (for
``judge``, those where the named models, or any model, have answers); no ``--model-list``
means every model with an answer file in the first language. The model id of an answer file
is its records' ``model_id`` when the file is named after it (``org/model`` is stored as
``org__model.jsonl``), else the file's stem, as FastChat does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.formats.layout import (
    BenchPaths,
    available_languages,
    file_safe,
)
from mt_bench_x.judge.plan import JudgeJob, LanguagePlan, plan_language
from polyglot_instruct.languages import ALL
from polyglot_instruct.languages import parse_languages as parse_language_list

ALL_LANGUAGES = ALL


def parse_languages(data_dir: Path, spec: str) -> list[str]:
    """``DE`` / ``DE,FR`` / ``all`` as language codes; a language named twice (``DE,de``) is
    one, since two runs would append to one judgment file."""
    if spec.lower() == ALL_LANGUAGES:
        langs = available_languages(data_dir)
        if not langs:
            raise MTBenchXError(f"{data_dir}: no mt_bench_<LANG>/question.jsonl found")
        return langs
    return parse_language_list(spec, merge_repeats=True) or []


def answer_stems(data_dir: Path, lang: str) -> list[str]:
    """The file stems of one language's model answer files, sorted."""
    return [path.stem for path in BenchPaths(data_dir, lang).model_answer_files()]


def answer_model_id(path: Path) -> str:
    """The model id an answer file stands for (see the module docstring)."""
    with path.open("rb") as handle:
        first = handle.readline()
    try:  # a broken first line is reported with file and line when the answers are read
        model_id = json.loads(first).get("model_id")
    except (ValueError, AttributeError):
        return path.stem
    return model_id if isinstance(model_id, str) and file_safe(model_id) == path.stem else path.stem


@dataclass(frozen=True)
class LanguageChoice:
    """The languages kept and those skipped (``--lang all`` only) with nothing to use."""

    langs: list[str]
    skipped: list[str]


def languages_with_answers(data_dir: Path, langs: list[str], models: list[str]) -> LanguageChoice:
    """The languages where any of ``models`` (any model, when none is named) has answers;
    none left is an error."""
    wanted = {file_safe(model) for model in models}

    def has_answers(code: str) -> bool:
        stems = set(answer_stems(data_dir, code))
        return bool(wanted & stems) if wanted else bool(stems)

    kept = [code for code in langs if has_answers(code)]
    if not kept:
        who = f"for {', '.join(models)} " if models else ""
        raise MTBenchXError(
            f"{data_dir}: no model answers {who}in any of {', '.join(langs)} "
            "(mt_bench_<LANG>/model_answer/<model>.jsonl; run `mt-bench-x answer` first)"
        )
    return LanguageChoice(kept, [code for code in langs if code not in kept])


def default_models(data_dir: Path, lang: str, mode: str, baseline: str | None) -> list[str]:
    """Every model with answers in ``lang`` (less the baseline of pairwise-baseline)."""
    paths = BenchPaths(data_dir, lang)
    models = [answer_model_id(path) for path in paths.model_answer_files()]
    if mode == "pairwise-baseline":
        models = [m for m in models if m != baseline]
    if not models:
        extra = f" besides the baseline {baseline!r}" if mode == "pairwise-baseline" else ""
        raise MTBenchXError(
            f"{paths.model_answer_dir}: no model answers{extra} to judge (run `mt-bench-x "
            "answer` first, or name the models with --model-list)"
        )
    return models


@dataclass(frozen=True)
class JudgeRun:
    """Everything a ``mt-bench-x judge`` run does: the job, one plan per language, and the
    languages ``--lang all`` skipped for want of answers."""

    job: JudgeJob
    plans: list[LanguagePlan]
    skipped: list[str]


def plan_judge_run(data_dir: Path, lang_spec: str, job: JudgeJob) -> JudgeRun:
    """Resolve ``lang_spec`` and the models (``job.models`` empty: every model with answers
    in the first language), then plan every language; errors name the file at fault."""
    langs = parse_languages(data_dir, lang_spec)
    skipped: list[str] = []
    models = list(job.models)
    if lang_spec.lower() == ALL_LANGUAGES:
        choice = languages_with_answers(data_dir, langs, models)
        langs, skipped = choice.langs, choice.skipped
    if not models:
        models = default_models(data_dir, langs[0], job.mode, job.baseline)
    resolved = replace(job, models=tuple(models))
    plans = [plan_language(data_dir, code, resolved) for code in langs]
    return JudgeRun(resolved, plans, skipped)
