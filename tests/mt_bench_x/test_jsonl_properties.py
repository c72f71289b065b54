"""Properties of crash-safe JSONL appending (``mt_bench_x.formats.jsonl``): a line torn at any
byte by a kill is cut exactly, whole lines are never lost, readers skip a torn tail without
changing the file, and appending after a repair reads back as one clean file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mt_bench_x.formats.jsonl import JsonlAppender, iter_jsonl, read_jsonl, repair_torn_tail

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=6,
)
RECORDS = st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=4)
quick = settings(max_examples=100, deadline=None)


def encoded(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


@quick
@given(st.lists(RECORDS, max_size=5), RECORDS, st.data())
def test_a_line_torn_at_any_byte_is_cut_exactly(
    whole: list[dict], torn: dict, data: st.DataObject
) -> None:
    line = encoded(torn)
    cut = data.draw(st.integers(1, len(line) - 1), label="bytes of the torn line written")
    body = b"".join(encoded(record) + b"\n" for record in whole)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "judgments.jsonl"
        write(path, body + line[:cut])
        # readers skip the torn tail and leave the file as it is
        assert [r for _, r in iter_jsonl(path, skip_incomplete_last_line=True)] == whole
        assert path.read_bytes() == body + line[:cut]
        assert repair_torn_tail(path) == cut
        assert path.read_bytes() == body
        assert repair_torn_tail(path) == 0  # idempotent


@quick
@given(st.lists(RECORDS, min_size=1, max_size=5))
def test_a_whole_last_line_without_newline_is_kept(records: list[dict]) -> None:
    lines = [encoded(record) for record in records]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.jsonl"
        write(path, b"\n".join(lines))  # another tool that leaves the final newline out
        assert repair_torn_tail(path) == 0
        assert path.read_bytes() == b"\n".join(lines) + b"\n"
        assert read_jsonl(path) == records


@quick
@given(st.lists(RECORDS, max_size=4), RECORDS, st.lists(RECORDS, min_size=1, max_size=4), st.data())
def test_appending_after_a_kill_reads_back_clean(
    before: list[dict], torn: dict, after: list[dict], data: st.DataObject
) -> None:
    line = encoded(torn)
    cut = data.draw(st.integers(0, len(line) - 1), label="bytes of the torn line written")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "judgments.jsonl"
        write(path, b"".join(encoded(r) + b"\n" for r in before) + line[:cut])
        with JsonlAppender(path, fsync=False) as appender:
            for record in after:
                appender.write(record)
        assert read_jsonl(path) == before + after
        assert path.read_bytes().endswith(b"\n")
