"""One curation run: dumps → pipeline → candidates file and drop report, written atomically.

The output folder holds ``candidates.jsonl`` (``lima-x build lima --validation`` reads it as
is, after the manual curation), ``drop_report.json`` and ``drop_report.md``.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hub_cards.folder import repo_folder
from lima_x.curation.config import CurationConfig
from lima_x.curation.dedup import NearDuplicateOfReference, NearDuplicateWithinSet
from lima_x.curation.filters import HtmlToText, LengthFilter, PhraseFilter, SameLanguage
from lima_x.curation.records import QAPair
from lima_x.curation.stackexchange import (
    LOW_QUESTION,
    MALFORMED,
    NO_ANSWER,
    PAIRING_REASONS,
    DumpSource,
    attach_authors,
    find_sources,
    read_pairs,
)
from lima_x.pipeline import RunStats, Step, stream_pipeline
from lima_x.readers import read_lima

logger = logging.getLogger(__name__)

CANDIDATES_FILE = "candidates.jsonl"
REPORT_JSON = "drop_report.json"
REPORT_MD = "drop_report.md"


@dataclass
class CurationResult:
    out: Path
    questions: int
    candidates: int
    report: dict[str, Any]


def curation_steps(
    reference: Iterable[tuple[str, str]], config: CurationConfig
) -> list[Step[QAPair]]:
    """The paper's order: HTML → phrases → length → language → near-duplicates."""
    return [
        HtmlToText(),
        PhraseFilter(config),
        LengthFilter(config),
        SameLanguage(config),
        NearDuplicateOfReference(reference, config),
        NearDuplicateWithinSet(config),
    ]


def lima_reference(path: Path, lang: str) -> list[tuple[str, str]]:
    """``(row id, all turns)`` of every LIMA train row: what candidates must not duplicate."""
    return [(s.source_id, s.text()) for s in read_lima(path, split="train", lang=lang)]


def curate_validation(
    inputs: list[Path],
    against: Path,
    out: Path,
    config: CurationConfig | None = None,
    *,
    overwrite: bool = False,
    progress: bool = False,
) -> CurationResult:
    """Run the curation over ``inputs`` and write the candidates and drop report to ``out``."""
    config = config or CurationConfig()
    sources = [source for path in inputs for source in find_sources(path)]
    steps = curation_steps(lima_reference(against, config.lang), config)
    stats = RunStats(max_examples=config.max_examples)
    with repo_folder(out, overwrite=overwrite, writer="lima-x curate-validation") as folder:
        with tempfile.TemporaryDirectory(prefix=".curation-work-", dir=folder.parent) as work:
            workdir = Path(work)
            pairs = read_pairs(sources, config, stats, workdir, progress=progress)
            kept = list(stream_pipeline(steps, _with_progress(pairs, progress), stats))
            attach_authors(kept, sources, workdir)
        report = drop_report(stats, steps, config, sources, against, len(kept))
        _write_jsonl(folder / CANDIDATES_FILE, (pair.to_candidate() for pair in kept))
        (folder / REPORT_JSON).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (folder / REPORT_MD).write_text(render_report(report), encoding="utf-8")
    return CurationResult(Path(out), report["questions"], len(kept), report)


def _with_progress(pairs: Iterator[QAPair], progress: bool) -> Iterator[QAPair]:
    if not progress:
        return pairs
    from tqdm import tqdm

    return iter(tqdm(pairs, desc="pairs", unit=" pairs"))


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- the drop report


def _example(item: object) -> dict[str, Any]:
    if isinstance(item, QAPair):
        return {
            "id": item.id,
            "link": item.question_link,
            "title": item.title,
            "detail": item.drop_detail,
        }
    return {"detail": str(item)}


def drop_report(
    stats: RunStats,
    steps: list[Step[QAPair]],
    config: CurationConfig,
    sources: list[DumpSource],
    against: Path,
    kept: int,
) -> dict[str, Any]:
    """Counts per step and reason, with examples, from the run's statistics."""

    def reasons(names: tuple[str, ...]) -> dict[str, Any]:
        return {
            name: {
                "count": stats.dropped[name],
                "examples": [_example(x) for x in stats.examples.get(name, [])],
            }
            for name in names
        }

    questions = stats.seen
    flowing = questions - stats.dropped[LOW_QUESTION] - stats.dropped[NO_ANSWER]
    report_steps: list[dict[str, Any]] = [
        {"step": "pairing", "in": questions, "out": flowing, "reasons": reasons(PAIRING_REASONS)}
    ]
    for step in steps:
        names: tuple[str, ...] = getattr(step, "reasons", ())
        dropped = sum(stats.dropped[name] for name in names)
        report_steps.append(
            {"step": step.name, "in": flowing, "out": flowing - dropped, "reasons": reasons(names)}
        )
        flowing -= dropped
    settings = asdict(config)
    settings["phrases"] = list(config.phrases)
    return {
        "inputs": [{"path": str(s.path), "kind": s.kind, "site": s.site} for s in sources],
        "against": str(against),
        "settings": settings,
        "questions": questions,
        "malformed_rows": stats.dropped[MALFORMED],
        "candidates": kept,
        "steps": report_steps,
    }


def render_report(report: dict[str, Any]) -> str:
    """The drop report as Markdown: one table of counts, then examples per reason."""
    lines = [
        "# Validation-set curation: drop report",
        "",
        f"{report['questions']} questions from {len(report['inputs'])} dumps, "
        f"{report['malformed_rows']} malformed rows skipped, "
        f"{report['candidates']} candidates for manual curation.",
        "",
        "| step | in | dropped | out |",
        "|---|---:|---|---:|",
    ]
    for step in report["steps"]:
        dropped = ", ".join(f"{name} {r['count']}" for name, r in step["reasons"].items())
        lines.append(f"| {step['step']} | {step['in']} | {dropped} | {step['out']} |")
    lines += ["", "## Examples", ""]
    for step in report["steps"]:
        for name, found in step["reasons"].items():
            if not found["examples"]:
                continue
            lines.append(f"### {step['step']}: {name} ({found['count']})")
            lines.append("")
            for example in found["examples"]:
                head = " ".join(str(example[k]) for k in ("id", "link") if example.get(k))
                lines.append(f"- {head}: {example['detail']}" if head else f"- {example['detail']}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
