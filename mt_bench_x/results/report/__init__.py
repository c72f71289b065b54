"""``mt-bench-x report``: the paper's tables and figures for your own judgments, with
bootstrap intervals, run-to-run noise, position bias and pairwise shares.

Frames are computed first (:mod:`.build`: loading, scoring rules, bootstrap, improvement,
position bias, pairwise) and rendered in separate small functions (:mod:`.write`: CSV,
Markdown, LaTeX, PNG, HTML).
"""

from pathlib import Path

from mt_bench_x.results.report.build import ReportFrames, ReportOptions, build_frames
from mt_bench_x.results.report.write import WrittenReport, write_report

__all__ = [
    "ReportFrames",
    "ReportOptions",
    "WrittenReport",
    "build_frames",
    "make_report",
    "write_report",
]


def make_report(options: ReportOptions, out: Path) -> tuple[ReportFrames, WrittenReport]:
    """Compute every frame and write the report folder ``out``."""
    frames = build_frames(options)
    return frames, write_report(frames, out)
