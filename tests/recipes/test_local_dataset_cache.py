"""A local dataset folder rebuilt in place is read anew by ``recipes/sft.py``'s loader."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recipes.sft import load_mixture, local_dataset_cache_dir
from tests.recipes.hub_folder import write_hub_folder


def _rows(text: str) -> list[dict]:
    return [
        {
            "id": f"{i}_EN",
            "messages": [
                {"role": "user", "content": f"question {i}"},
                {"role": "assistant", "content": f"{text} {i}"},
            ],
        }
        for i in range(3)
    ]


def test_a_folder_rebuilt_in_place_is_not_read_from_the_old_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    import datasets.config

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    folder = tmp_path / "bactrian-x"
    write_hub_folder(folder, {"EN": {"train": _rows("old"), "validation": _rows("old")}})
    first = load_mixture(str(folder), "EN")
    assert first["train"][0]["messages"][1]["content"] == "old 0"
    first_cache = local_dataset_cache_dir(str(folder))

    # Rebuild in place: same folder, same file names, new content.
    write_hub_folder(folder, {"EN": {"train": _rows("new"), "validation": _rows("new")}})
    stamp = 2_000_000_000
    for path in folder.rglob("*.parquet"):
        os.utime(path, (stamp, stamp))
    again = load_mixture(str(folder), "EN")

    assert again["train"][0]["messages"][1]["content"] == "new 0"
    assert local_dataset_cache_dir(str(folder)) != first_cache


def test_hub_ids_use_the_default_cache() -> None:
    assert local_dataset_cache_dir("lamarr-org/Lima-X") is None
