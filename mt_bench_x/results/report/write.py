"""Render the report frames: CSVs, Tables 9-11 (Markdown, LaTeX), PNGs and ``report.html``.

Everything is written to a temporary folder next to ``out`` and moved into place at the end,
so a failed report leaves the previous one (or nothing), never half a report.
"""

from __future__ import annotations

import base64
import html
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.results.report import plots
from mt_bench_x.results.report.agreement import agreement_table_frame
from mt_bench_x.results.report.build import ReportFrames
from mt_bench_x.results.report.improvement import FORMULAS
from mt_bench_x.results.report.tables import paper_table, to_html, to_latex, to_markdown

ALL = "all"


@dataclass
class WrittenReport:
    out: Path
    files: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)  # file name -> caption


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, float_format="%.4f")


def write_csvs(frames: ReportFrames, folder: Path, written: WrittenReport) -> None:
    tables = {
        "scores.csv": frames.scores.table,
        "differences.csv": frames.differences,
        "improvement.csv": frames.improvement,
        "position_bias.csv": frames.position_bias,
        "pairwise.csv": frames.pairwise,
        "ranking.csv": frames.ranking,
        "answers.csv": frames.answers,
        "length_bias.csv": frames.length_bias,
        "judgment_files.csv": frames.skipped,
        "agreement.csv": frames.agreement,
    }
    for name, frame in tables.items():
        if name in ("answers.csv", "agreement.csv") and frame.empty:
            continue
        _csv(frame, folder / name)
        written.files.append(name)


def paper_tables(frames: ReportFrames) -> dict[tuple[str, str], pd.DataFrame]:
    """Tables 9-11: one per judge and language."""
    table = frames.scores.table
    return {
        (judge, lang): paper_table(table, judge, lang, frames.groups)
        for judge in sorted(table["judge"].unique())
        for lang in [*frames.languages, ALL]
        if ((table["judge"] == judge) & (table["lang"] == lang)).any()
    }


CSV_DESCRIPTIONS = {
    "scores": "score, n, failed, 95% interval, runs and run spread per model x language x "
    "category x turn",
    "differences": "model differences with paired bootstrap intervals and run-to-run noise",
    "improvement": "mixture over monolingual runs under every formula",
    "position_bias": "position bias per language and category, before and after mitigation",
    "pairwise": "pairwise outcome shares per pair and category",
    "ranking": "Bradley-Terry strengths with intervals",
    "answers": "share of answers not in the question's language, mean answer length",
    "length_bias": "share of decisive matches won by the longer answer",
    "judgment_files": "judgment lines counted, stale lines skipped, lines not checked",
    "agreement": "agreement human-judge (with the human-majority upper bound) and human-human "
    "per turn and category, with and without ties; Fleiss' kappa per turn",
}


def render_card(frames: ReportFrames, csv_files: list[str]) -> str:
    """The report folder's ``README.md``: a dataset card whose configs are the CSVs."""
    from importlib.resources import files
    from string import Template

    options = frames.options
    names = [name.removesuffix(".csv") for name in csv_files]
    configs = "\n".join(
        f"- config_name: {name}\n  data_files:\n  - split: train\n    path: {name}.csv"
        + ("\n  default: true" if name == "scores" else "")
        for name in names
    )
    template = Template((files("hub_cards") / "mt_bench_x_report.md").read_text(encoding="utf-8"))
    return template.substitute(
        configs=configs,
        judges=", ".join(f"`{judge}`" for judge in options.judges),
        languages=", ".join(frames.languages),
        scoring=options.scoring,
        formula=options.formula,
        formula_text=FORMULAS[options.formula],
        resamples=options.resamples,
        seed=options.seed,
        config_list="\n".join(f"- `{n}`: {CSV_DESCRIPTIONS.get(n, n)}" for n in names),
    )


def write_tables(frames: ReportFrames, folder: Path, written: WrittenReport) -> None:
    md, tex = [], []
    for (judge, lang), table in paper_tables(frames).items():
        title = f"MT-Bench-{lang if lang != ALL else 'X (mean over languages)'}, judge {judge}"
        md.append(f"## {title}\n\n{to_markdown(table, index=True)}")
        tex.append(to_latex(table, index=True, caption=f"Single-answer scores, {title}."))
    (folder / "tables.md").write_text("\n".join(md), encoding="utf-8")
    (folder / "tables.tex").write_text("\n".join(tex), encoding="utf-8")
    written.files += ["tables.md", "tables.tex"]
    if not frames.agreement.empty:
        write_agreement_tables(frames, folder, written)


