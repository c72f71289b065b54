"""Load a repo folder back with ``datasets`` and count rows per config, split and language."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hub_cards.configs import check_data_files, data_file_patterns, read_card_configs
from hub_cards.errors import HubRepoError

#: Columns that name a row's language (Lima-X / Bactrian-X: ``lang``; MT-Bench-X's shared
#: configs: ``language``).
LANGUAGE_COLUMNS = ("lang", "language")


@dataclass(frozen=True)
class SplitSummary:
    config: str
    split: str
    rows: int
    languages: dict[str, int]


def check_parquet_files(folder: Path, config: dict[str, object]) -> None:
    """Every parquet file a config lists has a readable footer (checked before ``datasets``
    reads it: its own errors name no config and come with a traceback)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for pattern in data_file_patterns(config):
        for path in (
            sorted(folder.glob(pattern)) if any(c in pattern for c in "*?[") else [folder / pattern]
        ):
            if path.suffix != ".parquet":
                continue
            try:
                pq.read_metadata(path)
            except (OSError, pa.ArrowException) as exc:
                raise HubRepoError(
                    f"{path} (config {config.get('config_name')}) is not a readable parquet "
                    f"file ({exc}); rebuild the folder"
                ) from None


def inspect_folder(
    folder: Path, *, configs: list[str] | None = None, cache_dir: Path | None = None
) -> list[SplitSummary]:
    """One summary per config and split, read through ``datasets.load_dataset(folder, config)``.

    Languages are counted from the ``lang`` or ``language`` column; a config without one
    (an MT-Bench-X language config) counts its rows under the config's name.

    ``datasets`` keys its cache of a local folder by the folder's name and the files' relative
    paths, not their content: a rebuilt folder, or another folder of the same name, would be
    answered from the earlier build's cache. The folder is therefore read into a fresh
    temporary cache folder (under ``cache_dir`` when given), removed afterwards.
    """
    import datasets

    folder = Path(folder)
    listed = read_card_configs(folder)
    names = [str(c["config_name"]) for c in listed]
    unknown = sorted(set(configs or []) - set(names))
    if unknown:
        raise HubRepoError(f"{folder}: no config {unknown}; the card lists {', '.join(names)}")
    selected = [c for c in listed if not configs or c["config_name"] in configs]
    check_data_files(folder, selected)
    for config in selected:
        check_parquet_files(folder, config)
    summaries = []
    bars_were_on = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="hub-inspect-", dir=cache_dir) as fresh:
            for name in [n for n in names if not configs or n in configs]:
                loaded = datasets.load_dataset(str(folder), name, cache_dir=fresh)
                for split, dataset in loaded.items():
                    column = next((c for c in LANGUAGE_COLUMNS if c in dataset.column_names), None)
                    counts = (
                        Counter(dataset[column]) if column else Counter({name: dataset.num_rows})
                    )
                    ordered = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
                    summaries.append(SplitSummary(name, split, dataset.num_rows, ordered))
    finally:
        if bars_were_on:
            datasets.enable_progress_bars()
    return summaries


def summary_table(rows: list[SplitSummary]) -> list[str]:
    """The lines ``inspect`` prints: configs × splits × rows × languages."""
    lines = [f"{'config':<26}{'split':<12}{'rows':>7}  languages"]
    for row in rows:
        langs = " ".join(f"{lang}:{n}" for lang, n in row.languages.items())
        lines.append(f"{row.config:<26}{row.split:<12}{row.rows:>7}  {langs}")
    return lines
