"""Cutting work into requests, and showing progress over it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from tqdm.auto import tqdm

#: DeepL's limits per ``/v2/translate`` request.
DEEPL_MAX_TEXTS = 50
DEEPL_MAX_BODY_BYTES = 128 * 1024


def json_size(value: object) -> int:
    """Bytes ``value`` takes in a JSON request body, encoded the way ``requests`` does it."""
    return len(json.dumps(value).encode("utf-8"))


def plan_batches(
    sizes: Sequence[int], *, max_items: int, max_bytes: int | None = None, overhead: int = 0
) -> list[list[int]]:
    """Group item indices, in order, into batches of at most ``max_items`` items whose sizes
    plus ``overhead`` stay within ``max_bytes``. An item too large on its own gets its own
    batch; the caller decides whether that is an error."""
    batches: list[list[int]] = []
    current: list[int] = []
    used = overhead
    for index, size in enumerate(sizes):
        too_big = max_bytes is not None and used + size > max_bytes
        if current and (len(current) >= max_items or too_big):
            batches.append(current)
            current, used = [], overhead
        current.append(index)
        used += size
    if current:
        batches.append(current)
    return batches


def progress(total: int, *, description: str, enabled: bool = True) -> tqdm:
    """A progress bar over ``total`` texts; silent when not on a terminal or not ``enabled``."""
    return tqdm(total=total, desc=description, unit="text", disable=None if enabled else True)


def chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
