"""Two-turn model answers for MT-Bench(-X), written as FastChat answer records, resumable.

Per language: read ``question.jsonl``, skip questions already answered in
``model_answer/<model_id>.jsonl``, and answer the rest in batches of questions that share a
temperature (FastChat's per-category table). Turn 1 for the batch, then turn 2 with the
model's own first reply in the conversation; each finished question is appended as one
durable line (:class:`~mt_bench_x.formats.jsonl.JsonlAppender`), so a killed run loses at most the
batch in flight and a rerun continues.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mt_bench_x.answer.backends import ChatBackend, Conversation
from mt_bench_x.formats.errors import AnswerOptionError, InputFileError
from mt_bench_x.formats.jsonl import JsonlAppender
from mt_bench_x.formats.layout import BenchPaths, normalize_lang
from mt_bench_x.formats.questions import (
    Question,
    answer_to_record,
    check_answer_owner,
    load_answer_records,
    load_questions,
    new_answer,
    question_number,
)

logger = logging.getLogger(__name__)

#: FastChat's sampling temperature per MT-Bench category (``gen_model_answer``).
CATEGORY_TEMPERATURE: dict[str, float] = {
    "writing": 0.7,
    "roleplay": 0.7,
    "extraction": 0.0,
    "math": 0.0,
    "coding": 0.0,
    "reasoning": 0.0,
    "stem": 0.1,
    "humanities": 0.1,
}
DEFAULT_TEMPERATURE = 0.7


def temperature_for(category: str, override: float | None = None) -> float:
    """The category's temperature (0.7 for categories FastChat does not list)."""
    if override is not None:
        return override
    return CATEGORY_TEMPERATURE.get(category, DEFAULT_TEMPERATURE)


def load_system_prompts(path: Path) -> dict[str, str]:
    """A JSON object language -> system prompt (``"default"`` for the others)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(str(path), "file not found") from None
    except json.JSONDecodeError as error:
        raise InputFileError(
            str(path), f"not valid JSON ({error.msg})", line=error.lineno
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InputFileError(
            str(path), 'expected a JSON object like {"DE": "...", "default": "..."}'
        )
    return {(k if k == "default" else normalize_lang(k)): v for k, v in data.items()}


@dataclass
class AnswerSettings:
    model_id: str
    max_new_tokens: int = 1024
    batch_size: int = 8
    system_prompts: dict[str, str] = field(default_factory=dict)
    temperature: float | None = None
    limit: int | None = None
    question_ids: list[str] | None = None

    def system_prompt(self, lang: str) -> str | None:
        return self.system_prompts.get(lang, self.system_prompts.get("default"))


@dataclass
class AnswerReport:
    lang: str
    answered: int = 0
    skipped: int = 0
    path: Path | None = None


def select_questions(questions: list[Question], settings: AnswerSettings) -> list[Question]:
    """``--question-ids`` (numbers or ids; ``81_DE`` picks question 81 in every language),
    then ``--limit`` (the first N)."""
    if settings.question_ids:
        try:
            wanted = {question_number(q) for q in settings.question_ids}
        except ValueError as error:
            raise AnswerOptionError(f"--question-ids: {error}") from None
        numbers = sorted(q.number for q in questions)
        unknown = sorted(wanted - set(numbers))
        if unknown:
            has = f"{numbers[0]}-{numbers[-1]}" if numbers else "none"
            raise AnswerOptionError(
                f"--question-ids {unknown} are not in the benchmark (its questions: {has}); "
                "leave them out"
            )
        questions = [q for q in questions if q.number in wanted]
    if settings.limit is not None:
        questions = questions[: settings.limit]
    return questions


def finished_numbers(path: Path, model_id: str) -> set[int]:
    """Question numbers with an answer line in ``path``; call it with the file's
    :class:`~mt_bench_x.formats.jsonl.JsonlAppender` open (it locks, then cuts a torn last line).
    A file that holds another model mapped to the same name is refused
    (:func:`~mt_bench_x.formats.questions.check_answer_owner`)."""
    if not path.is_file():
        return set()
    answers = load_answer_records(path)
    check_answer_owner(path, model_id, answers)
    return {answer.number for answer in answers}


def _batches(questions: list[Question], settings: AnswerSettings) -> list[list[Question]]:
    by_temperature: dict[float, list[Question]] = {}
    for question in questions:
        temperature = temperature_for(question.category, settings.temperature)
        by_temperature.setdefault(temperature, []).append(question)
    size = max(1, settings.batch_size)
    return [
        group[i : i + size] for group in by_temperature.values() for i in range(0, len(group), size)
    ]


def answer_language(
    backend: ChatBackend,
    paths: BenchPaths,
    settings: AnswerSettings,
    *,
    show_progress: bool = True,
) -> AnswerReport:
    """Answer the unanswered questions of one language; returns what was done."""
    from tqdm.auto import tqdm

    questions = select_questions(load_questions(paths.question_file), settings)
    out = paths.model_answer_file(settings.model_id)
    # Opened (and locked) before anything is read: a second run of the same command is
    # refused, and a torn last line is cut before it could be taken for an answer.
    with JsonlAppender(out) as appender:
        done = finished_numbers(out, settings.model_id)
        todo = [q for q in questions if q.number not in done]
        report = AnswerReport(paths.lang, skipped=len(questions) - len(todo), path=out)
        if not todo:
            return report
        system = settings.system_prompt(paths.lang)
        with tqdm(
            total=len(questions),
            initial=report.skipped,
            desc=f"answer {paths.bench_name}",
            unit="question",
            disable=not show_progress,
        ) as bar:
            for batch in _batches(todo, settings):
                for question, turns in zip(
                    batch, _two_turns(backend, batch, system, settings), strict=True
                ):
                    record = new_answer(question.question_id, settings.model_id, turns)
                    appender.write(answer_to_record(record))
                report.answered += len(batch)
                bar.update(len(batch))
    return report


def _two_turns(
    backend: ChatBackend, batch: list[Question], system: str | None, settings: AnswerSettings
) -> list[list[str]]:
    """Every turn of every question in the batch; each reply stays in its conversation."""
    temperature = temperature_for(batch[0].category, settings.temperature)
    conversations: list[Conversation] = [
        [{"role": "system", "content": system}] if system else [] for _ in batch
    ]
    replies: list[list[str]] = [[] for _ in batch]
    for turn in range(max(len(q.turns) for q in batch)):
        active = [i for i, q in enumerate(batch) if turn < len(q.turns)]
        for i in active:
            conversations[i].append({"role": "user", "content": batch[i].turns[turn]})
        outputs = backend.generate(
            [conversations[i] for i in active],
            temperature=temperature,
            max_new_tokens=settings.max_new_tokens,
        )
        for i, text in zip(active, outputs, strict=True):
            conversations[i].append({"role": "assistant", "content": text})
            replies[i].append(text)
    return replies


def answer_languages(
    backend: ChatBackend,
    data_dir: Path,
    langs: Sequence[str],
    settings: AnswerSettings,
    *,
    show_progress: bool = True,
) -> list[AnswerReport]:
    """Answer every language in turn."""
    return [
        answer_language(
            backend, BenchPaths(Path(data_dir), lang), settings, show_progress=show_progress
        )
        for lang in langs
    ]
