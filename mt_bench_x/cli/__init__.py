"""The ``mt-bench-x`` command line: build/export the benchmark, answer, judge, show.

Commands live next to the code they drive and register themselves here, so this module
stays a table of contents: dataset commands in :mod:`mt_bench_x.cli.dataset`, judging and
results in :mod:`mt_bench_x.cli.judge`, the report in :mod:`mt_bench_x.cli.report`.
"""

from __future__ import annotations

import logging

import typer

from polyglot_instruct.cli_errors import run_cli, toolkit_app


def build_app() -> typer.Typer:
    from mt_bench_x import __version__
    from mt_bench_x.cli import dataset as cli_dataset
    from mt_bench_x.cli import human_eval as cli_human_eval
    from mt_bench_x.cli import judge as cli_judge
    from mt_bench_x.cli import report as cli_report

    app = toolkit_app(
        "mt-bench-x",
        "MT-Bench-X: build the multilingual benchmark, answer it, judge it, show results.",
        __version__,
    )
    cli_dataset.register(app)
    cli_judge.register(app)
    cli_human_eval.register(app)
    cli_report.register(app)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    run_cli("mt-bench-x", build_app())
