"""The paper's Table 2 for the report: human votes against the report's pairwise judgments.

The judge side is the report's pairwise frame (:mod:`.load`: current judgments only), one
table per judge and prompt set (3-option and ``[[D]]`` judgments are never counted
together). A line decides an item when its two orders agree; where they disagree the item has
no verdict (the paper's handling); the first run's verdict counts and later runs fill the items
it left without one (paper, Section 6.1). The numbers come from
:mod:`mt_bench_x.results.agreement`, the same functions as ``mt-bench-x agreement``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mt_bench_x.results.agreement import (
    Agreement,
    ItemKey,
    PairVote,
    agreement_table,
    kappa_by_turn,
)
from mt_bench_x.results.vote_files import pair_line_winner

DEFAULT_RATERS = 3
AGREEMENT_COLUMNS = [
    "judge", "prompts", "ties", "group", "turn",
    "judge_agree", "judge_total", "judge_percent",
    "upper_agree", "upper_total", "upper_percent",
    "human_agree", "human_total", "human_percent",
    "fleiss_kappa", "kappa_p_value", "kappa_items", "kappa_raters",
]  # fmt: skip
TIES_LABELS = (("with", True), ("without", False))


def _game(side: str) -> dict[str, str]:
    """A report side (``model_1``, ``model_2``, ``tie``, ``both_bad``, ``error``) as the
    winner / verdict fields of one game of a judgment line."""
    if side == "both_bad":
        return {"winner": "tie", "verdict": "D"}
    return {"winner": side, "verdict": ""}


def judge_votes(pair: pd.DataFrame) -> list[PairVote]:
    """One vote per item from the pairwise rows of one judge and prompt set (any runs)."""
    decided: dict[ItemKey, PairVote] = {}
    rows = pair[(pair["status"] == "ok") & pair["question"].notna()]
    for _, row in rows.sort_values("run", kind="stable").iterrows():
        g1, g2 = _game(str(row["g1"])), _game(str(row["g2"]))
        record = {
            "g1_winner": g1["winner"],
            "g1_verdict": g1["verdict"],
            "g2_winner": g2["winner"],
            "g2_verdict": g2["verdict"],
        }
        winner = pair_line_winner(record, "missing")
        if winner is None:
            continue
        vote = PairVote(
            question=int(row["question"]),
            turn=int(row["turn"]),
            model_a=str(row["model_1"]),
            model_b=str(row["model_2"]),
            winner=winner,
            voter=str(row["judge"]),
            category=str(row["category"]),
        )
        decided.setdefault(vote.key, vote)
    return list(decided.values())


def _percent(value: Agreement) -> float | None:
    return None if value.ratio is None else 100 * value.ratio


def agreement_frame(
    pair: pd.DataFrame, human_votes: list[PairVote], *, raters: int = DEFAULT_RATERS
) -> pd.DataFrame:
    """Table 2 per judge and prompt set, with and without ties, per group and turn; the
    human Fleiss' kappa of the turn (over every human vote) on the ``all`` rows."""
    kappas = kappa_by_turn(human_votes, raters=raters)
    rows: list[dict[str, Any]] = []
    for (judge, prompts), cell in pair.groupby(["judge", "prompts"], sort=True):
        votes = judge_votes(cell)
        for ties, with_ties in TIES_LABELS:
            for row in agreement_table(human_votes, votes, with_ties=with_ties):
                kappa = kappas[row.turn] if row.group == "all" else None
                rows.append(
                    {
                        "judge": judge, "prompts": prompts, "ties": ties,
                        "group": row.group, "turn": row.turn,
                        "judge_agree": row.judge.agree, "judge_total": row.judge.total,
                        "judge_percent": _percent(row.judge),
                        "upper_agree": row.upper_bound.agree,
                        "upper_total": row.upper_bound.total,
                        "upper_percent": _percent(row.upper_bound),
                        "human_agree": row.human.agree, "human_total": row.human.total,
                        "human_percent": _percent(row.human),
                        "fleiss_kappa": kappa.kappa if kappa else None,
                        "kappa_p_value": kappa.p_value if kappa else None,
                        "kappa_items": kappa.items if kappa else None,
                        "kappa_raters": kappa.raters if kappa else None,
                    }
                )  # fmt: skip
    frame = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    return frame.astype({"kappa_items": "Int64", "kappa_raters": "Int64"})


def agreement_table_frame(frame: pd.DataFrame, judge: str, prompts: str) -> pd.DataFrame:
    """Table 2 as the paper prints it, for one judge and prompt set: one row per group, per
    turn and ties setting the judge's agreement, its upper bound and human–human (percent)."""
    cell = frame[(frame["judge"] == judge) & (frame["prompts"] == prompts)]
    columns: dict[str, pd.Series] = {}
    for ties, _ in TIES_LABELS:
        for turn in (1, 2):
            part = cell[(cell["ties"] == ties) & (cell["turn"] == turn)].set_index("group")
            label = f"T{turn} {ties} ties"
            columns[f"{label}: judge"] = part["judge_percent"]
            columns[f"{label}: upper"] = part["upper_percent"]
            columns[f"{label}: human"] = part["human_percent"]
    table = pd.DataFrame(columns)
    table.index.name = "category"
    return table
