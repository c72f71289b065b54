"""Fixtures for the lima_x builder tests (source files in the real formats)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.lima_x.sources import LANGS, bactrian_rows, lima_rows, write_bactrian_file, write_jsonl


@pytest.fixture
def make_bactrian_dir(tmp_path: Path) -> Callable[..., Path]:
    """``make(n_rows, langs=LANGS, missing={lang: [ids]})``: a folder of ``data/<lang>.json.gz``."""

    def make(
        n_rows: int, langs: list[str] = LANGS, missing: dict[str, list[str]] | None = None
    ) -> Path:
        root = tmp_path / "bactrian"
        ids = [f"row-{i:04d}" for i in range(n_rows)]
        for lang in langs:
            keep = [i for i in ids if i not in (missing or {}).get(lang, [])]
            write_bactrian_file(
                root / "data" / f"{lang.lower()}.json.gz", bactrian_rows(lang, keep)
            )
        return root

    return make


@pytest.fixture
def lima_files(tmp_path: Path) -> tuple[Path, Path]:
    """``(train.jsonl with 23 rows, validation.jsonl with 4 rows)`` in LIMA's format."""
    train = write_jsonl(tmp_path / "lima" / "train.jsonl", lima_rows(23))
    validation = write_jsonl(tmp_path / "lima" / "validation.jsonl", lima_rows(4))
    return train, validation
