"""FastChat's own tools read what we write, and the judge path stays free of FastChat's judge."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import judge_reply, last_marks, make_data_dir
from tests.servers.openai_server import OpenAICompatibleServer

MODELS = ("model-a", "model-b", "model-c")
REPO_ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> tuple[int, str]:
    result = run_mt_bench_x(list(args), env={"OPENAI_API_KEY": "test"})
    return result.exit_code, result.output


def sloppy_reply(body: dict) -> str:
    _, number, _ = last_marks(body["messages"][-1]["content"])[-1]
    return "Rating: [[12]]" if number % 4 == 0 else judge_reply(body)


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """Judgments with unparseable verdicts and API errors followed by their retries."""
    data_dir = make_data_dir(tmp_path_factory.mktemp("compat") / "data", shared_data, models=MODELS)
    for mode in ("single", "pairwise-all"):
        args = ["judge", "--lang", "DE", "--mode", mode, "--data-dir", str(data_dir),
                "--no-progress", "--model-list", *MODELS]  # fmt: skip
        with OpenAICompatibleServer(sloppy_reply, fault_rate=0.3, seed=1) as server:
            code, output = cli(*args, "--judge-base-url", server.base_url, "--max-retries", "0")
            assert code == 1, output  # some calls failed for good
        with OpenAICompatibleServer(sloppy_reply) as server:
            code, output = cli(*args, "--judge-base-url", server.base_url)
            assert code == 0, output
    return data_dir


def fastchat_show(data_dir: Path, mode: str) -> str:
    kind = "single" if mode == "single" else "pair"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fastchat.llm_judge.show_result",
            "--bench-name",
            "mt_bench_DE",
            "--judge-model",
            "gpt-4",
            "--mode",
            mode,
            "--input-file",
            str(data_dir / "mt_bench_DE" / "model_judgment" / f"gpt-4_{kind}.jsonl"),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=data_dir,
    )
    return result.stdout


def our_rows(data_dir: Path, mode: str) -> list[dict]:
    code, output = cli("show", "--data-dir", str(data_dir), "--lang", "DE", "--mode", mode,
                       "--format", "json")  # fmt: skip
    assert code == 0, output
    return json.loads(output)["rows"]


def test_first_turn_scores_match_fastchat_show_result(judged: Path) -> None:
    lines = (judged / "mt_bench_DE" / "model_judgment" / "gpt-4_single.jsonl").read_text()
    assert '"error"' in lines and '"score": -1' in lines  # both kinds of failure are present
    printed = fastchat_show(judged, "single")
    first_turn = printed.split("First turn")[1]
    theirs = {
        model: float(score)
        for model, score in re.findall(r"^(model-\w)\s+1\s+([\d.]+)\s*$", first_turn, re.M)
    }
    ours = {
        row["model"]: row["score"]
        for row in our_rows(judged, "single")
        if row["category"] == "all" and row["turn"] == "1"
    }
    assert set(theirs) == set(MODELS)
    for model in MODELS:
        assert ours[model] == pytest.approx(theirs[model], abs=1e-5)


def test_pairwise_counts_match_fastchat_show_result(judged: Path) -> None:
    printed = fastchat_show(judged, "pairwise-all")
    theirs = {
        model: (int(win), int(loss), int(tie))
        for model, win, loss, tie in re.findall(
            r"^(model-\w)\s+(\d+)\s+(\d+)\s+(\d+)\s", printed, re.M
        )
    }
    assert set(theirs) == set(MODELS)
    for row in our_rows(judged, "pairwise-all"):
        if row["turn"] == "all":
            # FastChat has no both-bad outcome: we write it as a tie, so it counts there
            assert theirs[row["model"]] == (row["win"], row["loss"], row["tie"] + row["both_bad"])


def test_cli_start_imports_no_torch_transformers_or_fastchat_judge() -> None:
    code = (
        "import sys, mt_bench_x.cli, mt_bench_x.judge.runner, mt_bench_x.judge.client, "
        "mt_bench_x.judge.plan, mt_bench_x.results.show; mt_bench_x.cli.build_app(); "
        "heavy = [m for m in ('torch', 'transformers', 'anthropic', 'fastchat.llm_judge.common') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert result.stdout.strip() == "[]"
