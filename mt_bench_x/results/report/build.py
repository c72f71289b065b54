"""Every report frame from the judgment files: computed here, rendered in :mod:`.write`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mt_bench_x.formats.errors import InputFileError, SelectionError
from mt_bench_x.formats.layout import BENCH_PREFIX, BenchFolder
from mt_bench_x.judge.selection import parse_languages
from mt_bench_x.results.agreement import PairVote
from mt_bench_x.results.report.agreement import agreement_frame
from mt_bench_x.results.report.answers import answer_frame
from mt_bench_x.results.report.bootstrap import DEFAULT_RESAMPLES
from mt_bench_x.results.report.groups import ModelGroup, load_groups
from mt_bench_x.results.report.improvement import DEFAULT_FORMULA, FORMULAS, improvement_frame
from mt_bench_x.results.report.length_bias import length_bias_frame
from mt_bench_x.results.report.load import load_frames, question_categories
from mt_bench_x.results.report.pairwise import outcome_shares, ranking
from mt_bench_x.results.report.position_bias import position_bias_frame
from mt_bench_x.results.report.scores import ScoreFrames, model_differences, score_frames
from mt_bench_x.results.report.scoring import DEFAULT_SCORING, scored_values
from mt_bench_x.results.vote_files import read_human_votes


@dataclass(frozen=True)
class ReportOptions:
    data_dir: Path
    judges: list[str]
    langs: str | list[str]  # DE, DE,FR, all, or a list of codes
    runs: list[int] | None = None  # None: every run found
    groups_file: Path | None = None
    scoring: str = DEFAULT_SCORING
    formula: str = DEFAULT_FORMULA
    resamples: int = DEFAULT_RESAMPLES
    seed: int = 0
    answer_language: bool = True
    human_file: Path | None = None  # FastChat human judgments: adds Table 2 (agreement)

    def __post_init__(self) -> None:
        if self.formula not in FORMULAS:
            raise ValueError(f"formula {self.formula!r}: expected one of {', '.join(FORMULAS)}")


@dataclass
class ReportFrames:
    options: ReportOptions
    scores: ScoreFrames
    differences: pd.DataFrame
    groups: dict[str, ModelGroup]
    improvement: pd.DataFrame
    position_bias: pd.DataFrame
    pairwise: pd.DataFrame
    ranking: pd.DataFrame
    answers: pd.DataFrame
    length_bias: pd.DataFrame
    skipped: pd.DataFrame
    languages: list[str] = field(default_factory=list)
    agreement: pd.DataFrame = field(default_factory=pd.DataFrame)


def build_frames(options: ReportOptions) -> ReportFrames:
    """Load every judgment of the judges, languages and runs asked for, and compute."""
    spec = options.langs if isinstance(options.langs, str) else ",".join(options.langs)
    langs = parse_languages(options.data_dir, spec)
    human_votes = (  # read first: a malformed votes file fails before any other work
        load_human_votes(options.data_dir, langs, options.human_file)
        if options.human_file is not None
        else None
    )
    single, pair, skipped = load_frames(options.data_dir, langs, options.judges, options.runs)
    if single.empty and pair.empty:
        where = BenchFolder(options.data_dir / f"{BENCH_PREFIX}<LANG>").judgment_dir
        raise InputFileError(
            str(where),
            f"no judgments of {', '.join(options.judges)} in {', '.join(langs)}"
            + (f" for runs {options.runs}" if options.runs is not None else "")
            + " (expected <judge>_single[_run<K>].jsonl or <judge>_pair[_run<K>].jsonl)",
        )
    if human_votes is not None and pair.empty:
        raise SelectionError(
            f"--human {options.human_file}: no pairwise judgments of "
            f"{', '.join(options.judges)} in {', '.join(langs)} to compare the votes with "
            "(expected <judge>_pair[_run<K>].jsonl)"
        )
    scores = score_frames(
        single,
        scored_values(single, options.scoring),
        resamples=options.resamples,
        seed=options.seed,
    )
    models = sorted(set(single["model"]) | set(pair["model_1"]) | set(pair["model_2"]))
    groups = load_groups(options.groups_file, models)
    answers = (
        answer_frame(options.data_dir, langs, set(models))
        if options.answer_language
        else pd.DataFrame()
    )
    agreement = agreement_frame(pair, human_votes) if human_votes is not None else pd.DataFrame()
    return ReportFrames(
        options=options,
        scores=scores,
        differences=model_differences(scores),
        groups=groups,
        improvement=improvement_frame(scores.table, groups),
        position_bias=position_bias_frame(pair),
        pairwise=outcome_shares(pair),
        ranking=ranking(pair, seed=options.seed),
        answers=answers,
        length_bias=length_bias_frame(options.data_dir, pair),
        skipped=skipped,
        languages=langs,
        agreement=agreement,
    )


def load_human_votes(data_dir: Path, langs: list[str], human_file: Path) -> list[PairVote]:
    """The human votes of ``human_file``, categories from the report language's questions
    (human votes carry no language: the report must cover one)."""
    if len(langs) != 1:
        raise SelectionError(
            f"--human {human_file}: human votes carry no language; expected a report of one "
            f"language (--lang DE), found {', '.join(langs)}"
        )
    return read_human_votes(human_file, question_categories(data_dir, langs[0]))
