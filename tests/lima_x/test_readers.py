"""Every reader on its real format, and clear errors on bad files and rows."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lima_x.errors import InputFormatError, SourceAccessError
from lima_x.readers import (
    bactrian_x_file,
    bactrian_x_hub_files,
    is_hub_reference,
    load_rows,
    read_bactrian_x_language,
    read_conversations,
    read_lima,
    resolve_bactrian_x_dir,
    resolve_file,
    split_hub_reference,
)
from tests.lima_x.sources import bactrian_rows, lima_rows, write_bactrian_file, write_jsonl


def test_lima_train_rows_are_numbered_by_line_and_keep_multi_turn(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", lima_rows(8))
    samples = read_lima(path, split="train")
    assert [s.source_id for s in samples] == [str(i) for i in range(8)]
    assert [s.id for s in samples][:2] == ["0_EN", "1_EN"]
    multi = samples[3]
    assert [m["role"] for m in multi.messages] == ["user", "assistant", "user", "assistant"]
    assert multi.messages[2]["content"] == "And what about step 4?"
    assert samples[1].source == "stackexchange" and samples[0].source == "wikihow"
    assert all(s.origin == "original" and s.lang == "EN" for s in samples)


def test_lima_validation_ids_are_v_prefixed(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "val.jsonl", lima_rows(3))
    assert [s.source_id for s in read_lima(path, split="validation")] == ["v0", "v1", "v2"]


def test_lima_ids_follow_physical_lines_when_blank_lines_exist(tmp_path: Path) -> None:
    rows = lima_rows(2)
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n", encoding="utf-8")
    assert [s.source_id for s in read_lima(path)] == ["0", "2"]


@pytest.mark.parametrize("jsonl", [False, True], ids=["json-array", "jsonl"])
def test_bactrian_x_file_formats(tmp_path: Path, jsonl: bool) -> None:
    rows = bactrian_rows("DE", ["a-1", "a-2", "a-3"])
    path = write_bactrian_file(tmp_path / "data" / "de.json.gz", rows, jsonl=jsonl)
    samples = read_bactrian_x_language(path, "de")
    assert [s.id for s in samples] == ["a-1_DE", "a-2_DE", "a-3_DE"]
    # Row 0 has an input: instruction, blank line, input. Row 1 has none: the instruction only.
    assert samples[0].messages[0]["content"] == f"{rows[0]['instruction']}\n\n{rows[0]['input']}"
    assert samples[1].messages[0]["content"] == rows[1]["instruction"]
    assert samples[1].messages[1] == {"role": "assistant", "content": rows[1]["output"]}
    assert samples[0].origin == "machine_translation"
    assert (
        read_bactrian_x_language(write_bactrian_file(tmp_path / "en.json", rows), "EN")[0].origin
        == "original"
    )


def test_bactrian_x_file_lookup(tmp_path: Path) -> None:
    write_bactrian_file(tmp_path / "data" / "fr.json.gz", bactrian_rows("FR", ["x"]))
    assert bactrian_x_file(tmp_path, "FR") == tmp_path / "data" / "fr.json.gz"
    with pytest.raises(InputFormatError, match=r"data/it\.json\.gz"):
        bactrian_x_file(tmp_path, "IT")


def test_local_parquet_and_json_with_messages(tmp_path: Path) -> None:
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    rows = [
        {"id": "q1", "messages": messages, "source": "mine"},
        {"id": "q2", "messages": messages},
    ]
    parquet = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    json_file = tmp_path / "rows.json"
    json_file.write_text(json.dumps(rows), encoding="utf-8")
    for path in (parquet, json_file):
        samples = read_conversations(path, lang="EN", default_source="local")
        assert [s.id for s in samples] == ["q1_EN", "q2_EN"]
        assert samples[0].messages == messages
        assert [s.source for s in samples] == ["mine", "local"]


def test_gzipped_jsonl_conversations(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in lima_rows(2):
            handle.write(json.dumps(row) + "\n")
    assert len(read_lima(path)) == 2


def test_files_with_a_byte_order_mark(tmp_path: Path) -> None:
    """Editors on Windows save UTF-8 with a BOM; both JSONL and JSON arrays must still read."""
    jsonl = tmp_path / "train.jsonl"
    jsonl.write_bytes(
        b"\xef\xbb\xbf" + write_jsonl(tmp_path / "x.jsonl", lima_rows(3)).read_bytes()
    )
    assert [s.source_id for s in read_lima(jsonl)] == ["0", "1", "2"]
    array = tmp_path / "en.json"
    array.write_bytes(b"\xef\xbb\xbf" + json.dumps(bactrian_rows("EN", ["a", "b"])).encode())
    assert [s.source_id for s in read_bactrian_x_language(array, "EN")] == ["a", "b"]


BAD_ROWS = [  # rows count from 1, as editors number lines
    ('{"conversations": ["only a question"]}', 1, "user/assistant pairs"),
    ('{"conversations": ["q", 3]}', 1, "turn 1"),
    ('{"conversations": "not a list"}', 1, "non-empty list"),
    ('{"text": "no conversation"}', 1, "'messages', 'conversations'"),
    ('{"conversations": ["q", "a"]}\n{"conversations": ["q", "a"]', 2, "JSONL"),
    ('{"conversations": ["q", "a"]}\n[1, 2]', 2, "expected a JSON object"),
    ('{"messages": [{"role": "user", "content": "q"}]}', 1, "last message"),
    ('{"messages": [{"role": "bot", "content": "q"}]}', 1, "role"),
    ('{"conversations": ["q", "a"]}\n\n{"conversations": ["q"]}', 3, "pairs"),
]


@pytest.mark.parametrize(("text", "row", "expected"), BAD_ROWS)
def test_bad_conversation_rows_name_file_row_and_expectation(
    tmp_path: Path, text: str, row: int, expected: str
) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(InputFormatError) as info:
        read_lima(path)
    assert info.value.row == row
    assert str(path) in str(info.value) and f"row {row}" in str(info.value)
    assert expected in str(info.value)


BAD_BACTRIAN = [
    ({"instruction": "i", "input": "", "output": "o"}, "'id'"),
    ({"instruction": "", "input": "", "output": "o", "id": "x"}, "'instruction'"),
    ({"instruction": "i", "input": 5, "output": "o", "id": "x"}, "'input'"),
    ({"instruction": "i", "input": "", "id": "x"}, "'output'"),
]


@pytest.mark.parametrize(("row", "expected"), BAD_BACTRIAN)
def test_bad_bactrian_rows(tmp_path: Path, row: dict, expected: str) -> None:
    good = bactrian_rows("EN", ["ok"])[0]
    path = write_bactrian_file(tmp_path / "en.json.gz", [good, row])
    with pytest.raises(InputFormatError, match=rf"row 2: expected {expected}"):
        read_bactrian_x_language(path, "EN")


def test_a_file_that_is_not_utf8_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    lines = [json.dumps(row).encode() for row in lima_rows(3)]
    lines[2] = lines[2].replace(b"Question", b"Qu\xe9stion")  # Latin-1, not UTF-8
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(InputFormatError) as info:
        read_lima(path)
    message = str(info.value)
    assert f"{path}, row 3: expected UTF-8" in message and "0xe9" in message
    assert "position" not in message  # not the decoder's byte offset


def test_a_line_separator_inside_a_string_does_not_split_the_row(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    row = {"conversations": ["one\u2028two\x0cthree", "answer"]}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_lima(path)[0].messages[0]["content"] == "one\u2028two\x0cthree"


def test_duplicate_ids_and_unreadable_files(tmp_path: Path) -> None:
    rows = bactrian_rows("EN", ["same", "same"])
    with pytest.raises(InputFormatError, match="duplicate id 'same'"):
        read_bactrian_x_language(write_bactrian_file(tmp_path / "en.json", rows), "EN")
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(InputFormatError, match="cannot read"):
        load_rows(broken)
    not_parquet = tmp_path / "x.parquet"
    not_parquet.write_text("nope", encoding="utf-8")
    with pytest.raises(InputFormatError, match="parquet"):
        load_rows(not_parquet)
    with pytest.raises(InputFormatError, match="file not found"):
        load_rows(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="at least one row"):
        read_lima(empty)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("hf://datasets/GAIR/lima/train.jsonl", ("GAIR/lima", "train.jsonl", None)),
        ("hf://datasets/GAIR/lima@abc123/train.jsonl", ("GAIR/lima", "train.jsonl", "abc123")),
        ("GAIR/lima", ("GAIR/lima", None, None)),
        ("hf://datasets/MBZUAI/Bactrian-X", ("MBZUAI/Bactrian-X", None, None)),
    ],
)
def test_hub_references(spec: str, expected: tuple) -> None:
    assert is_hub_reference(spec)
    assert split_hub_reference(spec) == expected


@pytest.mark.parametrize(
    ("spec", "files"),
    [
        ("MBZUAI/Bactrian-X", ["data/en.json.gz", "data/de.json.gz"]),
        ("hf://datasets/MBZUAI/Bactrian-X", ["data/en.json.gz", "data/de.json.gz"]),
        ("hf://datasets/MBZUAI/Bactrian-X/data", ["data/en.json.gz", "data/de.json.gz"]),
        ("hf://datasets/MBZUAI/Bactrian-X/data/", ["data/en.json.gz", "data/de.json.gz"]),
        ("hf://datasets/org/mirror/v2", ["v2/data/en.json.gz", "v2/data/de.json.gz"]),
    ],
)
def test_bactrian_x_hub_files(spec: str, files: list[str]) -> None:
    repo_id, names, revision = bactrian_x_hub_files(spec, ["EN", "DE"])
    assert (repo_id, names, revision) == (split_hub_reference(spec)[0], files, None)


def test_local_paths_are_not_hub_references(tmp_path: Path) -> None:
    folder = tmp_path / "org" / "name"
    folder.mkdir(parents=True)
    assert not is_hub_reference(str(folder))
    assert (
        resolve_file(str(tmp_path / "train.jsonl"), default_filename="x")
        == tmp_path / "train.jsonl"
    )
    assert resolve_bactrian_x_dir(str(folder), ["EN"]) == folder


@pytest.mark.parametrize("name", ["train.jsonl", "data.json.gz", "rows.parquet", "x.json"])
def test_mistyped_local_files_fail_as_local_files_not_as_hub_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """`lima/train.jsonl` with a typo looks like an `org/name` id; it must be read as a path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lima").mkdir()
    for spec in (f"lima/{name}", f"limma/{name}"):
        assert not is_hub_reference(spec)
        assert resolve_file(spec, default_filename="train.jsonl") == Path(spec)
        with pytest.raises(InputFormatError, match="file not found"):
            load_rows(resolve_file(spec, default_filename="train.jsonl"))
    # An existing folder named like an org: `lima/other` is a local folder, not a repo.
    assert not is_hub_reference("lima/other")
    assert is_hub_reference("GAIR/lima") and is_hub_reference("MBZUAI/Bactrian-X")


