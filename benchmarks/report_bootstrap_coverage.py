"""Coverage of the report's 95% bootstrap intervals (``mt_bench_x.results.report.bootstrap``).

Draws 1,000 seeded samples of n scores from a known distribution on 1-10 and counts how often
the percentile interval covers the true mean. The tests assert 0.93-0.97 for n = 80 (a language
of MT-Bench-X); n = 10 (one category of one language) is reported here, not asserted::

    python benchmarks/report_bootstrap_coverage.py
"""

from __future__ import annotations

import numpy as np

from mt_bench_x.results.report.bootstrap import mean_interval

VALUES = np.arange(1, 11)
PROBABILITIES = np.array([0.05, 0.1, 0.15, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05])


def coverage(n: int, replicates: int = 1000, seed: int = 2024) -> float:
    true_mean = float(VALUES @ PROBABILITIES)
    rng = np.random.default_rng(seed)
    covered = 0
    for replicate in range(replicates):
        sample = rng.choice(VALUES, size=n, p=PROBABILITIES)
        low, high = mean_interval(sample, resamples=1000, seed=replicate)
        covered += low <= true_mean <= high  # type: ignore[operator]
    return covered / replicates


def main() -> None:
    for n in (10, 20, 80, 160):
        print(f"n = {n:>3}: coverage of the 95% interval {coverage(n):.3f} (1,000 replicates)")


if __name__ == "__main__":
    main()
