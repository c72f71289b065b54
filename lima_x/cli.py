"""The ``lima-x`` command line: build Lima-X / Bactrian-X Hub repos, inspect and push them.

    lima-x build lima --source train.jsonl --validation val.jsonl --langs EN,DE,FR,IT,ES \\
        --translator deepl --out lima-x
    lima-x build bactrian-x --source-dir MBZUAI/Bactrian-X --langs EN,DE,FR,IT,ES --out bx
    lima-x inspect bx
    lima-x push bx --repo-id ORG/NAME
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from polyglot_instruct.cli_errors import ToolkitGroup, run_cli

if TYPE_CHECKING:
    from lima_x.records import ParallelSample
    from lima_x.translate.base import TranslationOptions

logger = logging.getLogger("lima_x")

LangsOption = Annotated[
    str,
    typer.Option(
        "--langs", help="Comma-separated language codes, first = the base model's dominant one."
    ),
]
OutOption = Annotated[
    Path, typer.Option("--out", help="Output folder, written exactly as it is pushed to the Hub.")
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Seed of every random choice (splits, sampled shares).")
]
MixturesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--mixtures",
        help="Extra mixtures, comma-separated or repeated: ENDE, DEFR-sampled, EN_DE_sampled …",
    ),
]
NoDefaultsOption = Annotated[
    bool,
    typer.Option(
        "--no-default-mixtures",
        help="Build only the monolingual configs and the --mixtures named (no ENDEFRITES, …).",
    ),
]
OverwriteOption = Annotated[
    bool, typer.Option("--overwrite", help="Replace --out when it exists (atomically).")
]
ValidationFractionOption = Annotated[
    float,
    typer.Option("--validation-fraction", help="Share of ids held out for validation (95/5)."),
]
ProgressOption = Annotated[
    bool, typer.Option("--progress/--no-progress", help="Show progress bars.")
]


def check_formality(value: str | None) -> str | None:
    from lima_x.translate.languages import formality_values

    if value is not None and value not in formality_values():
        raise typer.BadParameter(f"expected one of {', '.join(formality_values())}, got {value!r}")
    return value


def check_protected_loss(value: str) -> str:
    from lima_x.translate.run import PROTECTED_LOSS_POLICIES

    if value not in PROTECTED_LOSS_POLICIES:
        raise typer.BadParameter(
            f"expected one of {', '.join(PROTECTED_LOSS_POLICIES)}, got {value!r}"
        )
    return value


def parse_langs(value: str) -> list[str]:
    langs = [part.strip().upper() for part in value.replace(" ", ",").split(",") if part.strip()]
    if not langs:
        raise typer.BadParameter(
            "expected language codes such as EN,DE,FR,IT,ES", param_hint="--langs"
        )
    if len(set(langs)) != len(langs):
        raise typer.BadParameter(f"a language is listed twice: {value}", param_hint="--langs")
    return langs


def split_mixtures(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def default_cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lima_x" / "translations.sqlite"


def _summary(result: object) -> None:
    from lima_x.build import BuildResult

    assert isinstance(result, BuildResult)
    default = result.report.default_config
    typer.echo(f"wrote {result.out} ({len(result.configs)} configs, default {default})")
    for name, rows in result.report.rows.items():
        typer.echo(f"  {name:<24} " + "  ".join(f"{split} {n}" for split, n in rows.items()))


def build_lima_command(
    source: Annotated[
        str,
        typer.Option("--source", help="LIMA train.jsonl: a file, hf://datasets/… or GAIR/lima."),
    ],
    langs: LangsOption,
    translator: Annotated[
        str,
        typer.Option("--translator", help="deepl | openai | none (none: source language only)."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output folder, written exactly as it is pushed to the Hub (not needed with "
            "--dry-run).",
        ),
    ] = None,
    validation: Annotated[
        str | None,
        typer.Option(
            "--validation",
            help="Validation file (ids v<line>); without it a seeded share of train is held out.",
        ),
    ] = None,
    seed: SeedOption = 42,
    mixtures: MixturesOption = None,
    no_default_mixtures: NoDefaultsOption = False,
    source_lang: Annotated[
        str, typer.Option("--source-lang", help="Language of the source file.")
    ] = "EN",
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="SQLite translation cache (default: ~/.cache/lima_x/translations.sqlite).",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", help="Chat model for --translator openai; DeepL model_type for deepl."
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Server URL (overrides DEEPL_SERVER_URL / OPENAI_BASE_URL)."
        ),
    ] = None,
    formality: Annotated[
        str | None,
        typer.Option(
            "--formality",
            help="DeepL formality: default, more, less, prefer_more, prefer_less.",
            callback=check_formality,
        ),
    ] = None,
    glossary_id: Annotated[
        str | None, typer.Option("--glossary-id", help="DeepL glossary id.")
    ] = None,
    context: Annotated[
        str | None, typer.Option("--context", help="Context that guides (but is not) translated.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print characters and estimated cost per language; call nothing."
        ),
    ] = False,
    validation_fraction: ValidationFractionOption = 0.05,
    overwrite: OverwriteOption = False,
    progress: ProgressOption = True,
    on_protected_loss: Annotated[
        str,
        typer.Option(
            "--on-protected-loss",
            help="A translation that lost protected code: stop (name it, cache the rest), "
            "retry (send it again, then stop), keep-source (keep the source text, listed in "
            "build_report.json).",
            callback=check_protected_loss,
        ),
    ] = "stop",
    max_retry_time: Annotated[
        float,
        typer.Option("--max-retry-time", min=0, help="Seconds DeepL retries one request at most."),
    ] = 100.0,
) -> None:
    """Build a Lima-X-style repo: translate LIMA (or any conversation file) into --langs."""
    from lima_x.build import build_lima, check_lima_sizes, read_lima_splits
    from lima_x.mixtures import resolve_mixtures
    from lima_x.readers import resolve_file
    from lima_x.report import BuildReport
    from lima_x.translate.base import TranslationOptions
    from lima_x.translate.factory import create_translator
    from lima_x.translate.languages import check_languages

    language_list = parse_langs(langs)
    if out is None and not dry_run:
        raise typer.BadParameter(
            "expected an output folder (only --dry-run needs none)", param_hint="--out"
        )
    options = TranslationOptions(formality=formality, context=context, glossary_id=glossary_id)
    cache_path = cache or default_cache_path()
    targets = [lang for lang in language_list if lang != source_lang.upper()]
    if translator.strip().lower() != "none":
        check_languages(translator, source_lang, targets, formality)
    mixture_list = resolve_mixtures(
        language_list, split_mixtures(mixtures), include_defaults=not no_default_mixtures
    )
    source_path = resolve_file(source, default_filename="train.jsonl")
    validation_path = resolve_file(validation, default_filename=None) if validation else None
    if dry_run:
        scratch = BuildReport("Lima-X", "", seed, language_list, source_lang, [], translator)
        splits = read_lima_splits(
            source_path,
            validation_path,
            source_lang=source_lang,
            seed=seed,
            validation_fraction=validation_fraction,
            report=scratch,
        )
        check_lima_sizes(
            splits,
            {"train": source_path, "validation": validation_path or source_path},
            translator,
            source_lang=source_lang.upper(),
            targets=targets,
            options=options,
            model=model,
        )
        _print_estimate(
            splits, language_list, source_lang.upper(), translator, options, cache_path, model
        )
        return
    assert out is not None
    engine = create_translator(
        translator,
        cache_path=cache_path,
        model=model,
        base_url=base_url,
        show_progress=False,
        max_retry_time_s=max_retry_time,
    )
    try:
        result = build_lima(
            source_path,
            language_list,
            out,
            mixtures=mixture_list,
            translator=engine,
            options=options,
            validation=validation_path,
            source_lang=source_lang,
            seed=seed,
            validation_fraction=validation_fraction,
            overwrite=overwrite,
            progress=progress,
            on_protected_loss=on_protected_loss,
        )
    finally:
        close = getattr(engine, "close", None)
        if callable(close):
            close()
    _summary(result)


def _print_estimate(
    splits: dict[str, list[ParallelSample]],
    langs: list[str],
    source_lang: str,
    backend: str,
    options: TranslationOptions,
    cache_path: Path,
    model: str | None,
) -> None:
    from lima_x.translate.cost import estimate_run_cost
    from lima_x.translation_run import message_texts, unique_texts

    samples = [s for split in splits.values() for s in split]
    texts = unique_texts(samples)
    targets = [lang for lang in langs if lang != source_lang]
    characters = sum(map(len, texts))
    typer.echo(
        f"dry run: {len(samples)} samples, {len(texts)} distinct texts, {characters:,} characters"
    )
    if backend.strip().lower() == "none" or not targets:
        typer.echo("nothing to translate (--translator none or no target language)")
        return
    estimate = estimate_run_cost(
        [message_texts(split) for split in splits.values()],
        targets,
        source_lang=source_lang,
        backend=backend,
        options=options,
        cache_path=cache_path,
        model=model,
    )
    typer.echo(estimate.table())


def build_bactrian_x_command(
    source_dir: Annotated[
        str,
        typer.Option("--source-dir", help="Folder with data/<lang>.json.gz, or MBZUAI/Bactrian-X."),
    ],
    langs: LangsOption,
    out: OutOption,
    small_size: Annotated[
        int | None,
        typer.Option(
            "--small-size", help="Build the small variant: N train ids (the paper: 1030)."
        ),
    ] = None,
    small_validation_size: Annotated[
        int | None,
        typer.Option(
            "--small-validation-size",
            help="Validation ids of the small variant (default: N*52/1030, so 52 for 1030).",
        ),
    ] = None,
    seed: SeedOption = 42,
    mixtures: MixturesOption = None,
    no_default_mixtures: NoDefaultsOption = False,
    validation_fraction: ValidationFractionOption = 0.05,
    source_lang: Annotated[
        str,
        typer.Option(
            "--source-lang",
            help="Language the source flags (has_code, untranslatable) are computed on, then "
            "copied by id; the language flags are computed on every language's own rows.",
        ),
    ] = "EN",
    flag_every_language: Annotated[
        bool,
        typer.Option(
            "--flag-every-language",
            help="Compute all four flags on every row in its own language (code and "
            "untranslatable too; slower).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes for flagging (default: the number of CPUs); same output for any N.",
        ),
    ] = None,
    overwrite: OverwriteOption = False,
    progress: ProgressOption = True,
) -> None:
    """Build a Bactrian-X repo: 95/5 split with the same ids in every language, mixtures."""
    from lima_x.build import build_bactrian_x
    from lima_x.mixtures import resolve_mixtures
    from lima_x.readers import resolve_bactrian_x_dir

    language_list = parse_langs(langs)
    if small_size is not None and small_size < 1:
        raise typer.BadParameter("expected a positive number of ids", param_hint="--small-size")
    mixture_list = resolve_mixtures(
        language_list, split_mixtures(mixtures), include_defaults=not no_default_mixtures
    )
    folder = resolve_bactrian_x_dir(source_dir, language_list)
    result = build_bactrian_x(
        folder,
        language_list,
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
    _summary(result)


def inspect_command(
    folder: Annotated[Path, typer.Argument(help="A folder written by `lima-x build`.")],
    config: Annotated[
        list[str] | None, typer.Option("--config", help="Only these configs (repeatable).")
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="Where the temporary datasets cache goes (default: the system temp folder); "
            "removed afterwards, so a rebuilt folder is never answered from an old cache.",
        ),
    ] = None,
) -> None:
    """Load every config with `datasets` and print configs × splits × rows × languages."""
    from lima_x.summary import inspect_folder

    rows = inspect_folder(folder, configs=config, cache_dir=cache_dir)
    typer.echo(f"{'config':<26}{'split':<12}{'rows':>7}  languages")
    for row in rows:
        langs = " ".join(f"{lang}:{n}" for lang, n in row.languages.items())
        typer.echo(f"{row.config:<26}{row.split:<12}{row.rows:>7}  {langs}")


def push_command(
    folder: Annotated[Path, typer.Argument(help="A folder written by `lima-x build`.")],
    repo_id: Annotated[str, typer.Option("--repo-id", help="Dataset repo on the Hub, ORG/NAME.")],
    private: Annotated[bool, typer.Option("--private", help="Create the repo as private.")] = False,
    message: Annotated[str | None, typer.Option("--message", help="Commit message.")] = None,
) -> None:
    """Upload a built folder to the Hub (token from HF_TOKEN), creating the repo if needed."""
    from lima_x.hub import push_folder

    url = push_folder(folder, repo_id, private=private, commit_message=message)
    typer.echo(f"pushed {folder} to https://huggingface.co/datasets/{repo_id} ({url})")


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="lima-x",
        cls=ToolkitGroup,
        help="Build parallel multilingual instruction datasets (Lima-X, Bactrian-X) as Hub repos.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root() -> None:
        """Commands are listed below; each has --help."""

    @app.command("version")
    def version() -> None:
        """Print the installed version."""
        from lima_x import __version__

        typer.echo(__version__)

    build = typer.Typer(
        help="Build a Hub repo folder (parquet configs + card) from the sources.",
        no_args_is_help=True,
    )
    build.command("lima")(build_lima_command)
    build.command("bactrian-x")(build_bactrian_x_command)
    app.add_typer(build, name="build")
    app.command("inspect")(inspect_command)
    app.command("push")(push_command)
    return app


#: HTTP clients that log one INFO line per request (the openai SDK's through ``httpx2``).
QUIET_LOGGERS = ("deepl", "httpx", "httpx2", "openai")


def configure_logging() -> None:
    """INFO for our own messages; the HTTP clients only from WARNING (progress bars say more)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main() -> None:
    configure_logging()
    run_cli("lima-x", build_app())


if __name__ == "__main__":
    main()
