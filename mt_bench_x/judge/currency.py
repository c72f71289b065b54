"""Which judgments are current: the one rule, for the judge, ``show`` and the report.

Every judgment line stores the hash of what the judge was asked (``prompt_hash``, or
``g1_prompt_hash`` / ``g2_prompt_hash`` for the two games of a pair). A line is

* **current** when the hashes rebuilt from today's inputs (the question, the models'
  answers, the reference answer, the judge prompt named in the line) equal the stored ones;
* **stale** when they differ: something it was judged on changed since (a model answered
  again, a question or reference was corrected, a judge prompt was edited);
* **unchecked** when no hash can be compared: a line without one (written by FastChat
  itself), or one whose inputs are gone today (no answer file, no such question or prompt),
  or one whose answers were cut to fit the judge's context by an older version that did not
  record the limit. Unchecked lines count as they always did, and are counted.

Answers cut to fit the judge's context are cut again with the limits stored in the line
(``context_limit``), so a current line stays current whatever ``--max-judge-context-tokens``
says today.

Per judgment key (question, models, turn, prompt name, run) the **newest current** (or
unchecked) line counts; stale lines are skipped, and a key with stale lines only is work for
the next judge run. A changed answer therefore supersedes its old judgment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mt_bench_x.formats.judgments import (
    check_score,
    is_api_error,
    iter_judgments,
    record_key,
    record_models,
)
from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import (
    Question,
    load_model_answers,
    load_questions,
    load_reference_answers,
    question_number,
)
from mt_bench_x.judge.calls import build_call
from mt_bench_x.judge.matches import Match, ResumeKey
from mt_bench_x.judge.prompts import JudgePrompt, load_prompts, uses_reference

Status = Literal["current", "stale", "unchecked"]

#: The reference set of lines written before the set was recorded (the judge's default).
DEFAULT_REFERENCE_SET = "gpt-4"


@dataclass(frozen=True)
class TodayInputs:
    """What today's files hold for rebuilding judge prompts (missing entries: unchecked)."""

    questions: Mapping[int, Question]
    #: model id -> question number -> answer turns
    answers: Mapping[str, Mapping[int, Sequence[str]]]
    #: prompt name -> prompt
    prompts: Mapping[str, JudgePrompt]
    #: reference set -> question number -> reference turns
    references: Mapping[str, Mapping[int, Sequence[str]]] = field(default_factory=dict)

    @classmethod
    def from_matches(
        cls, matches: Iterable[Match], reference_set: str = DEFAULT_REFERENCE_SET
    ) -> TodayInputs:
        """The inputs a judge run has already read (its matches), without reading again."""
        questions: dict[int, Question] = {}
        answers: dict[str, dict[int, Sequence[str]]] = {}
        prompts: dict[str, JudgePrompt] = {}
        references: dict[int, Sequence[str]] = {}
        for match in matches:
            number = match.question.number
            questions[number] = match.question
            for model, turns in zip(match.models, match.answers, strict=True):
                answers.setdefault(model, {})[number] = turns
            prompts[match.prompt.name] = match.prompt
            if match.reference is not None:
                references[number] = match.reference
        return cls(questions, answers, prompts, {reference_set: references})

    @classmethod
    def from_files(cls, paths: BenchPaths, records: Iterable[dict[str, Any]]) -> TodayInputs:
        """Read what the judgment lines ``records`` were built from, as far as it exists today
        (the models' answer files, the questions, the judge prompts, the reference sets)."""
        records = list(records)
        models = sorted({model for record in records for model in record_models(record)})
        answers: dict[str, Mapping[int, Sequence[str]]] = {}
        for model in models:
            if paths.model_answer_file(model).is_file():
                answers.update(load_model_answers(paths, [model]))
        questions = {}
        if paths.question_file.is_file():
            questions = {q.number: q for q in load_questions(paths.question_file)}
        prompts = (
            load_prompts(paths.judge_prompts_file) if paths.judge_prompts_file.is_file() else {}
        )
        references = {}
        for name in {reference_set_of(record) for record in records}:
            file = paths.reference_answer_file(name)
            if file.is_file():
                references[name] = load_reference_answers(file, paths.lang)
        return cls(questions, answers, prompts, references)


def reference_set_of(record: dict[str, Any]) -> str:
    value = record.get("reference_set")
    return value if isinstance(value, str) and value else DEFAULT_REFERENCE_SET


def stored_hashes(record: dict[str, Any]) -> tuple[str, ...] | None:
    """The prompt hashes a line stores, one per game; None when it has none."""
    names = ("prompt_hash",) if "model" in record else ("g1_prompt_hash", "g2_prompt_hash")
    values = tuple(record.get(name) for name in names)
    if not all(isinstance(value, str) and value for value in values):
        return None
    return values  # type: ignore[return-value]


