"""``mt-bench-x`` commands for the judge part (registered by :mod:`mt_bench_x.cli`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``mt-bench-x`` app."""
