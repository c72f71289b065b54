"""Write a Lima-X / Bactrian-X Hub repo folder from the built samples.

Layout::

    <out>/README.md                              card + YAML ``configs:`` (one ``default: true``)
    <out>/build_report.json                      the build report, machine-readable
    <out>/data/<config>/<split>-00000-of-00001.parquet

A config's ``data_files`` may list another config's files (full mixtures and aliases do), so
no parquet data is stored twice. The folder is written through
:func:`hub_cards.folder.repo_folder`: it appears complete or not at all, and only a folder a
build wrote is ever replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hub_cards.folder import check_replaceable, repo_folder
from lima_x.card import render_card
from lima_x.errors import LimaXError, OutputHoldsSourceError
from lima_x.mixtures import Mixture, assign_languages
from lima_x.records import FLAG_NAMES, ParallelSample, to_table
from lima_x.report import BuildReport

if TYPE_CHECKING:
    import pyarrow as pa

SPLITS = ("train", "validation")
ALIAS_SPLITS = {"train": "train", "validation": "val"}
#: The program named in the folder's marker.
WRITER = "lima-x build"

#: split → language → samples, every language in the same source-id order.
SplitData = dict[str, dict[str, list[ParallelSample]]]

ROWS_PER_SHARD = 250_000
PARQUET_OPTIONS: dict[str, object] = {"compression": "snappy", "row_group_size": 10_000}


@dataclass
class ConfigEntry:
    """One config of the repo: its files per split, row counts and what it is made of."""

    name: str
    data_files: dict[str, list[str]]
    rows: dict[str, int]
    langs: tuple[str, ...]
    kind: str  # "monolingual" | "mixture" | "sampled" | "alias"
    alias_of: str | None = None
    default: bool = False

    def yaml_entry(self) -> dict[str, object]:
        entry: dict[str, object] = {"config_name": self.name}
        if self.default:
            entry["default"] = True
        entry["data_files"] = [
            {"split": split, "path": list(paths) if len(paths) > 1 else paths[0]}
            for split, paths in self.data_files.items()
        ]
        return entry


def write_parquet_split(root: Path, config: str, split: str, table: pa.Table) -> list[str]:
    """Write ``table`` as ``data/<config>/<split>-XXXXX-of-YYYYY.parquet``; relative paths."""
    import pyarrow.parquet as pq

    folder = root / "data" / config
    folder.mkdir(parents=True, exist_ok=True)
    n_shards = max(1, -(-table.num_rows // ROWS_PER_SHARD))
    paths = []
    for shard in range(n_shards):
        name = f"{split}-{shard:05d}-of-{n_shards:05d}.parquet"
        part = table.slice(shard * ROWS_PER_SHARD, ROWS_PER_SHARD)
        pq.write_table(part, folder / name, **PARQUET_OPTIONS)
        paths.append(f"data/{config}/{name}")
    return paths


@dataclass
class BuildResult:
    out: Path
    configs: list[ConfigEntry]
    report: BuildReport


def _sampled_table(
    per_lang: dict[str, pa.Table], mixture: Mixture, seed: int, split: str, offset: int
) -> pa.Table:
    """One split of a sampled mixture; ``offset``: ids the earlier splits dealt."""
    import pyarrow as pa

    ids = per_lang[mixture.langs[0]].column("source_id").to_pylist()
    for lang in mixture.langs[1:]:
        if per_lang[lang].column("source_id").to_pylist() != ids:
            raise LimaXError(f"{split}: {lang} is not in the same id order as {mixture.langs[0]}")
    assignment = assign_languages(
        ids, mixture.langs, seed=seed, what=mixture.name, split=split, offset=offset
    )
    pieces, positions = [], []
    for lang in mixture.langs:
        rows = [i for i, source_id in enumerate(ids) if assignment[source_id] == lang]
        pieces.append(per_lang[lang].take(pa.array(rows, type=pa.int64())))
        positions.extend(rows)
    combined = pa.concat_tables(pieces)
    order = sorted(range(len(positions)), key=positions.__getitem__)
    return combined.take(pa.array(order, type=pa.int64()))


def assemble_configs(
    root: Path,
    tables: dict[str, dict[str, pa.Table]],
    langs: Sequence[str],
    mixtures: Sequence[Mixture],
    seed: int,
    *,
    progress: bool = True,
) -> list[ConfigEntry]:
    """Write every parquet file under ``root/data`` and return the configs (aliases last)."""
    from tqdm.auto import tqdm

    configs: dict[str, ConfigEntry] = {}
    steps = [*langs, *(m.name for m in mixtures)]
    bar = tqdm(total=len(steps), desc="write configs", unit="config", disable=not progress)
    for lang in langs:
        files = {s: write_parquet_split(root, lang, s, tables[s][lang]) for s in SPLITS}
        rows = {s: tables[s][lang].num_rows for s in SPLITS}
        configs[lang] = ConfigEntry(lang, files, rows, (lang,), "monolingual")
        bar.update()
    for mixture in mixtures:
        if mixture.sampled:
            files, rows = {}, {}
            for split in SPLITS:
                table = _sampled_table(tables[split], mixture, seed, split, sum(rows.values()))
                files[split] = write_parquet_split(root, mixture.name, split, table)
                rows[split] = table.num_rows
            entry = ConfigEntry(mixture.name, files, rows, mixture.langs, "sampled")
        else:
            files = {
                s: [p for lang in mixture.langs for p in configs[lang].data_files[s]]
                for s in SPLITS
            }
            rows = {s: sum(configs[lang].rows[s] for lang in mixture.langs) for s in SPLITS}
            entry = ConfigEntry(mixture.name, files, rows, mixture.langs, "mixture")
        configs[mixture.name] = entry
        bar.update()
    bar.close()
    aliases = []
    for mixture in mixtures:
        target = configs[mixture.name]
        aliases.append(
            ConfigEntry(
                mixture.alias,
                {ALIAS_SPLITS[s]: target.data_files[s] for s in SPLITS},
                {ALIAS_SPLITS[s]: target.rows[s] for s in SPLITS},
                mixture.langs,
                "alias",
                alias_of=mixture.name,
            )
        )
    entries = [*configs.values(), *aliases]
    full_all = "".join(langs)
    default = full_all if full_all in configs else entries[0].name
    for entry in entries:
        entry.default = entry.name == default
    return entries


def write_repo(
    out: Path,
    data: SplitData,
    *,
    langs: Sequence[str],
    mixtures: Sequence[Mixture],
    seed: int,
    report: BuildReport,
    template: str,
    overwrite: bool = False,
    progress: bool = True,
) -> BuildResult:
    """Write the whole repo folder atomically; returns its configs and the final report."""
    with repo_folder(out, overwrite=overwrite, writer=WRITER) as tmp:
        tables = {s: {lang: to_table(data[s][lang]) for lang in langs} for s in SPLITS}
        configs = assemble_configs(tmp, tables, langs, mixtures, seed, progress=progress)
        report.flags = flag_counts(tables, langs)
        report.rows = {c.name: dict(c.rows) for c in configs if c.kind != "alias"}
        report.default_config = next(c.name for c in configs if c.default)
        (tmp / "README.md").write_text(render_card(template, report, configs), encoding="utf-8")
        (tmp / "build_report.json").write_text(report.to_json(), encoding="utf-8")
    return BuildResult(Path(out), configs, report)


def flag_counts(
    tables: dict[str, dict[str, pa.Table]], langs: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Rows and flagged rows per language, counted on the written tables."""
    import pyarrow.compute as pc

    counts: dict[str, dict[str, int]] = {}
    for lang in langs:
        per = {"rows": sum(tables[s][lang].num_rows for s in SPLITS)}
        for name in FLAG_NAMES:
            per[name] = sum(int(pc.sum(tables[s][lang][name]).as_py() or 0) for s in SPLITS)
        counts[lang] = per
    return counts


def check_output(out: Path, overwrite: bool, sources: Sequence[Path | None] = ()) -> None:
    """Fail before any work when ``out`` exists and may not be replaced (see
    :func:`hub_cards.folder.check_replaceable`), or when replacing it would delete one of the
    ``sources`` (the source folder itself, or a file inside)."""
    target = Path(out).resolve()
    for source in sources:
        if source is not None and Path(source).resolve().is_relative_to(target):
            raise OutputHoldsSourceError(
                f"--out {out} holds the source {source}; replacing it would delete the source: "
                "write to another folder"
            )
    check_replaceable(out, overwrite=overwrite)
