"""Load a built folder back with ``datasets`` and count rows per config, split and language."""

from __future__ import annotations

import tempfile
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


def check_parquet_files(folder: Path, config: dict[str, object]) -> None:
    """Every parquet file a config lists exists and has a readable footer (checked before
    ``datasets`` reads it, whose own errors name no config)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = config.get("config_name")
    for entry in config.get("data_files", []) or []:  # type: ignore[union-attr]
        paths = entry["path"] if isinstance(entry["path"], list) else [entry["path"]]
        for relative in paths:
            path = folder / str(relative)
            if not path.is_file():
                raise LimaXError(
                    f"{path} is missing: config {name} lists it in {folder / 'README.md'}; "
                    "rebuild the folder with `lima-x build`"
                )
            try:
                pq.read_metadata(path)
            except (OSError, pa.ArrowException) as exc:
                raise LimaXError(
                    f"{path} (config {name}) is not a readable parquet file ({exc}); rebuild "
                    "the folder with `lima-x build`"
                ) from None


def inspect_folder(
    folder: Path, *, configs: list[str] | None = None, cache_dir: Path | None = None
) -> list[SplitSummary]:
    """One summary per config and split, read through ``datasets.load_dataset(folder, config)``.

    ``datasets`` keys its cache of a local folder by the folder's name and the files' relative
    paths, not their content: a rebuilt folder, or another folder of the same name, would be
    answered from the earlier build's cache (a forced re-download then fails on the cached
    split sizes). The folder is therefore read into a fresh temporary cache folder (under
    ``cache_dir`` when given), removed afterwards.
    """
    import datasets

    listed = read_card_configs(folder)
    names = [str(c["config_name"]) for c in listed]
    unknown = sorted(set(configs or []) - set(names))
    if unknown:
        raise LimaXError(f"{folder}: no config {unknown}; the card lists {', '.join(names)}")
    for config in listed:
        if not configs or config["config_name"] in configs:
            check_parquet_files(Path(folder), config)
    summaries = []
    bars_were_on = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="lima-x-inspect-", dir=cache_dir) as fresh:
            for name in [n for n in names if not configs or n in configs]:
                loaded = datasets.load_dataset(str(folder), name, cache_dir=fresh)
                for split, dataset in loaded.items():
                    counts = Counter(dataset["lang"])
                    ordered = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
                    summaries.append(SplitSummary(name, split, dataset.num_rows, ordered))
    finally:
        if bars_were_on:
            datasets.enable_progress_bars()
    return summaries
