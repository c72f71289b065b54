"""Read the two inputs of ``mt-bench-x agreement`` into :class:`PairVote` lists.

* Human votes: FastChat's human-judgment records (``question_id, model_a, model_b, winner,
  judge, turn``; ``category`` optional), as a JSON array (what ``compute_agreement.py`` loads
  and ``human-eval export`` writes) or JSON Lines (what ``datasets`` writes).
* Judge votes: pairwise judgment files (``model_judgment/<judge>_pair.jsonl``: ``g1_winner`` /
  ``g2_winner``, ``g1_verdict`` / ``g2_verdict`` = ``D`` for both bad) or records with a
  ``winner`` as above. A pairwise line decides an item when both orders agree; where they
  disagree (position bias) the item has no verdict (``inconsistent="missing"``, the paper's
  handling) or counts as a tie (``"tie"``, FastChat's ``show_result`` rule). Several files are
  several runs: the first run's verdict counts, later runs fill the items it left without one
  (paper, Section 6.1). Within one file the last line of an item wins (a rerun's retry).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.jsonl import iter_jsonl
from mt_bench_x.formats.questions import question_number
from mt_bench_x.results.agreement import FASTCHAT_WINNERS, ItemKey, PairVote

INCONSISTENT_POLICIES = ("missing", "tie")


def _records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(position, record)``: array index + 1 for a JSON array, line number for JSONL."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(str(path), "file not found")
    with path.open(encoding="utf-8") as handle:
        head = handle.read(1024).lstrip()
    if head.startswith("["):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise InputFileError(
                str(path), f"not valid JSON ({error.msg})", line=error.lineno
            ) from None
        found = []
        for index, record in enumerate(data, start=1):
            if not isinstance(record, dict):
                raise InputFileError(str(path), f"record {index}: expected a JSON object")
            found.append((index, record))
        return found
    return list(iter_jsonl(path))


def _vote(record: dict[str, Any], path: Path, where: int, winner: str) -> PairVote:
    try:
        return PairVote(
            question=question_number(record["question_id"]),
            turn=int(record.get("turn", 1)),
            model_a=str(record["model_a"] if "model_a" in record else record["model_1"]),
            model_b=str(record["model_b"] if "model_b" in record else record["model_2"]),
            winner=winner,
            voter=str(record.get("judge", "")),
            category=record.get("category") if isinstance(record.get("category"), str) else None,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputFileError(
            str(path),
            f"record {where}: expected question_id, model_a/model_b (or model_1/model_2), "
            f"winner and turn ({error})",
        ) from None


def read_human_votes(path: Path, categories: dict[int, str] | None = None) -> list[PairVote]:
    """Human votes; ``categories`` (question number -> category) fills records without one."""
    votes = []
    for where, record in _records(path):
        winner = record.get("winner")
        if winner not in FASTCHAT_WINNERS:
            raise InputFileError(
                str(path),
                f"record {where}: winner: expected one of {FASTCHAT_WINNERS}, found {winner!r}",
            )
        vote = _vote(record, path, where, str(winner))
        if vote.category is None and categories:
            vote = PairVote(**{**vote.__dict__, "category": categories.get(vote.question)})
        votes.append(vote)
    return votes


def _game_outcome(record: dict[str, Any], game: str) -> str | None:
    """``model_1`` / ``model_2`` / ``tie`` / ``bothbad`` of one order, ``None`` on an error."""
    if record.get(f"{game}_verdict") == "D":
        return "bothbad"
    winner = record.get(f"{game}_winner")
    return winner if winner in ("model_1", "model_2", "tie") else None


def pair_line_winner(record: dict[str, Any], inconsistent: str) -> str | None:
    """The FastChat ``winner`` (in ``model_1 -> model_a`` terms) of a pairwise judgment line."""
    first, second = _game_outcome(record, "g1"), _game_outcome(record, "g2")
    if first is None or second is None:
        return None
    if first == second:
        return {"model_1": "model_a", "model_2": "model_b", "tie": "tie"}.get(
            first, "tie (bothbad)"
        )
    if first in ("tie", "bothbad") and second in ("tie", "bothbad"):
        return "tie"
    return "tie" if inconsistent == "tie" else None


def read_judge_votes(paths: list[Path], *, inconsistent: str = "missing") -> list[PairVote]:
    """One judge vote per item from one or more runs (see the module doc)."""
    if inconsistent not in INCONSISTENT_POLICIES:
        raise ValueError(f"inconsistent: expected one of {INCONSISTENT_POLICIES}")
    decided: dict[ItemKey, PairVote] = {}
    for path in paths:
        latest: dict[ItemKey, PairVote | None] = {}
        for where, record in _records(path):
            if "g1_winner" in record:
                winner = pair_line_winner(record, inconsistent)
                probe = _vote(record, path, where, "tie")
                latest[probe.key] = None if winner is None else _vote(record, path, where, winner)
            elif record.get("winner") in FASTCHAT_WINNERS:
                given = _vote(record, path, where, str(record["winner"]))
                latest[given.key] = given
            else:
                raise InputFileError(
                    str(path),
                    f"record {where}: expected a pairwise judgment (g1_winner, g2_winner) or a "
                    f"vote with winner one of {FASTCHAT_WINNERS}",
                )
        for key, found in latest.items():
            if found is not None and key not in decided:
                decided[key] = found
    return list(decided.values())