def agreement_tables(frames: ReportFrames) -> dict[tuple[str, str], pd.DataFrame]:
    """Table 2: one per judge and pairwise prompt set."""
    pairs = frames.agreement[["judge", "prompts"]].drop_duplicates()
    return {
        (str(judge), str(prompts)): agreement_table_frame(frames.agreement, judge, prompts)
        for judge, prompts in pairs.itertuples(index=False)
    }


def kappa_text(frames: ReportFrames) -> str:
    """Fleiss' kappa among the humans, one sentence per turn."""
    rows = frames.agreement[(frames.agreement["group"] == ALL)]
    rows = rows.drop_duplicates("turn").sort_values("turn")
    parts = []
    for row in rows.itertuples(index=False):
        if pd.isna(row.fleiss_kappa):
            parts.append(f"turn {row.turn}: Fleiss' kappa undefined ({row.kappa_items} items)")
        else:
            parts.append(
                f"turn {row.turn}: Fleiss' kappa {row.fleiss_kappa:.2f} "
                f"(p-value {row.kappa_p_value:.1e}, {row.kappa_items} items, "
                f"{row.kappa_raters} raters each)"
            )
    return "; ".join(parts)


AGREEMENT_NOTE = (
    "Percent agreement; judge: with every human vote, upper: a judge that always gave the "
    "human majority, human: between every two human votes on an item."
)


def write_agreement_tables(frames: ReportFrames, folder: Path, written: WrittenReport) -> None:
    md, tex = [], []
    for (judge, prompts), table in agreement_tables(frames).items():
        title = f"Agreement with human votes, judge {judge}, {prompts} prompts"
        md.append(f"## {title}\n\n{AGREEMENT_NOTE}\n\n{to_markdown(table, index=True)}\n")
        tex.append(to_latex(table, index=True, caption=f"{title}. {AGREEMENT_NOTE}"))
    md.append(f"Human-human: {kappa_text(frames)}.\n")
    (folder / "agreement.md").write_text("\n".join(md), encoding="utf-8")
    (folder / "agreement.tex").write_text("\n".join(tex), encoding="utf-8")
    written.files += ["agreement.md", "agreement.tex"]


FigureSpec = tuple[str, str, Callable[[], Figure | None]]


def _score_figures(frames: ReportFrames, judge: str) -> list[FigureSpec]:
    scores = frames.scores.table
    formula = frames.options.formula
    j = _safe(judge)
    specs: list[FigureSpec] = [
        (
            f"fig4_scores_{j}.png",
            f"Figure 4: scores per language ({judge})",
            partial(plots.scores_per_language, scores, judge),
        )
    ]
    for lang in frames.languages:
        specs.append(
            (
                f"fig5_radar_{lang}_{j}.png",
                f"Figure 5: {lang} per category ({judge})",
                partial(plots.radar, scores, judge, lang),
            )
        )
    specs.append(
        (
            f"fig7_cross_lingual_turn1_{j}.png",
            f"Figure 7: cross-lingual scores, turn 1 ({judge})",
            partial(plots.cross_lingual, scores, judge, "1"),
        )
    )
    for number, turn in (("1", "1"), ("6", "2")):
        specs.append(
            (
                f"fig{number}_improvement_turn{turn}_{j}.png",
                f"Figure {number}: improvement over monolingual runs, turn {turn}, "
                f"{formula} = {FORMULAS[formula]} ({judge})",
                partial(plots.improvement, frames.improvement, judge, turn, formula),
            )
        )
    return specs


#: Up to this many pairs per language, each pair gets its per-category figure (Figure 2b / 3);
#: more pairs (pairwise-all over many models) get one overview figure per language instead.
MAX_PAIR_FIGURES = 3


def _pairwise_figures(frames: ReportFrames) -> list[FigureSpec]:
    specs: list[FigureSpec] = []
    for key, cell in frames.pairwise.groupby(["judge", "prompts", "lang"]):
        judge, prompts, lang = (str(k) for k in key)
        pairs = cell.groupby(["model", "opponent"])
        if pairs.ngroups <= MAX_PAIR_FIGURES:
            for (model, opponent), part in pairs:
                title = f"{model} vs {opponent}, {lang}, {prompts} prompts ({judge})"
                name = "_".join(
                    _safe(str(k)) for k in (lang, prompts, model, "vs", opponent, judge)
                )
                specs.append(
                    (f"fig2_pairwise_{name}.png", f"Figure 2b/3: {title}",
                     partial(plots.pairwise_shares, part, title))
                )  # fmt: skip
            continue
        overall = cell[cell["category"] == ALL]
        overall = overall.assign(pair=overall["model"] + " vs " + overall["opponent"])
        title = f"All pairs, {lang}, {prompts} prompts ({judge}; shares of the first model)"
        name = "_".join(_safe(k) for k in (lang, prompts, judge))
        specs.append(
            (f"fig2_pairwise_overview_{name}.png", f"Figure 2b/3 overview: {title}",
             partial(plots.pairwise_shares, overall, title, "pair"))
        )  # fmt: skip
    return specs


