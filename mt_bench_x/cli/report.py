"""``mt-bench-x report``: tables, figures and ``report.html`` from judgment files."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from mt_bench_x.formats.errors import MTBenchXError
from polyglot_instruct.languages import parse_languages


class ScoringChoice(str, enum.Enum):
    fastchat = "fastchat"
    paper = "paper"


class FormulaChoice(str, enum.Enum):
    points = "points"
    scale_percent = "scale_percent"
    relative_mean_of_ratios = "relative_mean_of_ratios"
    relative_ratio_of_means = "relative_ratio_of_means"


def _runs(text: str | None) -> list[int] | None:
    if text is None or text.strip().lower() == "all":
        return None
    try:
        runs = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise typer.BadParameter(f"--runs {text!r}: expected a comma list such as 0,1,2") from None
    if any(run < 0 for run in runs):
        raise typer.BadParameter(f"--runs {text!r}: runs are >= 0")
    return runs


def _lang(text: str) -> str:
    """``--lang`` checked for shape only (which languages exist is the report's to say)."""
    try:
        parse_languages(text, allow_all=True, merge_repeats=True)
    except ValueError as error:
        raise typer.BadParameter(f"--lang {text!r}: {error}") from None
    return text


def report(
    data_dir: Annotated[Path, typer.Option(help="FastChat-layout folder with mt_bench_<LANG>/.")],
    out: Annotated[Path, typer.Option(help="Folder the report is written to (replaced).")],
    judge_model: Annotated[
        list[str], typer.Option(help="Judge model name (repeat for several judges).")
    ],
    lang: Annotated[
        str, typer.Option(help="Language code (DE), a comma list (DE,FR) or 'all'.")
    ] = "all",
    runs: Annotated[
        str | None, typer.Option(help="Judge runs to combine, e.g. 0,1,2 (default: all found).")
    ] = None,
    groups: Annotated[
        Path | None,
        typer.Option(help="YAML: model -> base, dataset, mixture (default: from model names)."),
    ] = None,
    scoring: Annotated[
        ScoringChoice,
        typer.Option(help="fastchat: drop unreadable verdicts; paper: count them as 0."),
    ] = ScoringChoice.fastchat,
    formula: Annotated[
        FormulaChoice, typer.Option(help="Improvement formula used in the figures.")
    ] = FormulaChoice.relative_ratio_of_means,
    resamples: Annotated[int, typer.Option(min=100, help="Bootstrap resamples.")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    answer_language: Annotated[
        bool, typer.Option(help="Identify the language of every answer (answers.csv).")
    ] = True,
    human: Annotated[
        Path | None,
        typer.Option(
            help="Human votes (FastChat's human-judgment format, from `human-eval export`): "
            "adds the agreement table (paper, Table 2) for the judge's pairwise judgments."
        ),
    ] = None,
    push: Annotated[
        str | None,
        typer.Option(help="Upload the report folder as a Hub dataset repo (token: HF_TOKEN)."),
    ] = None,
) -> None:
    """The paper's tables and figures with bootstrap intervals, position bias, pairwise shares."""
    from mt_bench_x.results.report import ReportOptions, make_report
    from mt_bench_x.results.report.improvement import FORMULAS
    from mt_bench_x.results.report.summary import summary

    token = _hub_token(push) if push else None  # before any work, not after it
    try:
        options = ReportOptions(
            data_dir=data_dir,
            judges=list(judge_model),
            langs=_lang(lang),
            runs=_runs(runs),
            groups_file=groups,
            scoring=scoring.value,
            formula=formula.value,
            resamples=resamples,
            seed=seed,
            answer_language=answer_language,
            human_file=human,
        )
    except MTBenchXError:
        raise  # a known failure: one `error:` line from the one handler
    except ValueError as error:  # an option value the options reject: a usage error
        raise typer.BadParameter(str(error)) from None
    frames, written = make_report(options, out)
    typer.echo(summary(frames), nl=False)
    typer.echo(f"improvement formula: {options.formula} = {FORMULAS[options.formula]}")
    if not frames.agreement.empty:
        typer.echo("agreement with the human votes (Table 2): agreement.csv, agreement.md")
    typer.echo(f"wrote {len(written.files)} files to {written.out} (open report.html)")
    if push and token:
        from hub_cards.push import push_folder

        url = push_folder(written.out, push, program="mt-bench-x report")
        typer.echo(f"pushed {written.out} to https://huggingface.co/datasets/{push} ({url})")


def _hub_token(repo_id: str) -> str:
    import os

    from huggingface_hub import get_token

    token = os.environ.get("HF_TOKEN") or get_token()
    if not token:
        raise MTBenchXError(
            f"--push {repo_id}: no Hugging Face token; set HF_TOKEN to a token with write "
            "access to it (https://huggingface.co/settings/tokens), or log in with `hf auth login`"
        )
    return token


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``mt-bench-x`` app."""
    app.command("report")(report)
