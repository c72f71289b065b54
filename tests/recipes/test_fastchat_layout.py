"""``recipes/fastchat_layout.py`` names the same files as the toolkit's ``BenchPaths``.

``recipes/`` may not import the toolkit, so it keeps its own copy of FastChat's layout; this test
(which may import both) keeps the copy equal to the owner in ``mt_bench_x/formats/layout.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from mt_bench_x.formats.layout import BenchPaths
from recipes import fastchat_layout as layout

DATA_DIR = Path("out") / "data"
LANGS = ["DE", "en", "pt-br"]


@pytest.mark.parametrize("lang", LANGS)
def test_benchmark_files_match_bench_paths(lang: str) -> None:
    paths = BenchPaths(DATA_DIR, lang)
    assert layout.bench_dir(DATA_DIR, lang) == paths.root
    assert layout.question_file(DATA_DIR, lang) == paths.question_file
    assert layout.judge_prompts_file(DATA_DIR, lang) == paths.judge_prompts_file
    assert layout.reference_answer_dir(DATA_DIR, lang) == paths.reference_answer_dir
    assert layout.reference_answer_file(DATA_DIR, lang, "gpt-4") == paths.reference_answer_file(
        "gpt-4"
    )


@pytest.mark.parametrize("model_id", ["tiny__bactrian-x-EN", "org/model"])
@pytest.mark.parametrize("lang", LANGS)
def test_answer_file_matches_bench_paths(lang: str, model_id: str) -> None:
    expected = BenchPaths(DATA_DIR, lang).model_answer_file(model_id)
    assert layout.answer_file(DATA_DIR, lang, model_id) == expected


@pytest.mark.parametrize("run", [0, 1, 3])
@pytest.mark.parametrize("kind", ["single", "pair"])
@pytest.mark.parametrize("judge", ["gpt-4o", "org/judge"])
@pytest.mark.parametrize("lang", LANGS)
def test_judgment_file_matches_bench_paths(
    lang: str, judge: str, kind: layout.JudgmentKind, run: int
) -> None:
    expected = BenchPaths(DATA_DIR, lang).judgment_file(judge, kind, run)
    assert layout.judgment_file(DATA_DIR, lang, judge, kind, run) == expected


def test_a_negative_run_is_refused_like_bench_paths() -> None:
    with pytest.raises(ValueError, match="run must be >= 0"):
        BenchPaths(DATA_DIR, "DE").judgment_file("gpt-4o", "single", -1)
    with pytest.raises(ValueError, match="run must be >= 0"):
        layout.judgment_file(DATA_DIR, "DE", "gpt-4o", "single", -1)
