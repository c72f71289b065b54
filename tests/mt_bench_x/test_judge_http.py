"""``mt-bench-x judge`` over real HTTP against a local OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from mt_bench_x.formats.judgments import record_key
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import (
    dump,
    judge_reply,
    last_marks,
    make_data_dir,
    score_for,
)
from tests.servers.openai_server import APIErrorReply, OpenAICompatibleServer

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELS = ("model-a", "model-b")


def judge_cli(data_dir: Path, base_url: str, *extra: str, lang: str = "DE") -> tuple[int, str]:
    args = [
        "judge",
        "--lang",
        lang,
        "--data-dir",
        str(data_dir),
        "--judge-model",
        "gpt-4",
        "--judge-base-url",
        base_url,
        "--no-progress",
        *extra,
    ]
    result = run_mt_bench_x(args, env={"OPENAI_API_KEY": "sk-test-secret"})
    return result.exit_code, result.output


@pytest.fixture
def data_dir(tmp_path: Path, shared_data: Path) -> Path:
    return make_data_dir(tmp_path / "data", shared_data, models=MODELS)


def single_file(data_dir: Path, run: int = 0) -> Path:
    suffix = "" if run == 0 else f"_run{run}"
    return data_dir / "mt_bench_DE" / "model_judgment" / f"gpt-4_single{suffix}.jsonl"


def assert_unique_keys(path: Path) -> list[dict]:
    records = dump(path)
    keys = Counter(record_key(r, path, i) for i, r in enumerate(records, 1))
    assert max(keys.values()) == 1, "a judgment was written twice"
    return records


def test_single_judging_writes_fastchat_records(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply, model="judge-v2") as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", *MODELS)
    assert code == 0, output
    records = assert_unique_keys(single_file(data_dir))
    assert len(records) == 16 * 2 * 2  # 16 questions x 2 models x 2 turns
    assert len(server.requests) == len(records)
    for record in records:
        for key in ("question_id", "model", "judge", "user_prompt", "judgment", "score", "turn"):
            assert key in record
        assert "tstamp" in record and "error" not in record
        model, number, turn = last_marks(record["user_prompt"])[-1]
        assert (model, turn) == (record["model"], record["turn"])
        assert record["score"] == score_for(model, number, turn)
        assert record["judge_response_model"] == "judge-v2"
        assert record["usage"]["total_tokens"] > 0
        assert len(record["prompt_hash"]) == 16
        assert record["run"] == 0
        assert record["question_id"].endswith("_DE")  # ids kept as the source has them
    # Reference-guided prompts for math, reasoning and coding; multi-turn prompts for turn 2.
    categories = {
        json.loads(line)["question_id"]: json.loads(line)["category"]
        for line in (data_dir / "mt_bench_DE" / "question.jsonl").read_text().splitlines()
    }
    for record in records:
        reference = categories[record["question_id"]] in ("math", "reasoning", "coding")
        name = record["judge"][1]
        assert name.startswith("single-math-v1" if reference else "single-v1")
        assert name.endswith("-multi-turn") == (record["turn"] == 2)
    # temperature 0 and the judge model name on every call; the key never reaches a file
    assert {body["temperature"] for body in server.requests} == {0}
    assert {body["model"] for body in server.requests} == {"gpt-4"}
    assert "sk-test-secret" not in single_file(data_dir).read_text()
    assert "sk-test-secret" not in output


def test_faults_are_retried_until_every_judgment_is_written(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply, fault_rate=0.3, retry_after_s=0.01, seed=3) as server:
        code, output = judge_cli(
            data_dir, server.base_url, "--model-list", *MODELS, "--parallel", "8"
        )
    assert code == 0, output
    records = assert_unique_keys(single_file(data_dir))
    assert len(records) == 64
    assert server.faults > 0
    assert len(server.requests) == 64 + server.faults
    assert all(r["score"] == score_for(*last_marks(r["user_prompt"])[-1]) for r in records)


def test_exhausted_retries_are_recorded_and_judged_again(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply, fault_rate=1.0, retry_after_s=0.0) as server:
        code, output = judge_cli(
            data_dir, server.base_url, "--model-list", "model-a", "--max-retries", "1"
        )
    assert code == 1
    assert "run the same command again" in output
    failed = dump(single_file(data_dir))
    assert len(failed) == 32
    assert all(
        r["score"] == -1 and r["judgment"] == "$ERROR$" and "HTTP" in r["error"] for r in failed
    )
    assert len(server.requests) == 64  # one try and one retry each
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
    assert code == 0, output
    assert len(server.requests) == 32
    lines = dump(single_file(data_dir))
    assert len(lines) == 64 and all("error" not in r for r in lines[32:])


def test_unparseable_verdicts_are_kept_and_counted(data_dir: Path) -> None:
    def sloppy(body: dict) -> str:
        _, number, _ = last_marks(body["messages"][-1]["content"])[-1]
        return "I would give it an eleven: [[11]]" if number % 2 else judge_reply(body)

    with OpenAICompatibleServer(sloppy) as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", *MODELS)
    assert code == 0, output
    records = dump(single_file(data_dir))
    bad = [r for r in records if r["score"] == -1]
    assert bad and all(r["judgment"] == "I would give it an eleven: [[11]]" for r in bad)
    assert all("error" not in r for r in bad)
    assert f"{len(bad)} unparseable verdict(s)" in output
    # a rerun does not ask again (temperature 0 would give the same reply)
    with OpenAICompatibleServer(judge_reply) as server:
        code, _ = judge_cli(data_dir, server.base_url, "--model-list", *MODELS)
    assert code == 0 and server.requests == []


def test_pairwise_both_orders_and_both_bad(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(
            data_dir, server.base_url, "--mode", "pairwise-all", "--model-list", *MODELS
        )
    assert code == 0, output
    path = data_dir / "mt_bench_DE" / "model_judgment" / "gpt-4_pair.jsonl"
    records = assert_unique_keys(path)
    assert len(records) == 32 and len(server.requests) == 64
    verdicts = Counter()
    for record in records:
        assert record["judge"][1].endswith("-both-bad")
        a = last_marks(record["g1_user_prompt"])
        b = last_marks(record["g2_user_prompt"])
        # game 2 shows the answers in the other order
        assert a[len(a) // 2 - 1][0] == "model-a" and b[len(b) // 2 - 1][0] == "model-b"
        sa = score_for(*a[len(a) // 2 - 1])
        sb = score_for(*a[-1])
        if sa < 3 and sb < 3:
            expected = ("tie", "tie", "D")
        elif sa == sb:
            expected = ("tie", "tie", "C")
        else:
            winner = "model_1" if sa > sb else "model_2"
            expected = (winner, winner, "A" if sa > sb else "B")
        assert (record["g1_winner"], record["g2_winner"], record["g1_verdict"]) == expected
        verdicts[record["g1_verdict"]] += 1
    assert verdicts["D"] > 0, "the fixture data should produce both-bad verdicts"


def test_a_pair_listed_in_the_other_order_is_not_judged_again(data_dir: Path) -> None:
    path = data_dir / "mt_bench_DE" / "model_judgment" / "gpt-4_pair.jsonl"
    with OpenAICompatibleServer(judge_reply) as server:
        args = ("--mode", "pairwise-all", "--model-list")
        assert judge_cli(data_dir, server.base_url, *args, "model-a", "model-b")[0] == 0
        before = path.read_bytes()
        asked = len(server.requests)
        code, output = judge_cli(data_dir, server.base_url, *args, "model-b", "model-a")
    assert code == 0, output
    assert len(server.requests) == asked  # both orders were judged the first time
    assert path.read_bytes() == before
    assert "0 judged, 32 already done" in output


def test_pairwise_baseline_and_plain_prompts(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(
            data_dir,
            server.base_url,
            "--mode",
            "pairwise-baseline",
            "--baseline-model",
            "model-b",
            "--model-list",
            "model-a",
            "--no-both-bad",
        )
    assert code == 0, output
    records = dump(data_dir / "mt_bench_DE" / "model_judgment" / "gpt-4_pair.jsonl")
    assert {(r["model_1"], r["model_2"]) for r in records} == {("model-a", "model-b")}
    assert not any(r["judge"][1].endswith("-both-bad") for r in records)
    assert all("[[D]]" not in body["messages"][0]["content"] for body in server.requests)


def test_run_k_writes_its_own_file(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url, "--model-list", "model-a")[0] == 0
        first = single_file(data_dir).read_bytes()
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a", "--run", "1")
    assert code == 0, output
    assert len(server.requests) == 64  # run 1 is not skipped because run 0 exists
    assert single_file(data_dir).read_bytes() == first
    assert {r["run"] for r in dump(single_file(data_dir, run=1))} == {1}


def test_dry_run_calls_nothing(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(
            data_dir,
            server.base_url,
            "--mode",
            "pairwise-all",
            "--model-list",
            *MODELS,
            "--dry-run",
        )
    assert code == 0, output
    assert server.requests == []
    assert "64 calls" in output and "$" in output
    assert not (data_dir / "mt_bench_DE" / "model_judgment").exists()


def test_long_answers_are_truncated_and_counted(data_dir: Path) -> None:
    answers = data_dir / "mt_bench_DE" / "model_answer" / "model-a.jsonl"
    records = dump(answers)
    records[0]["choices"][0]["turns"][0] += " lang" * 5000
    answers.write_text("".join(json.dumps(r) + "\n" for r in records))
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(
            data_dir,
            server.base_url,
            "--model-list",
            "model-a",
            "--max-judge-context-tokens",
            "6000",
        )
    assert code == 0, output
    cut = [r for r in dump(single_file(data_dir)) if r["truncated_answers"]]
    # turn 1 and turn 2 of the first question show the long answer
    assert len(cut) == 2 and "2 truncated answer(s)" in output
    assert all("answer truncated" in r["user_prompt"] for r in cut)
    assert all(len(r["user_prompt"].encode()) < 6000 * 3 for r in cut)


def test_bad_answer_file_names_file_and_line_and_loses_nothing(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url, "--model-list", "model-a")[0] == 0
        before = single_file(data_dir).read_bytes()
        answers = data_dir / "mt_bench_DE" / "model_answer" / "model-b.jsonl"
        lines = answers.read_text().splitlines()
        lines[2] = lines[2][:40]
        answers.write_text("\n".join(lines) + "\n")
        code, output = judge_cli(data_dir, server.base_url, "--model-list", *MODELS)
        assert code == 1
        assert output.startswith("error: ") and output.count("\n") == 1
        assert f"{answers}:3" in output and "not valid JSON" in output
        assert single_file(data_dir).read_bytes() == before
        # a judgment file broken in the middle is reported, not rewritten
        judged = single_file(data_dir)
        text = judged.read_text().splitlines()
        text[4] = "{broken"
        judged.write_text("\n".join(text) + "\n")
        broken = judged.read_bytes()
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
        assert code == 1 and f"{judged}:5" in output
        assert judged.read_bytes() == broken


def test_missing_answers_and_prompts_are_clear_errors(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-z")
        assert code == 1 and "model-z.jsonl" in output
        code, output = judge_cli(
            data_dir, server.base_url, "--model-list", "model-a", "--reference-set", "nope"
        )
        assert code == 1 and "reference" in output
    assert server.requests == []


def test_killed_run_resumes_without_duplicates_or_repeats(data_dir: Path) -> None:
    output = single_file(data_dir)
    with OpenAICompatibleServer(judge_reply, delay_s=0.15) as server:
        command = [
            sys.executable,
            "-m",
            "mt_bench_x.cli",
            "judge",
            "--lang",
            "DE",
            "--data-dir",
            str(data_dir),
            "--judge-base-url",
            server.base_url,
            "--parallel",
            "4",
            "--no-progress",
            "--model-list",
            *MODELS,
        ]
        env = {**os.environ, "OPENAI_API_KEY": "test"}
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if output.is_file() and len(output.read_bytes().splitlines()) >= 12:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        asked_before_kill = len(server.requests)
        written = len(output.read_bytes().splitlines())
        assert 12 <= written < 64
        # what was in flight (at most --parallel) is all that gets paid twice
        assert asked_before_kill - written <= 4
        # a line torn by the kill is cut off, not kept
        with output.open("a") as handle:
            handle.write('{"question_id": "81_DE", "model": "mod')
        code, result = judge_cli(data_dir, server.base_url, "--model-list", *MODELS)
    assert code == 0, result
    assert len(server.requests) - asked_before_kill == 64 - written
    records = assert_unique_keys(output)
    assert len(records) == 64
    assert output.read_bytes().endswith(b"\n")


def test_a_refused_request_says_what_the_api_objects_to(data_dir: Path) -> None:
    """A judge that rejects a parameter (reasoning models reject max_tokens) is named in the
    error by the API's code and param, never by its free text (which may quote the key)."""

    def refuse(body: dict) -> str:
        raise APIErrorReply(
            400, "sk-test-secret is fine, but", "unsupported_parameter", "max_tokens"
        )

    with OpenAICompatibleServer(refuse) as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
    assert code == 1
    assert "HTTP 400 (BadRequestError, code unsupported_parameter, param max_tokens)" in output
    assert "sk-test-secret" not in output
    assert len(server.requests) == 32  # a 400 is not retried


