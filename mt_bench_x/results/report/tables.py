"""Tables 9-11 as frames, and the renderers for every table: Markdown, LaTeX, HTML.

A paper table is one language: rows are models (sorted by base model, dataset, mixture), the
columns the categories in the paper's order and their average, each cell the score over both
turns; a ``<dataset> avg.`` row follows each (base model, dataset) group of two or more models.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from mt_bench_x.results.report.groups import ModelGroup

ALL = "all"
PAPER_CATEGORY_ORDER = [
    "writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities",
]  # fmt: skip
AVERAGE = "avg"


def paper_table(
    scores: pd.DataFrame, judge: str, lang: str, groups: dict[str, ModelGroup]
) -> pd.DataFrame:
    """Model x category (turn ``all``) for one judge and language, with group averages."""
    cell = scores[(scores["judge"] == judge) & (scores["lang"] == lang) & (scores["turn"] == ALL)]
    wide = cell.pivot_table(index="model", columns="category", values="score", aggfunc="first")
    categories = [c for c in PAPER_CATEGORY_ORDER if c in wide.columns]
    categories += sorted(c for c in wide.columns if c not in categories and c != ALL)
    wide = wide.reindex(columns=[*categories, ALL]).rename(columns={ALL: AVERAGE})

    def sort_key(model: str) -> tuple[str, str, str, str]:
        g = groups.get(model)
        return (g.base, g.dataset, g.mixture, model) if g else ("~", "~", "~", model)

    ordered = sorted(wide.index, key=sort_key)
    parts = []
    for (base, dataset), members in _runs_of(ordered, groups):
        parts.append(wide.loc[members])
        if dataset is not None and len(members) > 1:
            label = f"{dataset} avg." if base in (None, "-") else f"{base} {dataset} avg."
            parts.append(wide.loc[members].mean().to_frame(label).T)
    table = pd.concat(parts) if parts else wide
    table.index.name = "model"
    return table


def _runs_of(
    models: list[str], groups: dict[str, ModelGroup]
) -> list[tuple[tuple[str | None, str | None], list[str]]]:
    runs: list[tuple[tuple[str | None, str | None], list[str]]] = []
    for model in models:
        g = groups.get(model)
        key = (g.base, g.dataset) if g else (None, None)
        if runs and runs[-1][0] == key:
            runs[-1][1].append(model)
        else:
            runs.append((key, [model]))
    return runs


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _cells(frame: pd.DataFrame, index: bool) -> tuple[list[str], list[list[str]]]:
    headers = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    rows = [
        ([str(label)] if index else []) + [_fmt(v) for v in values]
        for label, values in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    return headers, rows


def to_markdown(frame: pd.DataFrame, *, index: bool = False) -> str:
    headers, rows = _cells(frame, index)
    escape = [[cell.replace("|", "\\|") for cell in row] for row in [headers, *rows]]
    lines = ["| " + " | ".join(row) + " |" for row in escape]
    lines.insert(1, "|" + "|".join("---" for _ in headers) + "|")
    return "\n".join(lines) + "\n"


def _latex_escape(text: str) -> str:
    for char, repl in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"),
                       ("#", r"\#"), ("$", r"\$"), ("{", r"\{"), ("}", r"\}")):  # fmt: skip
        text = text.replace(char, repl)
    return text


def to_latex(frame: pd.DataFrame, *, index: bool = False, caption: str = "") -> str:
    headers, rows = _cells(frame, index)
    spec = "l" + "r" * (len(headers) - 1)
    lines = [r"\begin{table}[ht]", r"\centering", rf"\begin{{tabular}}{{{spec}}}", r"\toprule"]
    lines.append(" & ".join(_latex_escape(h) for h in headers) + r" \\")
    lines.append(r"\midrule")
    lines += [" & ".join(_latex_escape(c) for c in row) + r" \\" for row in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    if caption:
        lines.append(rf"\caption{{{_latex_escape(caption)}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def to_html(frame: pd.DataFrame, *, index: bool = False) -> str:
    headers, rows = _cells(frame, index)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
