"""Readers for the source formats: LIMA, Bactrian-X, local JSON/JSONL/parquet, Hub files.

* LIMA ``train.jsonl``: one JSON object per line with ``conversations`` (alternating user /
  assistant strings, multi-turn rows included) and ``source``. Rows carry no id: train rows are
  numbered by their 0-based line (``0`` … ``1029``), validation rows ``v<line>``.
* Bactrian-X ``data/<lang>.json.gz``: a JSON array (or JSONL) of ``instruction``, ``input``,
  ``output``, ``id``. The user turn is the instruction, then a blank line and the input when the
  input is not empty.
* Local JSON (array) / JSONL / parquet files, optionally gzip-compressed, with rows in any of
  the shapes above or with a TRL ``messages`` column.
* ``hf://datasets/<org>/<name>/<file>`` paths and bare Hub ids (``GAIR/lima``,
  ``MBZUAI/Bactrian-X``): the data files are downloaded with ``huggingface_hub`` and read
  directly, because both repos still carry loading scripts that ``datasets>=4`` refuses.

A bad file or row raises :class:`~lima_x.errors.InputFormatError` naming the file, the row and
what was expected. Rows in messages count from 1, as editors do: the line of a JSONL file, the
position in a JSON array or parquet file (LIMA's ids stay 0-based: id ``0`` is row 1). A file
that is not UTF-8 is named with the row (line) of the first bad byte. Readers never write
anything.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

from lima_x.errors import InputFormatError, SourceAccessError
from lima_x.records import ROLES, ParallelSample

Row = dict[str, Any]

LIMA_REPO = "GAIR/lima"
BACTRIAN_X_REPO = "MBZUAI/Bactrian-X"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_HF_PREFIX = "hf://datasets/"
_DATA_FILE_ENDINGS = (".json", ".jsonl", ".parquet", ".gz")


# --------------------------------------------------------------------------- files → rows


def load_rows(path: Path) -> list[tuple[int, Row]]:
    """``(row number, row)`` pairs of a JSON array, JSONL or parquet file (``.gz`` allowed).

    Row numbers are 0-based: the index in a JSON array or parquet file, the line in JSONL
    (lines end at ``\n`` only, so a JSON string holding U+2028 or a form feed stays one row).
    Errors name rows 1-based.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(str(path), "file not found")
    if path.name.lower().endswith(".parquet"):
        return _load_parquet(path)
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                raw = handle.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputFormatError(str(path), f"cannot read the file: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark (files saved on Windows) is dropped
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        bad = raw[exc.start : exc.start + 1].hex()
        raise InputFormatError(
            str(path),
            f"expected UTF-8 text, found byte 0x{bad} in line {line}, column {column}: "
            "save the file as UTF-8",
            row=line,
        ) from None
    if text.lstrip().startswith("["):
        return _parse_json_array(path, text)
    return _parse_jsonl(path, text)


def _parse_json_array(path: Path, text: str) -> list[tuple[int, Row]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # a complete first value and more lines: JSONL
            return _parse_jsonl(path, text)
        raise InputFormatError(
            str(path), f"expected a JSON array of objects; invalid JSON at line {exc.lineno}: {exc}"
        ) from exc
    rows: list[tuple[int, Row]] = []
    for number, row in enumerate(data):
        if not isinstance(row, dict):
            raise InputFormatError(
                str(path), f"expected a JSON object, found {type(row).__name__}", row=number + 1
            )
        rows.append((number, row))
    return rows


def _parse_jsonl(path: Path, text: str) -> list[tuple[int, Row]]:
    rows: list[tuple[int, Row]] = []
    for number, line in enumerate(text.split("\n")):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputFormatError(
                str(path), f"expected one JSON object per line (JSONL): {exc}", row=number + 1
            ) from exc
        if not isinstance(row, dict):
            raise InputFormatError(
                str(path), f"expected a JSON object, found {type(row).__name__}", row=number + 1
            )
        rows.append((number, row))
    return rows


def _load_parquet(path: Path) -> list[tuple[int, Row]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputFormatError(str(path), f"cannot read as parquet: {exc}") from exc
    return list(enumerate(table.to_pylist()))


# --------------------------------------------------------------------------- rows → messages


def _require_str(row: Row, key: str, path: Path, number: int, *, allow_empty: bool) -> str:
    value = row.get(key)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        found = "missing" if key not in row else repr(value)[:60]
        need = "a string" if allow_empty else "a non-empty string"
        raise InputFormatError(
            str(path), f"expected {key!r} to be {need}, found {found}", row=number + 1
        )
    return value


def messages_from_conversations(
    conversations: Any, path: Path, number: int
) -> list[dict[str, str]]:
    """LIMA's alternating strings (user first) as TRL messages; the last turn must be an answer."""
    if not isinstance(conversations, list) or not conversations:
        raise InputFormatError(
            str(path), "expected 'conversations' to be a non-empty list of strings", row=number + 1
        )
    if len(conversations) % 2:
        raise InputFormatError(
            str(path),
            f"expected user/assistant pairs in 'conversations', found {len(conversations)} turns",
            row=number + 1,
        )
    messages = []
    for turn, content in enumerate(conversations):
        if not isinstance(content, str) or not content.strip():
            raise InputFormatError(
                str(path),
                f"expected turn {turn} of 'conversations' to be a non-empty string",
                row=number + 1,
            )
        messages.append({"role": "user" if turn % 2 == 0 else "assistant", "content": content})
    return messages


def messages_from_messages(messages: Any, path: Path, number: int) -> list[dict[str, str]]:
    """A TRL ``messages`` list, checked and reduced to ``role`` and ``content``."""
    if not isinstance(messages, list) or not messages:
        raise InputFormatError(
            str(path),
            "expected 'messages' to be a non-empty list of {role, content}",
            row=number + 1,
        )
    out = []
    for turn, message in enumerate(messages):
        ok = (
            isinstance(message, dict)
            and message.get("role") in ROLES
            and isinstance(message.get("content"), str)
        )
        if not ok:
            raise InputFormatError(
                str(path),
                f"expected message {turn} to be {{'role': one of {ROLES}, 'content': str}}",
                row=number + 1,
            )
        out.append({"role": message["role"], "content": message["content"]})
    if out[-1]["role"] != "assistant":
        raise InputFormatError(
            str(path), "expected the last message to be the assistant's", row=number + 1
        )
    return out


def messages_from_instruction(row: Row, path: Path, number: int) -> list[dict[str, str]]:
    """Bactrian-X / Alpaca shape: instruction, optional input (after a blank line), output."""
    instruction = _require_str(row, "instruction", path, number, allow_empty=False)
    extra = row.get("input") or ""
    if not isinstance(extra, str):
        raise InputFormatError(str(path), "expected 'input' to be a string", row=number + 1)
    output = _require_str(row, "output", path, number, allow_empty=False)
    user = f"{instruction}\n\n{extra}" if extra.strip() else instruction
    return [{"role": "user", "content": user}, {"role": "assistant", "content": output}]


def messages_from_row(row: Row, path: Path, number: int) -> list[dict[str, str]]:
    """Messages of a row in any supported shape (``messages``, ``conversations``, instruction)."""
    if "messages" in row:
        return messages_from_messages(row["messages"], path, number)
    if "conversations" in row:
        return messages_from_conversations(row["conversations"], path, number)
    if "instruction" in row:
        return messages_from_instruction(row, path, number)
    raise InputFormatError(
        str(path),
        "expected a 'messages', 'conversations' or 'instruction'/'output' field, "
        f"found fields {sorted(row)[:8]}",
        row=number + 1,
    )


# --------------------------------------------------------------------------- datasets


def read_conversations(
    path: Path, *, lang: str, default_source: str, id_prefix: str = ""
) -> list[ParallelSample]:
    """LIMA-style or local conversation rows of one language.

    A row's ``source_id`` or ``id`` is used when present, else ``<id_prefix><row number>``
    (LIMA's numbering).
    """
    path = Path(path)
    samples: list[ParallelSample] = []
    seen: set[str] = set()
    for number, row in load_rows(path):
        messages = messages_from_row(row, path, number)
        # A file written by this builder carries ``source_id`` (``id`` has the language suffix).
        raw_id = row.get("source_id", row.get("id"))
        source_id = str(raw_id) if raw_id not in (None, "") else f"{id_prefix}{number}"
        if source_id in seen:
            raise InputFormatError(str(path), f"duplicate id {source_id!r}", row=number + 1)
        seen.add(source_id)
        source = row.get("source")
        samples.append(
            ParallelSample(
                source_id=source_id,
                lang=lang,
                messages=messages,
                source=source if isinstance(source, str) and source else default_source,
                row=number + 1,
            )
        )
    if not samples:
        raise InputFormatError(str(path), "expected at least one row, found none")
    return samples


def read_lima(path: Path, *, split: str = "train", lang: str = "EN") -> list[ParallelSample]:
    """LIMA rows; ids are the 0-based line for train and ``v<line>`` for validation."""
    prefix = "" if split == "train" else "v"
    return read_conversations(path, lang=lang, default_source="lima", id_prefix=prefix)


def bactrian_x_file(source_dir: Path, lang: str) -> Path:
    """``<dir>/data/<lang>.json.gz`` (also accepts ``.json``/``.jsonl`` and files at the top)."""
    code = lang.lower()
    candidates = [
        source_dir / sub / f"{code}{ext}"
        for sub in ("data", ".")
        for ext in (".json.gz", ".json", ".jsonl", ".jsonl.gz")
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputFormatError(
        str(source_dir), f"expected a Bactrian-X file data/{code}.json.gz for language {lang}"
    )


def read_bactrian_x_language(path: Path, lang: str) -> list[ParallelSample]:
    """One Bactrian-X language file; every row needs ``instruction``, ``output`` and ``id``."""
    path = Path(path)
    samples = []
    seen: set[str] = set()
    for number, row in load_rows(path):
        messages = messages_from_instruction(row, path, number)
        raw_id = row.get("id")
        if not isinstance(raw_id, str | int) or raw_id == "":
            raise InputFormatError(
                str(path), "expected 'id' to be a non-empty string or integer", row=number + 1
            )
        source_id = str(raw_id)
        if source_id in seen:
            raise InputFormatError(str(path), f"duplicate id {source_id!r}", row=number + 1)
        seen.add(source_id)
        origin = "original" if lang.upper() == "EN" else "machine_translation"
        samples.append(ParallelSample(source_id, lang, messages, "bactrian-x", origin))
    if not samples:
        raise InputFormatError(str(path), "expected at least one row, found none")
    return samples


# --------------------------------------------------------------------------- Hub


def is_hub_reference(spec: str) -> bool:
    """``hf://datasets/...`` or an ``org/name`` id that is not a local path.

    ``org/name`` is taken as local when it exists, when ``org`` is an existing folder, or when
    ``name`` ends like a data file (``lima/train.jsonl``): a mistyped local path then fails as
    "file not found" instead of as a Hub download.
    """
    if spec.startswith(_HF_PREFIX):
        return True
    if not _HUB_ID.match(spec):
        return False
    path = Path(spec)
    return not (
        path.exists() or path.parent.is_dir() or path.name.lower().endswith(_DATA_FILE_ENDINGS)
    )


def split_hub_reference(spec: str) -> tuple[str, str | None, str | None]:
    """``(repo_id, path in repo or None, revision or None)`` of a Hub reference."""
    rest = spec[len(_HF_PREFIX) :] if spec.startswith(_HF_PREFIX) else spec
    parts = rest.split("/", 2)
    if len(parts) < 2:
        raise SourceAccessError(f"expected hf://datasets/<org>/<name>[/<file>], got {spec!r}")
    name, revision = parts[1], None
    if "@" in name:
        name, revision = name.split("@", 1)
    file_path = parts[2] if len(parts) == 3 and parts[2] else None
    return f"{parts[0]}/{name}", file_path, revision


def hub_download(repo_id: str, filename: str, revision: str | None = None) -> Path:
    """Download one data file of a Hub dataset repo (token from ``HF_TOKEN``)."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    try:
        return Path(hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision))
    except GatedRepoError as exc:
        raise SourceAccessError(_gated_message(repo_id)) from exc
    except RepositoryNotFoundError as exc:
        raise SourceAccessError(
            f"dataset repo {repo_id} not found, or it is gated/private: {_gated_message(repo_id)}"
        ) from exc
    except LocalEntryNotFoundError as exc:  # a subclass of EntryNotFoundError: test it first
        raise SourceAccessError(
            f"cannot download {filename} from {repo_id}: the Hub is not reachable (or "
            "HF_HUB_OFFLINE is set) and the file is not in the local Hugging Face cache"
        ) from exc
    except EntryNotFoundError as exc:
        raise SourceAccessError(f"{repo_id} has no file {filename!r}") from exc
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (401, 403):
            raise SourceAccessError(_gated_message(repo_id)) from exc
        raise SourceAccessError(f"downloading {filename} from {repo_id} failed ({status})") from exc


def _gated_message(repo_id: str) -> str:
    return (
        f"access to {repo_id} was refused: accept its terms at "
        f"https://huggingface.co/datasets/{repo_id} and set HF_TOKEN to a token of that account"
    )


def resolve_file(spec: str, *, default_filename: str | None) -> Path:
    """A local file, or a Hub file (``hf://datasets/org/name/file``, or ``org/name``).

    ``default_filename``: the file of a bare ``org/name``; None when a bare id names no file
    (LIMA has no validation set: ``GAIR/lima``'s ``test.jsonl`` holds prompts without answers).
    """
    if not is_hub_reference(spec):
        return Path(spec)
    repo_id, file_path, revision = split_hub_reference(spec)
    filename = file_path or default_filename
    if filename is None:
        raise SourceAccessError(
            f"{spec} names a dataset repo, not a file: give a local file or "
            f"hf://datasets/{repo_id}/<file> (GAIR/lima has no validation set; its test.jsonl "
            "holds prompts without answers)"
        )
    return hub_download(repo_id, filename, revision)


def resolve_bactrian_x_dir(spec: str, langs: list[str]) -> Path:
    """A local Bactrian-X folder, or the Hub repo whose ``data/<lang>.json.gz`` are fetched."""
    if not is_hub_reference(spec):
        return Path(spec)
    repo_id, filenames, revision = bactrian_x_hub_files(spec, langs)
    paths = [hub_download(repo_id, filename, revision) for filename in filenames]
    return paths[0].parent.parent


def bactrian_x_hub_files(spec: str, langs: list[str]) -> tuple[str, list[str], str | None]:
    """``(repo_id, data files in the repo, revision)`` of a Bactrian-X Hub reference.

    ``MBZUAI/Bactrian-X``, ``hf://datasets/MBZUAI/Bactrian-X`` and ``…/Bactrian-X/data`` all
    mean ``data/<lang>.json.gz``; another sub-folder holds its own ``data/``.
    """
    repo_id, sub, revision = split_hub_reference(spec)
    folder = (sub or "").strip("/")
    if folder.rsplit("/", 1)[-1] != "data":
        folder = f"{folder}/data" if folder else "data"
    return repo_id, [f"{folder}/{lang.lower()}.json.gz" for lang in langs], revision