def test_no_credentials_is_a_clear_error(data_dir: Path) -> None:
    args = ["judge", "--lang", "DE", "--data-dir", str(data_dir), "--model-list", "model-a"]
    env = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None}
    result = run_mt_bench_x(args, env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "OPENAI_API_KEY" in result.stderr
    assert "traceback" not in result.output
    assert not (data_dir / "mt_bench_DE" / "model_judgment").exists()


def test_finished_games_of_unfinished_pairs_are_not_paid_again(data_dir: Path) -> None:
    def second_order_fails(body: dict) -> str:
        if last_marks(body["messages"][-1]["content"])[0][0] == "model-b":
            raise RuntimeError("judge overloaded")  # the server answers 500
        return judge_reply(body)

    args = ("--mode", "pairwise-all", "--model-list", *MODELS, "--max-retries", "0")
    with OpenAICompatibleServer(second_order_fails) as server:
        code, _ = judge_cli(data_dir, server.base_url, *args)
    assert code == 1 and len(server.requests) == 64
    judgments = data_dir / "mt_bench_DE" / "model_judgment"
    journal = judgments / ".gpt-4_pair.games.jsonl"
    assert len(journal.read_text().splitlines()) == 32  # every game 1 is kept
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(data_dir, server.base_url, *args)
    assert code == 0, output
    assert len(server.requests) == 32 and "32 game(s) reused" in output
    assert all(last_marks(b["messages"][-1]["content"])[0][0] == "model-b" for b in server.requests)
    latest = dump(judgments / "gpt-4_pair.jsonl")[32:]
    assert all("error" not in r and r["g1_winner"] != "error" for r in latest)
    assert not journal.exists()


def test_a_judge_context_too_small_is_one_error_line(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(
            data_dir, server.base_url, "--model-list", "model-a", "--max-judge-context-tokens", "50"
        )
    assert code == 1
    assert output.startswith("error: ") and "leaves no room for the answers" in output
    assert "traceback" not in output
    assert server.requests == []
