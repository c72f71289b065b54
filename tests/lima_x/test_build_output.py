"""`lima-x build --overwrite` replaces only what a build wrote; `--out .` works in place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub_cards.folder import MARKER
from lima_x.cli import build_app


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["build", "bactrian-x", *args, "--no-progress"])
    return result.exit_code, result.output


def test_overwrite_never_deletes_a_users_folder_or_files(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(10, langs=["EN", "DE"])
    args = ["--source-dir", str(source), "--langs", "EN,DE", "--overwrite"]
    users = tmp_path / "thesis"
    users.mkdir()
    (users / "notes.txt").write_text("mine", encoding="utf-8")
    code, output = build(*args, "--out", str(users))
    assert code == 1
    assert output.strip().splitlines() == [
        f"error: --out {users}: not replaced, it holds files a build did not write "
        "(notes.txt); choose a new or empty folder"
    ]
    assert sorted(p.name for p in users.iterdir()) == ["notes.txt"]

    out = tmp_path / "out"
    assert build(*args, "--out", str(out))[0] == 0
    assert (out / MARKER).is_file()
    (out / "notes.txt").write_text("added by hand", encoding="utf-8")
    code, output = build(*args, "--out", str(out))
    assert code == 1 and "notes.txt" in output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "added by hand"
    (out / "notes.txt").unlink()
    assert build(*args, "--out", str(out), "--seed", "3")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bactrian", "out", "thesis"]


def test_out_dot_overwrite_builds_in_the_working_directory(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_bactrian_dir(10, langs=["EN", "DE"])
    here = tmp_path / "repo"
    here.mkdir()
    monkeypatch.chdir(here)
    args = ["--source-dir", str(source), "--langs", "EN,DE", "--out", ".", "--overwrite"]
    for seed in ("1", "2"):
        code, output = build(*args, "--seed", seed)
        assert code == 0, output
    assert Path.cwd() == here
    assert sorted(p.name for p in here.iterdir()) == [
        MARKER,
        "README.md",
        "build_report.json",
        "data",
    ]
    assert '"seed": 2' in (here / "build_report.json").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bactrian", "repo"]
