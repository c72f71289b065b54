"""The shipped sample (``examples/mt_bench_x_sample/``) that the demo uses offline: it builds
with ``mt-bench-x build --from-published``, is parallel across its five languages, and its
generated files are what ``sample.py`` writes."""

from __future__ import annotations

import filecmp
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from mt_bench_x.dataset.hub_repo import PROMPTS_CONFIG, REFERENCE_CONFIG, SPLIT
from mt_bench_x.formats.layout import BenchPaths, available_languages
from mt_bench_x.formats.questions import CATEGORIES, load_questions
from mt_bench_x.judge.prompts import has_both_bad_prompts, load_prompts, uses_reference
from tests.mt_bench_x.cli_runner import run_mt_bench_x

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "examples" / "mt_bench_x_sample"
LANGS = ["EN", "DE", "FR", "IT", "ES"]


def test_the_committed_files_are_what_sample_py_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("mt_bench_x_sample", SAMPLE / "sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_sample(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*.jsonl") if p.is_file())
    assert written == committed
    for name in written:
        assert filecmp.cmp(tmp_path / name, SAMPLE / name, shallow=False), name


def test_every_language_has_every_category_and_the_same_questions() -> None:
    assert available_languages(SAMPLE) == sorted(LANGS)
    by_lang = {lang: load_questions(BenchPaths(SAMPLE, lang).question_file) for lang in LANGS}
    for lang, questions in by_lang.items():
        assert set(Counter(q.category for q in questions)) == set(CATEGORIES), lang
        assert [(q.number, q.category) for q in questions] == [
            (q.number, q.category) for q in by_lang["EN"]
        ]
        assert len({q.turns[0] for q in questions}) == len(questions)  # no copy-paste slip


@pytest.mark.parametrize("lang", LANGS)
def test_judge_prompts_cover_every_game(lang: str) -> None:
    prompts = load_prompts(BenchPaths(SAMPLE, lang).judge_prompts_file)
    assert len(prompts) == 8
    assert uses_reference(prompts["single-math-v1"]) and not uses_reference(prompts["pair-v2"])
    assert not has_both_bad_prompts(prompts)  # the build adds them


def test_build_from_the_sample_is_parallel_across_languages(tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "mt-bench-x"
    result = run_mt_bench_x(["build", "--from-published", str(SAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    # A cache of its own: `datasets` keys local folders by name, not by content.
    load = {"split": SPLIT, "cache_dir": str(tmp_path / "hf-cache")}
    rows = {lang: datasets.load_dataset(str(out), lang, **load) for lang in LANGS}
    numbers = {
        lang: sorted(int(str(q).split("_")[0]) for q in data["question_id"])
        for lang, data in rows.items()
    }
    assert all(found == numbers["EN"] for found in numbers.values()), numbers
    assert all(data.num_rows == 8 for data in rows.values())
    references = datasets.load_dataset(str(out), REFERENCE_CONFIG, **load)
    assert Counter(references["language"]) == dict.fromkeys(LANGS, 3)
    prompts = datasets.load_dataset(str(out), PROMPTS_CONFIG, **load)
    per_lang = Counter(prompts["language"])
    assert per_lang == dict.fromkeys(LANGS, 12)  # 8 of the sample + 4 derived [[D]] prompts
