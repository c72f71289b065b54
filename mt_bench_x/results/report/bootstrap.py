"""Percentile bootstrap over questions, vectorised and seeded.

A cell's questions each contribute a sum of scores and a count (two turns, several runs); a
resample draws questions with replacement and its mean is ``sum(sums) / sum(counts)``, so the
point estimate is the plain mean of every score (FastChat's average) and the interval reflects
which questions happened to be asked.
"""

from __future__ import annotations

import numpy as np

DEFAULT_RESAMPLES = 1000
DEFAULT_LEVEL = 0.95


def bootstrap_means(
    sums: np.ndarray, counts: np.ndarray, *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> np.ndarray:
    """``resamples`` means of resampled questions (all NaN when there is no question)."""
    n = len(sums)
    if n == 0:
        return np.full(resamples, np.nan)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(resamples, n))
    totals = np.asarray(counts, dtype=float)[picks].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means: np.ndarray = np.asarray(sums, dtype=float)[picks].sum(axis=1) / totals
    return means


def percentile_interval(
    means: np.ndarray, level: float = DEFAULT_LEVEL
) -> tuple[float | None, float | None]:
    """The central ``level`` interval of bootstrap means (``None`` when there are none)."""
    finite = means[np.isfinite(means)]
    if finite.size == 0:
        return None, None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def mean_interval(
    values: np.ndarray,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> tuple[float | None, float | None]:
    """Bootstrap interval of the mean of ``values`` (one value per question)."""
    values = np.asarray(values, dtype=float)
    means = bootstrap_means(values, np.ones_like(values), resamples=resamples, seed=seed)
    return percentile_interval(means, level)
