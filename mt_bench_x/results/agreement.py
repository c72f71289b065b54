"""Agreement between human votes and a judge's, and among humans (paper, Section 6.3, Table 2).

Pure computations on :class:`PairVote` lists: no files, no web, no database, so the report
layer can call them. The rules follow FastChat's ``compute_agreement.py`` where it has one:

* an *item* is one question × model pair × turn; a vote's outcome is the winning model of the
  pair (``model_1`` / ``model_2``, the pair sorted by name, so the side shown does not matter),
  ``tie`` or ``bothbad``; with ``both_bad_is_tie`` (FastChat's rule, the default) both-bad
  counts as a tie;
* **human–judge**: every human vote on an item the judge decided is one comparison with the
  judge's outcome; **human–human**: every pair of human votes on an item is one comparison;
* **without ties**: comparisons where either side is a tie or both-bad are left out (for
  human–judge, items where the judge said tie are left out);
* **upper bound** (the subscript in Table 2): the agreement a judge would reach, on the same
  items and human votes, if it always gave the human majority: the sum over items of the
  majority outcome's count, over the number of human votes;
* **Fleiss' kappa** over items with at least ``raters`` human votes (the first ``raters`` of
  each, in file order), categories = the outcomes seen; its p-value is two-sided, from the
  standard error under the null hypothesis kappa = 0 (Fleiss, 1971; as R's
  ``irr::kappam.fleiss`` reports it).

Rows of the table: ``all``, ``RCEMR`` (roleplay, coding, extraction, math, reasoning: the
paper's group) and each category.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mt_bench_x.formats.questions import CATEGORIES

TIE = "tie"
BOTH_BAD = "bothbad"
TIES = frozenset({TIE, BOTH_BAD})
FASTCHAT_WINNERS = ("model_a", "model_b", "tie", "tie (bothbad)")
ALL = "all"
RCEMR = "RCEMR"
RCEMR_CATEGORIES = frozenset({"roleplay", "coding", "extraction", "math", "reasoning"})

ItemKey = tuple[int, str, str, int]


@dataclass(frozen=True)
class PairVote:
    """One vote in FastChat's terms: ``winner`` is one of :data:`FASTCHAT_WINNERS`."""

    question: int
    turn: int
    model_a: str
    model_b: str
    winner: str
    voter: str = ""
    category: str | None = None

    def __post_init__(self) -> None:
        if self.winner not in FASTCHAT_WINNERS:
            raise ValueError(f"winner: expected one of {FASTCHAT_WINNERS}, found {self.winner!r}")

    @property
    def key(self) -> ItemKey:
        first, second = sorted((self.model_a, self.model_b))
        return (self.question, first, second, self.turn)

    def outcome(self, *, both_bad_is_tie: bool = True) -> str:
        if self.winner == "tie (bothbad)":
            return TIE if both_bad_is_tie else BOTH_BAD
        if self.winner == "tie":
            return TIE
        winner = self.model_a if self.winner == "model_a" else self.model_b
        return "model_1" if winner == self.key[1] else "model_2"


@dataclass(frozen=True)
class Agreement:
    agree: int
    total: int

    @property
    def ratio(self) -> float | None:
        return self.agree / self.total if self.total else None

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(self.agree + other.agree, self.total + other.total)


NO_AGREEMENT = Agreement(0, 0)


@dataclass(frozen=True)
class FleissKappa:
    kappa: float | None
    z: float | None
    p_value: float | None
    items: int
    raters: int
    categories: tuple[str, ...]


@dataclass(frozen=True)
class AgreementRow:
    """One row × turn of Table 2."""

    group: str
    turn: int
    judge: Agreement
    upper_bound: Agreement
    human: Agreement


def outcomes_by_item(
    votes: Iterable[PairVote], *, both_bad_is_tie: bool
) -> dict[ItemKey, list[str]]:
    """Item -> outcomes of its votes, in the given order."""
    items: dict[ItemKey, list[str]] = defaultdict(list)
    for vote in votes:
        items[vote.key].append(vote.outcome(both_bad_is_tie=both_bad_is_tie))
    return dict(items)


def human_human(items: dict[ItemKey, list[str]], *, with_ties: bool) -> Agreement:
    """Agreement over every pair of human votes on the same item."""
    agree = total = 0
    for outcomes in items.values():
        for i in range(len(outcomes)):
            for j in range(i + 1, len(outcomes)):
                if not with_ties and (outcomes[i] in TIES or outcomes[j] in TIES):
                    continue
                total += 1
                agree += outcomes[i] == outcomes[j]
    return Agreement(agree, total)


