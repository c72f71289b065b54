"""The ``lima-x`` command line: build Lima-X / Bactrian-X Hub repos, inspect and push them.

    lima-x build lima --source train.jsonl --validation val.jsonl --langs EN,DE,FR,IT,ES \\
        --translator deepl --out lima-x
    lima-x build bactrian-x --source-dir MBZUAI/Bactrian-X --langs EN,DE,FR,IT,ES --out bx
    lima-x inspect bx
    lima-x push bx --repo-id ORG/NAME
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from polyglot_instruct.cli_errors import run_cli, toolkit_app
from polyglot_instruct.languages import LanguageListError, parse_languages

if TYPE_CHECKING:
    from lima_x.repo import BuildResult

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
    """``--langs``: see :func:`polyglot_instruct.languages.parse_languages`."""
    try:
        return parse_languages(value) or []
    except LanguageListError as error:
        raise typer.BadParameter(str(error), param_hint="--langs") from None


def split_mixtures(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _summary(result: BuildResult) -> None:
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
            help="Validation file, e.g. curated from `lima-x curate-validation` candidates (as "
            "the paper). Needed unless --validation-fraction is given.",
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
    validation_fraction: Annotated[
        float | None,
        typer.Option(
            "--validation-fraction",
            help="Instead of --validation: hold out this share of LIMA train (shrinks the "
            "training set; the paper keeps it whole).",
        ),
    ] = None,
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
    from lima_x.lima import LimaSources, build_lima_repo, estimate_lima_build
    from lima_x.translate.base import TranslationOptions
    from lima_x.translate.cache import default_cache_path

    language_list = parse_langs(langs)
    if out is None and not dry_run:
        raise typer.BadParameter(
            "expected an output folder (only --dry-run needs none)", param_hint="--out"
        )
    options = TranslationOptions(formality=formality, context=context, glossary_id=glossary_id)
    sources = LimaSources(source, validation, source_lang, seed, validation_fraction)
    mixture_specs = split_mixtures(mixtures)
    if dry_run:
        found = estimate_lima_build(
            sources,
            language_list,
            mixtures=mixture_specs,
            default_mixtures=not no_default_mixtures,
            translator=translator,
            options=options,
            cache_path=cache or default_cache_path(),
            model=model,
        )
        typer.echo(
            f"dry run: {found.samples} samples, {found.texts} distinct texts, "
            f"{found.characters:,} characters"
        )
        if found.estimate is None:
            typer.echo("nothing to translate (--translator none or no target language)")
        else:
            typer.echo(found.estimate.table())
        return
    assert out is not None
    result = build_lima_repo(
        sources,
        language_list,
        out,
        mixtures=mixture_specs,
        default_mixtures=not no_default_mixtures,
        translator=translator,
        options=options,
        cache_path=cache or default_cache_path(),
        model=model,
        base_url=base_url,
        overwrite=overwrite,
        progress=progress,
        on_protected_loss=on_protected_loss,
        max_retry_time_s=max_retry_time,
    )
    _summary(result)


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
    from lima_x.bactrian_x import build_bactrian_x_repo

    language_list = parse_langs(langs)
    if small_size is not None and small_size < 1:
        raise typer.BadParameter("expected a positive number of ids", param_hint="--small-size")
    result = build_bactrian_x_repo(
        source_dir,
        language_list,
        out,
        mixtures=split_mixtures(mixtures),
        default_mixtures=not no_default_mixtures,
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
    from hub_cards.inspection import inspect_folder, summary_table

    rows = inspect_folder(folder, configs=config, cache_dir=cache_dir)
    for line in summary_table(rows):
        typer.echo(line)


def push_command(
    folder: Annotated[Path, typer.Argument(help="A folder written by `lima-x build`.")],
    repo_id: Annotated[str, typer.Option("--repo-id", help="Dataset repo on the Hub, ORG/NAME.")],
    private: Annotated[bool, typer.Option("--private", help="Create the repo as private.")] = False,
    message: Annotated[str | None, typer.Option("--message", help="Commit message.")] = None,
) -> None:
    """Upload a built folder to the Hub (token from HF_TOKEN), creating the repo if needed."""
    from hub_cards.push import push_folder

    url = push_folder(folder, repo_id, private=private, commit_message=message, program="lima-x")
    typer.echo(f"pushed {folder} to https://huggingface.co/datasets/{repo_id} ({url})")


def build_app() -> typer.Typer:
    from lima_x import __version__

    app = toolkit_app(
        "lima-x",
        "Build parallel multilingual instruction datasets (Lima-X, Bactrian-X) as Hub repos.",
        __version__,
    )

    build = typer.Typer(
        help="Build a Hub repo folder (parquet configs + card) from the sources.",
        no_args_is_help=True,
    )
    build.command("lima")(build_lima_command)
    build.command("bactrian-x")(build_bactrian_x_command)
    app.add_typer(build, name="build")
    app.command("inspect")(inspect_command)
    app.command("push")(push_command)
    from lima_x import cli_curate

    cli_curate.register(app)
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
