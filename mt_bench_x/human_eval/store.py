"""The votes store: one SQLite file in WAL mode, one short transaction per vote.

Tables: ``annotators`` (name, role and the SHA-256 of the secret token; the token itself is
never stored), ``open_items`` (the item each annotator has on screen, with the sides drawn for
it and a one-time nonce the vote must quote) and ``votes``. A vote is written and its open item
removed in one ``BEGIN IMMEDIATE`` transaction, so a crash or restart loses no vote and counts
none twice (a ``UNIQUE`` constraint backs that), and an annotator continues where they stopped.
Several annotators at once do not block each other for longer than one such transaction.

A study is one language and one pair of models; one file can hold several studies.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.formats.layout import normalize_lang
from mt_bench_x.human_eval.assignment import next_item

#: The five buttons of the paper's Figure 8, as stored.
CHOICES: tuple[str, ...] = ("A", "B", "tie", "bothbad", "skip")
ROLES: tuple[str, ...] = ("annotator", "reviewer")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS annotators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('annotator', 'reviewer')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS open_items (
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    lang TEXT NOT NULL,
    model_1 TEXT NOT NULL,
    model_2 TEXT NOT NULL,
    question INTEGER NOT NULL,
    category TEXT NOT NULL,
    turn INTEGER NOT NULL CHECK (turn IN (1, 2)),
    model_left TEXT NOT NULL,
    model_right TEXT NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    PRIMARY KEY (annotator_id, lang, model_1, model_2)
);
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    lang TEXT NOT NULL,
    model_1 TEXT NOT NULL,
    model_2 TEXT NOT NULL,
    question INTEGER NOT NULL,
    category TEXT NOT NULL,
    turn INTEGER NOT NULL CHECK (turn IN (1, 2)),
    model_left TEXT NOT NULL,
    model_right TEXT NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('A', 'B', 'tie', 'bothbad', 'skip')),
    created_at REAL NOT NULL,
    UNIQUE (annotator_id, lang, model_1, model_2, question, turn)
);
"""


class VoteRefused(MTBenchXError):
    """A posted vote that does not match what the annotator was shown (nothing is stored)."""


@dataclass(frozen=True)
class Study:
    """One language and one pair of models (kept sorted: the sides are drawn per turn)."""

    lang: str
    model_1: str
    model_2: str

    @classmethod
    def of(cls, lang: str, models: Sequence[str]) -> Study:
        if len(models) != 2 or models[0] == models[1]:
            raise MTBenchXError(f"a study compares two different models, got {list(models)}")
        first, second = sorted(models)
        return cls(normalize_lang(lang), first, second)


@dataclass(frozen=True)
class Annotator:
    id: int
    name: str
    role: str


@dataclass(frozen=True)
class OpenItem:
    """What an annotator has on screen: the item, the drawn sides and the nonce to quote."""

    question: int
    category: str
    turn: int
    model_left: str
    model_right: str
    nonce: str


@dataclass(frozen=True)
class StoredVote:
    id: int
    annotator_id: int
    annotator_name: str
    lang: str
    model_1: str
    model_2: str
    question: int
    category: str
    turn: int
    model_left: str
    model_right: str
    choice: str
    created_at: float


