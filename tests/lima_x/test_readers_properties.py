"""Properties of the readers over generated files: what is written is read back, every bad
file ends in an InputFormatError naming a 1-based row, and nothing else escapes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lima_x.errors import InputFormatError
from lima_x.readers import load_rows, read_bactrian_x_language, read_lima
from tests.lima_x.strategies import bactrian_rows, lima_rows

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def write(folder: Path, name: str, rows: list[dict], shape: str) -> Path:
    path = folder / name
    if shape == "jsonl":
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    elif shape == "jsonl.gz":
        path = path.with_name(name + ".gz")
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    elif shape == "json":
        path = path.with_suffix(".json")
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    else:
        path = path.with_suffix(".parquet")
        pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@SETTINGS
@given(rows=lima_rows, shape=st.sampled_from(["jsonl", "jsonl.gz", "json", "parquet"]))
def test_lima_rows_come_back_as_written(tmp_path: Path, rows: list[dict], shape: str) -> None:
    path = write(tmp_path, "train.jsonl", rows, shape)
    samples = read_lima(path)
    assert [s.source_id for s in samples] == [str(i) for i in range(len(rows))]
    assert [s.row for s in samples] == list(range(1, len(rows) + 1))
    for sample, row in zip(samples, rows, strict=True):
        assert [m["content"] for m in sample.messages] == row["conversations"]
        assert [m["role"] for m in sample.messages] == ["user", "assistant"] * (
            len(row["conversations"]) // 2
        )
        assert sample.source == (row["source"] or "lima")


@SETTINGS
@given(rows=bactrian_rows(), shape=st.sampled_from(["jsonl", "json", "parquet"]))
def test_bactrian_rows_come_back_as_written(tmp_path: Path, rows: list[dict], shape: str) -> None:
    path = write(tmp_path, "de.jsonl", rows, shape)
    samples = read_bactrian_x_language(path, "DE")
    assert [s.source_id for s in samples] == [r["id"] for r in rows]
    for sample, row in zip(samples, rows, strict=True):
        user = sample.messages[0]["content"]
        assert user.startswith(row["instruction"])
        assert user == (
            f"{row['instruction']}\n\n{row['input']}"
            if row["input"].strip()
            else row["instruction"]
        )
        assert sample.messages[1]["content"] == row["output"]


@SETTINGS
@given(rows=lima_rows, bad=st.data())
def test_a_broken_row_is_named_by_its_1_based_line(
    tmp_path: Path, rows: list[dict], bad: st.DataObject
) -> None:
    broken = bad.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines[broken] = bad.draw(
        st.sampled_from(['{"conversations": ["q"]}', "[1, 2]", '{"conversations": ', "{}"])
    )
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        read_lima(path)
    except InputFormatError as error:
        assert error.row == broken + 1
        assert str(error).startswith(f"{path}, row {broken + 1}: ")
    else:
        raise AssertionError("a broken row was read without an error")


@SETTINGS
@given(content=st.binary(max_size=200), name=st.sampled_from(["x.jsonl", "x.json.gz", "x.json"]))
def test_any_bytes_are_read_or_refused_with_an_input_format_error(
    tmp_path: Path, content: bytes, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    try:
        rows = load_rows(path)
    except InputFormatError as error:
        assert str(path) in str(error)
        if error.row is not None:
            assert isinstance(error.row, int) and 1 <= error.row <= content.count(b"\n") + 1
    else:
        assert all(isinstance(row, dict) for _, row in rows)
