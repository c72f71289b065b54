"""JSON Lines I/O for FastChat-format records: strict reading and crash-safe appending.

Reading names the file and line of any malformed record. Appending is for long runs that
must survive a kill: one writer, one line per ``write`` call, flushed and fsynced, and a
torn last line left by a killed process is cut off (and reported) before new lines go on.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from mt_bench_x.formats.errors import InputFileError, MTBenchXError

logger = logging.getLogger(__name__)


def parse_jsonl_line(path: Path, number: int, line: str) -> dict[str, Any]:
    """One JSONL line as a JSON object, or an error naming ``path:number``."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputFileError(
            str(path), f"not valid JSON ({error.msg} at column {error.colno})", line=number
        ) from None
    if not isinstance(record, dict):
        found = type(record).__name__
        raise InputFileError(str(path), f"expected a JSON object, found {found}", line=number)
    return record


def iter_jsonl(
    path: Path, *, skip_incomplete_last_line: bool = False
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, record)`` for every non-blank line; each record must be an object.

    With ``skip_incomplete_last_line``, a last line without its newline (a writer killed
    mid-line, or one still writing) is skipped with a warning instead of parsed; the file is
    not changed (only :class:`JsonlAppender` cuts such a line off).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(str(path), "file not found")
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if skip_incomplete_last_line and not raw.endswith(b"\n") and not _is_record(raw):
                logger.warning("%s: ignoring an incomplete last line (%d bytes)", path, len(raw))
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InputFileError(
                    str(path), f"not UTF-8 text (byte {error.start} of the line)", line=number
                ) from None
            if line.strip():
                yield number, parse_jsonl_line(path, number, line)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """All records of a JSONL file (see :func:`iter_jsonl` for the checks)."""
    return [record for _, record in iter_jsonl(path)]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Write records atomically: a temporary file renamed into place, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def _is_record(raw: bytes) -> bool:
    """Whether a line is a whole JSON object. A line torn by a kill never is (an object only
    closes at its end), so a last line without newline that is one was written whole, by
    another tool that leaves the final newline out, and must be kept."""
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False


def repair_torn_tail(path: Path) -> int:
    """Cut a last line that has no newline (a write killed half-way). Returns bytes removed.

    A last line that is a whole JSON object without its newline is kept, and the newline
    added, so that appending goes on after it.
    """
    path = Path(path)
    if not path.is_file():
        return 0
    with path.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return 0
        # Walk back to the last newline; everything after it is the torn line.
        position = size - 1
        chunk = 4096
        keep = 0
        while position > 0:
            start = max(0, position - chunk)
            handle.seek(start)
            data = handle.read(position - start)
            index = data.rfind(b"\n")
            if index != -1:
                keep = start + index + 1
                break
            position = start
        handle.seek(keep)
        if _is_record(handle.read(size - keep)):
            handle.write(b"\n")
            return 0
        handle.truncate(keep)
    removed = size - keep
    logger.warning(
        "%s: removed a torn last line (%d bytes) left by an interrupted run", path, removed
    )
    return removed


def _lock(handle: Any, path: Path) -> None:
    """An exclusive lock on the open file for as long as it is open; a second writer (the
    same command started twice) fails at once instead of duplicating lines."""
    try:
        import fcntl
    except ImportError:  # no flock on this platform
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise MTBenchXError(
            f"{path}: another process is writing this file (the same run started twice?); "
            "wait for it to finish, or stop it"
        ) from None


class JsonlAppender:
    """Append records to a JSONL file, one durable line at a time (use from one thread)."""

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self._handle: Any = None

    def __enter__(self) -> JsonlAppender:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a", encoding="utf-8")
        try:
            _lock(handle, self.path)  # before the repair: another writer's line is not torn
            repair_torn_tail(self.path)
        except BaseException:
            handle.close()
            raise
        self._handle = handle
        return self

    def write(self, record: dict[str, Any]) -> None:
        if self._handle is None:
            raise RuntimeError("JsonlAppender.write called outside its `with` block")
        try:
            self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._handle.flush()
            if self.fsync:
                os.fsync(self._handle.fileno())
        except OSError as error:
            raise _naming(error, self.path) from None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                handle.close()
            except OSError as error:
                raise _naming(error, self.path) from None


def _naming(error: OSError, path: Path) -> OSError:
    """A write error that says which file it could not write (a full disk names none)."""
    if error.filename is not None or error.errno is None:
        return error
    return OSError(error.errno, error.strerror, str(path))


def write_lines_atomic(path: Path, lines: Iterable[str]) -> None:
    """Write text lines (each followed by ``\\n``) to a temporary file renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        for text in lines:
            handle.write(text + "\n")
    os.replace(tmp, path)