@dataclass(frozen=True)
class ProgressRow:
    """Votes of one annotator in one language (all model pairs together)."""

    annotator: str
    lang: str
    votes: int
    skips: int
    questions_done: int


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class VoteStore:
    """The SQLite file of a human evaluation (created on first use)."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(
            self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=FULL")
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; anything raised rolls back and stores nothing."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # Annotators ---------------------------------------------------------------------------

    def add_annotator(self, name: str, role: str = "annotator") -> str:
        """Create an annotator and return their secret token (shown once, stored hashed)."""
        name = name.strip()
        if not name:
            raise MTBenchXError("annotator name: expected a non-empty name")
        if role not in ROLES:
            raise MTBenchXError(f"role: expected one of {ROLES}, found {role!r}")
        token = secrets.token_urlsafe(24)
        with self._transaction() as connection:
            found = connection.execute("SELECT 1 FROM annotators WHERE name = ?", (name,))
            if found.fetchone():
                raise MTBenchXError(f"{self.path}: an annotator named {name!r} exists already")
            connection.execute(
                "INSERT INTO annotators (name, role, token_sha256, created_at) VALUES (?,?,?,?)",
                (name, role, token_digest(token), time.time()),
            )
        return token

    def annotator_for_token(self, token: str) -> Annotator | None:
        """The annotator a token belongs to, or ``None``."""
        if not token:
            return None
        with self._connect() as connection:
            row = connection.execute(
                "SELECT id, name, role FROM annotators WHERE token_sha256 = ?",
                (token_digest(token),),
            ).fetchone()
        return Annotator(*row) if row else None

    def annotators(self) -> list[Annotator]:
        with self._connect() as connection:
            rows = connection.execute("SELECT id, name, role FROM annotators ORDER BY id")
            return [Annotator(*row) for row in rows]

    # Assignment ---------------------------------------------------------------------------

    def open_item(
        self,
        annotator: Annotator,
        study: Study,
        categories: dict[int, str],
        *,
        k: int,
        seed: str,
    ) -> OpenItem | None:
        """The annotator's item on screen: the open one, or a new one drawn and stored (with its
        sides and nonce) so that a reload shows the same. ``None``: nothing left to vote on."""
        with self._transaction() as connection:
            key = (annotator.id, study.lang, study.model_1, study.model_2)
            row = connection.execute(
                "SELECT question, category, turn, model_left, model_right, nonce FROM open_items "
                "WHERE annotator_id = ? AND lang = ? AND model_1 = ? AND model_2 = ?",
                key,
            ).fetchone()
            if row:
                return OpenItem(*row)
            own: dict[int, set[int]] = defaultdict(set)
            usable: dict[tuple[int, int], int] = defaultdict(int)
            for voter, question, turn, choice in connection.execute(
                "SELECT annotator_id, question, turn, choice FROM votes "
                "WHERE lang = ? AND model_1 = ? AND model_2 = ?",
                key[1:],
            ):
                if voter == annotator.id:
                    own[question].add(turn)
                if choice != "skip":
                    usable[(question, turn)] += 1
            open_elsewhere: dict[int, int] = defaultdict(int)
            for (question,) in connection.execute(
                "SELECT question FROM open_items WHERE lang = ? AND model_1 = ? AND model_2 = ? "
                "AND annotator_id != ?",
                (*key[1:], annotator.id),
            ):
                open_elsewhere[question] += 1
            item = next_item(
                annotator_id=annotator.id,
                questions=sorted(categories),
                own_turns=own,
                usable_votes=usable,
                open_elsewhere=open_elsewhere,
                k=k,
                seed=seed,
            )
            if item is None:
                return None
            sides = [study.model_1, study.model_2]
            if secrets.randbelow(2):
                sides.reverse()
            opened = OpenItem(
                question=item.question,
                category=categories[item.question],
                turn=item.turn,
                model_left=sides[0],
                model_right=sides[1],
                nonce=secrets.token_urlsafe(16),
            )
            connection.execute(
                "INSERT INTO open_items (annotator_id, lang, model_1, model_2, question, category,"
                " turn, model_left, model_right, nonce, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    *key,
                    opened.question,
                    opened.category,
                    opened.turn,
                    opened.model_left,
                    opened.model_right,
                    opened.nonce,
                    time.time(),
                ),
            )
            return opened

    def record_vote(
        self,
        annotator: Annotator,
        study: Study,
        *,
        nonce: str,
        question: int,
        turn: int,
        choice: str,
    ) -> None:
        """Store a vote on the annotator's open item, checked against it in full: the nonce,
        the question and the turn must be the ones on screen, the choice one of
        :data:`CHOICES`. Raises :class:`VoteRefused` (and stores nothing) otherwise."""
        if choice not in CHOICES:
            raise VoteRefused(f"choice: expected one of {CHOICES}, found {choice!r:.40}")
        with self._transaction() as connection:
            key = (annotator.id, study.lang, study.model_1, study.model_2)
            row = connection.execute(
                "SELECT question, category, turn, model_left, model_right, nonce FROM open_items "
                "WHERE annotator_id = ? AND lang = ? AND model_1 = ? AND model_2 = ?",
                key,
            ).fetchone()
            if row is None:
                raise VoteRefused("no open item for this annotator (already voted?)")
            item = OpenItem(*row)
            if not secrets.compare_digest(item.nonce, nonce):
                raise VoteRefused("the vote does not quote the item on screen (stale or forged)")
            if (item.question, item.turn) != (question, turn):
                raise VoteRefused(
                    f"the vote names question {question} turn {turn}, but question "
                    f"{item.question} turn {item.turn} is on screen"
                )
            connection.execute(
                "INSERT INTO votes (annotator_id, lang, model_1, model_2, question, category, turn,"
                " model_left, model_right, choice, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    *key,
                    item.question,
                    item.category,
                    item.turn,
                    item.model_left,
                    item.model_right,
                    choice,
                    time.time(),
                ),
            )
            connection.execute(
                "DELETE FROM open_items WHERE annotator_id = ? AND lang = ? AND model_1 = ? "
                "AND model_2 = ?",
                key,
            )

    # Reading ------------------------------------------------------------------------------

    def votes(self, study: Study | None = None) -> list[StoredVote]:
        """Every vote (of one study, or all), in the order they were cast."""
        query = (
            "SELECT v.id, v.annotator_id, a.name, v.lang, v.model_1, v.model_2, v.question, "
            "v.category, v.turn, v.model_left, v.model_right, v.choice, v.created_at "
            "FROM votes v JOIN annotators a ON a.id = v.annotator_id"
        )
        params: tuple[str, ...] = ()
        if study is not None:
            query += " WHERE v.lang = ? AND v.model_1 = ? AND v.model_2 = ?"
            params = (study.lang, study.model_1, study.model_2)
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY v.id", params).fetchall()
        return [StoredVote(*row) for row in rows]

    def progress(self) -> list[ProgressRow]:
        """Votes, skips and questions with both turns done, per annotator and language."""
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        turns: dict[tuple[str, str], dict[tuple[str, str, int], set[int]]] = defaultdict(
            lambda: defaultdict(set)
        )
        for vote in self.votes():
            group = (vote.annotator_name, vote.lang)
            counts[group][1 if vote.choice == "skip" else 0] += 1
            turns[group][(vote.model_1, vote.model_2, vote.question)].add(vote.turn)
        rows = []
        for annotator in self.annotators():
            langs = sorted(lang for name, lang in counts if name == annotator.name)
            for lang in langs or [""]:
                votes, skips = counts.get((annotator.name, lang), [0, 0])
                done = sum(1 for t in turns[(annotator.name, lang)].values() if t == {1, 2})
                rows.append(ProgressRow(annotator.name, lang, votes, skips, done))
        return rows
