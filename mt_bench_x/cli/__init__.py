"""The ``mt-bench-x`` command line: build/export the benchmark, answer, judge, show.

Commands live next to the code they drive and register themselves here, so this module
stays a table of contents: dataset commands in :mod:`mt_bench_x.cli.dataset`, judging and
results in :mod:`mt_bench_x.cli.judge`, the report in :mod:`mt_bench_x.cli.report`.
"""

from __future__ import annotations

import logging

import typer

from polyglot_instruct.cli_errors import ToolkitGroup, run_cli


def build_app() -> typer.Typer:
    from mt_bench_x.cli import dataset as cli_dataset
    from mt_bench_x.cli import human_eval as cli_human_eval
    from mt_bench_x.cli import judge as cli_judge
    from mt_bench_x.cli import report as cli_report

    app = typer.Typer(
        name="mt-bench-x",
        cls=ToolkitGroup,
        help="MT-Bench-X: build the multilingual benchmark, answer it, judge it, show results.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root() -> None:
        """Commands are listed below; each has --help."""

    @app.command("version")
    def version() -> None:
        """Print the installed version."""
        from mt_bench_x import __version__

        typer.echo(__version__)

    cli_dataset.register(app)
    cli_judge.register(app)
    cli_human_eval.register(app)
    cli_report.register(app)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    run_cli("mt-bench-x", build_app())
