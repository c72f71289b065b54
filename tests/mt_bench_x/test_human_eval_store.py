"""The votes store and the assignment rules on a real SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from pathlib import Path

import pytest

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.human_eval.assignment import Item, next_item
from mt_bench_x.human_eval.export import export_records
from mt_bench_x.human_eval.store import Study, VoteRefused, VoteStore
from mt_bench_x.human_eval.strings import available_interface_languages, interface_strings

STUDY = Study.of("de", ["model-y", "model-x"])
CATEGORIES = {81: "writing", 82: "writing", 101: "reasoning"}


def _vote_all(store: VoteStore, name: str, choice: str = "A", k: int = 2) -> list[Item]:
    """Let one annotator vote until nothing is left; returns the items in the order shown."""
    annotator = store.annotator_for_token(store.add_annotator(name))
    assert annotator is not None
    shown = []
    while (item := store.open_item(annotator, STUDY, CATEGORIES, k=k, seed="s")) is not None:
        shown.append(Item(item.question, item.turn))
        store.record_vote(
            annotator, STUDY, nonce=item.nonce, question=item.question, turn=item.turn,
            choice=choice,
        )  # fmt: skip
    return shown


def test_study_sorts_the_pair_and_checks_it() -> None:
    assert (STUDY.lang, STUDY.model_1, STUDY.model_2) == ("DE", "model-x", "model-y")
    with pytest.raises(MTBenchXError):
        Study.of("DE", ["same", "same"])


def test_each_question_reaches_k_annotators_turn_1_then_turn_2(tmp_path: Path) -> None:
    store = VoteStore(tmp_path / "votes.sqlite")
    first = _vote_all(store, "a1")
    assert [item.turn for item in first] == [1, 2] * 3
    assert len({item.question for item in first}) == 3  # never the same question twice
    second = _vote_all(store, "a2")
    assert len(second) == 6
    assert _vote_all(store, "a3") == []  # every question × turn has k = 2 votes
    counts = Counter((v.question, v.turn) for v in store.votes(STUDY))
    assert set(counts.values()) == {2} and len(counts) == 6
    assert {(v.model_left, v.model_right) for v in store.votes()} <= {
        ("model-x", "model-y"),
        ("model-y", "model-x"),
    }


def test_skips_do_not_count_towards_k(tmp_path: Path) -> None:
    store = VoteStore(tmp_path / "votes.sqlite")
    _vote_all(store, "a1", choice="skip", k=1)
    assert len(_vote_all(store, "a2", k=1)) == 6
    assert _vote_all(store, "a3", k=1) == []
    assert [r["winner"] for r in export_records(store)] == ["model_a"] * 6  # skips left out


def test_fewest_votes_first_and_an_order_per_annotator() -> None:
    usable = {(81, 1): 2, (81, 2): 2, (82, 1): 1, (82, 2): 0, (101, 1): 1, (101, 2): 1}
    common = {"questions": [81, 82, 101], "usable_votes": usable, "k": 3, "seed": "s"}
    # 82 has a turn with no vote: coverage 0 -> first; 101 (1) next; 81 (2) last.
    assert next_item(annotator_id=1, own_turns={}, open_elsewhere={}, **common) == Item(82, 1)
    assert next_item(annotator_id=1, own_turns={82: {1, 2}}, open_elsewhere={}, **common) == Item(
        101, 1
    )
    # An item open on another screen counts as assigned.
    assert next_item(annotator_id=1, own_turns={}, open_elsewhere={82: 2}, **common) == Item(101, 1)
    assert next_item(annotator_id=1, own_turns={81: {1}}, open_elsewhere={}, **common) == Item(
        81, 2
    )
    # Ties in coverage: each annotator has an order of their own.
    tied = {"questions": list(range(1, 40)), "usable_votes": {}, "k": 3, "seed": "s"}
    firsts = {
        next_item(annotator_id=a, own_turns={}, open_elsewhere={}, **tied) for a in range(1, 9)
    }
    assert len(firsts) > 1


def test_votes_are_checked_against_the_item_on_screen(tmp_path: Path) -> None:
    store = VoteStore(tmp_path / "votes.sqlite")
    token = store.add_annotator("a1")
    annotator = store.annotator_for_token(token)
    assert annotator is not None
    item = store.open_item(annotator, STUDY, CATEGORIES, k=3, seed="s")
    assert item is not None
    again = store.open_item(annotator, STUDY, CATEGORIES, k=3, seed="s")
    assert again == item  # a reload draws nothing new
    bad = [
        {"nonce": "forged", "question": item.question, "turn": 1, "choice": "A"},
        {"nonce": item.nonce, "question": item.question, "turn": 2, "choice": "A"},
        {"nonce": item.nonce, "question": item.question, "turn": 1, "choice": "C"},
    ]
    for fields in bad:
        with pytest.raises(VoteRefused):
            store.record_vote(annotator, STUDY, **fields)  # type: ignore[arg-type]
    assert store.votes() == []
    with pytest.raises(MTBenchXError, match="exists already"):
        store.add_annotator("a1")
    assert store.annotator_for_token("") is None
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("votes.sqlite*"))
    assert token.encode() not in stored  # only its SHA-256 is kept
    with sqlite3.connect(tmp_path / "votes.sqlite") as connection:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_annotators_voting_at_once_lose_nothing(tmp_path: Path) -> None:
    store = VoteStore(tmp_path / "votes.sqlite")
    results: dict[str, list[Item]] = {}

    def work(name: str) -> None:
        results[name] = _vote_all(store, name, k=4)

    threads = [threading.Thread(target=work, args=(f"a{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(items) for items in results.values()) == 24 == len(store.votes())
    assert {row.votes for row in store.progress()} == {6}


def test_interface_strings_per_language() -> None:
    assert {"DE", "EN", "FR", "IT", "ES"} <= set(available_interface_languages())
    english = interface_strings("EN")
    for lang in available_interface_languages():
        assert set(interface_strings(lang)) == set(english)
    assert interface_strings("DE")["choice_bothbad"] != english["choice_bothbad"]
    with pytest.raises(MTBenchXError, match="no interface strings for PT"):
        interface_strings("PT")
