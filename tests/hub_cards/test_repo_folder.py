"""The Hub folder writer: atomic replacement, card parsing, the checks `push` makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub_cards.cards import size_category
from hub_cards.errors import OutputExistsError
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
