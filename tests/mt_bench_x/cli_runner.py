"""Run the ``mt-bench-x`` command line in-process the way the installed command runs it:
through :func:`polyglot_instruct.cli_errors.run_cli`, the one error handler."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

from typer.testing import CliRunner

from mt_bench_x.cli import build_app
from polyglot_instruct.cli_errors import run_cli


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    output: str  # stdout and stderr interleaved


def run_mt_bench_x(args: list[str], env: Mapping[str, str | None] | None = None) -> CliResult:
    """``mt-bench-x ARGS`` with ``env``; output captured, exit code as the shell sees it."""
    runner = CliRunner()
    saved_argv = sys.argv
    code: int = 0
    with runner.isolation(env=env) as (stdout, stderr, output):
        sys.argv = ["mt-bench-x", *args]
        try:
            run_cli("mt-bench-x", build_app())
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        finally:
            sys.argv = saved_argv
            sys.stdout.flush()
            sys.stderr.flush()
        streams = (stdout, stderr, output)
        texts = [stream.getvalue().decode("utf-8", "replace") for stream in streams]
    return CliResult(code, *texts)
