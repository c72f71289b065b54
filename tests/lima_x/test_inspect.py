"""`lima-x inspect`: every config loaded back with `datasets`, always from the files on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from lima_x.cli import build_app


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def inspected_rows(folder: Path, cache: Path, config: str) -> dict[str, str]:
    code, output = run("inspect", str(folder), "--config", config, "--cache-dir", str(cache))
    assert code == 0, output
    rows = {}
    for line in output.splitlines()[1:]:
        name, split, count, *_ = line.split()
        assert name == config
        rows[split] = count
    return rows


def test_inspect_reads_a_rebuilt_folder_not_an_earlier_cached_one(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    """Two builds into folders of the same name share `datasets`' cache key; the second
    inspect must still count the second build's rows."""
    cache = tmp_path / "hf-cache"
    first, second = tmp_path / "a" / "repo", tmp_path / "b" / "repo"
    for out, n_rows in [(first, 20), (second, 60)]:
        source = make_bactrian_dir(n_rows)
        code, output = run(
            "build", "bactrian-x", "--source-dir", str(source), "--langs", "EN,DE",
            "--out", str(out), "--no-default-mixtures", "--no-progress", "--overwrite",
        )  # fmt: skip
        assert code == 0, output
    assert inspected_rows(first, cache, "DE") == {"train": "19", "validation": "1"}
    assert inspected_rows(second, cache, "DE") == {"train": "57", "validation": "3"}
    # The same folder rebuilt in place with other rows.
    code, output = run(
        "build", "bactrian-x", "--source-dir", str(make_bactrian_dir(20)), "--langs", "EN,DE",
        "--out", str(second), "--no-default-mixtures", "--no-progress", "--overwrite",
    )  # fmt: skip
    assert code == 0, output
    assert inspected_rows(second, cache, "DE") == {"train": "19", "validation": "1"}
