"""Length bias of the judge: do longer answers win pairwise matches?

For every readable pairwise match (both orders), from the side of its alphabetically first
model: ``d`` = that model's answer length minus the opponent's (characters, the judged turn's
answer), ``y`` = 1 win, 0 loss, 0.5 tie or both bad. Per judge, prompt set and language:
``longer_won``, the share of decisive matches between answers of different length that the
longer answer won (0.5 = no length preference), and ``correlation``, Pearson's r of ``d`` and
``y`` over every match (``None`` when either does not vary).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import load_model_answers
from mt_bench_x.results.report.pairwise import oriented_matches

LENGTH_COLUMNS = ["judge", "prompts", "lang", "matches", "decisive", "longer_won", "correlation"]


def _lengths(data_dir: Path, lang: str, models: set[str]) -> dict[tuple[str, int, int], int]:
    paths = BenchPaths(data_dir, lang)
    present = [m for m in sorted(models) if paths.model_answer_file(m).is_file()]
    lengths = {}
    for model, by_question in load_model_answers(paths, present).items():
        for number, turns in by_question.items():
            for turn, text in enumerate(turns, start=1):
                lengths[(model, number, turn)] = len(text or "")
    return lengths


def length_bias_frame(data_dir: Path, pair: pd.DataFrame) -> pd.DataFrame:
    games = oriented_matches(pair)
    rows: list[dict[str, Any]] = []
    for (judge, prompts, lang), cell in games.groupby(["judge", "prompts", "lang"], sort=True):
        lengths = _lengths(data_dir, str(lang), set(cell["model"]) | set(cell["opponent"]))
        diffs, scores = [], []
        for match in cell.itertuples():
            own = lengths.get((match.model, match.question, int(match.turn)))
            other = lengths.get((match.opponent, match.question, int(match.turn)))
            if own is None or other is None:
                continue
            diffs.append(own - other)
            scores.append({"win": 1.0, "loss": 0.0}.get(match.result, 0.5))
        d, y = np.array(diffs, dtype=float), np.array(scores)
        decisive = (y != 0.5) & (d != 0)
        longer_won = ((d > 0) == (y == 1.0))[decisive]
        varies = len(d) > 1 and d.std() > 0 and y.std() > 0
        rows.append(
            {
                "judge": judge,
                "prompts": prompts,
                "lang": lang,
                "matches": len(d),
                "decisive": int(decisive.sum()),
                "longer_won": float(longer_won.mean()) if longer_won.size else None,
                "correlation": float(np.corrcoef(d, y)[0, 1]) if varies else None,
            }
        )
    return pd.DataFrame(rows, columns=LENGTH_COLUMNS)