def human_judge(
    human_items: dict[ItemKey, list[str]],
    judge_items: dict[ItemKey, str],
    *,
    with_ties: bool,
) -> tuple[Agreement, Agreement]:
    """Agreement of the judge with every human vote, and its upper bound from the majority."""
    agree = total = best = 0
    for key, judged in judge_items.items():
        if key not in human_items or (not with_ties and judged in TIES):
            continue
        outcomes = [o for o in human_items[key] if with_ties or o not in TIES]
        if not outcomes:
            continue
        total += len(outcomes)
        agree += sum(o == judged for o in outcomes)
        best += Counter(outcomes).most_common(1)[0][1]
    return Agreement(agree, total), Agreement(best, total)


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> FleissKappa:
    """Fleiss' kappa of items rated by the same number of raters each (one list per item)."""
    if not ratings:
        return FleissKappa(None, None, None, 0, 0, ())
    raters = len(ratings[0])
    if raters < 2 or any(len(item) != raters for item in ratings):
        raise ValueError("Fleiss' kappa needs the same number (>= 2) of ratings for every item")
    categories = tuple(sorted({rating for item in ratings for rating in item}))
    n_items = len(ratings)
    counts = [Counter(item) for item in ratings]
    shares = [sum(c[cat] for c in counts) / (n_items * raters) for cat in categories]
    observed = (
        sum((sum(v * v for v in c.values()) - raters) / (raters * (raters - 1)) for c in counts)
        / n_items
    )
    expected = sum(p * p for p in shares)
    if expected >= 1.0:  # every rating the same category: kappa is undefined
        return FleissKappa(None, None, None, n_items, raters, categories)
    kappa = (observed - expected) / (1 - expected)
    pq = sum(p * (1 - p) for p in shares)
    spread = pq * pq - sum(p * (1 - p) * ((1 - p) - p) for p in shares)
    standard_error = (
        math.sqrt(2) / (pq * math.sqrt(n_items * raters * (raters - 1))) * math.sqrt(spread)
    )
    z = kappa / standard_error
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return FleissKappa(kappa, z, p_value, n_items, raters, categories)


def fleiss_kappa_of_items(items: dict[ItemKey, list[str]], raters: int) -> FleissKappa:
    """Fleiss' kappa over the items with at least ``raters`` votes (their first ``raters``)."""
    ratings = [outcomes[:raters] for outcomes in items.values() if len(outcomes) >= raters]
    if not ratings:
        return FleissKappa(None, None, None, 0, raters, ())
    return fleiss_kappa(ratings)


def _groups(categories: dict[ItemKey, str]) -> list[str]:
    present = set(categories.values())
    known = [c for c in CATEGORIES if c in present]
    return [ALL, RCEMR, *known, *sorted(present - set(known))]


def _in_group(group: str, category: str) -> bool:
    return group in (ALL, category) or (group == RCEMR and category in RCEMR_CATEGORIES)


def item_categories(votes: Iterable[PairVote]) -> dict[ItemKey, str]:
    """Item -> category, from the votes that carry one (``unknown`` otherwise)."""
    found: dict[ItemKey, str] = {}
    for vote in votes:
        if vote.category:
            found[vote.key] = vote.category
        else:
            found.setdefault(vote.key, "unknown")
    return found


def agreement_table(
    human_votes: Sequence[PairVote],
    judge_votes: Sequence[PairVote],
    *,
    with_ties: bool,
    both_bad_is_tie: bool = True,
) -> list[AgreementRow]:
    """Table 2: per group and turn, human–judge (with its upper bound) and human–human.

    ``judge_votes``: one vote per item (the first one counts where an item has more).
    """
    human_items = outcomes_by_item(human_votes, both_bad_is_tie=both_bad_is_tie)
    judge_items: dict[ItemKey, str] = {}
    for vote in judge_votes:
        judge_items.setdefault(vote.key, vote.outcome(both_bad_is_tie=both_bad_is_tie))
    categories = item_categories(human_votes)
    rows = []
    for group in _groups(categories):
        for turn in (1, 2):
            keys = {k for k, c in categories.items() if k[3] == turn and _in_group(group, c)}
            humans = {k: v for k, v in human_items.items() if k in keys}
            judged = {k: v for k, v in judge_items.items() if k in keys}
            judge, upper = human_judge(humans, judged, with_ties=with_ties)
            rows.append(
                AgreementRow(group, turn, judge, upper, human_human(humans, with_ties=with_ties))
            )
    return rows


def kappa_by_turn(
    human_votes: Sequence[PairVote], *, raters: int, both_bad_is_tie: bool = True
) -> dict[int, FleissKappa]:
    """Fleiss' kappa among humans for turn 1 and turn 2."""
    items = outcomes_by_item(human_votes, both_bad_is_tie=both_bad_is_tie)
    return {
        turn: fleiss_kappa_of_items({k: v for k, v in items.items() if k[3] == turn}, raters)
        for turn in (1, 2)
    }


def _percent(value: Agreement) -> str:
    return "–" if value.ratio is None else f"{round(100 * value.ratio)}"


def render_table(rows: Sequence[AgreementRow], *, judge_name: str = "judge") -> str:
    """Table 2 as Markdown: per turn, judge agreement with the upper bound in brackets
    (the paper's subscript) and human–human agreement, percentages, with comparison counts."""
    by_group: dict[str, dict[int, AgreementRow]] = defaultdict(dict)
    for row in rows:
        by_group[row.group][row.turn] = row
    header = (
        f"| category | T1 {judge_name} (upper) | T1 human | T2 {judge_name} (upper) | T2 human |"
    )
    lines = [header, "| --- | --- | --- | --- | --- |"]
    for group, turns in by_group.items():
        cells = [group]
        for turn in (1, 2):
            cell = turns.get(turn)
            if cell is None:
                cells += ["–", "–"]
                continue
            judged = f"{_percent(cell.judge)} ({_percent(cell.upper_bound)})"
            cells.append(f"{judged} n={cell.judge.total}")
            cells.append(f"{_percent(cell.human)} n={cell.human.total}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_kappa(kappas: dict[int, FleissKappa]) -> str:
    """One line per turn: kappa, p-value, items and raters."""
    lines = []
    for turn, result in sorted(kappas.items()):
        if result.kappa is None:
            lines.append(f"turn {turn}: Fleiss' kappa undefined ({result.items} items)")
            continue
        lines.append(
            f"turn {turn}: Fleiss' kappa {result.kappa:.2f} (p-value {result.p_value:.1e}) "
            f"on {result.items} items with {result.raters} raters each"
        )
    return "\n".join(lines)
