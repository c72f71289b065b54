"""``mt-bench-x human-eval {serve,add-annotator,export,progress}`` and ``mt-bench-x agreement``
(registered by :mod:`mt_bench_x.cli`)."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the human-eval modules load only when a command runs
    from mt_bench_x.human_eval.store import VoteStore

DB_OPTION = typer.Option("--db", help="The votes file (SQLite; created on first use).")


class RoleChoice(str, enum.Enum):
    annotator = "annotator"
    reviewer = "reviewer"


class InconsistentChoice(str, enum.Enum):
    missing = "missing"
    tie = "tie"


class OutputChoice(str, enum.Enum):
    table = "table"
    json = "json"


def _store(db: Path) -> VoteStore:
    from mt_bench_x.human_eval.store import VoteStore

    return VoteStore(db)


def serve(
    data_dir: Annotated[Path, typer.Option(help="FastChat-layout data folder.")],
    lang: Annotated[str, typer.Option(help="Evaluation language (interface and questions).")],
    models: Annotated[
        tuple[str, str], typer.Option(help="The two model ids compared (answer file stems).")
    ],
    db: Annotated[Path, DB_OPTION],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    k: Annotated[int, typer.Option(help="Annotators per question × turn.", min=1)] = 3,
    seed: Annotated[str, typer.Option(help="Seed of the per-annotator question order.")] = (
        "mt-bench-x"
    ),
    reference_set: Annotated[
        str, typer.Option(help="Reference answers: reference_answer/<set>.jsonl.")
    ] = "gpt-4",
) -> None:
    """Serve the voting app (and the reviewers' answer browser) for one language and model pair."""
    from mt_bench_x.human_eval.app import AppConfig
    from mt_bench_x.human_eval.app import serve as serve_app
    from mt_bench_x.human_eval.store import Study
    from mt_bench_x.human_eval.strings import interface_strings
    from mt_bench_x.human_eval.study_data import load_study_data

    study = Study.of(lang, models)
    interface_strings(study.lang)
    data = load_study_data(data_dir, study, reference_set=reference_set)
    typer.echo(
        f"{study.lang}: {len(data.questions)} questions answered by both models, "
        f"{k} annotators per question × turn; votes in {db}"
    )
    serve_app(AppConfig(_store(db), data, data_dir, k=k, seed=seed), host, port)


def add_annotator(
    name: Annotated[str, typer.Argument(help="The annotator's name (stays in the votes file).")],
    db: Annotated[Path, DB_OPTION],
    base_url: Annotated[str, typer.Option(help="Where the app is reached.")] = (
        "http://127.0.0.1:8000"
    ),
    role: Annotated[
        RoleChoice, typer.Option(help="annotator: votes; reviewer: the answer browser.")
    ] = RoleChoice.annotator,
) -> None:
    """Add an annotator and print their personal link (it holds a secret token, shown once)."""
    token = _store(db).add_annotator(name, role.value)
    path = "vote" if role is RoleChoice.annotator else "browse"
    typer.echo(f"{base_url.rstrip('/')}/{path}/{token}")


def export(
    db: Annotated[Path, DB_OPTION],
    out: Annotated[Path, typer.Option(help="Human-judgment file to write.")],
    jsonl: Annotated[bool, typer.Option(help="JSON Lines instead of a JSON array.")] = False,
) -> None:
    """Write the votes in FastChat's human-judgment format (skips left out)."""
    from mt_bench_x.human_eval.export import export_records, write_human_judgments

    records = export_records(_store(db))
    write_human_judgments(records, out, lines=jsonl)
    typer.echo(f"{len(records)} votes written to {out}")


def progress(db: Annotated[Path, DB_OPTION]) -> None:
    """Votes, skips and finished questions per annotator and language."""
    rows = _store(db).progress()
    typer.echo(f"{'annotator':<24} {'lang':<6} {'votes':>6} {'skips':>6} {'questions':>9}")
    for row in rows:
        typer.echo(
            f"{row.annotator:<24} {row.lang or '-':<6} {row.votes:>6} {row.skips:>6} "
            f"{row.questions_done:>9}"
        )


def agreement(
    human: Annotated[Path, typer.Option(help="Human votes (FastChat's human-judgment format).")],
    judge: Annotated[
        list[Path],
        typer.Option(help="Pairwise judgment file; repeat for later runs that fill gaps."),
    ],
    questions: Annotated[
        Path | None, typer.Option(help="question.jsonl, for human votes without a category.")
    ] = None,
    raters: Annotated[int, typer.Option(help="Votes per item for Fleiss' kappa.", min=2)] = 3,
    inconsistent: Annotated[
        InconsistentChoice,
        typer.Option(help="A judgment whose two orders disagree: no verdict, or a tie."),
    ] = InconsistentChoice.missing,
    both_bad_separate: Annotated[
        bool, typer.Option(help="Count both-bad apart from tie (FastChat counts it as a tie).")
    ] = False,
    output: Annotated[OutputChoice, typer.Option("--format", help="Output format.")] = (
        OutputChoice.table
    ),
) -> None:
    """Agreement human–judge and human–human per turn and category (the paper's Table 2), with
    and without ties, the human-majority upper bound, and Fleiss' kappa."""
    from mt_bench_x.formats.questions import load_questions
    from mt_bench_x.results.agreement import (
        agreement_table,
        kappa_by_turn,
        render_kappa,
        render_table,
    )
    from mt_bench_x.results.vote_files import read_human_votes, read_judge_votes

    categories = {q.number: q.category for q in load_questions(questions)} if questions else None
    human_votes = read_human_votes(human, categories)
    judge_votes = read_judge_votes(judge, inconsistent=inconsistent.value)
    same_as_tie = not both_bad_separate
    tables = {
        label: agreement_table(
            human_votes, judge_votes, with_ties=with_ties, both_bad_is_tie=same_as_tie
        )
        for label, with_ties in (("with ties", True), ("without ties", False))
    }
    kappas = kappa_by_turn(human_votes, raters=raters, both_bad_is_tie=same_as_tie)
    if output is OutputChoice.json:
        payload = {
            "tables": {
                label: [
                    {**asdict(row), "judge_ratio": row.judge.ratio, "human_ratio": row.human.ratio}
                    for row in rows
                ]
                for label, rows in tables.items()
            },
            "fleiss_kappa": {str(turn): asdict(result) for turn, result in kappas.items()},
        }
        typer.echo(json.dumps(payload, indent=1))
        return
    typer.echo(
        f"{len(human_votes)} human votes, {len(judge_votes)} judge verdicts "
        "(percentages; judge (upper bound from the human majority); n = comparisons)"
    )
    for label, rows in tables.items():
        typer.echo(f"\nAgreement {label}\n")
        typer.echo(render_table(rows))
    typer.echo("\n" + render_kappa(kappas))


def register(app: typer.Typer) -> None:
    """Add ``human-eval`` (a group) and ``agreement`` to the ``mt-bench-x`` app."""
    group = typer.Typer(
        name="human-eval",
        help="The human evaluation app: serve it, add annotators, export votes, show progress.",
        no_args_is_help=True,
    )
    group.command("serve")(serve)
    group.command("add-annotator")(add_annotator)
    group.command("export")(export)
    group.command("progress")(progress)
    app.add_typer(group)
    app.command("agreement")(agreement)
