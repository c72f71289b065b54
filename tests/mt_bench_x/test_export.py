"""`mt-bench-x export`: Hub repo folder -> FastChat layout, a round trip of the published files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mt_bench_x.dataset.build import from_published
from mt_bench_x.dataset.hub_repo import write_repo
from mt_bench_x.formats.judge_prompts import load_judge_prompts
from mt_bench_x.formats.layout import BenchPaths

LANGS = ["EN", "DE", "FR", "IT", "ES"]
REPO_ROOT = Path(__file__).resolve().parents[2]
DERIVED = [
    "pair-v2-both-bad",
    "pair-v2-multi-turn-both-bad",
    "pair-math-v1-both-bad",
    "pair-math-v1-multi-turn-both-bad",
]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mt_bench_x.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "HF_DATASETS_OFFLINE": "1"},
        timeout=300,
        check=False,
    )


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def exported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("export")
    result = from_published(shared_data / "mt_bench_x")
    write_repo(result.benchmark, tmp / "repo", provenance="test")
    # An answer file already in the data folder must survive the export.
    answers = BenchPaths(tmp / "data", "DE").model_answer_file("kept")
    answers.parent.mkdir(parents=True)
    answers.write_text('{"question_id": "81_DE"}\n', encoding="utf-8")
    done = _cli("export", "--repo", str(tmp / "repo"), "--data-dir", str(tmp / "data"))
    assert done.returncode == 0, done.stderr
    return tmp / "data"


@pytest.mark.parametrize("lang", LANGS)
def test_round_trip_keeps_every_record(exported: Path, shared_data: Path, lang: str) -> None:
    published = shared_data / "mt_bench_x" / f"mt_bench_{lang}"
    ours = BenchPaths(exported, lang)
    assert _records(ours.question_file) == _records(published / "question.jsonl")
    assert _records(ours.reference_answer_file("gpt-4")) == _records(
        published / "reference_answer" / "gpt-4.jsonl"
    )
    prompts = _records(ours.judge_prompts_file)
    assert prompts[:8] == _records(published / "judge_prompts.jsonl")
    assert [p["name"] for p in prompts[8:]] == DERIVED
    assert len({p["name"] for p in prompts}) == len(prompts)


@pytest.mark.parametrize("lang", ["EN", "DE", "ES"])
def test_canonical_files_come_back_byte_for_byte(
    exported: Path, shared_data: Path, lang: str
) -> None:
    published = shared_data / "mt_bench_x" / f"mt_bench_{lang}"
    ours = BenchPaths(exported, lang)
    if lang != "EN":  # the English files escape non-ASCII (ensure_ascii); ours write UTF-8
        assert ours.question_file.read_bytes() == (published / "question.jsonl").read_bytes()
    assert ours.judge_prompts_file.read_bytes().startswith(
        (published / "judge_prompts.jsonl").read_bytes()
    )


def test_derived_prompts_are_fastchat_prompts(exported: Path) -> None:
    for lang in LANGS:
        prompts = {
            p.name: p for p in load_judge_prompts(BenchPaths(exported, lang).judge_prompts_file)
        }
        for name in DERIVED:
            derived, source = prompts[name], prompts[name.removesuffix("-both-bad")]
            assert derived.type == "pairwise"
            assert derived.prompt_template == source.prompt_template
            assert derived.output_format == source.output_format == "[[A]]"
            assert derived.category == source.category
            assert derived.system_prompt.startswith(source.system_prompt)
            assert derived.system_prompt.endswith('"[[D]]".') or '"[[D]]"' in derived.system_prompt


def test_export_leaves_model_answers_alone(exported: Path) -> None:
    kept = BenchPaths(exported, "DE").model_answer_file("kept")
    assert kept.read_text(encoding="utf-8") == '{"question_id": "81_DE"}\n'


def test_export_selected_languages(shared_data: Path, tmp_path: Path) -> None:
    result = from_published(shared_data / "mt_bench_x", langs=["DE", "EN"])
    write_repo(result.benchmark, tmp_path / "repo", provenance="test")
    done = _cli("export", "--repo", str(tmp_path / "repo"), "--data-dir", str(tmp_path / "d"),
                "--langs", "de")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["mt_bench_DE"]
    missing = _cli("export", "--repo", str(tmp_path / "repo"), "--data-dir", str(tmp_path / "e"),
                   "--langs", "FR")  # fmt: skip
    assert missing.returncode == 1
    assert "FR" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "e").exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("published", "no language configs"),  # the input of `build`, not a repo folder
        ("missing", "no such folder, and no Hub dataset"),
    ],
)
def test_export_from_something_that_is_no_repo_is_a_clear_error(
    shared_data: Path, tmp_path: Path, source: str, message: str
) -> None:
    from typer.testing import CliRunner

    from mt_bench_x.cli import build_app

    # a name that is no folder here is looked up on the Hub (offline in the test)
    repo = shared_data / "mt_bench_x" if source == "published" else "no-such-org/no-such-repo"
    env = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    args = ["export", "--repo", str(repo), "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(build_app(), args, env=env)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert not (tmp_path / "data").exists()
