"""Build a Hub repo folder: read → flag → (translate) → split → mix → write.

:func:`build_bactrian_x` and :func:`build_lima` gather the parallel samples per split and
language (every language in the same source-id order), then :func:`write_repo` writes the
monolingual configs, the mixtures, the alias configs, the card and the build report into a
temporary folder that replaces ``out`` only when everything succeeded.
"""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from lima_x import __version__
from lima_x.card import render_card
from lima_x.errors import LimaXError, OutputExistsError, OutputHoldsSourceError
from lima_x.flag_run import FlagRunner, run_flag_jobs
from lima_x.flags import LANGUAGE_FLAGS, SOURCE_FLAGS
from lima_x.hub import ConfigEntry, atomic_folder, write_parquet_split
from lima_x.mixtures import Mixture, assign_languages, downsample, split_train_validation
from lima_x.pipeline import RunStats
from lima_x.readers import bactrian_x_file, read_bactrian_x_language, read_lima
from lima_x.records import FLAG_NAMES, ParallelSample, to_table
from lima_x.report import BuildReport
from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.languages import check_languages
from lima_x.translation_run import check_text_sizes, translate_samples

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

SPLITS = ("train", "validation")
ALIAS_SPLITS = {"train": "train", "validation": "val"}
LIMA_TRAIN_SIZE = 1030
LIMA_VALIDATION_SIZE = 52

#: split → language → samples, every language in the same source-id order.
SplitData = dict[str, dict[str, list[ParallelSample]]]


@dataclass
class BuildResult:
    out: Path
    configs: list[ConfigEntry]
    report: BuildReport


P = ParamSpec("P")
R = TypeVar("R")


