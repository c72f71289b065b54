"""``mt-bench-x show``: judgment files -> scores, win rates, failure counts.

Reads ``model_judgment/<judge>_single[_run<K>].jsonl`` or ``..._pair...`` per language.
Only current judgments count (:mod:`mt_bench_x.judge.currency`): a line whose stored prompt
hash differs from the one today's question, answers, reference and judge prompt give is
stale and skipped, and the report says how many were. A judgment key (question, models,
turn, prompt, run) with several current lines counts once, the newest winning (a rerun
appends the retry of a failed call after the failure).

Single mode, one row per model x language x category x turn, with ``category`` / ``turn``
``all`` for the averages over categories / turns (the turn average is FastChat's: the mean
of every score) and ``lang`` ``all`` for the cross-lingual average (the mean of the
per-language means, over the languages the model has). Pairwise mode, one row per model x
language x turn: wins, losses, ties and both-bad outcomes over the games in both orders.
A match is a win when both orders pick the same model, ``both_bad`` when both orders say
``[[D]]``, else a tie (FastChat's rule); the adjusted win rate counts ties and both-bad as
half a win. Judgments made with the 3-option prompts and with the ``[[D]]`` prompts are
different experiments: pairwise rows are kept apart by prompt set (column ``prompts``,
:mod:`mt_bench_x.results.prompt_sets`), so one game judged both ways is never two games.
Unparseable verdicts and API errors are counted in their own columns and never
averaged in.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from statistics import fmean
from typing import Any

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.judgments import is_api_error, iter_judgments, record_key, record_models
from mt_bench_x.formats.layout import BenchPaths, JudgmentKind
from mt_bench_x.formats.questions import load_questions, question_number
from mt_bench_x.judge.currency import current_judgments_in_file
from mt_bench_x.judge.selection import ALL_LANGUAGES, LanguageChoice, parse_languages
from mt_bench_x.results.prompt_sets import record_prompt_set

ALL = "all"
SINGLE_COLUMNS = (
    "lang",
    "model",
    "category",
    "turn",
    "score",
    "n",
    "parse_failures",
    "api_errors",
)
PAIR_COLUMNS = (
    "lang",
    "prompts",
    "model",
    "turn",
    "win",
    "loss",
    "tie",
    "both_bad",
    "win_rate",
    "loss_rate",
    "win_rate_adjusted",
    "parse_failures",
    "api_errors",
)


def latest_judgments(path: Path) -> list[dict[str, Any]]:
    """The judgment lines of a file, one per key (the last one), in file order, stale ones
    included; what ``show`` counts is
    :func:`~mt_bench_x.judge.currency.current_judgments_in_file` (current lines only)."""
    if not path.is_file():
        raise InputFileError(str(path), "no judgment file (run `mt-bench-x judge` first)")
    latest: dict[Any, dict[str, Any]] = {}
    for line, record in iter_judgments(path):
        key = record_key(record, path, line)
        latest.pop(key, None)
        latest[key] = record
    return list(latest.values())


def _categories(paths: BenchPaths) -> dict[int, str]:
    if not paths.question_file.is_file():
        return {}
    return {q.number: q.category for q in load_questions(paths.question_file)}


def _category_of(record: dict[str, Any], categories: dict[int, str]) -> str:
    try:
        return categories.get(question_number(record["question_id"]), "unknown")
    except ValueError:
        return "unknown"


def _single_rows(
    lang: str, records: Iterable[dict[str, Any]], categories: dict[int, str]
) -> list[dict[str, Any]]:
    scores: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    failures: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        model = str(record["model"])
        category = _category_of(record, categories)
        turn = str(record["turn"])
        groups = [(model, c, t) for c in (category, ALL) for t in (turn, ALL)]
        for group in groups:
            if is_api_error(record):
                failures[group][1] += 1
            elif record.get("score", -1) == -1:
                failures[group][0] += 1
            else:
                scores[group].append(float(record["score"]))
    rows = []
    for group in sorted(set(scores) | set(failures), key=_group_order):
        model, category, turn = group
        values = scores.get(group, [])
        parse_failures, api_errors = failures.get(group, [0, 0])
        rows.append(
            {
                "lang": lang,
                "model": model,
                "category": category,
                "turn": turn,
                "score": fmean(values) if values else None,
                "n": len(values),
                "parse_failures": parse_failures,
                "api_errors": api_errors,
            }
        )
    return rows


def _group_order(group: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple((value == ALL, value) for value in group)


def _cross_lingual_single(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_group: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_group[(row["model"], row["category"], row["turn"])].append(row)
    out = []
    for group in sorted(by_group, key=_group_order):
        members = by_group[group]
        means = [row["score"] for row in members if row["score"] is not None]
        out.append(
            {
                "lang": ALL,
                "model": group[0],
                "category": group[1],
                "turn": group[2],
                "score": fmean(means) if means else None,
                "n": sum(row["n"] for row in members),
                "parse_failures": sum(row["parse_failures"] for row in members),
                "api_errors": sum(row["api_errors"] for row in members),
            }
        )
    return out


def pair_outcome(record: dict[str, Any]) -> str:
    """``model_1`` / ``model_2`` (win), ``tie``, ``both_bad``, ``parse_failure``, ``api_error``."""
    if is_api_error(record):
        return "api_error"
    g1, g2 = record.get("g1_winner"), record.get("g2_winner")
    if "error" in (g1, g2):
        return "parse_failure"
    if record.get("g1_verdict") == "D" and record.get("g2_verdict") == "D":
        return "both_bad"
    if g1 == g2 and g1 in ("model_1", "model_2"):
        return str(g1)
    return "tie"


def _pair_rows(
    lang: str, records: Iterable[dict[str, Any]], models: list[str] | None, baseline: str | None
) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for record in records:
        pair = record_models(record)
        prompts = record_prompt_set(record)
        if models is not None and not set(pair) & set(models):
            continue
        if baseline is not None and baseline not in pair:
            continue
        outcome = pair_outcome(record)
        for index, model in enumerate(pair):
            for turn in (str(record["turn"]), ALL):
                bucket = counts[(prompts, model, turn)]
                if outcome in ("model_1", "model_2"):
                    bucket["win" if outcome == f"model_{index + 1}" else "loss"] += 1
                else:
                    bucket[outcome] += 1
    rows = []
    for prompts, model, turn in sorted(counts, key=_group_order):
        if model == baseline or (models is not None and model not in models):
            continue
        rows.append(_pair_row(lang, prompts, model, turn, counts[(prompts, model, turn)]))
    return rows


def _pair_row(
    lang: str, prompts: str, model: str, turn: str, bucket: dict[str, int]
) -> dict[str, Any]:
    win, loss, tie, both_bad = (bucket.get(k, 0) for k in ("win", "loss", "tie", "both_bad"))
    games = win + loss + tie + both_bad
    return {
        "lang": lang,
        "prompts": prompts,
        "model": model,
        "turn": turn,
        "win": win,
        "loss": loss,
        "tie": tie,
        "both_bad": both_bad,
        "win_rate": win / games if games else None,
        "loss_rate": loss / games if games else None,
        "win_rate_adjusted": (win + 0.5 * (tie + both_bad)) / games if games else None,
        "parse_failures": bucket.get("parse_failure", 0),
        "api_errors": bucket.get("api_error", 0),
    }


def _cross_lingual_pair(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        bucket = totals[(row["prompts"], row["model"], row["turn"])]
        for name in ("win", "loss", "tie", "both_bad"):
            bucket[name] += row[name]
        bucket["parse_failure"] += row["parse_failures"]
        bucket["api_error"] += row["api_errors"]
    return [
        _pair_row(ALL, prompts, model, turn, totals[(prompts, model, turn)])
        for prompts, model, turn in sorted(totals, key=_group_order)
    ]


def build_report(
    data_dir: Path,
    langs: list[str],
    *,
    mode: str,
    judge_model: str,
    run: int = 0,
    models: list[str] | None = None,
    baseline: str | None = None,
) -> dict[str, Any]:
    """Rows for every language and the cross-lingual rows (see the module docstring)."""
    kind: JudgmentKind = "single" if mode == "single" else "pair"
    rows: list[dict[str, Any]] = []
    files: list[str] = []
    present: set[str] = set()
    skipped: dict[str, dict[str, int]] = {}
    for lang in langs:
        paths = BenchPaths(data_dir, lang)
        path = paths.judgment_file(judge_model, kind, run)
        if not path.is_file():
            raise InputFileError(str(path), "no judgment file (run `mt-bench-x judge` first)")
        selection = current_judgments_in_file(paths, path)
        records = list(selection.records.values())
        skipped[paths.lang] = {
            "stale": selection.stale_lines,
            "stale_not_redone": len(selection.stale_keys),
            "unchecked": selection.unchecked,
        }
        files.append(str(path))
        present.update(model for record in records for model in record_models(record))
        if kind == "single":
            if models is not None:
                records = [r for r in records if r.get("model") in models]
            rows.extend(_single_rows(paths.lang, records, _categories(paths)))
        else:
            rows.extend(_pair_rows(paths.lang, records, models, baseline))
    if not rows:
        raise InputFileError(
            ", ".join(files),
            f"no judgments for {_selection(models, baseline)} (the file(s) hold "
            f"{', '.join(sorted(present)) or 'no judgment'})",
        )
    if len(langs) > 1:
        rows.extend(_cross_lingual_single(rows) if kind == "single" else _cross_lingual_pair(rows))
    return {
        "mode": mode,
        "judge_model": judge_model,
        "run": run,
        "languages": [BenchPaths(data_dir, lang).lang for lang in langs],
        "columns": list(SINGLE_COLUMNS if kind == "single" else PAIR_COLUMNS),
        "rows": rows,
        "skipped": skipped,
    }


def skipped_notes(report: dict[str, Any]) -> list[str]:
    """One line per language with stale judgments skipped or judgments that could not be
    checked against today's inputs (empty when every judgment counted was current)."""
    notes = []
    for lang, counts in report.get("skipped", {}).items():
        if counts["stale"]:
            redo = counts["stale_not_redone"]
            notes.append(
                f"{lang}: skipped {counts['stale']} stale judgment(s) (their answers, question, "
                "reference or judge prompt changed since)"
                + (f"; {redo} not judged again yet: run `mt-bench-x judge` again" if redo else "")
            )
        if counts["unchecked"]:
            notes.append(
                f"{lang}: {counts['unchecked']} judgment(s) counted without a check against "
                "today's inputs (no prompt hash, or no answer file, question or prompt for them)"
            )
    return notes


