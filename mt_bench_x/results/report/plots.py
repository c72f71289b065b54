"""The paper's figures as matplotlib figures, drawn without a display (Agg canvas, no pyplot).

Each function takes a frame and returns a :class:`~matplotlib.figure.Figure`, or ``None``
when the frame has nothing to draw; :func:`save_png` writes one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mt_bench_x.formats.errors import MTBenchXError

try:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
except ImportError:  # pragma: no cover - depends on the installation
    raise MTBenchXError(
        "the report's figures need matplotlib: pip install 'polyglot-instruct[report]'"
    ) from None

from mt_bench_x.results.report.pairwise import OUTCOMES
from mt_bench_x.results.report.tables import PAPER_CATEGORY_ORDER

ALL = "all"
DPI = 100
OUTCOME_COLORS = {"win": "#2a9d8f", "loss": "#e76f51", "tie": "#e9c46a", "both_bad": "#6c757d"}


def save_png(figure: Figure, path: Path) -> None:
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=DPI, bbox_inches="tight")


def _overall(scores: pd.DataFrame, judge: str, turn: str = ALL) -> pd.DataFrame:
    return scores[
        (scores["judge"] == judge) & (scores["category"] == ALL) & (scores["turn"] == turn)
    ].dropna(subset=["score"])


def _errors(frame: pd.DataFrame) -> np.ndarray:
    low = (frame["score"] - frame["ci_low"].astype(float)).clip(lower=0).fillna(0)
    high = (frame["ci_high"].astype(float) - frame["score"]).clip(lower=0).fillna(0)
    return np.vstack([low.to_numpy(), high.to_numpy()])


def scores_per_language(scores: pd.DataFrame, judge: str) -> Figure | None:
    """Figure 4: mean score per language (bars per model) with 95% bootstrap intervals."""
    frame = _overall(scores, judge)
    frame = frame[frame["lang"] != ALL]
    if frame.empty:
        return None
    langs = sorted(frame["lang"].unique())
    models = sorted(frame["model"].unique())
    figure = Figure(figsize=(max(6, 1.2 * len(langs) * max(1, len(models) / 3)), 4))
    ax = figure.add_subplot()
    width = 0.8 / len(models)
    for i, model in enumerate(models):
        part = frame[frame["model"] == model].set_index("lang").reindex(langs)
        x = np.arange(len(langs)) + (i - (len(models) - 1) / 2) * width
        ax.bar(x, part["score"].fillna(0), width, label=model, yerr=_errors(part.fillna(0)),
               capsize=2)  # fmt: skip
    ax.set_xticks(np.arange(len(langs)), langs)
    ax.set_ylabel("score (1-10)")
    ax.set_ylim(0, 10)
    ax.set_title(f"MT-Bench-X scores per language ({judge}; 95% bootstrap intervals)")
    ax.legend(fontsize="small", ncols=2)
    return figure


def radar(scores: pd.DataFrame, judge: str, lang: str) -> Figure | None:
    """Figure 5: score per category, one line per model, for one language."""
    cell = scores[
        (scores["judge"] == judge)
        & (scores["lang"] == lang)
        & (scores["turn"] == ALL)
        & (scores["category"] != ALL)
    ]
    wide = cell.pivot_table(index="model", columns="category", values="score", aggfunc="first")
    if wide.empty:
        return None
    categories = [c for c in PAPER_CATEGORY_ORDER if c in wide.columns]
    categories += sorted(c for c in wide.columns if c not in categories)
    angles = np.linspace(0, 2 * np.pi, len(categories), endpoint=False)
    closed = np.append(angles, angles[0])
    figure = Figure(figsize=(6, 6))
    ax = figure.add_subplot(projection="polar")
    for model, row in wide.reindex(columns=categories).iterrows():
        values = row.fillna(0).to_numpy()
        ax.plot(closed, np.append(values, values[0]), label=str(model), linewidth=1.5)
    ax.set_xticks(angles, categories)
    ax.set_ylim(0, 10)
    ax.set_title(f"{lang}: score per category ({judge})", pad=24)
    ax.legend(fontsize="small", loc="upper right", bbox_to_anchor=(1.35, 1.1))
    return figure


def cross_lingual(scores: pd.DataFrame, judge: str, turn: str = "1") -> Figure | None:
    """Figure 7: the cross-lingual score (mean over languages) per model for one turn."""
    frame = _overall(scores, judge, turn)
    frame = frame[frame["lang"] == ALL].sort_values("score")
    if frame.empty:
        return None
    figure = Figure(figsize=(6, 0.4 * len(frame) + 1.5))
    ax = figure.add_subplot()
    ax.barh(frame["model"], frame["score"], xerr=_errors(frame), capsize=2, color="#457b9d")
    ax.set_xlim(0, 10)
    ax.set_xlabel("score (1-10), mean over languages")
    ax.set_title(f"Cross-lingual score, turn {turn} ({judge})")
    return figure


def improvement(improvements: pd.DataFrame, judge: str, turn: str, formula: str) -> Figure | None:
    """Figures 1 / 6: improvement of each mixture run over each monolingual run."""
    frame = improvements[(improvements["judge"] == judge) & (improvements["turn"] == turn)]
    if frame.empty:
        return None
    frame = frame.assign(run=frame["base"] + " " + frame["dataset"] + "-" + frame["mixture"])
    runs = sorted(frame["run"].unique())
    monos = sorted(frame["monolingual"].unique())
    figure = Figure(figsize=(max(6, 1.5 * len(runs)), 4))
    ax = figure.add_subplot()
    width = 0.8 / len(monos)
    for i, mono in enumerate(monos):
        part = frame[frame["monolingual"] == mono].set_index("run").reindex(runs)
        x = np.arange(len(runs)) + (i - (len(monos) - 1) / 2) * width
        ax.bar(x, part[formula].fillna(0), width, label=f"over {mono}")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(np.arange(len(runs)), runs, rotation=20, ha="right")
    unit = "points" if formula == "points" else "%"
    ax.set_ylabel(f"{formula} ({unit})")
    ax.set_title(f"Improvement of mixtures over monolingual runs, turn {turn} ({judge})")
    ax.legend(fontsize="small")
    return figure


def pairwise_shares(shares: pd.DataFrame, title: str, label: str = "category") -> Figure | None:
    """Figures 2b / 3: outcome shares per category for one pair of models (or, with ``label``
    ``pair``, one bar per pair of models)."""
    if shares.empty:
        return None
    frame = shares.set_index(label)
    figure = Figure(figsize=(7, 0.4 * len(frame) + 1.5))
    ax = figure.add_subplot()
    left = np.zeros(len(frame))
    for outcome in OUTCOMES:
        values = frame[outcome].to_numpy(dtype=float) * 100
        ax.barh(frame.index, values, left=left, label=outcome, color=OUTCOME_COLORS[outcome])
        left += values
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of matches (%), mean over runs")
    ax.set_title(title)
    ax.legend(fontsize="small", ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.08))
    return figure
