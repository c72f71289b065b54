"""``scores.csv``: one row per judge x model x language x category x turn, with intervals.

``category`` / ``turn`` ``all`` rows pool the cell's scores (FastChat's average: the mean of
every score); ``lang`` ``all`` is the mean of the model's per-language scores. Intervals are
95% percentile bootstraps over questions (:mod:`.bootstrap`); every cell uses the same seed,
so two models (and two languages of the same translated question set) are resampled by the
same question draws: their bootstrap differences are paired. Repeated judge runs are pooled
into the score; ``runs`` counts them and ``run_sd`` is the standard deviation of the per-run
means (the run-to-run noise the paper could not measure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from mt_bench_x.results.report.bootstrap import bootstrap_means, percentile_interval

ALL = "all"
SCORE_COLUMNS = [
    "judge", "model", "lang", "category", "turn", "score", "n", "failed", "ci_low", "ci_high",
    "runs", "run_sd",
]  # fmt: skip
DIFFERENCE_COLUMNS = [
    "judge", "lang", "model", "other", "difference", "ci_low", "ci_high", "run_noise",
    "exceeds_ci", "exceeds_run_noise",
]  # fmt: skip
KEY = ["judge", "model", "lang", "category", "turn"]


@dataclass
class ScoreFrames:
    """The scores table and the bootstrap means behind each of its rows (same order)."""

    table: pd.DataFrame
    boot: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)


def _order(value: Any) -> tuple[bool, str]:
    return (value == ALL, str(value))


def _expanded(single: pd.DataFrame) -> pd.DataFrame:
    """Every row four times: as itself, in category ``all``, in turn ``all``, in both."""
    parts = [single]
    parts.append(single.assign(category=ALL))
    parts.append(single.assign(turn=ALL))
    parts.append(single.assign(category=ALL, turn=ALL))
    return pd.concat(parts, ignore_index=True)


def _cell_keys(index: pd.MultiIndex | pd.Index) -> list[tuple[str, ...]]:
    return [tuple(str(v) for v in key) for key in index]


def score_frames(
    single: pd.DataFrame, values: pd.Series, *, resamples: int, seed: int
) -> ScoreFrames:
    """The scores table of single judgments whose counted values are ``values``."""
    frame = _expanded(single.assign(value=values, failed=single["status"] != "ok"))
    frame[KEY] = frame[KEY].astype(str)
    cells = frame.groupby(KEY, sort=False).agg(
        failed=("failed", "sum"), runs=("run", "nunique"), score=("value", "mean"),
        n=("value", "count"),
    )  # fmt: skip
    counted = frame.dropna(subset=["value"])
    run_means = counted.groupby([*KEY, "run"])["value"].mean()
    by_question = counted.groupby([*KEY, "question"])["value"].agg(["sum", "count"])
    # per cell: its questions' sums and counts, questions in sorted order (paired resampling)
    flat = by_question.reset_index()
    sums, counts = flat["sum"].to_numpy(dtype=float), flat["count"].to_numpy(dtype=float)
    blocks = {
        tuple(str(v) for v in key): (sums[rows], counts[rows])
        for key, rows in flat.groupby(KEY, sort=False).indices.items()
    }
    per_run: dict[tuple[str, ...], dict[int, float]] = {}
    for (*key, run), mean in run_means.items():
        per_run.setdefault(tuple(str(v) for v in key), {})[int(run)] = float(mean)
    rows: list[dict[str, Any]] = []
    boot: dict[tuple[str, ...], np.ndarray] = {}
    empty = (np.zeros(0), np.zeros(0))
    for key, cell in zip(_cell_keys(cells.index), cells.itertuples(index=False), strict=True):
        cell_sums, cell_counts = blocks.get(key, empty)
        means = bootstrap_means(cell_sums, cell_counts, resamples=resamples, seed=seed)
        low, high = percentile_interval(means)
        by_run = per_run.get(key, {})
        boot[key] = means
        rows.append(
            dict(zip(KEY, key, strict=True))
            | {
                "score": float(cell.score) if cell.n else None,
                "n": int(cell.n),
                "failed": int(cell.failed),
                "ci_low": low,
                "ci_high": high,
                "runs": int(cell.runs),
                "run_sd": float(np.std(list(by_run.values()), ddof=1)) if len(by_run) > 1 else None,
            }
        )
    table = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    cross, cross_boot = _cross_lingual(table, boot, per_run)
    result = pd.concat([table, cross], ignore_index=True) if len(cross) else table
    boot.update(cross_boot)
    result = result.sort_values(KEY, key=lambda col: col.map(_order)).reset_index(drop=True)
    return ScoreFrames(result, boot)


def _cross_lingual(
    table: pd.DataFrame,
    boot: dict[tuple[str, ...], np.ndarray],
    per_run: dict[tuple[str, ...], dict[int, float]],
) -> tuple[pd.DataFrame, dict[tuple[str, ...], np.ndarray]]:
    rows: list[dict[str, Any]] = []
    cross_boot: dict[tuple[str, ...], np.ndarray] = {}
    if table["lang"].nunique() < 2:
        return pd.DataFrame(columns=SCORE_COLUMNS), cross_boot
    for (judge, model, category, turn), cell in table.groupby(
        ["judge", "model", "category", "turn"], sort=False
    ):
        scored = cell.dropna(subset=["score"])
        keys = [(judge, model, lang, category, turn) for lang in scored["lang"]]
        stacked = np.vstack([boot[k] for k in keys]) if keys else np.empty((0, 0))
        means = stacked.mean(axis=0) if keys else np.array([np.nan])
        low, high = percentile_interval(means)
        runs: dict[int, list[float]] = {}
        for k in keys:
            for run, mean in per_run[k].items():
                runs.setdefault(run, []).append(mean)
        run_means = [float(np.mean(v)) for v in runs.values() if len(v) == len(keys)]
        key = (judge, model, ALL, category, turn)
        cross_boot[key] = means
        rows.append(
            {
                "judge": judge,
                "model": model,
                "lang": ALL,
                "category": category,
                "turn": turn,
                "score": float(scored["score"].mean()) if len(scored) else None,
                "n": int(cell["n"].sum()),
                "failed": int(cell["failed"].sum()),
                "ci_low": low,
                "ci_high": high,
                "runs": int(cell["runs"].max()),
                "run_sd": float(np.std(run_means, ddof=1)) if len(run_means) > 1 else None,
            }
        )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS), cross_boot


def model_differences(scores: ScoreFrames) -> pd.DataFrame:
    """Every pair of models per judge and language (category and turn ``all``): the score
    difference, its paired bootstrap interval, and whether it exceeds that interval's zero
    and twice the run-to-run noise (``sqrt(sd_a^2 + sd_b^2)``, with two or more runs)."""
    table = scores.table
    overall = table[(table["category"] == ALL) & (table["turn"] == ALL)].dropna(subset=["score"])
    rows: list[dict[str, Any]] = []
    for (judge, lang), cell in overall.groupby(["judge", "lang"], sort=False):
        records = cell.to_dict("records")
        for a, b in combinations(records, 2):
            boot_a = scores.boot[(judge, a["model"], lang, ALL, ALL)]
            boot_b = scores.boot[(judge, b["model"], lang, ALL, ALL)]
            low, high = percentile_interval(boot_a - boot_b)
            difference = a["score"] - b["score"]
            noise = None
            if pd.notna(a["run_sd"]) and pd.notna(b["run_sd"]):
                noise = float(np.hypot(a["run_sd"], b["run_sd"]))
            rows.append(
                {
                    "judge": judge,
                    "lang": lang,
                    "model": a["model"],
                    "other": b["model"],
                    "difference": difference,
                    "ci_low": low,
                    "ci_high": high,
                    "run_noise": noise,
                    "exceeds_ci": low is not None and (low > 0 or high < 0),  # type: ignore[operator]
                    "exceeds_run_noise": None if noise is None else abs(difference) > 2 * noise,
                }
            )
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)
