"""``lima-x curate-validation``: StackExchange dumps → validation candidates and a drop report.

lima-x curate-validation --input dumps/ --against lima/train.jsonl --out curation/
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from lima_x.errors import CurationError


def read_phrase_file(path: Path) -> tuple[str, ...]:
    """Phrases from a JSON file (a list, or an object with ``phrases``) or a text file (a line
    each; ``#`` starts a comment)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CurationError(f"{path}: cannot read the phrase file: {exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CurationError(f"{path}: expected JSON, found an error: {exc}") from exc
        phrases = data.get("phrases") if isinstance(data, dict) else data
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise CurationError(f"{path}: expected a list of strings (or {{'phrases': [...]}})")
        return tuple(phrases)
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


def curate_validation_command(
    inputs: Annotated[
        list[Path],
        typer.Option(
            "--input",
            help="StackExchange dumps: a Posts.xml, a site folder, a .7z archive, a JSONL file of "
            "QA pairs, or a folder of those (repeatable).",
        ),
    ],
    against: Annotated[
        str,
        typer.Option(
            "--against",
            help="LIMA train.jsonl (file, hf://datasets/… or GAIR/lima): "
            "candidates must not nearly duplicate its rows.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Output folder: candidates.jsonl, drop_report.json, drop_report.md."
        ),
    ],
    lang: Annotated[str, typer.Option("--lang", help="Language of question and answer.")] = "EN",
    min_answer_score: Annotated[
        int, typer.Option("--min-answer-score", help="Answers below this score are not paired.")
    ] = 3,
    min_question_score: Annotated[
        int | None,
        typer.Option("--min-question-score", help="Questions below this score are dropped."),
    ] = None,
    phrases_file: Annotated[
        Path | None,
        typer.Option(
            "--phrases",
            help="Phrase list replacing the default: JSON list, or text with one phrase a line.",
        ),
    ] = None,
    phrase_fields: Annotated[
        str, typer.Option("--phrase-fields", help="Texts searched for phrases: answer,question.")
    ] = "answer",
    min_length: Annotated[
        int, typer.Option("--min-length", help="A pair needs more than this (paper: 1200 words).")
    ] = 1200,
    max_length: Annotated[
        int, typer.Option("--max-length", help="A pair may have at most this (paper: 4096 words).")
    ] = 4096,
    length_unit: Annotated[str, typer.Option("--length-unit", help="words | characters")] = "words",
    length_target: Annotated[
        str, typer.Option("--length-target", help="What is measured: pair | question | answer.")
    ] = "pair",
    dedup_threshold: Annotated[
        float,
        typer.Option("--dedup-threshold", help="Estimated Jaccard similarity of a near-duplicate."),
    ] = 0.5,
    shingle_words: Annotated[int, typer.Option("--shingle-words", help="Words per shingle.")] = 5,
    num_perm: Annotated[int, typer.Option("--num-perm", help="MinHash permutations.")] = 128,
    max_examples: Annotated[
        int, typer.Option("--max-examples", help="Examples per drop reason in the report.")
    ] = 5,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out when it exists (atomically).")
    ] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = True,
) -> None:
    """Pair StackExchange questions with answers, filter them as the paper's Appendix B and
    write candidates for a hand-curated validation set (`lima-x build lima --validation`)."""
    from lima_x.curation.config import CurationConfig, default_phrases
    from lima_x.curation.run import CANDIDATES_FILE, REPORT_MD, curate_validation
    from lima_x.readers import resolve_file

    config = CurationConfig(
        lang=lang,
        min_answer_score=min_answer_score,
        min_question_score=min_question_score,
        phrases=read_phrase_file(phrases_file) if phrases_file else default_phrases(),
        phrase_fields=tuple(f.strip() for f in phrase_fields.split(",") if f.strip()),
        min_length=min_length,
        max_length=max_length,
        length_unit=length_unit,
        length_target=length_target,
        dedup_threshold=dedup_threshold,
        shingle_words=shingle_words,
        num_perm=num_perm,
        max_examples=max_examples,
    )
    lima_train = resolve_file(against, default_filename="train.jsonl")
    result = curate_validation(
        inputs, lima_train, out, config, overwrite=overwrite, progress=progress
    )
    typer.echo(
        f"{result.questions} questions → {result.candidates} candidates in "
        f"{result.out / CANDIDATES_FILE} (why the others went: {result.out / REPORT_MD})"
    )


def register(app: typer.Typer) -> None:
    """Add ``curate-validation`` to the ``lima-x`` app."""
    app.command("curate-validation")(curate_validation_command)
