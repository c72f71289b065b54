"""``mt-bench-x show`` with several ``--judge-model``: a judge panel.

Each judge's scores come from its own judgment files, summarised as for one judge
(:mod:`mt_bench_x.results.show`). The panel table has one row per model x language (and the
cross-lingual ``all``): each judge's score (single: the mean score over every category and
turn; pairwise: the adjusted win rate), and ``panel_mean``, the mean over the judges that
scored it.

Agreement, for every pair of judges, over the judgments both made (same question, models,
turn, language; the current line per key, API errors and unparseable verdicts left out):

* single: ``n``, Pearson's r of the two judges' scores, the share of exactly equal scores
  and the mean absolute difference;
* pairwise: ``n`` and the share of matches with the same outcome (win, loss, tie or
  both bad, FastChat's rule per match).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from statistics import StatisticsError, correlation, fmean
from typing import Any

from mt_bench_x.formats.judgments import is_api_error, record_models
from mt_bench_x.formats.layout import BenchPaths, JudgmentKind
from mt_bench_x.results.show import (
    ALL,
    latest_judgments,
    pair_outcome,
    render_data,
    report_for,
    text_table,
)


def _judge_scores(report: dict[str, Any], kind: JudgmentKind) -> dict[tuple[str, str], float]:
    """(model, lang) -> the judge's summary score."""
    scores: dict[tuple[str, str], float] = {}
    for row in report["rows"]:
        if kind == "single":
            if row["category"] == ALL and row["turn"] == ALL and row["score"] is not None:
                scores[(row["model"], row["lang"])] = float(row["score"])
        elif row["turn"] == ALL and row.get("win_rate_adjusted") is not None:
            scores[(row["model"], row["lang"])] = float(row["win_rate_adjusted"])
    return scores


def _verdicts(
    data_dir: Path, langs: list[str], judge: str, kind: JudgmentKind, run: int
) -> dict[tuple[Any, ...], Any]:
    """(lang, question, models, turn) -> score (single) or outcome (pairwise)."""
    verdicts: dict[tuple[Any, ...], Any] = {}
    for lang in langs:
        path = BenchPaths(data_dir, lang).judgment_file(judge, kind, run)
        if not path.is_file():
            continue
        for record in latest_judgments(path):
            key = (lang, str(record["question_id"]), record_models(record), int(record["turn"]))
            if is_api_error(record):
                continue
            if kind == "single":
                if record.get("score", -1) != -1:
                    verdicts[key] = float(record["score"])
            else:
                outcome = pair_outcome(record)
                if outcome not in ("parse_failure", "api_error"):
                    verdicts[key] = outcome
    return verdicts


def _agreement(
    a: str, b: str, first: dict[tuple[Any, ...], Any], second: dict[tuple[Any, ...], Any], kind: str
) -> dict[str, Any]:
    common = sorted(set(first) & set(second), key=str)
    row: dict[str, Any] = {"judge_a": a, "judge_b": b, "n": len(common)}
    if kind == "single":
        xs = [first[key] for key in common]
        ys = [second[key] for key in common]
        try:
            pearson: float | None = correlation(xs, ys) if len(common) >= 2 else None
        except StatisticsError:  # a judge that gave one score only
            pearson = None
        row["pearson_r"] = pearson
        row["exact_agreement"] = (
            sum(x == y for x, y in zip(xs, ys, strict=True)) / len(common) if common else None
        )
        row["mean_abs_diff"] = (
            fmean(abs(x - y) for x, y in zip(xs, ys, strict=True)) if common else None
        )
    else:
        row["outcome_agreement"] = (
            sum(first[key] == second[key] for key in common) / len(common) if common else None
        )
    return row


def panel_report(
    data_dir: Path,
    lang_spec: str,
    *,
    mode: str,
    judges: list[str],
    run: int = 0,
    models: list[str] | None = None,
    baseline: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The panel report and the languages ``all`` skipped (see the module docstring)."""
    kind: JudgmentKind = "single" if mode == "single" else "pair"
    per_judge: dict[str, dict[tuple[str, str], float]] = {}
    languages: list[str] = []
    skipped: set[str] = set()
    for judge in judges:
        report, left_out = report_for(
            data_dir, lang_spec, mode=mode, judge_model=judge, run=run, models=models,
            baseline=baseline,
        )  # fmt: skip
        per_judge[judge] = _judge_scores(report, kind)
        languages.extend(lang for lang in report["languages"] if lang not in languages)
        skipped.update(left_out)
    groups = sorted(
        {group for scores in per_judge.values() for group in scores},
        key=lambda group: (group[1] == ALL, group[1], group[0]),
    )
    rows = []
    for model, lang in groups:
        row: dict[str, Any] = {"lang": lang, "model": model}
        values = []
        for judge in judges:
            value = per_judge[judge].get((model, lang))
            row[judge] = value
            if value is not None:
                values.append(value)
        row["panel_mean"] = fmean(values) if values else None
        rows.append(row)
    verdicts = {judge: _verdicts(data_dir, languages, judge, kind, run) for judge in judges}
    agreement = [
        _agreement(a, b, verdicts[a], verdicts[b], kind)
        for a, b in itertools.combinations(judges, 2)
    ]
    report = {
        "mode": mode,
        "judges": judges,
        "run": run,
        "languages": languages,
        "score": "mean score" if kind == "single" else "adjusted win rate",
        "columns": ["lang", "model", *judges, "panel_mean"],
        "rows": rows,
        "agreement": agreement,
    }
    return report, sorted(skipped - set(languages))


def render_panel(report: dict[str, Any], output_format: str) -> str:
    """``table``, ``json`` or ``csv`` (the score rows; agreement is in table and json)."""
    data = render_data(report, output_format)
    if data is not None:
        return data
    columns = report["columns"]
    out = [
        f"mode {report['mode']}, judge panel {', '.join(report['judges'])}, run "
        f"{report['run']}, languages {', '.join(report['languages'])}\n\n",
        f"{report['score'].capitalize()} per judge and the panel mean "
        "(lang 'all' = cross-lingual)\n",
        text_table(columns, [[row[c] for c in columns] for row in report["rows"]]),
        "\nAgreement between judges (judgments both made)\n",
    ]
    if report["agreement"]:
        agreement_columns = list(report["agreement"][0])
        out.append(
            text_table(
                agreement_columns,
                [[row[c] for c in agreement_columns] for row in report["agreement"]],
            )
        )
    return "".join(out)
