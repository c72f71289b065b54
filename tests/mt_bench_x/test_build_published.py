"""Build the Hub repo from the published MT-Bench-X files and load every config with datasets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from mt_bench_x.dataset.build import BuildError, from_published
from mt_bench_x.dataset.hub_repo import (
    PROMPTS_CONFIG,
    REFERENCE_CONFIG,
    SPLIT,
    read_repo,
    write_repo,
)
from mt_bench_x.formats.questions import CATEGORIES

LANGS = ["EN", "DE", "FR", "IT", "ES"]
PUBLISHED_CORRECTIONS = {"EN": 0, "DE": 31, "FR": 36, "IT": 72, "ES": 37}


@pytest.fixture(scope="module")
def published_repo(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = from_published(shared_data / "mt_bench_x")
    return write_repo(
        result.benchmark,
        tmp_path_factory.mktemp("repo") / "mt-bench-x",
        provenance=result.provenance,
    )


def _load(repo: Path, config: str):
    import datasets

    # Forced: `datasets` caches local folders by name and relative paths, not by content.
    return datasets.load_dataset(str(repo), config, split=SPLIT, download_mode="force_redownload")


def test_repo_layout_and_card(published_repo: Path) -> None:
    import yaml

    readme = (published_repo / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(readme.split("---\n")[1])
    assert front["license"] == "apache-2.0"
    names = [c["config_name"] for c in front["configs"]]
    assert names == [*LANGS, REFERENCE_CONFIG, PROMPTS_CONFIG]
    assert [c.get("default", False) for c in front["configs"]].count(True) == 1
    assert front["configs"][0]["config_name"] == "EN"
    for config in front["configs"]:
        (files,) = config["data_files"]
        assert files["split"] == SPLIT
        assert list(published_repo.glob(files["path"]))
    assert "`question_id` (string)" in readme
    assert "| DE | 80 | 8 |" in readme
    assert not list(published_repo.parent.glob(".*partial"))


def test_datasets_loads_every_config(published_repo: Path) -> None:
    import datasets

    names = datasets.get_dataset_config_names(str(published_repo))
    assert sorted(names) == sorted([*LANGS, REFERENCE_CONFIG, PROMPTS_CONFIG])
    for lang in LANGS:
        rows = _load(published_repo, lang)
        assert rows.num_rows == 80
        assert rows.features["question_id"].dtype == "string"
        categories = Counter(rows["category"])
        assert set(categories) == set(CATEGORIES)
        assert set(categories.values()) == {10}
        assert all(len(turns) == 2 for turns in rows["turns"])
        assert all(qid.endswith(f"_{lang}") for qid in rows["question_id"])
        assert sum(rows["corrected"]) == PUBLISHED_CORRECTIONS[lang]
    references = _load(published_repo, REFERENCE_CONFIG)
    assert Counter(references["language"]) == dict.fromkeys(LANGS, 30)
    assert set(references["reference_set"]) == {"gpt-4"}


def test_judge_prompts_config_has_both_bad_for_every_language(published_repo: Path) -> None:
    prompts = _load(published_repo, PROMPTS_CONFIG)
    assert Counter(prompts["language"]) == dict.fromkeys(LANGS, 12)
    for row in prompts:
        if row["derived"]:
            assert row["type"] == "pairwise"
            assert row["name"].endswith("-both-bad")
            assert '"[[D]]"' in row["system_prompt"]
            assert "{answer_a" in row["prompt_template"]
        else:
            assert "[[D]]" not in row["system_prompt"]
    derived = {(r["language"], r["name"]) for r in prompts if r["derived"]}
    for lang in LANGS:
        assert {name for la, name in derived if la == lang} == {
            "pair-v2-both-bad",
            "pair-v2-multi-turn-both-bad",
            "pair-math-v1-both-bad",
            "pair-math-v1-multi-turn-both-bad",
        }


def test_read_repo_gives_back_the_benchmark(shared_data: Path, published_repo: Path) -> None:
    built = from_published(shared_data / "mt_bench_x").benchmark
    read = read_repo(published_repo)
    assert list(read.languages) == LANGS
    for lang in LANGS:
        assert read.languages[lang].questions == built.languages[lang].questions
        assert read.languages[lang].references == built.languages[lang].references
        assert read.languages[lang].judge_prompts == built.languages[lang].judge_prompts
        assert read.languages[lang].corrected == built.languages[lang].corrected


def test_fastchat_int_ids_stay_ints(shared_data: Path, tmp_path: Path) -> None:
    # FastChat's English MT-Bench in a published-style folder: int ids, no `reference` on most.
    root = tmp_path / "published" / "mt_bench_EN"
    (root / "reference_answer").mkdir(parents=True)
    source = shared_data / "mt_bench"
    (root / "question.jsonl").write_bytes((source / "question.jsonl").read_bytes())
    (root / "reference_answer" / "gpt-4.jsonl").write_bytes(
        (source / "reference_answer" / "gpt-4.jsonl").read_bytes()
    )
    result = from_published(tmp_path / "published")
    repo = write_repo(result.benchmark, tmp_path / "repo", provenance="test")
    rows = _load(repo, "EN")
    assert rows["question_id"][:2] == ["81", "82"]
    read = read_repo(repo).languages["EN"]
    assert [q.question_id for q in read.questions][:2] == [81, 82]
    assert read.questions == result.benchmark.languages["EN"].questions
    assert read.judge_prompts == []


def test_languages_must_hold_the_same_questions(shared_data: Path, tmp_path: Path) -> None:
    for lang in ("DE", "FR"):
        root = tmp_path / f"mt_bench_{lang}"
        root.mkdir()
        lines = (shared_data / "mt_bench_x" / f"mt_bench_{lang}" / "question.jsonl").read_text(
            encoding="utf-8"
        )
        if lang == "FR":
            lines = "\n".join(lines.splitlines()[:-1]) + "\n"
        (root / "question.jsonl").write_text(lines, encoding="utf-8")
    with pytest.raises(BuildError, match=r"only in DE \[160\]"):
        from_published(tmp_path)
    assert [
        json.loads(line)["question_id"]
        for line in (tmp_path / "mt_bench_FR" / "question.jsonl").read_text().splitlines()
    ][-1] == "159_FR"


def test_push_without_a_token_is_a_clear_error_before_any_request(
    published_repo: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from mt_bench_x.cli import build_app

    env = {"HF_TOKEN": "", "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    result = CliRunner().invoke(
        build_app(), ["push", "--repo-dir", str(published_repo), "--repo-id", "org/x"], env=env
    )
    assert result.exit_code == 1
    assert "set HF_TOKEN" in result.output and "Traceback" not in result.output


def test_out_is_replaced_only_when_it_holds_a_repo_folder(
    shared_data: Path, tmp_path: Path
) -> None:
    from hub_cards.errors import ForeignOutputError

    result = from_published(shared_data / "mt_bench_x", langs=["DE"])
    data = tmp_path / "data"  # a FastChat data folder given as --out by mistake
    answers = data / "mt_bench_DE" / "model_answer" / "my-model.jsonl"
    answers.parent.mkdir(parents=True)
    answers.write_text('{"question_id": "81_DE"}\n')
    with pytest.raises(ForeignOutputError, match=r"not replaced.*mt_bench_DE"):
        write_repo(result.benchmark, data, provenance="test")
    assert answers.read_text() == '{"question_id": "81_DE"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no partial folder left
    repo = write_repo(result.benchmark, tmp_path / "repo", provenance="first")
    write_repo(result.benchmark, repo, provenance="second")  # a repo folder is replaced
    assert "second" in (repo / "README.md").read_text()
