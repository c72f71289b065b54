"""Judgment files -> one row per judgment line, the input of every report frame.

:func:`current_judgments` is the one place the report reads a judgment file: it keeps the
current judgments only (:mod:`mt_bench_x.judge.currency`: a line whose stored prompt hash
differs from the one today's question, answers, reference and judge prompt give is stale and
skipped, as in ``show``), one per judgment key, the newest winning; the skipped and unchecked
lines are counted per file (``SKIPPED_COLUMNS``).

Rows carry the run, the language, the question's category and the prompt set: judgments made
with the 3-option pairwise prompts (``pair-v2`` ...) and with the ``[[D]]`` prompts
(``pair-v2-both-bad`` ...) are different experiments and are never counted together.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from mt_bench_x.formats.judgments import is_api_error
from mt_bench_x.formats.layout import BenchPaths, JudgmentKind
from mt_bench_x.formats.questions import load_questions, question_number
from mt_bench_x.judge.currency import CurrentJudgments, current_judgments_in_file
from mt_bench_x.results.prompt_sets import prompt_set
from mt_bench_x.results.show import pair_outcome

SINGLE_FRAME_COLUMNS = [
    "judge", "lang", "run", "model", "question", "category", "turn", "prompts", "score", "status",
]  # fmt: skip
PAIR_FRAME_COLUMNS = [
    "judge", "lang", "run", "model_1", "model_2", "question", "category", "turn", "prompts",
    "g1", "g2", "outcome", "status",
]  # fmt: skip


SKIPPED_COLUMNS = ["judge", "lang", "kind", "run", "counted", "stale", "unchecked"]


def current_judgments(paths: BenchPaths, path: Path) -> CurrentJudgments:
    """The judgment lines of ``path`` that count (current, one per key, the newest)."""
    return current_judgments_in_file(paths, path)


def question_categories(data_dir: Path, lang: str) -> dict[int, str]:
    """Question number -> category of one language (empty without a question file)."""
    path = BenchPaths(data_dir, lang).question_file
    if not path.is_file():
        return {}
    return {q.number: q.category for q in load_questions(path)}


def judgment_runs(data_dir: Path, lang: str, judge_model: str, kind: JudgmentKind) -> list[int]:
    """The runs K with a judgment file for ``judge_model`` in ``lang``, sorted."""
    paths = BenchPaths(data_dir, lang)
    stem = paths.judgment_file(judge_model, kind).stem
    pattern = re.compile(rf"^{re.escape(stem)}(?:_run(\d+))?\.jsonl$")
    runs = []
    for path in paths.judgment_dir.glob(f"{stem}*.jsonl"):
        match = pattern.match(path.name)
        if match:
            runs.append(int(match.group(1) or 0))
    return sorted(runs)


def _status(record: dict[str, Any], failed: bool) -> str:
    if is_api_error(record):
        return "api_error"
    return "parse_failure" if failed else "ok"


def _number(record: dict[str, Any]) -> int | None:
    try:
        return question_number(record["question_id"])
    except (KeyError, ValueError):
        return None


def _pair_side(record: dict[str, Any], game: int) -> str:
    """Game ``game``'s verdict as the model it favours: ``model_1``, ``model_2``, ``tie``,
    ``both_bad`` or ``error`` (game 2 shows the answers in swapped order; FastChat's winner
    fields are already in the match's model order)."""
    winner = str(record.get(f"g{game}_winner", "error"))
    if record.get(f"g{game}_verdict") == "D":
        return "both_bad"
    return winner


def load_frames(
    data_dir: Path, langs: list[str], judges: list[str], runs: list[int] | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(single, pair, skipped)`` rows of every judge, language and run found (``runs``
    None: all); ``skipped`` counts per file the lines counted, stale and unchecked."""
    single: list[dict[str, Any]] = []
    pair: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for lang in langs:
        paths = BenchPaths(data_dir, lang)
        categories = question_categories(data_dir, lang)
        for judge in judges:
            for kind, rows in (("single", single), ("pair", pair)):
                found = judgment_runs(data_dir, lang, judge, kind)  # type: ignore[arg-type]
                for run in found if runs is None else [r for r in runs if r in found]:
                    path = paths.judgment_file(judge, kind, run)  # type: ignore[arg-type]
                    selection = current_judgments(paths, path)
                    skipped.append(
                        {"judge": judge, "lang": paths.lang, "kind": kind, "run": run,
                         "counted": len(selection.records), "stale": selection.stale_lines,
                         "unchecked": selection.unchecked}
                    )  # fmt: skip
                    for record in selection.records.values():
                        base = _base_row(record, judge, paths.lang, run, categories)
                        rows.append(
                            _single_row(base, record)
                            if kind == "single"
                            else _pair_row(base, record)
                        )
    return (
        pd.DataFrame(single, columns=SINGLE_FRAME_COLUMNS),
        pd.DataFrame(pair, columns=PAIR_FRAME_COLUMNS),
        pd.DataFrame(skipped, columns=SKIPPED_COLUMNS),
    )


def _base_row(
    record: dict[str, Any], judge: str, lang: str, run: int, categories: dict[int, str]
) -> dict[str, Any]:
    number = _number(record)
    return {
        "judge": judge,
        "lang": lang,
        "run": run,
        "question": number,
        "category": categories.get(number, "unknown") if number is not None else "unknown",
        "turn": str(record.get("turn")),
        "prompts": prompt_set(str(record["judge"][1])),
    }


def _single_row(base: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    score = record.get("score", -1)
    failed = score is None or score == -1
    return {
        **base,
        "model": str(record["model"]),
        "score": None if failed or is_api_error(record) else float(score),
        "status": _status(record, failed),
    }


def _pair_row(base: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    outcome = pair_outcome(record)
    return {
        **base,
        "model_1": str(record["model_1"]),
        "model_2": str(record["model_2"]),
        "g1": _pair_side(record, 1),
        "g2": _pair_side(record, 2),
        "outcome": outcome,
        "status": outcome if outcome in ("api_error", "parse_failure") else "ok",
    }