def gc_paused(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with the cyclic garbage collector paused.

    A build creates millions of small, acyclic objects (rows, messages); the collector's
    repeated passes over them would about double the build time. Reference counting still
    frees everything; the collector resumes afterwards.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


# --------------------------------------------------------------------------- writing


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
    with atomic_folder(out, overwrite=overwrite) as tmp:
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
    """Fail before any work when ``out`` exists and may not be replaced, or when replacing
    it would delete one of the ``sources`` (the source folder itself, or a file inside)."""
    if Path(out).exists() and not overwrite:
        raise OutputExistsError(f"{out} exists already; pass --overwrite to replace it")
    target = Path(out).resolve()
    for source in sources:
        if source is not None and Path(source).resolve().is_relative_to(target):
            raise OutputHoldsSourceError(
                f"--out {out} holds the source {source}; replacing it would delete the source: "
                "write to another folder"
            )


def copy_flags(
    reference: Sequence[ParallelSample], targets: Sequence[ParallelSample], names: Sequence[str]
) -> None:
    """Copy the flags ``names`` from ``reference`` to ``targets`` (same ids, same order)."""
    if len(reference) != len(targets):
        raise LimaXError(f"cannot copy flags: {len(reference)} reference rows, {len(targets)} rows")
    for ref, target in zip(reference, targets, strict=True):
        if ref.source_id != target.source_id:
            raise LimaXError(f"cannot copy flags: id {ref.source_id} != {target.source_id}")
        for name in names:
            if ref.flags.get(name):
                target.flags[name] = True


# --------------------------------------------------------------------------- Bactrian-X


def read_parallel_bactrian_x(
    source_dir: Path,
    langs: Sequence[str],
    report: BuildReport,
    *,
    progress: bool = True,
    on_read: Callable[[str, list[ParallelSample]], None] | None = None,
) -> tuple[dict[str, list[ParallelSample]], list[str]]:
    """Every language's samples and the ids present in all of them, in the first file's order.

    ``on_read(lang, samples)`` is called after each file (e.g. to start flagging it while the
    next file is read).
    """
    from tqdm.auto import tqdm

    per_lang: dict[str, list[ParallelSample]] = {}
    for lang in tqdm(langs, desc="read Bactrian-X", unit="language", disable=not progress):
        path = bactrian_x_file(Path(source_dir), lang)
        per_lang[lang] = read_bactrian_x_language(path, lang)
        report.sources.append(f"{path.parent.name}/{path.name}")
        if on_read is not None:
            on_read(lang, per_lang[lang])
    common = set.intersection(*({s.source_id for s in samples} for samples in per_lang.values()))
    for lang, samples in per_lang.items():
        missing = len(samples) - len(common)
        if missing:
            report.dropped[f"{lang}: id not in every language"] = missing
    order = [s.source_id for s in per_lang[langs[0]] if s.source_id in common]
    return per_lang, order


def bactrian_x_split_ids(
    order: Sequence[str],
    *,
    seed: int,
    validation_fraction: float,
    small_size: int | None,
    small_validation_size: int | None,
) -> tuple[dict[str, set[str]], str]:
    """The train and validation ids (the same in every language) and the rule, in words."""
    train_ids, validation_ids = split_train_validation(
        list(order), seed=seed, validation_fraction=validation_fraction
    )
    rule = (
        f"{validation_fraction:.0%} of the ids, drawn with the seed; the same ids in every "
        "language (train and validation never share an id)."
    )
    if small_size is not None:
        n_validation = small_validation_size or max(
            1, round(small_size * LIMA_VALIDATION_SIZE / LIMA_TRAIN_SIZE)
        )
        if small_size > len(train_ids):
            logger.warning(
                "--small-size %d: only %d train ids exist; the small variant keeps all of them",
                small_size,
                len(train_ids),
            )
        train_ids = downsample(sorted(train_ids), small_size, seed=seed, what="train")
        validation_ids = downsample(
            sorted(validation_ids), n_validation, seed=seed, what="validation"
        )
        rule += (
            f" Small variant: {len(train_ids)} train and {len(validation_ids)} validation ids, "
            "drawn with the seed from those splits, the same ids in every language."
        )
    return {"train": set(train_ids), "validation": set(validation_ids)}, rule


@gc_paused
def build_bactrian_x(
    source_dir: Path,
    langs: Sequence[str],
    out: Path,
    *,
    mixtures: Sequence[Mixture],
    seed: int = 42,
    small_size: int | None = None,
    small_validation_size: int | None = None,
    validation_fraction: float = 0.05,
    source_lang: str = "EN",
    flag_every_language: bool = False,
    workers: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> BuildResult:
    """Bactrian-X: 95/5 split with the same ids in every language, optional small variant.

    The language flags (:data:`~lima_x.flags.LANGUAGE_FLAGS`) are computed on every row in
    its own language: a machine-translated row can be left in English or mix languages. The
    source flags (:data:`~lima_x.flags.SOURCE_FLAGS`: code, untranslatable content) describe
    the source sample: computed on the ``source_lang`` rows (English, the language Bactrian-X
    was translated from; the first language when it is not built) and copied to the other
    languages by id. ``flag_every_language`` computes all four on every row. ``workers``:
    processes for flagging (default: the number of CPUs); the output does not depend on it.
    """
    check_output(out, overwrite, [source_dir])
    langs = [lang.upper() for lang in langs]
    source_lang = source_lang.upper()
    report = BuildReport(
        dataset="Bactrian-X",
        tool_version=__version__,
        seed=seed,
        langs=list(langs),
        source_lang=source_lang.upper(),
        sources=[],
        translator="none (Bactrian-X ships every language)",
        small_size=small_size,
        id_rule="the Bactrian-X `id`, identical across languages; rows whose id is missing "
        "in one of the languages are left out.",
    )
    flag_lang = source_lang if source_lang in langs else langs[0]
    report.flags_rule = (
        "all four computed on every row in its own language"
        if flag_every_language
        else f"{' and '.join(f'`{n}`' for n in LANGUAGE_FLAGS)} computed on every row in its "
        f"own language; {' and '.join(f'`{n}`' for n in SOURCE_FLAGS)} computed on the "
        f"{flag_lang} rows (the source sample) and copied to every language by id"
    )

    def flag_names(lang: str) -> tuple[str, ...]:
        return FLAG_NAMES if flag_every_language or lang == flag_lang else LANGUAGE_FLAGS

    with FlagRunner(RunStats(), workers=workers, progress=progress) as flagger:
        # The full build flags each file while the next one is read; the small variant
        # flags only the rows it keeps, once they are chosen.
        per_lang, order = read_parallel_bactrian_x(
            source_dir,
            langs,
            report,
            progress=progress,
            on_read=(
                (lambda lang, samples: flagger.submit(samples, flag_names(lang)))
                if small_size is None
                else None
            ),
        )
        split_ids, report.validation_rule = bactrian_x_split_ids(
            order,
            seed=seed,
            validation_fraction=validation_fraction,
            small_size=small_size,
            small_validation_size=small_validation_size,
        )
        split_order = {split: [i for i in order if i in split_ids[split]] for split in SPLITS}
        data: SplitData = {split: {} for split in SPLITS}
        for lang in langs:
            by_id = {s.source_id: s for s in per_lang.pop(lang)}
            for split in SPLITS:
                data[split][lang] = [by_id[i] for i in split_order[split]]
                if small_size is not None:
                    flagger.submit(data[split][lang], flag_names(lang))
        flagger.finish()
    if not flag_every_language:
        for split in SPLITS:
            for lang in langs:
                if lang != flag_lang:
                    copy_flags(data[split][flag_lang], data[split][lang], SOURCE_FLAGS)
    return write_repo(
        out,
        data,
        langs=langs,
        mixtures=mixtures,
        seed=seed,
        report=report,
        template="bactrian_x.md",
        overwrite=overwrite,
        progress=progress,
    )


# --------------------------------------------------------------------------- LIMA


def read_lima_splits(
    source: Path,
    validation: Path | None,
    *,
    source_lang: str,
    seed: int,
    validation_fraction: float,
    report: BuildReport,
) -> dict[str, list[ParallelSample]]:
    """LIMA train (+ validation file, or a seeded hold-out of train when there is none)."""
    train = read_lima(source, split="train", lang=source_lang)
    report.sources.append(Path(source).name)
    if validation is not None and _same_file(source, validation):
        raise LimaXError(
            f"--validation {validation} is the --source file: train and validation would hold "
            "the same rows; give a separate validation file, or leave --validation out to hold "
            "out a seeded share of train"
        )
    if validation is not None:
        report.sources.append(Path(validation).name)
        report.validation_rule = f"the rows of `{Path(validation).name}` (ids `v<line>`)."
        return {
            "train": train,
            "validation": read_lima(validation, split="validation", lang=source_lang),
        }
    train_ids, validation_ids = split_train_validation(
        [s.source_id for s in train], seed=seed, validation_fraction=validation_fraction
    )
    report.validation_rule = (
        f"no validation file was given: {len(validation_ids)} train rows "
        f"({validation_fraction:.0%}) held out with the seed."
    )
    return {
        "train": [s for s in train if s.source_id in train_ids],
        "validation": [s for s in train if s.source_id in validation_ids],
    }


def _same_file(first: Path, second: Path) -> bool:
    try:
        return Path(first).resolve() == Path(second).resolve() or Path(first).samefile(second)
    except OSError:
        return False


def check_lima_sizes(
    splits: dict[str, list[ParallelSample]],
    paths: dict[str, Path],
    backend: str,
    *,
    source_lang: str,
    targets: Sequence[str],
    options: TranslationOptions,
    model: str | None = None,
) -> None:
    """Refuse a text no single request carries, naming file and row, before any request."""
    for split, samples in splits.items():
        check_text_sizes(
            samples,
            backend,
            path=str(paths[split]),
            source_lang=source_lang,
            target_langs=targets,
            options=options,
            model=model,
        )


def _backend_name(translator: Translator) -> str:
    return translator.cache_identity().split(":", 1)[0]


@gc_paused
def build_lima(
    source: Path,
    langs: Sequence[str],
    out: Path,
    *,
    mixtures: Sequence[Mixture],
    translator: Translator | None,
    options: TranslationOptions,
    validation: Path | None = None,
    source_lang: str = "EN",
    seed: int = 42,
    validation_fraction: float = 0.05,
    overwrite: bool = False,
    progress: bool = True,
    on_protected_loss: str = "stop",
) -> BuildResult:
    """Lima-X: flag the source, translate it into every other language, flag the
    translations' language, mix and write.

    ``on_protected_loss``: what to do with a translation that lost protected code
    (:data:`~lima_x.translate.run.PROTECTED_LOSS_POLICIES`); messages kept in the source
    language are listed in the build report.
    """
    check_output(out, overwrite, [source, validation])
    langs = [lang.upper() for lang in langs]
    source_lang = source_lang.upper()
    targets = [lang for lang in langs if lang != source_lang]
    if translator is not None and targets:
        check_languages(_backend_name(translator), source_lang, targets, options.formality)
    if translator is None and targets:
        if source_lang not in langs:
            raise LimaXError(
                f"--translator none builds only the source language {source_lang}, which is "
                f"not among --langs {','.join(langs)}"
            )
        logger.warning(
            "no translator: building only %s; %s and the mixtures need --translator deepl "
            "or openai",
            source_lang,
            ", ".join(targets),
        )
        langs, targets = [source_lang], []
        mixtures = [m for m in mixtures if set(m.langs) <= set(langs)]
    report = BuildReport(
        dataset="Lima-X",
        tool_version=__version__,
        seed=seed,
        langs=list(langs),
        source_lang=source_lang,
        sources=[],
        translator=translator.cache_identity() if translator is not None else "none",
        translation_options={
            k: v for k, v in options.cache_fields().items() if v not in (None, [])
        },
        id_rule="LIMA rows carry no id: train rows are numbered by their 0-based line in "
        "`train.jsonl` (`0` … `1029`), validation rows `v<line>`; a row's own `id` is kept "
        "when present.",
    )
    source_path = source
    source = read_lima_splits(
        source,
        validation,
        source_lang=source_lang,
        seed=seed,
        validation_fraction=validation_fraction,
        report=report,
    )
    if translator is not None and targets:
        check_lima_sizes(
            source,
            {"train": Path(source_path), "validation": Path(validation or source_path)},
            _backend_name(translator),
            source_lang=source_lang,
            targets=targets,
            options=options,
        )
    stats = RunStats()
    report.flags_rule = (
        f"{' and '.join(f'`{n}`' for n in SOURCE_FLAGS)} computed on the {source_lang} source "
        f"rows and copied to every translation; {' and '.join(f'`{n}`' for n in LANGUAGE_FLAGS)} "
        "computed on every row in its own language (a translation can come back untranslated "
        "or mixed)"
    )
    run_flag_jobs([(source[split], FLAG_NAMES) for split in SPLITS], stats, progress=progress)
    data: SplitData = {split: {} for split in SPLITS}
    kept_source: dict[str, list[str]] = {}
    for lang in langs:
        for split in SPLITS:
            if lang == source_lang:
                data[split][lang] = source[split]
            else:
                assert translator is not None
                kept = kept_source.setdefault(lang, [])
                data[split][lang] = translate_samples(
                    source[split],
                    translator,
                    source_lang=source_lang,
                    target_lang=lang,
                    options=options,
                    progress=progress,
                    on_protected_loss=on_protected_loss,
                    kept_source=kept,
                )
    if targets:
        report.protected_loss = {
            "policy": on_protected_loss,
            "kept_source": {lang: kept for lang, kept in kept_source.items() if kept},
        }
    translations = [data[split][lang] for split in SPLITS for lang in langs if lang != source_lang]
    for samples in translations:
        for sample in samples:
            for name in LANGUAGE_FLAGS:
                sample.flags.pop(name, None)
    run_flag_jobs([(samples, LANGUAGE_FLAGS) for samples in translations], stats, progress=progress)
    return write_repo(
        out,
        data,
        langs=langs,
        mixtures=mixtures,
        seed=seed,
        report=report,
        template="lima_x.md",
        overwrite=overwrite,
        progress=progress,
    )
