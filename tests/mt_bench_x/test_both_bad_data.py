"""The ``[[D]]`` sentences are package data; what is derived from them is byte for byte what the
sentences written as Python strings produced before they moved into the data file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mt_bench_x.dataset.both_bad import (
    BOTH_BAD_CLAUSES,
    CLAUSES_RESOURCE,
    load_both_bad_clauses,
    with_both_bad,
)
from mt_bench_x.formats.judge_prompts import JudgePrompt, write_judge_prompts

REPO_ROOT = Path(__file__).resolve().parents[2]

#: The sentences as the project wrote them in Python before they became a data file.
EXPECTED_SENTENCES = {
    "EN": 'If both answers are equally bad, output "[[D]]" instead.',
    "DE": 'Wenn beide Antworten gleich schlecht sind, geben Sie stattdessen "[[D]]" aus.',
    "FR": "Si les deux réponses sont aussi mauvaises l'une que l'autre, indiquez plutôt \"[[D]]\".",
    "IT": 'Se entrambe le risposte sono ugualmente scadenti, indichi invece "[[D]]".',
    "ES": 'Si ambas respuestas son igual de malas, indique en su lugar "[[D]]".',
}


def test_sentences_come_from_the_data_file() -> None:
    assert load_both_bad_clauses() == EXPECTED_SENTENCES
    assert dict(BOTH_BAD_CLAUSES) == EXPECTED_SENTENCES
    with pytest.raises(TypeError):
        BOTH_BAD_CLAUSES["EN"] = "changed [[D]]"  # type: ignore[index]  # read-only on purpose


def test_data_file_is_declared_as_package_data() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("tomllib is Python 3.11+")
    import tomllib

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["mt_bench_x"]
    data_file = Path("dataset") / CLAUSES_RESOURCE
    assert (REPO_ROOT / "mt_bench_x" / data_file).is_file()
    assert any(data_file.match(pattern) for pattern in patterns), patterns


@pytest.mark.parametrize("lang", sorted(EXPECTED_SENTENCES))
def test_derived_prompt_file_is_byte_identical(tmp_path: Path, lang: str) -> None:
    pair = JudgePrompt(
        "pair-v2", "pairwise", 'Say "[[A]]", "[[B]]" or "[[C]]".  ', "{answer_a} {answer_b}"
    )
    out = tmp_path / "judge_prompts.jsonl"
    write_judge_prompts(out, with_both_bad([pair], BOTH_BAD_CLAUSES[lang]))
    sentence = EXPECTED_SENTENCES[lang]
    fields = {"type": "pairwise", "prompt_template": "{answer_a} {answer_b}"}
    expected_records = [
        {
            "name": "pair-v2",
            "type": fields["type"],
            "system_prompt": 'Say "[[A]]", "[[B]]" or "[[C]]".  ',
            "prompt_template": fields["prompt_template"],
            "description": "",
            "category": "general",
            "output_format": "",
        },
        {
            "name": "pair-v2-both-bad",
            "type": fields["type"],
            "system_prompt": f'Say "[[A]]", "[[B]]" or "[[C]]". {sentence}',
            "prompt_template": fields["prompt_template"],
            "description": "pair-v2 (with [[D]]: both answers equally bad)",
            "category": "general",
            "output_format": "",
        },
    ]
    expected = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in expected_records)
    assert out.read_bytes() == expected.encode("utf-8")