def _figures(frames: ReportFrames) -> list[FigureSpec]:
    specs: list[FigureSpec] = []
    for judge in sorted(frames.scores.table["judge"].unique()):
        specs += _score_figures(frames, str(judge))
    return specs + _pairwise_figures(frames)


def write_figures(frames: ReportFrames, folder: Path, written: WrittenReport) -> None:
    for name, caption, draw in _figures(frames):
        figure = draw()
        if figure is None:
            continue
        plots.save_png(figure, folder / name)
        written.files.append(name)
        written.figures[name] = caption


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def render_html(frames: ReportFrames, folder: Path, written: WrittenReport) -> str:
    """One self-contained page: every table, every figure inlined as a data URL."""
    options = frames.options
    scores = frames.scores.table
    summary = scores[(scores["category"] == ALL) & (scores["turn"] == ALL)]
    parts = [
        _section(
            "Settings",
            "<p>"
            + html.escape(
                f"judges {', '.join(options.judges)}; languages {', '.join(frames.languages)}; "
                f"scoring {options.scoring}; improvement formula {options.formula} = "
                f"{FORMULAS[options.formula]}; {options.resamples} bootstrap resamples, "
                f"seed {options.seed}"
            )
            + "</p>",
        ),
        _section("Scores (all categories, both turns; 95% bootstrap intervals)", to_html(summary)),
    ]
    for (judge, lang), table in paper_tables(frames).items():
        parts.append(_section(f"Table: MT-Bench-{lang}, judge {judge}", to_html(table, index=True)))
    for title, frame in (
        ("Model differences against bootstrap and run-to-run noise", frames.differences),
        ("Improvement of mixtures over monolingual runs", frames.improvement),
        ("Position bias (percent of games; mitigated by the next run)", frames.position_bias),
        ("Pairwise outcome shares", frames.pairwise[frames.pairwise["category"] == ALL]),
        ("Bradley-Terry ranking", frames.ranking),
        ("Answer language and length", frames.answers),
        ("Length bias: share of decisive matches won by the longer answer", frames.length_bias),
        ("Judgment files: lines counted, stale lines skipped, lines not checked", frames.skipped),
    ):
        if not frame.empty:
            parts.append(_section(title, to_html(frame)))
    if not frames.agreement.empty:
        for (judge, prompts), table in agreement_tables(frames).items():
            body = f"<p>{html.escape(AGREEMENT_NOTE)}</p>" + to_html(table, index=True)
            title = f"Table 2: agreement with human votes, judge {judge}, {prompts} prompts"
            parts.append(_section(title, body))
        kappa = f"<p>{html.escape('Human-human: ' + kappa_text(frames))}.</p>"
        parts.append(_section("Fleiss' kappa among human votes", kappa))
    for name, caption in written.figures.items():
        data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
        parts.append(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    style = (
        "body{font-family:sans-serif;margin:2em;max-width:1200px}"
        "table{border-collapse:collapse;font-size:13px;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
        "th{background:#f0f0f0}img{max-width:100%}"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<link rel="icon" href="data:,">'
        f"<title>MT-Bench-X report</title><style>{style}</style></head><body>"
        "<h1>MT-Bench-X report</h1>" + "".join(parts) + "</body></html>\n"
    )


def write_report(frames: ReportFrames, out: Path) -> WrittenReport:
    """Write every file of the report into ``out`` (replacing what is there)."""
    out = Path(out)
    if out.is_dir() and any(out.iterdir()) and not (out / "report.html").is_file():
        raise MTBenchXError(
            f"{out}: not empty and not a previous report (no report.html); "
            "choose a new or empty --out folder"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        written = WrittenReport(out)
        write_csvs(frames, folder, written)
        write_tables(frames, folder, written)
        write_figures(frames, folder, written)
        (folder / "report.html").write_text(render_html(frames, folder, written), encoding="utf-8")
        written.files.append("report.html")
        csv_files = [name for name in written.files if name.endswith(".csv")]
        (folder / "README.md").write_text(render_card(frames, csv_files), encoding="utf-8")
        written.files.append("README.md")
        if out.exists():
            shutil.rmtree(out)
        folder.rename(out)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return written
