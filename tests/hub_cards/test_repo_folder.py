"""The repo-folder writer: atomic replacement, only of folders a build wrote (its marker), safe
for ``--out .``, and no temporary folder left behind by a killed build."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hub_cards.cards import size_category
from hub_cards.errors import ForeignOutputError, OutputExistsError
from hub_cards.folder import MARKER, repo_folder


def test_atomic_folder_leaves_nothing_on_error(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    with pytest.raises(RuntimeError), repo_folder(out, writer="test") as tmp:
        (tmp / "half.parquet").write_bytes(b"partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_replaces_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    with repo_folder(out, writer="test") as tmp:
        (tmp / "a.txt").write_text("first", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        repo_folder(out, writer="test").__enter__()
    with pytest.raises(ValueError), repo_folder(out, overwrite=True, writer="test") as tmp:
        (tmp / "a.txt").write_text("second", encoding="utf-8")
        raise ValueError("stop")
    assert (out / "a.txt").read_text(encoding="utf-8") == "first"
    with repo_folder(out, overwrite=True, writer="test") as tmp:
        (tmp / "b.txt").write_text("second", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [(52, "n<1K"), (1030, "1K<n<10K"), (5150, "1K<n<10K"), (335_085, "100K<n<1M")],
)
def test_size_category(rows: int, expected: str) -> None:
    assert size_category(rows) == expected


def _write(out: Path, **kwargs: object) -> None:
    with repo_folder(out, writer="test", **kwargs) as tmp:
        (tmp / "README.md").write_text("card", encoding="utf-8")
        (tmp / "data").mkdir()


def test_overwrite_replaces_only_a_folder_that_carries_the_marker(tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.mkdir()
    (users / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ForeignOutputError, match=r"not replaced.*notes\.txt"):
        _write(users, overwrite=True)
    assert (users / "notes.txt").read_text(encoding="utf-8") == "mine"
    a_file = tmp_path / "notes.md"
    a_file.write_text("mine", encoding="utf-8")
    with pytest.raises(ForeignOutputError, match="not a folder"):
        _write(a_file, overwrite=True)
    assert a_file.read_text(encoding="utf-8") == "mine"

    built = tmp_path / "built"
    _write(built)
    assert json.loads((built / MARKER).read_text(encoding="utf-8")) == {
        "written_by": "test",
        "entries": ["README.md", "data"],
    }
    (built / ".gitattributes").write_text("*.parquet lfs\n", encoding="utf-8")
    _write(built, overwrite=True)  # a Hub clone's .gitattributes is no obstacle
    (built / "notes.txt").write_text("added by hand", encoding="utf-8")
    with pytest.raises(ForeignOutputError, match=r"notes\.txt"):
        _write(built, overwrite=True)
    assert (built / "notes.txt").is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    _write(empty, overwrite=True)
    assert sorted(p.name for p in empty.iterdir()) == [MARKER, "README.md", "data"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "empty", "notes.md", "users"]


def test_out_dot_replaces_the_working_directory_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    _write(Path("."), overwrite=True)
    with repo_folder(Path("."), overwrite=True, writer="test") as tmp:
        (tmp / "README.md").write_text("second", encoding="utf-8")
    assert Path.cwd() == here and os.getcwd() == str(here)  # still a valid folder
    assert (here / "README.md").read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in here.iterdir()) == [MARKER, "README.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]  # nothing hidden beside it
    with pytest.raises(ValueError), repo_folder(Path("."), overwrite=True, writer="t") as tmp:
        (tmp / "README.md").write_text("third", encoding="utf-8")
        raise ValueError("stop")
    assert sorted(p.name for p in here.iterdir()) == [MARKER, "README.md"]
    assert (here / "README.md").read_text(encoding="utf-8") == "second"


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from hub_cards.folder import repo_folder
with repo_folder(Path(sys.argv[1]), overwrite=True, writer="test") as tmp:
    (tmp / "half.parquet").write_bytes(b"partial")
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_build_leaves_a_temporary_folder_the_next_run_removes(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    _write(out)
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(out)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        check=False,
    )
    assert done.returncode == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir() if p.name != "repo"]
    assert len(left) == 1 and left[0].startswith(".repo.tmp-")
    alive = tmp_path / f".repo.tmp-{os.getppid()}-busy"  # another running build's folder
    alive.mkdir()
    _write(out, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "repo"]
    assert (out / "README.md").read_text(encoding="utf-8") == "card"
