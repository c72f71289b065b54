"""Which question × turn an annotator sees next (pure: the store supplies the counts).

Rules (paper, Section 4.3 and Figure 8; issue 11):

* turn 1 of a question first, then turn 2 of the same question;
* an annotator never gets a question they have already started;
* a new question is one whose coverage is below ``k`` (the target number of annotators per
  question × turn), fewest first, where coverage is the smaller of its two turns' counts of
  usable votes (skips do not count) plus the annotators who have it open now;
* ties in coverage are broken in an order that is random per annotator but stable across
  reloads and restarts (a hash of the seed, the annotator and the question).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TURNS = (1, 2)


@dataclass(frozen=True)
class Item:
    """One question × turn."""

    question: int
    turn: int


def annotator_order_key(seed: str, annotator_id: int, question: int) -> str:
    """A per-annotator random rank of a question, the same on every call."""
    return hashlib.sha256(f"{seed}:{annotator_id}:{question}".encode()).hexdigest()


def coverage(
    question: int,
    usable_votes: Mapping[tuple[int, int], int],
    open_elsewhere: Mapping[int, int],
) -> int:
    """The number of annotators a question counts as assigned to (see the module doc)."""
    done = min(usable_votes.get((question, turn), 0) for turn in TURNS)
    return done + open_elsewhere.get(question, 0)


def next_item(
    *,
    annotator_id: int,
    questions: Iterable[int],
    own_turns: Mapping[int, set[int]],
    usable_votes: Mapping[tuple[int, int], int],
    open_elsewhere: Mapping[int, int],
    k: int,
    seed: str,
) -> Item | None:
    """The annotator's next item, or ``None`` when every question has reached ``k``.

    ``own_turns``: question -> turns this annotator has voted on (skips included);
    ``usable_votes``: (question, turn) -> non-skip votes of all annotators;
    ``open_elsewhere``: question -> other annotators who have it open now.
    """
    for question, turns in sorted(own_turns.items()):
        if 1 in turns and 2 not in turns:
            return Item(question, 2)
    fresh = [q for q in questions if q not in own_turns]
    candidates = [
        (coverage(q, usable_votes, open_elsewhere), annotator_order_key(seed, annotator_id, q), q)
        for q in fresh
    ]
    candidates = [c for c in candidates if c[0] < k]
    if not candidates:
        return None
    return Item(min(candidates)[2], 1)