def languages_with_judgments(
    data_dir: Path, langs: list[str], *, mode: str, judge_model: str, run: int
) -> LanguageChoice:
    """The languages that have the judgment file; none left: the first language, whose
    missing file is then the error :func:`build_report` names."""
    kind: JudgmentKind = "single" if mode == "single" else "pair"
    kept = [
        code
        for code in langs
        if BenchPaths(data_dir, code).judgment_file(judge_model, kind, run).is_file()
    ]
    if not kept:
        return LanguageChoice(langs[:1], [])
    return LanguageChoice(kept, [code for code in langs if code not in kept])


def report_for(
    data_dir: Path,
    lang_spec: str,
    *,
    mode: str,
    judge_model: str,
    run: int = 0,
    models: list[str] | None = None,
    baseline: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The report for ``lang_spec`` (``DE``, ``DE,FR`` or ``all``) and the languages ``all``
    skipped for want of a judgment file."""
    langs = parse_languages(data_dir, lang_spec)
    skipped: list[str] = []
    if lang_spec.lower() == ALL_LANGUAGES:
        choice = languages_with_judgments(
            data_dir, langs, mode=mode, judge_model=judge_model, run=run
        )
        langs, skipped = choice.langs, choice.skipped
    report = build_report(
        data_dir,
        langs,
        mode=mode,
        judge_model=judge_model,
        run=run,
        models=models,
        baseline=baseline,
    )
    return report, skipped


def _selection(models: list[str] | None, baseline: str | None) -> str:
    what = f"models {', '.join(models)}" if models else "any model"
    return what + (f" against the baseline {baseline!r}" if baseline else "")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def text_table(headers: list[str], rows: list[list[Any]]) -> str:
    """Columns padded to their widest cell, a dashed rule under the header, ``-`` for None."""
    cells = [headers] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _single_tables(report: dict[str, Any]) -> str:
    rows = report["rows"]
    out = []
    summary = [r for r in rows if r["category"] == ALL]
    by_model_lang: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in summary:
        by_model_lang[(row["model"], row["lang"])][row["turn"]] = row
    table_rows = []
    for (model, lang), turns in by_model_lang.items():
        every = turns.get(ALL, {})
        table_rows.append(
            [
                model,
                lang,
                turns.get("1", {}).get("score"),
                turns.get("2", {}).get("score"),
                every.get("score"),
                every.get("n", 0),
                every.get("parse_failures", 0),
                every.get("api_errors", 0),
            ]
        )
    headers = ["model", "lang", "turn 1", "turn 2", "average", "n", "unparsed", "api errors"]
    out.append("Scores per model and language (lang 'all' = cross-lingual average)\n")
    out.append(text_table(headers, table_rows))
    categories = sorted({r["category"] for r in rows if r["category"] != ALL})
    detail_rows = []
    for (model, lang), _ in by_model_lang.items():
        for turn in ("1", "2"):
            cells = {
                r["category"]: r["score"]
                for r in rows
                if r["model"] == model and r["lang"] == lang and r["turn"] == turn
            }
            detail_rows.append([model, lang, turn, *(cells.get(c) for c in categories)])
    out.append("\nScores per category and turn\n")
    out.append(text_table(["model", "lang", "turn", *categories], detail_rows))
    return "".join(out)


def _pair_tables(report: dict[str, Any]) -> str:
    columns = report["columns"]
    rows = [[row[c] for c in columns] for row in report["rows"]]
    title = (
        "Pairwise outcomes per model, language, prompt set and turn "
        "(lang 'all' = all languages; 3-option and [[D]] prompts kept apart)\n"
    )
    return title + text_table(list(columns), rows)


def render_data(report: dict[str, Any], output_format: str) -> str | None:
    """``json`` (the whole report) or ``csv`` (its ``rows`` under its ``columns``); None for
    ``table``, which each report lays out itself."""
    if output_format == "json":
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=report["columns"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(report["rows"])
        return buffer.getvalue()
    return None


def render(report: dict[str, Any], output_format: str) -> str:
    """The report as ``table`` (text), ``json`` or ``csv`` (long format, one row per group)."""
    data = render_data(report, output_format)
    if data is not None:
        return data
    header = (
        f"mode {report['mode']}, judge {report['judge_model']}, run {report['run']}, "
        f"languages {', '.join(report['languages'])}\n\n"
    )
    body = _single_tables(report) if report["mode"] == "single" else _pair_tables(report)
    return header + body
