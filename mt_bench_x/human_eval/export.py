"""Votes -> FastChat's human-judgment records (the format of ``lmsys/mt_bench_human_judgments``
and of FastChat's ``compute_agreement.py``).

One record per vote: ``question_id`` (the question number), ``model_a`` / ``model_b`` (the
models as shown on the left / right), ``winner`` (``model_a``, ``model_b``, ``tie`` or
``tie (bothbad)``), ``judge`` (``expert_<n>``: FastChat recognises human votes by that prefix;
``n`` numbers the annotators in the order they were added, their names never leave the store)
and ``turn``; extra fields ``lang``, ``category`` and ``tstamp``. Skips are not exported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mt_bench_x.human_eval.store import StoredVote, Study, VoteStore

WINNERS = {"A": "model_a", "B": "model_b", "tie": "tie", "bothbad": "tie (bothbad)"}


def export_records(store: VoteStore, study: Study | None = None) -> list[dict[str, Any]]:
    """FastChat human-judgment records of every non-skip vote, in the order cast."""
    expert = {annotator.id: f"expert_{n}" for n, annotator in enumerate(store.annotators())}
    return [
        _record(vote, expert[vote.annotator_id])
        for vote in store.votes(study)
        if vote.choice != "skip"
    ]


def _record(vote: StoredVote, judge: str) -> dict[str, Any]:
    return {
        "question_id": vote.question,
        "model_a": vote.model_left,
        "model_b": vote.model_right,
        "winner": WINNERS[vote.choice],
        "judge": judge,
        "turn": vote.turn,
        "lang": vote.lang,
        "category": vote.category,
        "tstamp": vote.created_at,
    }


def write_human_judgments(records: list[dict[str, Any]], path: Path, *, lines: bool) -> None:
    """Write the records atomically: a JSON array (what ``compute_agreement.py`` loads) or,
    with ``lines``, JSON Lines (what ``datasets`` writes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        if lines:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        else:
            json.dump(records, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
    os.replace(tmp, path)
