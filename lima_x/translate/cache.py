"""A persistent SQLite cache in front of any translator.

Key: sha256 over ``(inner.cache_identity(), source, target, options.cache_fields(), text)``.
Texts missing from the cache are sent to the backend one request-sized batch at a time
(the backend's ``plan_batches`` when it has one), and each finished batch is committed
before the next request: a run killed half-way and started again pays for nothing twice,
and a second full run sends nothing. The database runs in WAL mode with a busy timeout, so
several processes may share it.

A backend that translates some texts of a batch and loses protected code in others raises
:class:`~lima_x.translate.errors.ProtectedTextLoss`: the good translations are stored, the remaining
batches still run, and the call ends with one :class:`ProtectedTextLoss` naming every lost
text (its ``done`` holds every translation of the call). Other partial failures store what
came back and stop. A cache file that SQLite cannot open, read or write raises
:class:`~lima_x.translate.errors.TranslationCacheError` naming the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.batching import chunks, progress
from lima_x.translate.errors import (
    PartialTranslationError,
    ProtectedTextLoss,
    QuotaExceededError,
    TranslationCacheError,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    options TEXT NOT NULL,
    text TEXT NOT NULL,
    translation TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
)
"""
_CLAIMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    claimed_at REAL NOT NULL
)
"""
_LOOKUP_CHUNK = 500
#: A claim older than this is taken over (its owner is presumed gone).
CLAIM_TTL_S = 900.0
#: How often a run waiting for texts another run claimed looks again.
CLAIM_POLL_S = 0.25
DEFAULT_BATCH = 50


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/lima_x/translations.sqlite`` (``~/.cache/...`` without the variable)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lima_x" / "translations.sqlite"


def cache_key(
    identity: str, source_lang: str, target_lang: str, options: TranslationOptions, text: str
) -> str:
    payload = json.dumps(
        [identity, source_lang.upper(), target_lang.upper(), options.cache_fields(), text],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class TranslationCache:
    """The SQLite store: translations by key, safe to share between processes."""

    def __init__(self, path: str | Path, *, writable: bool = True) -> None:
        """Open (or start) the cache at ``path``; ``writable=False`` only reads (cost
        estimates), so a read-only file still answers lookups."""
        self.path = Path(path)
        self._lock = threading.Lock()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        if self.path.is_dir():
            raise TranslationCacheError(
                f"translation cache {self.path} is a folder: give a file path with --cache"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TranslationCacheError(
                f"cannot create the folder of the translation cache {self.path}: "
                f"{exc.strerror or exc}; choose another path with --cache"
            ) from None
        with self._guard("open"):
            self._db = sqlite3.connect(self.path, timeout=60.0, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=60000")
        if writable:  # fail now, not after the first paid request
            with self._guard("write to"), self._db:
                self._db.execute(_SCHEMA)
                self._db.execute(_CLAIMS_SCHEMA)
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                self._db.execute(f"PRAGMA user_version = {int(version)}")

    @contextlib.contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn SQLite's errors into one :class:`TranslationCacheError` naming the file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "not a database" in text or "malformed" in text:
                hint = "it is not an intact SQLite file: move it away (a new one is started)"
            elif "readonly" in text or "read-only" in text:
                hint = "it is read-only: make it writable or choose another path with --cache"
            else:
                hint = "check the path and its permissions, or choose another one with --cache"
            raise TranslationCacheError(
                f"cannot {action} the translation cache {self.path} ({text}): {hint}"
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        with self._lock, self._guard("read"):
            return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    def lookup(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations of those ``keys`` that are present."""
        unique = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        with self._lock, self._guard("read"):
            for part in chunks(range(len(unique)), _LOOKUP_CHUNK):
                batch = [unique[i] for i in part]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(
                    f"SELECT key, translation FROM translations WHERE key IN ({marks})", batch
                )
                found.update(rows.fetchall())
        return found

    def missing(
        self,
        identity: str,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[str]:
        """The distinct texts (first-seen order) without a cached translation."""
        keys = [cache_key(identity, source_lang, target_lang, options, t) for t in texts]
        found = self.lookup(keys)
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                todo.setdefault(key, text)
        return list(todo.values())

    def store(
        self,
        identity: str,
        rows: Sequence[tuple[str, str, str]],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> None:
        """Commit ``(key, text, translation)`` rows in one transaction (and drop this
        cache's claims on them)."""
        fields = json.dumps(options.cache_fields(), sort_keys=True)
        with self._lock, self._guard("write to"), self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO translations "
                "(key, backend, source_lang, target_lang, options, text, translation) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (key, identity, source_lang, target_lang, fields, text, out)
                    for key, text, out in rows
                ],
            )
            self._db.executemany(
                "DELETE FROM claims WHERE key = ? AND owner = ?",
                [(key, self.owner) for key, _, _ in rows],
            )

    def claim(self, keys: Sequence[str]) -> tuple[dict[str, str], list[str], list[str]]:
        """``(cached, mine, elsewhere)`` for ``keys``, decided in one write transaction.

        ``cached``: translations present now (another run may have stored them since the
        first lookup); ``mine``: keys this cache claimed and should send; ``elsewhere``: keys
        another live run has claimed (it is sending them): wait for them instead of paying
        twice. A claim older than :data:`CLAIM_TTL_S`, or of a process of this host that is
        gone, is taken over.
        """
        unique = list(dict.fromkeys(keys))
        now = time.time()
        cached: dict[str, str] = {}
        mine: list[str] = []
        elsewhere: list[str] = []
        with self._lock, self._guard("write to"):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for part in chunks(range(len(unique)), _LOOKUP_CHUNK):
                    batch = [unique[i] for i in part]
                    marks = ",".join("?" * len(batch))
                    cached.update(
                        self._db.execute(
                            f"SELECT key, translation FROM translations WHERE key IN ({marks})",
                            batch,
                        ).fetchall()
                    )
                    claims = dict(
                        (key, (owner, at))
                        for key, owner, at in self._db.execute(
                            f"SELECT key, owner, claimed_at FROM claims WHERE key IN ({marks})",
                            batch,
                        ).fetchall()
                    )
                    for key in batch:
                        if key in cached:
                            continue
                        held = claims.get(key)
                        if held and held[0] != self.owner and _claim_alive(*held, now=now):
                            elsewhere.append(key)
                        else:
                            mine.append(key)
                self._db.executemany(
                    "INSERT OR REPLACE INTO claims (key, owner, claimed_at) VALUES (?, ?, ?)",
                    [(key, self.owner, now) for key in mine],
                )
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise
        return cached, mine, elsewhere

    def release(self, keys: Sequence[str]) -> None:
        """Drop this cache's claims on ``keys`` (after a failed request)."""
        if not keys:
            return
        with self._lock, self._guard("write to"), self._db:
            self._db.executemany(
                "DELETE FROM claims WHERE key = ? AND owner = ?",
                [(key, self.owner) for key in keys],
            )


