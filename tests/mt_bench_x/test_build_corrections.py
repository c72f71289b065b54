"""Corrections and the [[D]] pairwise prompts: rules and errors, table-driven."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mt_bench_x.dataset.both_bad import BOTH_BAD_CLAUSES, derive_both_bad, with_both_bad
from mt_bench_x.dataset.build import BuildError, from_fastchat
from mt_bench_x.dataset.corrections import apply_corrections, load_corrections
from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.judge_prompts import JudgePrompt, load_judge_prompts
from mt_bench_x.formats.questions import Question


def _questions() -> list[Question]:
    return [
        Question("81_DE", "writing", ["a", "b"], []),
        Question("82_DE", "writing", ["c", "d"], []),
        Question("101_DE", "reasoning", ["e", "f"], ["ref"]),
    ]


def _write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_corrections_replace_rows_and_count_changes(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "fixes.jsonl",
        [
            {"question_id": "81_DE", "category": "writing", "turns": ["A!", "b"], "reference": []},
            {"question_id": "82_DE", "category": "writing", "turns": ["c", "d"], "reference": []},
            {"question_id": "101_DE", "category": "reasoning", "turns": ["e", "f"]},
        ],
    )
    corrections = load_corrections([file])
    questions, report = apply_corrections("DE", _questions(), corrections["DE"])
    assert report.changed == [81, 101]  # 82 is identical to the machine translation
    assert report.unchanged == [82]
    assert questions[0].turns == ["A!", "b"]
    assert questions[2].reference is None  # the edited row has no reference: neither has ours
    assert questions[0].source_line == file.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize(
    ("name", "row"),
    [("DE.jsonl", {"question_id": 81}), ("fixes_de.jsonl", {"question_id": "81"})],
)
def test_language_from_file_name(tmp_path: Path, name: str, row: dict) -> None:
    row = {**row, "category": "writing", "turns": ["x", "y"]}
    corrections = load_corrections([_write(tmp_path / name, [row])])
    assert list(corrections) == ["DE"]
    questions, report = apply_corrections("DE", _questions(), corrections["DE"])
    assert questions[0].question_id == "81_DE"  # the benchmark's id form is kept
    assert report.changed == [81]


def test_published_folder_as_corrections(tmp_path: Path) -> None:
    _write(tmp_path / "pub" / "mt_bench_FR" / "question.jsonl",
           [{"question_id": 81, "category": "writing", "turns": ["x", "y"]}])  # fmt: skip
    _write(
        tmp_path / "pub" / "IT.jsonl",
        [{"question_id": 82, "category": "writing", "turns": ["1", "2"]}],
    )
    assert sorted(load_corrections([tmp_path / "pub"])) == ["FR", "IT"]


BAD = [
    ("x.jsonl", [{"question_id": 81, "category": "writing", "turns": ["a", "b"]}], "language"),
    (
        "DE.jsonl",
        [{"question_id": 81, "category": "writing", "turns": ["a", "b"]}] * 2,
        "corrected twice",
    ),
    ("DE.jsonl", [{"question_id": 81, "category": "writing", "turns": ["a"]}], "expected 2"),
]


@pytest.mark.parametrize(("name", "rows", "message"), BAD)
def test_bad_corrections_file(tmp_path: Path, name: str, rows: list[dict], message: str) -> None:
    path = _write(tmp_path / name, rows)
    with pytest.raises(InputFileError, match=message) as caught:
        load_corrections([path])
    assert str(caught.value).startswith(f"{path}:")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"question_id": "99_DE", "category": "writing", "turns": ["a", "b"]}, "not in the DE"),
        ({"question_id": "81_DE", "category": "math", "turns": ["a", "b"]}, "category 'math'"),
    ],
)
def test_corrections_must_match_the_benchmark(tmp_path: Path, row: dict, message: str) -> None:
    path = _write(tmp_path / "c.jsonl", [row])
    with pytest.raises(InputFileError, match=message) as caught:
        apply_corrections("DE", _questions(), load_corrections([path])["DE"])
    assert caught.value.line == 1


def test_corrections_for_a_language_not_built(shared_data: Path, tmp_path: Path) -> None:
    row = {"question_id": "81_PT", "category": "writing", "turns": ["a", "b"]}
    path = _write(tmp_path / "c.jsonl", [row])
    with pytest.raises(BuildError, match="PT"):
        from_fastchat(shared_data / "mt_bench", ["DE"], object(), corrections=[path])


def _pairwise(name: str = "pair-v2") -> JudgePrompt:
    return JudgePrompt(name, "pairwise", 'Say "[[A]]", "[[B]]" or "[[C]]".', "{answer_a}")


@pytest.mark.parametrize("lang", ["EN", "DE", "FR", "IT", "ES"])
def test_both_bad_sentence_per_language(lang: str) -> None:
    clause = BOTH_BAD_CLAUSES[lang]
    assert '"[[D]]"' in clause
    derived = derive_both_bad(_pairwise(), clause)
    assert derived.name == "pair-v2-both-bad"
    assert derived.system_prompt == f'Say "[[A]]", "[[B]]" or "[[C]]". {clause}'
    assert derived.derived


def test_with_both_bad_adds_one_sibling_per_pairwise_prompt() -> None:
    single = JudgePrompt("single-v1", "single", "", "[[rating]] {answer}")
    prompts = with_both_bad(
        [_pairwise(), single, _pairwise("pair-math-v1")], BOTH_BAD_CLAUSES["EN"]
    )
    names = [p.name for p in prompts]
    assert names == [
        "pair-v2",
        "single-v1",
        "pair-math-v1",
        "pair-v2-both-bad",
        "pair-math-v1-both-bad",
    ]
    # Deriving again (e.g. from a repo that has them) does not double them.
    assert [p.name for p in with_both_bad(prompts, BOTH_BAD_CLAUSES["EN"])] == names
    with pytest.raises(ValueError, match="not pairwise"):
        derive_both_bad(single, BOTH_BAD_CLAUSES["EN"])
    with pytest.raises(ValueError, match=r"\[\[D\]\]"):
        derive_both_bad(_pairwise(), "no verdict here")


def test_corrupt_published_v2_prompts_are_reported(shared_data: Path) -> None:
    # The published German judge_prompts_v2.jsonl starts with stray bytes: reading it fails
    # with the file and line, which is why the [[D]] prompts are derived instead.
    path = shared_data / "mt_bench_x" / "mt_bench_DE" / "judge_prompts_v2.jsonl"
    with pytest.raises(InputFileError, match=r"judge_prompts_v2\.jsonl:1: not valid JSON"):
        load_judge_prompts(path)
