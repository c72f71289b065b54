"""Load a built folder back with ``datasets`` and count rows per config, split and language."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lima_x.errors import LimaXError
from lima_x.hub import read_card_configs


@dataclass(frozen=True)
class SplitSummary:
    config: str
    split: str
    rows: int
    languages: dict[str, int]


def inspect_folder(
    folder: Path, *, configs: list[str] | None = None, cache_dir: Path | None = None
) -> list[SplitSummary]:
    """One summary per config and split, read through ``datasets.load_dataset(folder, config)``."""
    import datasets

    names = [str(c["config_name"]) for c in read_card_configs(folder)]
    unknown = sorted(set(configs or []) - set(names))
    if unknown:
        raise LimaXError(f"{folder}: no config {unknown}; the card lists {', '.join(names)}")
    summaries = []
    bars_were_on = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        for name in [n for n in names if not configs or n in configs]:
            loaded = datasets.load_dataset(
                str(folder), name, cache_dir=str(cache_dir) if cache_dir else None
            )
            for split, dataset in loaded.items():
                counts = Counter(dataset["lang"])
                ordered = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
                summaries.append(SplitSummary(name, split, dataset.num_rows, ordered))
    finally:
        if bars_were_on:
            datasets.enable_progress_bars()
    return summaries
