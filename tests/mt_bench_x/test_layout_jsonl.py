"""FastChat layout paths and JSONL I/O: file:line errors, atomic writes, torn-tail repair."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.jsonl import (
    JsonlAppender,
    iter_jsonl,
    read_jsonl,
    repair_torn_tail,
    write_jsonl,
)
from mt_bench_x.formats.layout import BenchPaths, available_languages, file_safe, normalize_lang


@pytest.mark.parametrize(
    ("given", "expected"),
    [("de", "DE"), (" FR ", "FR"), ("pt-br", "PT-BR"), ("zh-hans", "ZH-HANS")],
)
def test_normalize_lang(given: str, expected: str) -> None:
    assert normalize_lang(given) == expected


@pytest.mark.parametrize("bad", ["", "D", "deu", "de_DE", "1E", "mt_bench_DE"])
def test_normalize_lang_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="language code"):
        normalize_lang(bad)


def test_bench_paths_follow_fastchat(tmp_path: Path) -> None:
    paths = BenchPaths(tmp_path, "de")
    root = tmp_path / "mt_bench_DE"
    assert paths.bench_name == "mt_bench_DE"
    assert paths.question_file == root / "question.jsonl"
    assert paths.judge_prompts_file == root / "judge_prompts.jsonl"
    assert paths.reference_answer_file("gpt-4") == root / "reference_answer" / "gpt-4.jsonl"
    assert paths.model_answer_file("org/model") == root / "model_answer" / "org__model.jsonl"
    assert paths.judgment_file("gpt-4", "single") == root / "model_judgment" / "gpt-4_single.jsonl"
    assert (
        paths.judgment_file("gpt-4", "pair", 2) == root / "model_judgment" / "gpt-4_pair_run2.jsonl"
    )
    with pytest.raises(ValueError):
        paths.judgment_file("gpt-4", "single", -1)
    assert file_safe("a/b/c") == "a__b__c"


def test_available_languages(tmp_path: Path) -> None:
    for name in ("mt_bench_DE", "mt_bench_EN", "mt_bench_xx", "mt_bench_FR"):
        (tmp_path / name).mkdir()
    for name in ("mt_bench_DE", "mt_bench_EN", "mt_bench_xx"):
        (tmp_path / name / "question.jsonl").write_text("")
    assert available_languages(tmp_path) == ["DE", "EN"]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('{"a": 1}\n{"a": 2\n', 2, "not valid JSON"),
        ('{"a": 1}\n\n\n[1, 2]\n', 4, "expected a JSON object, found list"),
        ('"text"\n', 1, "found str"),
        ("\n{bad}\n", 2, "not valid JSON"),
    ],
)
def test_read_errors_name_file_and_line(
    tmp_path: Path, content: str, line: int, message: str
) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_jsonl(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_jsonl(tmp_path / "missing.jsonl")


def test_write_jsonl_is_atomic_and_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.jsonl"
    write_jsonl(path, [{"text": "Grüße ’"}, {"n": 2}])
    assert path.read_text(encoding="utf-8") == '{"text": "Grüße ’"}\n{"n": 2}\n'
    assert [p.name for p in path.parent.iterdir()] == ["out.jsonl"]


@pytest.mark.parametrize("torn", ['{"question_id": 3, "tur', "x", '{"a": "ü'])
def test_appender_cuts_a_torn_tail_and_goes_on(
    tmp_path: Path, torn: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text('{"question_id": 1}\n{"question_id": 2}\n' + torn, encoding="utf-8")
    with caplog.at_level(logging.WARNING), JsonlAppender(path) as appender:
        appender.write({"question_id": 3})
    assert read_jsonl(path) == [{"question_id": n} for n in (1, 2, 3)]
    assert "torn last line" in caplog.text


def test_repair_torn_tail_cases(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    assert repair_torn_tail(path) == 0  # no file
    path.write_bytes(b"")
    assert repair_torn_tail(path) == 0
    path.write_bytes(b'{"a": 1}\n')
    assert repair_torn_tail(path) == 0
    path.write_bytes(b'{"a": 1')  # one torn line and nothing else
    assert repair_torn_tail(path) == 7
    assert path.read_bytes() == b""
    long_tail = b'{"a": 1}\n' + b"x" * 10_000  # a tail longer than one read chunk
    path.write_bytes(long_tail)
    assert repair_torn_tail(path) == 10_000
    assert path.read_bytes() == b'{"a": 1}\n'


def test_a_whole_last_record_without_newline_is_kept(tmp_path: Path) -> None:
    """Files from other tools may leave out the final newline: that record is not torn."""
    path = tmp_path / "gpt-4_single.jsonl"
    path.write_bytes(b'{"question_id": 1}\n{"question_id": 2}')
    assert [r for _, r in iter_jsonl(path, skip_incomplete_last_line=True)] == [
        {"question_id": 1},
        {"question_id": 2},
    ]
    with JsonlAppender(path) as appender:
        appender.write({"question_id": 3})
    assert read_jsonl(path) == [{"question_id": n} for n in (1, 2, 3)]


def test_a_second_writer_of_the_same_file_is_refused(tmp_path: Path) -> None:
    from mt_bench_x.formats.errors import MTBenchXError

    path = tmp_path / "gpt-4_single.jsonl"
    with JsonlAppender(path) as first:
        first.write({"question_id": 1})
        with pytest.raises(MTBenchXError, match="another process is writing"), JsonlAppender(path):
            pass
        first.write({"question_id": 2})
    with JsonlAppender(path) as again:  # the lock goes with the writer
        again.write({"question_id": 3})
    assert read_jsonl(path) == [{"question_id": n} for n in (1, 2, 3)]


def test_appender_outside_with_block(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="outside"):
        JsonlAppender(tmp_path / "x.jsonl").write({"a": 1})


def test_a_killed_writer_leaves_whole_lines_only(tmp_path: Path) -> None:
    # A separate process appends many lines and is killed part-way; every line on disk that
    # ends with a newline is a complete record, and reopening repairs whatever follows.
    path = tmp_path / "killed.jsonl"
    script = (
        "import sys; from pathlib import Path; from mt_bench_x.formats.jsonl import JsonlAppender\n"
        "with JsonlAppender(Path(sys.argv[1]), fsync=False) as out:\n"
        "    for i in range(10**7):\n"
        "        out.write({'i': i, 'pad': 'x' * 500})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(path)])
    try:
        for _ in range(200):
            if path.exists() and path.stat().st_size > 200_000:
                break
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    with JsonlAppender(path) as appender:
        appender.write({"i": -1})
    records = read_jsonl(path)
    assert records[-1] == {"i": -1}
    assert [r["i"] for r in records[:-1]] == list(range(len(records) - 1))
    assert len(records) > 100


def test_incomplete_last_line_is_an_error_unless_skipped(tmp_path: Path) -> None:
    path = tmp_path / "judgments.jsonl"
    content = '{"a": 1}\n{"a": 2}\n{"a": '
    path.write_text(content, encoding="utf-8")

    with pytest.raises(InputFileError, match=r"judgments\.jsonl:3"):
        read_jsonl(path)

    records = list(iter_jsonl(path, skip_incomplete_last_line=True))
    assert records == [(1, {"a": 1}), (2, {"a": 2})]
    assert path.read_text(encoding="utf-8") == content  # reading never changes the file


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "\xff"}\n')
    with pytest.raises(InputFileError, match=r"answers\.jsonl:2: not UTF-8"):
        read_jsonl(path)
