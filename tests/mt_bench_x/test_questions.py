"""Question and answer records: ids of both kinds, validation with file:line, byte-exact writes."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import (
    CATEGORIES,
    Question,
    load_model_answers,
    load_questions,
    load_reference_answers,
    question_number,
    question_to_record,
    write_questions,
)

LANGS = ["EN", "DE", "FR", "IT", "ES"]


@pytest.mark.parametrize(
    ("question_id", "number"),
    [(81, 81), ("81", 81), ("81_DE", 81), ("160_PT-BR", 160), (" 90_fr", 90)],
)
def test_question_number(question_id: int | str, number: int) -> None:
    assert question_number(question_id) == number
    assert Question(question_id, "writing", ["a", "b"]).number == number


@pytest.mark.parametrize("question_id", ["DE_81", "81-DE", "", "x", 1.5, None, True])
def test_question_number_rejects(question_id: object) -> None:
    with pytest.raises(ValueError, match="question id"):
        question_number(question_id)  # type: ignore[arg-type]


def test_fastchat_questions_keep_int_ids(shared_data: Path) -> None:
    questions = load_questions(shared_data / "mt_bench" / "question.jsonl")
    assert len(questions) == 80
    assert all(isinstance(q.question_id, int) for q in questions)
    assert [q.category for q in questions[::10]] == list(CATEGORIES)
    # FastChat's file has a `reference` on some questions only; absent stays absent.
    with_reference = [q for q in questions if q.reference is not None]
    assert 0 < len(with_reference) < 80
    assert "reference" not in question_to_record(questions[0])


@pytest.mark.parametrize("lang", LANGS)
def test_published_questions_round_trip_byte_for_byte(
    shared_data: Path, lang: str, tmp_path: Path
) -> None:
    source = shared_data / "mt_bench_x" / f"mt_bench_{lang}" / "question.jsonl"
    questions = load_questions(source)
    assert len(questions) == 80
    assert all(q.question_id == f"{q.number}_{lang}" for q in questions)
    out = tmp_path / "question.jsonl"
    write_questions(out, questions)
    assert out.read_bytes() == source.read_bytes()


def test_changed_question_is_written_canonically(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    # A hand-written escape (\u00fc) survives while the row is unchanged ...
    source.write_text(
        '{"question_id": "81_DE", "category": "writing", "turns": ["Gr\\u00fc\\u00dfe", "b"]}\n',
        encoding="utf-8",
    )
    (question,) = load_questions(source)
    out = tmp_path / "out.jsonl"
    write_questions(out, [question])
    assert out.read_bytes() == source.read_bytes()
    # ... and an edited row is written as canonical JSON (no stale source line).
    question.turns[1] = "zwei"
    write_questions(out, [question])
    expected = {"question_id": "81_DE", "category": "writing", "turns": ["Grüße", "zwei"]}
    assert out.read_text(encoding="utf-8") == json.dumps(expected, ensure_ascii=False) + "\n"


BAD_QUESTION_LINES = [
    ('{"question_id": 81, "category": "writing"}', "missing field 'turns'"),
    ('{"question_id": "DE81", "category": "writing", "turns": ["a", "b"]}', "question_id"),
    ('{"question_id": 81, "category": "", "turns": ["a", "b"]}', "category"),
    ('{"question_id": 81, "category": "writing", "turns": ["a"]}', "expected 2 strings"),
    ('{"question_id": 81, "category": "writing", "turns": "a b"}', "list of strings"),
    ('{"question_id": 81, "category": "x", "turns": ["a", "b"], "reference": [1]}', "reference"),
    ('{"question_id": 81, "category": "writing", "turns": ["a", "b"]', "not valid JSON"),
    ('["not", "an", "object"]', "expected a JSON object"),
    ('{"question_id": 1, "category": "writing", "turns": ["a", "b"]}', "appears twice"),
]


@pytest.mark.parametrize(("bad_line", "message"), BAD_QUESTION_LINES)
def test_bad_question_file_names_file_and_line(tmp_path: Path, bad_line: str, message: str) -> None:
    path = tmp_path / "question.jsonl"
    good = '{"question_id": 1, "category": "writing", "turns": ["a", "b"]}'
    path.write_text(f"{good}\n\n{bad_line}\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_questions(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: ")
    assert message in str(caught.value)


def test_missing_question_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        load_questions(tmp_path / "nope.jsonl")


@pytest.mark.parametrize("lang", LANGS)
def test_reference_answers_by_number(shared_data: Path, lang: str) -> None:
    path = shared_data / "mt_bench_x" / f"mt_bench_{lang}" / "reference_answer" / "gpt-4.jsonl"
    references = load_reference_answers(path)
    assert len(references) == 30
    # References exist for reasoning (101-110), math (111-120) and coding (121-130).
    assert set(references) == set(range(101, 131))
    assert all(len(turns) == 2 for turns in references.values())


def _answer_line(question_id: int | str, model_id: str, turns: list[str]) -> str:
    record = {
        "question_id": question_id,
        "answer_id": "x",
        "model_id": model_id,
        "choices": [{"index": 0, "turns": turns}],
        "tstamp": 1.0,
    }
    return json.dumps(record)


def test_model_answers_last_duplicate_wins(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = BenchPaths(tmp_path, "de")
    paths.model_answer_dir.mkdir(parents=True)
    paths.model_answer_file("org/model-a").write_text(
        "\n".join(
            [
                _answer_line("81_DE", "org/model-a", ["old 1", "old 2"]),
                _answer_line(82, "org/model-a", ["x", "y"]),
                _answer_line("81_DE", "org/model-a", ["new 1", "new 2"]),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    paths.model_answer_file("b").write_text(_answer_line(81, "b", ["b1", "b2"]) + "\n")
    with caplog.at_level(logging.WARNING):
        answers = load_model_answers(paths, ["org/model-a"])
    assert answers == {"org/model-a": {81: ["new 1", "new 2"], 82: ["x", "y"]}}
    assert "more than once" in caplog.text
    every = load_model_answers(paths)
    assert set(every) == {"org__model-a", "b"}
    assert every["b"] == {81: ["b1", "b2"]}


def test_answers_of_another_language_are_refused(tmp_path: Path) -> None:
    """Languages join on the number, so EN answers copied into the DE folder would be judged
    as DE answers; their ids say otherwise."""
    paths = BenchPaths(tmp_path, "DE")
    paths.model_answer_dir.mkdir(parents=True)
    lines = [_answer_line("81_DE", "m", ["a", "b"]), _answer_line("82_EN", "m", ["c", "d"])]
    paths.model_answer_file("m").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"'82_EN' belongs to EN.*DE benchmark") as caught:
        load_model_answers(paths, ["m"])
    assert str(paths.model_answer_file("m")) in str(caught.value)
    reference = paths.reference_answer_file("gpt-4")
    reference.parent.mkdir(parents=True)
    reference.write_text(_answer_line("101_FR", "gpt-4", ["r"]) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="belongs to FR"):
        load_reference_answers(reference, "DE")
    assert load_reference_answers(reference) == {101: ["r"]}  # no language given: no check


def test_model_answers_missing_model(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="mt-bench-x answer"):
        load_model_answers(BenchPaths(tmp_path, "DE"), ["absent"])


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"question_id": 81, "model_id": "m"}', "missing field 'choices'"),
        ('{"question_id": 81, "choices": []}', "choices"),
        ('{"question_id": 81, "choices": [{"index": 0, "turns": [3]}]}', "choices[0].turns"),
        ('{"question_id": 81, "choices": [{"turns": ["a"]}], "tstamp": "now"}', "tstamp"),
        ('{"question_id": "81_DE", "choices": [{"turns": ["a"]}]', "not valid JSON"),
    ],
)
def test_bad_answer_file_names_file_and_line(tmp_path: Path, bad_line: str, message: str) -> None:
    paths = BenchPaths(tmp_path, "DE")
    paths.model_answer_dir.mkdir(parents=True)
    file = paths.model_answer_file("m")
    file.write_text(_answer_line(80, "m", ["a", "b"]) + "\n" + bad_line + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_model_answers(paths, ["m"])
    assert str(caught.value).startswith(f"{file}:2: ")
    assert message in str(caught.value)
