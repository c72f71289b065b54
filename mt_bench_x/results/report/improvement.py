"""Figure 1 / 6: how much a language-mixture run improves on a monolingual run.

For one base model and dataset, a mixture run ``M`` (``ENDEFRITES``, ``DEFRITES-sampled`` ...)
and a monolingual run in language ``X``, with ``m_L`` and ``x_L`` their scores in evaluation
language ``L`` (per turn, category ``all``) over the ``k`` languages both were judged in:

* ``points``: ``mean_L(m_L - x_L)``, on the 1-10 scale;
* ``scale_percent``: ``points / 10 * 100``, the reading under which the paper's "9.9%" is
  "0.99 points";
* ``relative_mean_of_ratios``: ``mean_L(m_L / x_L - 1) * 100``;
* ``relative_ratio_of_means``: ``(mean_L m_L / mean_L x_L - 1) * 100`` (the default: a
  percentage change of the cross-lingual average, which Tables 9-11 support).

The paper's wording fits more than one of these and its turn-1 inputs are not published, so
every formula is in ``improvement.csv`` and the plots use the one chosen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mt_bench_x.results.report.groups import ModelGroup

ALL = "all"
FORMULAS = {
    "points": "mean over languages of (mixture - monolingual), in points",
    "scale_percent": "mean over languages of (mixture - monolingual) / 10 * 100",
    "relative_mean_of_ratios": "mean over languages of (mixture / monolingual - 1) * 100",
    "relative_ratio_of_means": "(mean of mixture / mean of monolingual - 1) * 100",
}
DEFAULT_FORMULA = "relative_ratio_of_means"
IMPROVEMENT_COLUMNS = [
    "judge", "base", "dataset", "mixture", "monolingual", "mixture_model", "monolingual_model",
    "turn", "langs", *FORMULAS,
]  # fmt: skip


def improvements(mixture: np.ndarray, mono: np.ndarray) -> dict[str, float]:
    """Every formula's value for paired per-language scores."""
    diff = mixture - mono
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "points": float(diff.mean()),
            "scale_percent": float(diff.mean() / 10 * 100),
            "relative_mean_of_ratios": float((mixture / mono - 1).mean() * 100),
            "relative_ratio_of_means": float((mixture.mean() / mono.mean() - 1) * 100),
        }


def improvement_frame(scores: pd.DataFrame, groups: dict[str, ModelGroup]) -> pd.DataFrame:
    """One row per judge x (base, dataset) x mixture run x monolingual run x turn."""
    overall = scores[(scores["category"] == ALL) & (scores["lang"] != ALL)].dropna(subset=["score"])
    lookup = {
        (row.judge, row.model, row.turn, row.lang): float(row.score) for row in overall.itertuples()
    }
    rows: list[dict[str, Any]] = []
    models = sorted(m for m in overall["model"].unique() if m in groups)
    for judge in overall["judge"].unique():
        for mix in models:
            g_mix = groups[mix]
            if g_mix.monolingual is not None:
                continue
            for mono in models:
                g_mono = groups[mono]
                if g_mono.monolingual is None or (g_mono.base, g_mono.dataset) != (
                    g_mix.base,
                    g_mix.dataset,
                ):
                    continue
                for turn in ("1", "2", ALL):
                    langs = sorted(
                        lang
                        for (j, m, t, lang) in lookup
                        if j == judge and m == mix and t == turn and (j, mono, t, lang) in lookup
                    )
                    if not langs:
                        continue
                    m_scores = np.array([lookup[(judge, mix, turn, lang)] for lang in langs])
                    x_scores = np.array([lookup[(judge, mono, turn, lang)] for lang in langs])
                    rows.append(
                        {
                            "judge": judge,
                            "base": g_mix.base,
                            "dataset": g_mix.dataset,
                            "mixture": g_mix.mixture,
                            "monolingual": g_mono.monolingual,
                            "mixture_model": mix,
                            "monolingual_model": mono,
                            "turn": turn,
                            "langs": ",".join(langs),
                            **improvements(m_scores, x_scores),
                        }
                    )
    return pd.DataFrame(rows, columns=IMPROVEMENT_COLUMNS)