class _RefusingHub(BaseHTTPRequestHandler):
    """Answers every Hub request like a gated repo does without accepted terms."""

    def _refuse(self) -> None:
        body = b'{"error": "Access to dataset GAIR/lima is restricted."}'
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Error-Code", "GatedRepo")
        self.send_header("X-Error-Message", "Access to dataset GAIR/lima is restricted.")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = _refuse

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


def test_gated_hub_download_says_to_accept_terms_and_set_token(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RefusingHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code = (
            "from lima_x.readers import resolve_file\n"
            "from lima_x.errors import SourceAccessError\n"
            "try:\n"
            "    resolve_file('GAIR/lima', default_filename='train.jsonl')\n"
            "except SourceAccessError as exc:\n"
            "    print('REFUSED', exc)\n"
        )
        env = {
            "HF_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}",
            "HF_HOME": str(tmp_path / "hf"),
            "HF_HUB_OFFLINE": "0",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "PATH": "/usr/bin:/bin",
        }
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        server.shutdown()
    assert "REFUSED" in result.stdout, result.stderr[-2000:]
    assert "accept its terms" in result.stdout and "HF_TOKEN" in result.stdout
    assert "GAIR/lima" in result.stdout


def test_offline_hub_download_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = (
        "from lima_x.readers import resolve_bactrian_x_dir\n"
        "from lima_x.errors import SourceAccessError\n"
        "try:\n"
        "    resolve_bactrian_x_dir('MBZUAI/Bactrian-X', ['EN'])\n"
        "except SourceAccessError as exc:\n"
        "    print('FAILED', exc)\n"
    )
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert "FAILED" in result.stdout, result.stderr[-2000:]
    assert "data/en.json.gz" in result.stdout
    assert "not reachable" in result.stdout and "local Hugging Face cache" in result.stdout
    assert "has no file" not in result.stdout  # the repo has it; the machine is offline
    assert SourceAccessError.__name__ not in result.stderr
