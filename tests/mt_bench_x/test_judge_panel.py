"""Judge panels: ``judge`` and ``show`` with several ``--judge-model``."""

from __future__ import annotations

import json
from pathlib import Path
from statistics import correlation, fmean

import pytest

from mt_bench_x.formats.jsonl import read_jsonl
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import dump, judge_reply, make_data_dir, score_for
from tests.servers.openai_server import OpenAICompatibleServer

MODELS = ("model-a", "model-b")


def panel_reply(body: dict) -> str:
    """judge-a is the fixtures' judge; judge-b gives one point more (at most 10)."""
    reply = judge_reply(body)
    if body["model"] == "judge-b" and "Bewertung: [[" in reply:
        score = int(reply.rsplit("[[", 1)[1].rstrip("]"))
        reply = reply.rsplit("[[", 1)[0] + f"[[{min(score + 1, 10)}]]"
    return reply


@pytest.fixture
def data_dir(tmp_path: Path, shared_data: Path) -> Path:
    return make_data_dir(tmp_path / "data", shared_data, models=MODELS, per_category=1)


def test_a_panel_judges_into_one_file_per_judge_and_shows_agreement(data_dir: Path) -> None:
    with OpenAICompatibleServer(panel_reply) as server:
        result = run_mt_bench_x(
            [
                "judge", "--lang", "DE", "--data-dir", str(data_dir),
                "--judge-model", "judge-a", "--judge-model", "judge-b",
                "--judge-base-url", server.base_url, "--no-progress",
                "--model-list", *MODELS,
            ],
            env={"OPENAI_API_KEY": "k"},
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted({body["model"] for body in server.requests}) == ["judge-a", "judge-b"]
    judgments = data_dir / "mt_bench_DE" / "model_judgment"
    for judge in ("judge-a", "judge-b"):
        records = dump(judgments / f"{judge}_single.jsonl")
        assert len(records) == 32 and {r["judge"][0] for r in records} == {judge}

    shown = run_mt_bench_x(
        ["show", "--lang", "DE", "--data-dir", str(data_dir), "--judge-model", "judge-a",
         "--judge-model", "judge-b", "--format", "json"]
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    # expected values by hand from the fixtures' scoring rule
    numbers = [
        int(str(q["question_id"]).split("_")[0])
        for q in read_jsonl(data_dir / "mt_bench_DE" / "question.jsonl")
    ]
    a_scores = {(m, n, t): score_for(m, n, t) for m in MODELS for n in numbers for t in (1, 2)}
    b_scores = {key: min(value + 1, 10) for key, value in a_scores.items()}
    rows = {(row["model"], row["lang"]): row for row in report["rows"]}
    for model in MODELS:
        mean_a = fmean(v for (m, _, _), v in a_scores.items() if m == model)
        mean_b = fmean(v for (m, _, _), v in b_scores.items() if m == model)
        row = rows[(model, "DE")]
        assert row["judge-a"] == pytest.approx(mean_a)
        assert row["judge-b"] == pytest.approx(mean_b)
        assert row["panel_mean"] == pytest.approx((mean_a + mean_b) / 2)
    [agreement] = report["agreement"]
    keys = sorted(a_scores)
    assert agreement["n"] == 32
    assert agreement["exact_agreement"] == pytest.approx(
        sum(a_scores[k] == b_scores[k] for k in keys) / 32
    )
    assert agreement["mean_abs_diff"] == pytest.approx(
        fmean(abs(a_scores[k] - b_scores[k]) for k in keys)
    )
    assert agreement["pearson_r"] == pytest.approx(
        correlation([a_scores[k] for k in keys], [b_scores[k] for k in keys])
    )
    table = run_mt_bench_x(
        ["show", "--lang", "DE", "--data-dir", str(data_dir), "--judge-model", "judge-a",
         "--judge-model", "judge-b"]
    )  # fmt: skip
    assert "panel_mean" in table.stdout and "Agreement between judges" in table.stdout


def test_a_pairwise_panel_reports_outcome_agreement(data_dir: Path) -> None:
    with OpenAICompatibleServer(panel_reply) as server:
        result = run_mt_bench_x(
            [
                "judge", "--lang", "DE", "--data-dir", str(data_dir), "--mode", "pairwise-all",
                "--judge-model", "judge-a", "--judge-model", "judge-b",
                "--judge-base-url", server.base_url, "--no-progress", "--model-list", *MODELS,
            ],
            env={"OPENAI_API_KEY": "k"},
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = run_mt_bench_x(
        ["show", "--lang", "DE", "--data-dir", str(data_dir), "--mode", "pairwise-all",
         "--judge-model", "judge-a", "--judge-model", "judge-b", "--format", "json"]
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    [agreement] = json.loads(shown.stdout)["agreement"]
    # the pairwise verdicts do not depend on the judge's name: the two judges agree
    assert agreement["n"] == 16 and agreement["outcome_agreement"] == 1.0


def test_a_panel_in_batch_mode_submits_every_judges_batch_before_polling(
    data_dir: Path,
) -> None:
    from tests.servers.batch_api import BatchAPIOptions

    online_dir = data_dir
    with OpenAICompatibleServer(
        panel_reply, batch_api=BatchAPIOptions(polls_to_finish=3)
    ) as server:
        result = run_mt_bench_x(
            [
                "judge", "--lang", "DE", "--data-dir", str(online_dir),
                "--judge-model", "judge-a", "--judge-model", "judge-b", "--batch",
                "--batch-poll-seconds", "0", "--judge-base-url", server.base_url,
                "--no-progress", "--model-list", *MODELS,
            ],
            env={"OPENAI_API_KEY": "k"},
        )  # fmt: skip
        events = list(server.batch_api.events)
        assert server.requests == []
    assert result.exit_code == 0, result.output
    assert [kind for kind, _ in events] == ["create", "create", "complete", "complete"]
    judgments = online_dir / "mt_bench_DE" / "model_judgment"
    for judge in ("judge-a", "judge-b"):
        records = dump(judgments / f"{judge}_single.jsonl")
        assert len(records) == 32 and {r["judge"][0] for r in records} == {judge}
    # judge-b's scores are judge-a's plus one (at most 10), as the panel server gives them
    a = {
        (r["question_id"], r["model"], r["turn"]): r["score"]
        for r in dump(judgments / "judge-a_single.jsonl")
    }
    b = {
        (r["question_id"], r["model"], r["turn"]): r["score"]
        for r in dump(judgments / "judge-b_single.jsonl")
    }
    assert b == {key: min(score + 1, 10) for key, score in a.items()}
