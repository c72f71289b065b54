"""Build a Lima-X repo: read LIMA, flag the source, translate, flag the translations, mix, write."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lima_x import __version__
from lima_x.errors import BuildSettingError, LimaXError
from lima_x.flag_run import run_flag_jobs
from lima_x.flags import LANGUAGE_FLAGS, SOURCE_FLAGS
from lima_x.gc_pause import gc_paused
from lima_x.mixtures import Mixture, resolve_mixtures, split_train_validation
from lima_x.pipeline import RunStats
from lima_x.readers import read_lima, resolve_file
from lima_x.records import FLAG_NAMES, ParallelSample
from lima_x.repo import SPLITS, BuildResult, SplitData, check_output, write_repo
from lima_x.report import BuildReport
from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.cost import CostEstimate, estimate_run_cost
from lima_x.translate.factory import create_translator
from lima_x.translate.languages import check_languages
from lima_x.translation_run import (
    check_text_sizes,
    message_texts,
    translate_samples,
    unique_texts,
)

logger = logging.getLogger(__name__)


def check_validation_choice(validation: object, validation_fraction: float | None) -> None:
    """LIMA has no validation set: a build needs a validation file or an explicit hold-out."""
    if validation is None and validation_fraction is None:
        raise BuildSettingError(
            "lima-x build lima needs a validation set: pass --validation FILE (a curated set, "
            "as the paper does; `lima-x curate-validation` finds StackExchange candidates) or "
            "--validation-fraction F to hold out a share F of LIMA train (which shrinks the "
            "training set)"
        )
    if validation is not None and validation_fraction is not None:
        raise BuildSettingError(
            "expected either --validation FILE or --validation-fraction F, found both"
        )


def read_lima_splits(
    source: Path,
    validation: Path | None,
    *,
    source_lang: str,
    seed: int,
    validation_fraction: float | None,
    report: BuildReport,
) -> dict[str, list[ParallelSample]]:
    """LIMA train + the validation file, or train with a seeded share held out (asked for
    explicitly: it shrinks the training set)."""
    check_validation_choice(validation, validation_fraction)
    train = read_lima(source, split="train", lang=source_lang)
    report.sources.append(Path(source).name)
    if validation is not None and _same_file(source, validation):
        raise LimaXError(
            f"--validation {validation} is the --source file: train and validation would hold "
            "the same rows; give a separate validation file, or --validation-fraction F "
            "instead to hold out a seeded share of train"
        )
    if validation is not None:
        from lima_x.curation.attribution import attribution_lines

        report.sources.append(Path(validation).name)
        report.validation_choice = f"--validation {Path(validation).name}"
        report.validation_rule = (
            f"the rows of `{Path(validation).name}` (`--validation`; ids `v<line>` or the "
            "rows' own ids); LIMA train is kept whole."
        )
        report.validation_attribution = attribution_lines(validation)
        return {
            "train": train,
            "validation": read_lima(validation, split="validation", lang=source_lang),
        }
    assert validation_fraction is not None
    train_ids, validation_ids = split_train_validation(
        [s.source_id for s in train], seed=seed, validation_fraction=validation_fraction
    )
    logger.warning(
        "--validation-fraction %s holds out %d of the %d train rows: the training set shrinks "
        "to %d (the paper keeps LIMA train whole and validates on a curated set: --validation)",
        validation_fraction,
        len(validation_ids),
        len(train),
        len(train_ids),
    )
    report.validation_choice = f"--validation-fraction {validation_fraction}"
    report.validation_rule = (
        f"`--validation-fraction {validation_fraction}`: {len(validation_ids)} train rows "
        f"held out with the seed, so the training set shrinks to {len(train_ids)} rows (the "
        "paper keeps LIMA train whole and validates on a curated set)."
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
    validation_fraction: float | None = None,
    overwrite: bool = False,
    progress: bool = True,
    on_protected_loss: str = "stop",
) -> BuildResult:
    """Lima-X: flag the source, translate it into every other language, flag the
    translations' language, mix and write.

    Before any request: the languages (and formality) are checked against the translator's,
    and a text no single request can carry is refused naming file and row.
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
    splits = read_lima_splits(
        source,
        validation,
        source_lang=source_lang,
        seed=seed,
        validation_fraction=validation_fraction,
        report=report,
    )
    if translator is not None and targets:
        check_lima_sizes(
            splits,
            {"train": Path(source), "validation": Path(validation or source)},
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
    run_flag_jobs([(splits[split], FLAG_NAMES) for split in SPLITS], stats, progress=progress)
    data: SplitData = {split: {} for split in SPLITS}
    kept_source: dict[str, list[str]] = {}
    for lang in langs:
        for split in SPLITS:
            if lang == source_lang:
                data[split][lang] = splits[split]
            else:
                assert translator is not None
                data[split][lang] = translate_samples(
                    splits[split],
                    translator,
                    source_lang=source_lang,
                    target_lang=lang,
                    options=options,
                    progress=progress,
                    on_protected_loss=on_protected_loss,
                    kept_source=kept_source.setdefault(lang, []),
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
    report.add_step_counts(stats)
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


@dataclass(frozen=True)
class LimaSources:
    """Where a Lima-X build reads from, as the command line names them (a file, an
    ``hf://datasets/…`` path or a Hub id)."""

    source: str
    validation: str | None = None
    source_lang: str = "EN"
    seed: int = 42
    validation_fraction: float | None = None

    def __post_init__(self) -> None:
        check_validation_choice(self.validation, self.validation_fraction)

    def resolve(self) -> tuple[Path, Path | None]:
        """The source and validation files (downloaded when they are on the Hub)."""
        source = resolve_file(self.source, default_filename="train.jsonl")
        validation = (
            resolve_file(self.validation, default_filename=None) if self.validation else None
        )
        return source, validation

    def read(self, report: BuildReport) -> dict[str, list[ParallelSample]]:
        """The samples per split."""
        source, validation = self.resolve()
        return read_lima_splits(
            source,
            validation,
            source_lang=self.source_lang,
            seed=self.seed,
            validation_fraction=self.validation_fraction,
            report=report,
        )


@dataclass(frozen=True)
class DryRun:
    """What ``lima-x build lima --dry-run`` found: the samples and what translating them costs
    (``estimate`` is None when there is nothing to translate)."""

    samples: int
    texts: int
    characters: int
    estimate: CostEstimate | None


def estimate_lima_build(
    sources: LimaSources,
    langs: Sequence[str],
    *,
    mixtures: Sequence[str] = (),
    default_mixtures: bool = True,
    translator: str,
    options: TranslationOptions,
    cache_path: Path,
    model: str | None = None,
) -> DryRun:
    """Read the sources and estimate the translation as the build would run it; call nothing
    (the mixtures are checked as the build checks them)."""
    source_lang = sources.source_lang.upper()
    targets = [lang for lang in langs if lang != source_lang]
    if translator.strip().lower() != "none" and targets:
        check_languages(translator, source_lang, targets, options.formality)
    resolve_mixtures(langs, mixtures, include_defaults=default_mixtures)
    scratch = BuildReport("Lima-X", "", sources.seed, list(langs), sources.source_lang, [], "")
    source, validation = sources.resolve()
    splits = read_lima_splits(
        source,
        validation,
        source_lang=sources.source_lang,
        seed=sources.seed,
        validation_fraction=sources.validation_fraction,
        report=scratch,
    )
    check_lima_sizes(
        splits,
        {"train": source, "validation": validation or source},
        translator,
        source_lang=source_lang,
        targets=targets,
        options=options,
        model=model,
    )
    samples = [s for split in splits.values() for s in split]
    texts = unique_texts(samples)
    estimate = None
    if translator.strip().lower() != "none" and targets:
        estimate = estimate_run_cost(
            [message_texts(split) for split in splits.values()],
            targets,
            source_lang=source_lang,
            backend=translator,
            options=options,
            cache_path=cache_path,
            model=model,
        )
    return DryRun(len(samples), len(texts), sum(map(len, texts)), estimate)


def build_lima_repo(
    sources: LimaSources,
    langs: Sequence[str],
    out: Path,
    *,
    mixtures: Sequence[str] = (),
    default_mixtures: bool = True,
    translator: str,
    options: TranslationOptions,
    cache_path: Path | None,
    model: str | None = None,
    base_url: str | None = None,
    overwrite: bool = False,
    progress: bool = True,
    on_protected_loss: str = "stop",
    max_retry_time_s: float | None = None,
) -> BuildResult:
    """``lima-x build lima``: resolve the mixtures and sources, check the languages against
    the translator, make the translator (closed afterwards) and run :func:`build_lima`."""
    targets = [lang for lang in langs if lang.upper() != sources.source_lang.upper()]
    if translator.strip().lower() != "none" and targets:
        check_languages(translator, sources.source_lang, targets, options.formality)
    mixture_list = resolve_mixtures(langs, mixtures, include_defaults=default_mixtures)
    source, validation = sources.resolve()
    engine = create_translator(
        translator,
        cache_path=cache_path,
        model=model,
        base_url=base_url,
        show_progress=False,
        max_retry_time_s=max_retry_time_s,
    )
    try:
        return build_lima(
            source,
            langs,
            out,
            mixtures=mixture_list,
            translator=engine,
            options=options,
            validation=validation,
            source_lang=sources.source_lang,
            seed=sources.seed,
            validation_fraction=sources.validation_fraction,
            overwrite=overwrite,
            progress=progress,
            on_protected_loss=on_protected_loss,
        )
    finally:
        close = getattr(engine, "close", None)
        if callable(close):
            close()
