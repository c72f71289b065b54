"""Build a Bactrian-X repo: read every language, split with the same ids, flag, mix, write."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from lima_x import __version__
from lima_x.errors import LimaXError
from lima_x.flag_run import FlagRunner
from lima_x.flags import LANGUAGE_FLAGS, SOURCE_FLAGS
from lima_x.gc_pause import gc_paused
from lima_x.mixtures import Mixture, downsample, resolve_mixtures, split_train_validation
from lima_x.pipeline import RunStats
from lima_x.readers import bactrian_x_file, read_bactrian_x_language, resolve_bactrian_x_dir
from lima_x.records import FLAG_NAMES, ParallelSample
from lima_x.repo import SPLITS, BuildResult, SplitData, check_output, write_repo
from lima_x.report import BuildReport

logger = logging.getLogger(__name__)

LIMA_TRAIN_SIZE = 1030
LIMA_VALIDATION_SIZE = 52


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

    stats = RunStats()
    with FlagRunner(stats, workers=workers, progress=progress) as flagger:
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
    report.add_step_counts(stats)
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


def build_bactrian_x_repo(
    source_dir: str,
    langs: Sequence[str],
    out: Path,
    *,
    mixtures: Sequence[str] = (),
    default_mixtures: bool = True,
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
    """``lima-x build bactrian-x``: resolve the mixtures (names as the command line gives them)
    and the source folder (a local folder or ``MBZUAI/Bactrian-X``), then run
    :func:`build_bactrian_x`."""
    mixture_list = resolve_mixtures(langs, mixtures, include_defaults=default_mixtures)
    folder = resolve_bactrian_x_dir(source_dir, list(langs))
    return build_bactrian_x(
        folder,
        langs,
        out,
        mixtures=mixture_list,
        seed=seed,
        small_size=small_size,
        small_validation_size=small_validation_size,
        validation_fraction=validation_fraction,
        source_lang=source_lang,
        flag_every_language=flag_every_language,
        workers=workers,
        overwrite=overwrite,
        progress=progress,
    )
