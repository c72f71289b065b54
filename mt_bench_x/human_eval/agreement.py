"""Agreement computations, kept where the human evaluation looks for them.

They live in :mod:`mt_bench_x.results.agreement` (pure, below the report that uses them);
this module only names them for the human evaluation side.
"""

from mt_bench_x.results.agreement import (
    ALL,
    BOTH_BAD,
    FASTCHAT_WINNERS,
    NO_AGREEMENT,
    RCEMR,
    RCEMR_CATEGORIES,
    TIE,
    TIES,
    Agreement,
    AgreementRow,
    FleissKappa,
    ItemKey,
    PairVote,
    agreement_table,
    fleiss_kappa,
    fleiss_kappa_of_items,
    human_human,
    human_judge,
    item_categories,
    kappa_by_turn,
    outcomes_by_item,
    render_kappa,
    render_table,
)

__all__ = [
    "ALL",
    "BOTH_BAD",
    "FASTCHAT_WINNERS",
    "NO_AGREEMENT",
    "RCEMR",
    "RCEMR_CATEGORIES",
    "TIE",
    "TIES",
    "Agreement",
    "AgreementRow",
    "FleissKappa",
    "ItemKey",
    "PairVote",
    "agreement_table",
    "fleiss_kappa",
    "fleiss_kappa_of_items",
    "human_human",
    "human_judge",
    "item_categories",
    "kappa_by_turn",
    "outcomes_by_item",
    "render_kappa",
    "render_table",
]
