"""The few lines ``mt-bench-x report`` prints: overall scores, improvement, position bias."""

from __future__ import annotations

import pandas as pd

from mt_bench_x.results.report.build import ReportFrames
from mt_bench_x.results.report.tables import to_markdown

ALL = "all"


def summary(frames: ReportFrames) -> str:
    scores = frames.scores.table
    overall = scores[(scores["category"] == ALL) & (scores["turn"] == ALL)]
    parts = []
    if not overall.empty:
        wide = overall.pivot_table(
            index=["judge", "model"], columns="lang", values="score", aggfunc="first"
        )
        langs = [c for c in wide.columns if c != ALL] + ([ALL] if ALL in wide.columns else [])
        wide = wide.reindex(columns=langs).reset_index()
        parts.append(
            f"Scores (all categories and turns, scoring {frames.options.scoring}):\n"
            + to_markdown(wide)
        )
    improvement = frames.improvement
    if not improvement.empty:
        formula = frames.options.formula
        turn1 = improvement[improvement["turn"] == "1"]
        columns = ["judge", "base", "dataset", "mixture", "monolingual", formula]
        parts.append(f"Improvement, turn 1 ({formula}):\n" + to_markdown(turn1[columns]))
    bias = frames.position_bias
    if not bias.empty:
        every = bias[bias["category"] == ALL]
        columns = ["judge", "prompts", "lang", "games", "rate", "rate_mitigated"]
        parts.append("Position bias (% of games):\n" + to_markdown(pd.DataFrame(every[columns])))
    skipped = frames.skipped
    stale, unchecked = int(skipped["stale"].sum()), int(skipped["unchecked"].sum())
    if stale or unchecked:
        parts.append(
            f"Skipped {stale} stale judgment line(s) (their answers, question, reference or "
            f"judge prompt changed since); {unchecked} counted without a check against today's "
            "inputs (judgment_files.csv)\n"
        )
    return "\n".join(parts)