def _context_limit(record: dict[str, Any]) -> tuple[int | None, int] | None:
    """The limits the line's prompts were cut with: ``(None, 0)`` when nothing was cut,
    None when answers were cut but the limit was not recorded."""
    if not record.get("truncated_answers"):
        return None, 0
    limit = record.get("context_limit")
    if (
        isinstance(limit, list)
        and len(limit) == 2
        and all(isinstance(value, int) and not isinstance(value, bool) for value in limit)
    ):
        return limit[0], limit[1]
    return None


def rebuilt_hashes(record: dict[str, Any], inputs: TodayInputs) -> tuple[str, ...] | None:
    """The hashes today's inputs give the line's games; None when they cannot be rebuilt."""
    limit = _context_limit(record)
    try:
        number = question_number(record["question_id"])
        turn = int(record["turn"])
        prompt = inputs.prompts.get(record["judge"][1])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    question = inputs.questions.get(number)
    if limit is None or prompt is None or question is None or turn > len(question.turns):
        return None
    models = record_models(record)
    answers = []
    for model in models:
        turns = inputs.answers.get(model, {}).get(number)
        if turns is None or len(turns) < turn:
            return None
        answers.append(tuple(turns))
    reference = None
    if uses_reference(prompt):
        turns = inputs.references.get(reference_set_of(record), {}).get(number)
        if turns is None or len(turns) < turn:
            return None
        reference = tuple(turns)
    match = Match(question, models, tuple(answers), turn, prompt, reference)
    max_context, max_output = limit
    try:
        return tuple(
            build_call(
                match, order, max_context_tokens=max_context, max_output_tokens=max_output
            ).prompt_hash
            for order in match.games()
        )
    except (KeyError, ValueError):  # today's prompt or answers no longer fit: not the same
        return ("",) * len(match.games())


def judgment_status(record: dict[str, Any], inputs: TodayInputs) -> Status:
    """``current``, ``stale`` or ``unchecked`` (see the module docstring)."""
    stored = stored_hashes(record)
    if stored is None:
        return "unchecked"
    rebuilt = rebuilt_hashes(record, inputs)
    if rebuilt is None:
        return "unchecked"
    return "current" if rebuilt == stored else "stale"


@dataclass
class CurrentJudgments:
    """The judgments that count, per key, and what was skipped or could not be checked."""

    #: key -> the newest current (or unchecked) line, in the file order of those lines
    records: dict[ResumeKey, dict[str, Any]] = field(default_factory=dict)
    #: key -> the line number of that line in the file
    line_numbers: dict[ResumeKey, int] = field(default_factory=dict)
    #: stale lines skipped (superseded ones included)
    stale_lines: int = 0
    #: keys with stale lines only: the judgments the next judge run redoes
    stale_keys: set[ResumeKey] = field(default_factory=set)
    #: lines counted without a check (no stored hash, or inputs gone)
    unchecked: int = 0


def current_judgments(
    lines: Iterable[tuple[int, dict[str, Any]]], path: Path, inputs: TodayInputs
) -> CurrentJudgments:
    """Select, per judgment key, the newest line that is current against ``inputs``.

    ``lines`` are ``(line number, record)`` of one judgment file ``path`` (as
    :func:`~mt_bench_x.formats.judgments.iter_judgments` yields them); a line without the
    fields of a judgment (or with a score that is not a number) is an error naming
    ``path:line``. Lines that record an API error
    take part like any other (the caller decides what an error line means). Unchecked lines
    count as current; the result says how many there were.
    """
    result = CurrentJudgments()
    stale: set[ResumeKey] = set()
    unchecked_keys: dict[ResumeKey, bool] = {}
    for line, record in lines:
        key = record_key(record, path, line)
        check_score(record, path, line)
        status = judgment_status(record, inputs)
        if status == "stale":
            result.stale_lines += 1
            stale.add(key)
            continue
        result.records.pop(key, None)
        result.records[key] = record
        result.line_numbers[key] = line
        unchecked_keys[key] = status == "unchecked"
    result.stale_keys = stale - result.records.keys()
    result.unchecked = sum(unchecked_keys[key] for key in result.records)
    return result


def finished_keys(path: Path, inputs: TodayInputs) -> tuple[set[ResumeKey], CurrentJudgments]:
    """The keys a judge run skips: those whose newest current line is a judgment, not an API
    error; and the selection they come from (for its counts). No file: nothing is finished."""
    if not Path(path).is_file():
        return set(), CurrentJudgments()
    selection = current_judgments(iter_judgments(path), path, inputs)
    done = {key for key, record in selection.records.items() if not is_api_error(record)}
    return done, selection


def current_judgments_in_file(paths: BenchPaths, path: Path) -> CurrentJudgments:
    """:func:`current_judgments` of the judgment file ``path`` of ``paths``' language, checked
    against that language's files as they are today (what ``show`` and the report count)."""
    lines = list(iter_judgments(path))
    inputs = TodayInputs.from_files(paths, (record for _, record in lines))
    return current_judgments(lines, path, inputs)