def _claim_alive(owner: str, claimed_at: float, *, now: float) -> bool:
    """Whether a claim still holds: young enough, and its process alive when on this host."""
    if now - claimed_at > CLAIM_TTL_S:
        return False
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class CachedTranslator:
    """A :class:`Translator` that asks ``inner`` only for texts it has not seen.

    ``requests_made`` counts the backend calls this object made (one per batch).
    """

    def __init__(self, inner: Translator, path: str | Path, *, show_progress: bool = True) -> None:
        self.inner = inner
        self.cache = TranslationCache(path)
        self.path = self.cache.path
        self.show_progress = show_progress
        self.requests_made = 0

    def __repr__(self) -> str:
        return f"CachedTranslator({self.inner!r}, path={str(self.path)!r})"

    def __enter__(self) -> CachedTranslator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.cache.close()

    def cache_identity(self) -> str:
        return self.inner.cache_identity()

    def __len__(self) -> int:
        return len(self.cache)

    def missing(
        self,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[str]:
        """The distinct texts (first-seen order) a :meth:`translate` call would send."""
        return self.cache.missing(
            self.inner.cache_identity(),
            texts,
            source_lang=source_lang,
            target_lang=target_lang,
            options=options,
        )

    def translate(
        self,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[str]:
        identity = self.inner.cache_identity()
        keys = [cache_key(identity, source_lang, target_lang, options, t) for t in texts]
        found = self.cache.lookup(keys)
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                todo.setdefault(key, text)
        todo_keys = list(todo)
        todo_texts = list(todo.values())
        run = _Run(identity, source_lang, target_lang, options, todo_keys, todo_texts, found)
        with progress(
            len(todo_texts),
            description=f"translate {source_lang}→{target_lang}",
            enabled=self.show_progress,
        ) as bar:
            run.bar = bar
            waiting: list[int] = []
            for batch in self._plan(todo_texts, source_lang, target_lang, options):
                waiting += self._claim_and_send(batch, run)
            while waiting:  # texts another run is sending right now: wait for them
                time.sleep(CLAIM_POLL_S)
                waiting = self._claim_and_send(waiting, run)
        if run.lost:
            done = {text: found[key] for key, text in zip(keys, texts, strict=True) if key in found}
            raise ProtectedTextLoss(
                f"{len(run.lost)} translation(s) {source_lang}→{target_lang} lost protected "
                f"code; the other {run.stored} new translation(s) are in the cache {self.path}",
                done=done,
                lost=run.lost,
            )
        return [found[key] for key in keys]

    def _claim_and_send(self, indices: list[int], run: _Run) -> list[int]:
        """Send the texts at ``indices`` (into ``run.todo_texts``) that neither the cache holds
        nor another run is sending; returns the indices another run is sending."""
        cached, mine, elsewhere = self.cache.claim([run.todo_keys[i] for i in indices])
        run.found.update(cached)
        run.advance(len(cached))
        claimed = set(mine)
        mine_indices = [i for i in indices if run.todo_keys[i] in claimed]
        mine_texts = [run.todo_texts[i] for i in mine_indices]
        for sub in self._plan(mine_texts, run.source_lang, run.target_lang, run.options):
            batch = [mine_indices[j] for j in sub]
            try:
                self._send(batch, run)
            except BaseException:
                self.cache.release([run.todo_keys[i] for i in mine_indices])
                raise
        waiting = set(elsewhere)
        return [i for i in indices if run.todo_keys[i] in waiting]

    def _send(self, batch: list[int], run: _Run) -> None:
        """One request for the texts at ``batch``; stores what came back."""
        batch_texts = [run.todo_texts[i] for i in batch]
        self.requests_made += 1
        try:
            translated = self.inner.translate(
                batch_texts,
                source_lang=run.source_lang,
                target_lang=run.target_lang,
                options=run.options,
            )
        except QuotaExceededError as exc:
            raise QuotaExceededError(
                f"{exc} {run.stored} of the {len(run.todo_texts)} texts this call needed are "
                f"now in the translation cache {self.path} (with everything from "
                "earlier runs). Rerun the same command once the quota is renewed, or "
                "with another key: cached texts are not sent again."
            ) from None
        except PartialTranslationError as exc:
            rows = [
                (run.todo_keys[i], run.todo_texts[i], exc.done[run.todo_texts[i]])
                for i in batch
                if run.todo_texts[i] in exc.done
            ]
            self._store(run, rows)
            run.advance(len(batch))
            if not isinstance(exc, ProtectedTextLoss):
                raise _with_cache_note(exc, len(rows), self.path) from None
            run.lost.update(exc.lost)
            self.cache.release([run.todo_keys[i] for i in batch])
            return
        rows = [
            (run.todo_keys[i], run.todo_texts[i], out)
            for i, out in zip(batch, translated, strict=True)
        ]
        self._store(run, rows)
        run.advance(len(rows))

    def _store(self, run: _Run, rows: list[tuple[str, str, str]]) -> None:
        if rows:
            self.cache.store(
                run.identity,
                rows,
                source_lang=run.source_lang,
                target_lang=run.target_lang,
                options=run.options,
            )
            run.found.update((key, out) for key, _, out in rows)
            run.stored += len(rows)

    def _plan(
        self,
        texts: Sequence[str],
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[list[int]]:
        if not texts:
            return []
        planner = getattr(self.inner, "plan_batches", None)
        if planner is None:
            return list(chunks(range(len(texts)), DEFAULT_BATCH))
        plan: list[list[int]] = planner(
            texts, source_lang=source_lang, target_lang=target_lang, options=options
        )
        return plan


@dataclass
class _Run:
    """The state of one :meth:`CachedTranslator.translate` call."""

    identity: str
    source_lang: str
    target_lang: str
    options: TranslationOptions
    todo_keys: list[str]
    todo_texts: list[str]
    found: dict[str, str]
    stored: int = 0
    lost: dict[str, str] = field(default_factory=dict)
    bar: Any = None

    def advance(self, count: int) -> None:
        if self.bar is not None and count:
            self.bar.update(count)


def _with_cache_note(exc: PartialTranslationError, kept: int, path: Path) -> Exception:
    """The error behind a partial failure (its own type, so a used-up quota stays one), saying
    how many translations of the batch were kept."""
    cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
    note = f" ({kept} other translation(s) of this batch are in the cache {path})"
    try:
        return type(cause)(f"{cause}{note}")
    except TypeError:  # an error type with its own constructor
        return type(exc)(f"{exc}{note}", done=exc.done, lost=exc.lost)
