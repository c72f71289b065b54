"""`mt-bench-x push` checks the folder like `lima-x push`; `mt-bench-x inspect REPO`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mt_bench_x.cli import build_app
from mt_bench_x.dataset.build import from_published
from mt_bench_x.dataset.hub_repo import write_repo


@pytest.fixture
def repo(shared_data: Path, tmp_path: Path) -> Path:
    result = from_published(shared_data / "mt_bench_x", langs=["DE", "FR"])
    return write_repo(result.benchmark, tmp_path / "repo", provenance="test")


def test_push_refuses_a_folder_with_a_missing_data_file(repo: Path) -> None:
    (repo / "data" / "FR" / "test-00000-of-00001.parquet").unlink()
    result = CliRunner().invoke(
        build_app(),
        ["push", "--repo-dir", str(repo), "--repo-id", "org/x"],
        env={"HF_TOKEN": "hf_not_used", "HF_HUB_OFFLINE": "1"},
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {repo}: config FR: missing files ['data/FR/test-*.parquet']; rebuild the folder"
    ]


def test_inspect_counts_rows_per_config_and_language(repo: Path) -> None:
    result = CliRunner().invoke(
        build_app(), ["inspect", str(repo)], env={"HF_DATASETS_OFFLINE": "1"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split() == ["config", "split", "rows", "languages"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["DE"] == ["test", "80", "DE:80"]
    assert rows["FR"] == ["test", "80", "FR:80"]
    assert rows["judge_prompts"][:1] == ["test"]
    languages = dict(part.split(":") for part in rows["judge_prompts"][2:])
    assert set(languages) == {"DE", "FR"} and languages["DE"] == languages["FR"]
    assert int(rows["judge_prompts"][1]) == 2 * int(languages["DE"])
