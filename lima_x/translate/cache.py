"""A persistent SQLite cache in front of any translator.

Key: sha256 over ``(inner.cache_identity(), source, target, options.cache_fields(), text)``.
Texts missing from the cache are sent to the backend one request-sized batch at a time
(the backend's ``plan_batches`` when it has one), and each finished batch is committed
before the next request: a run killed half-way and started again pays for nothing twice,
and a second full run sends nothing. The database runs in WAL mode with a busy timeout, so
several processes may share it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.batching import chunks, progress
from lima_x.translate.errors import QuotaExceededError

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
_LOOKUP_CHUNK = 500
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

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=60.0, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=60000")
        with self._db:
            self._db.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    def lookup(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations of those ``keys`` that are present."""
        unique = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        with self._lock:
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
        """Commit ``(key, text, translation)`` rows in one transaction."""
        fields = json.dumps(options.cache_fields(), sort_keys=True)
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO translations "
                "(key, backend, source_lang, target_lang, options, text, translation) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (key, identity, source_lang, target_lang, fields, text, out)
                    for key, text, out in rows
                ],
            )


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
        stored = 0
        with progress(
            len(todo_texts),
            description=f"translate {source_lang}→{target_lang}",
            enabled=self.show_progress,
        ) as bar:
            for batch in self._plan(todo_texts, source_lang, target_lang, options):
                batch_texts = [todo_texts[i] for i in batch]
                self.requests_made += 1
                try:
                    translated = self.inner.translate(
                        batch_texts,
                        source_lang=source_lang,
                        target_lang=target_lang,
                        options=options,
                    )
                except QuotaExceededError as exc:
                    raise QuotaExceededError(
                        f"{exc} {stored} of the {len(todo_texts)} texts this call needed are "
                        f"now in the translation cache {self.path} (with everything from "
                        "earlier runs). Rerun the same command once the quota is renewed, or "
                        "with another key: cached texts are not sent again."
                    ) from None
                rows = [
                    (todo_keys[i], todo_texts[i], out)
                    for i, out in zip(batch, translated, strict=True)
                ]
                self.cache.store(
                    identity,
                    rows,
                    source_lang=source_lang,
                    target_lang=target_lang,
                    options=options,
                )
                found.update((key, out) for key, _, out in rows)
                stored += len(rows)
                bar.update(len(rows))
        return [found[key] for key in keys]

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
