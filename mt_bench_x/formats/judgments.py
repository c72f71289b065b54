"""Judgment lines in FastChat's record formats, plus this project's extra fields.

Single (FastChat): ``question_id, model, judge [judge_model, prompt_name], user_prompt,
judgment, score, turn, tstamp``. Pairwise (FastChat): ``question_id, model_1, model_2,
g1_winner, g2_winner, judge, g1_user_prompt, g1_judgment, g2_user_prompt, g2_judgment, turn,
tstamp``. Extra fields (FastChat's tools ignore them):

* ``run``: the judge run (part of the resume key);
* ``judge_response_model``: the model named in the API's response;
* ``usage``: prompt/completion/total tokens of the call(s);
* ``prompt_hash`` (single) or ``g1_prompt_hash`` / ``g2_prompt_hash`` (pairwise);
* ``truncated_answers``: how many answers were cut to fit the judge's context;
* ``g1_verdict`` / ``g2_verdict``: the raw verdict letter (``D`` = both bad, written as winner
  ``tie`` because FastChat's ``show_result`` would count it as a win for model 2);
* ``error``: present only when the judge could not be called; such a line has FastChat's
  ``$ERROR$`` / score -1 / winner ``error`` and is judged again by the next run. A line
  written by FastChat itself with ``$ERROR$`` (and no ``error`` field) counts the same.

A verdict the parser cannot read keeps the raw reply with score -1 or winner ``error`` and no
``error`` field: it counts as done (temperature 0 would say the same again) and as a parse
failure in ``show``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.jsonl import iter_jsonl

logger = logging.getLogger(__name__)

API_ERROR_OUTPUT = "$ERROR$"
ERROR_WINNER = "error"
WINNERS_GAME1 = {"A": "model_1", "B": "model_2", "C": "tie", "D": "tie"}
WINNERS_GAME2 = {"A": "model_2", "B": "model_1", "C": "tie", "D": "tie"}


#: (question id as text, models, turn, prompt name, run): what makes a judgment "done".
ResumeKey = tuple[str, tuple[str, ...], int, str, int]


def resume_key(
    question_id: object, models: Sequence[str], turn: int, prompt_name: str, run: int
) -> ResumeKey:
    """The key of a judgment. A pair is judged in both orders, so ``(A, B)`` and ``(B, A)``
    are one judgment: its models are sorted, and ``--model-list B A`` after ``A B`` pays
    nothing again."""
    key_models = tuple(sorted(models)) if len(models) == 2 else tuple(models)
    return (str(question_id), key_models, int(turn), str(prompt_name), int(run))


def record_models(record: dict[str, Any]) -> tuple[str, ...]:
    if "model" in record:
        return (str(record["model"]),)
    return (str(record["model_1"]), str(record["model_2"]))


def record_key(record: dict[str, Any], path: Path, line: int) -> ResumeKey:
    """The resume key of a judgment line; a line without the needed fields names file:line."""
    try:
        judge = record["judge"]
        prompt = judge[1]
        return resume_key(
            record["question_id"],
            record_models(record),
            int(record["turn"]),
            prompt,
            int(record.get("run", 0)),
        )
    except (KeyError, IndexError, TypeError, ValueError):
        raise InputFileError(
            str(path),
            "not a judgment line: expected question_id, model (or model_1/model_2), "
            "judge [judge_model, prompt_name] and turn",
            line=line,
        ) from None


def check_score(record: dict[str, Any], path: Path, line: int) -> None:
    """A single judgment's ``score`` is a number (1-10, or -1 for no verdict); anything else
    (``"seven"``, ``null``) is an error naming ``path:line``, not a crash later on."""
    if "model" not in record:
        return
    score = record.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise InputFileError(
            str(path),
            f"score: expected a number (1-10, or -1 for no verdict), found {score!r:.40}",
            line=line,
        )


def is_api_error(record: dict[str, Any]) -> bool:
    """Whether the line records a failed call: our ``error`` field, or FastChat's
    ``$ERROR$`` output (its ``gen_judgment`` writes that, with no ``error`` field)."""
    if "error" in record:
        return True
    texts = [record.get(name) for name in ("judgment", "g1_judgment", "g2_judgment")]
    return API_ERROR_OUTPUT in texts


def iter_judgments(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` of every complete line of a judgment file.

    A last line without its newline (a run killed mid-write, or one still writing) is skipped,
    not changed: only the writer (:class:`~mt_bench_x.formats.jsonl.JsonlAppender`) cuts it off, so
    reading while a judge run appends is safe.
    """
    yield from iter_jsonl(path, skip_incomplete_last_line=True)


def done_keys(path: Path) -> set[ResumeKey]:
    """Keys of the judgments already in ``path`` (API-error lines excluded: they are redone),
    whether current or stale; the judge skips only current ones
    (:func:`mt_bench_x.judge.currency.finished_keys`)."""
    if not Path(path).is_file():
        return set()
    done: set[ResumeKey] = set()
    for line, record in iter_judgments(path):
        key = record_key(record, path, line)
        if not is_api_error(record):
            done.add(key)
    return done
