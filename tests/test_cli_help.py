"""Every command of both console scripts answers ``--help`` (walks the real Typer apps)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from typer.main import get_command

from lima_x.cli import build_app as build_lima_x_app
from mt_bench_x.cli import build_app as build_mt_bench_x_app


def _command_paths(app: typer.Typer) -> list[list[str]]:
    root = get_command(app)
    paths: list[list[str]] = [[]]

    def walk(cmd: object, prefix: list[str]) -> None:
        # Typer vendors its own click: a group is whatever has sub-commands.
        for name, sub in getattr(cmd, "commands", {}).items():
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


CASES = [("lima_x", path) for path in _command_paths(build_lima_x_app())] + [
    ("mt_bench_x", path) for path in _command_paths(build_mt_bench_x_app())
]


@pytest.mark.parametrize(
    ("package", "path"),
    CASES,
    ids=[f"{package}:{' '.join(path) or '<root>'}" for package, path in CASES],
)
def test_every_command_has_help(package: str, path: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", f"{package}.cli", *path, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    assert "--help" in result.stdout
