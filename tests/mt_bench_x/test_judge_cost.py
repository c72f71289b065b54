"""Money: usage-based cost and the ledger, ``--max-cost``, the dry run's prices and tokens."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mt_bench_x.judge.cost import load_prices
from tests.mt_bench_x.cli_runner import run_mt_bench_x
from tests.mt_bench_x.judge_fixtures import dump, judge_reply, make_data_dir
from tests.servers.batch_api import BatchAPIOptions
from tests.servers.openai_server import OpenAICompatibleServer, ReasoningModel


def judge_cli(data_dir: Path, base_url: str | None, *extra: str, judge: str = "gpt-4o"):
    args = [
        "judge",
        "--lang",
        "DE",
        "--data-dir",
        str(data_dir),
        "--judge-model",
        judge,
        "--no-progress",
        "--model-list",
        "model-a",
        *(["--judge-base-url", base_url] if base_url else []),
        *extra,
    ]
    return run_mt_bench_x(args, env={"OPENAI_API_KEY": "k"})


@pytest.fixture
def data_dir(tmp_path: Path, shared_data: Path) -> Path:
    return make_data_dir(tmp_path / "data", shared_data, models=("model-a",), per_category=1)


def fixed_usage_server(prompt: int, completion: int, **options: object) -> OpenAICompatibleServer:
    """A plain judge whose replies report ``prompt`` + ``completion`` tokens each."""
    usage = ReasoningModel(judge_reply, fixed_usage=(prompt, completion))
    return OpenAICompatibleServer(judge_reply, reply_hook=usage.hook, **options)  # type: ignore[arg-type]


def ledger(data_dir: Path, judge: str = "gpt-4o") -> list[dict]:
    return dump(data_dir / "mt_bench_DE" / "model_judgment" / f"{judge}_single.ledger.jsonl")


def test_cost_comes_from_usage_at_the_table_price(data_dir: Path) -> None:
    with fixed_usage_server(1000, 100) as server:
        result = judge_cli(data_dir, server.base_url)
    assert result.exit_code == 0, result.output
    # 16 calls x (1000 input tokens at $2.50 + 100 output tokens at $10.00 per million)
    expected = 16 * (1000 * 2.50 + 100 * 10.00) / 1e6
    assert expected == pytest.approx(0.056)
    [entry] = ledger(data_dir)
    assert entry["cost_usd"] == pytest.approx(expected)
    assert entry["calls"] == 16
    assert (entry["prompt_tokens"], entry["completion_tokens"]) == (16_000, 1_600)
    assert entry["usd_per_mtok"] == {"input": 2.5, "output": 10.0}
    assert entry["mode"] == "online" and entry["judgment_file"] == "gpt-4o_single.jsonl"
    assert "gpt-4o list price as of" in entry["price_source"]
    assert "$0.0560" in result.stdout
    # a second run with nothing to do adds no line; the ledger keeps what was spent
    with fixed_usage_server(1000, 100) as server:
        assert judge_cli(data_dir, server.base_url).exit_code == 0
    assert len(ledger(data_dir)) == 1


def test_a_price_file_overrides_the_table(data_dir: Path, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(
        json.dumps({"as_of": "2030-01-01", "models": {"house-judge": {"input": 3, "output": 7}}})
    )
    table = load_prices(prices)
    assert table.price("house-judge-v2") is not None  # a dated name is priced by its prefix
    assert table.price("gpt-4o-mini").input == 0.15  # type: ignore[union-attr]
    with fixed_usage_server(200, 50) as server:
        result = judge_cli(
            data_dir, server.base_url, "--price-file", str(prices), judge="house-judge"
        )
    assert result.exit_code == 0, result.output
    [entry] = ledger(data_dir, "house-judge")
    assert entry["cost_usd"] == pytest.approx(16 * (200 * 3 + 50 * 7) / 1e6)
    assert entry["price_source"] == "house-judge list price as of 2030-01-01"


def test_max_cost_stops_sending_and_a_later_run_finishes(data_dir: Path, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    # $1 per million input and $1000 per million output tokens: each call costs
    # (10 + 100 x 1000) / 1e6 = $0.10001 and could cost (its prompt + 100 x 1000) / 1e6,
    # between $0.1 and $0.102 for these prompts (< 2,000 tokens each)
    prices.write_text(json.dumps({"models": {"gpt-4o": {"input": 1, "output": 1000}}}))
    common = ("--price-file", str(prices), "--max-tokens", "100", "--parallel", "1")
    with fixed_usage_server(10, 100) as server:
        result = judge_cli(data_dir, server.base_url, *common, "--max-cost", "0.85")
        sent = len(server.requests)
    assert result.exit_code == 0, result.output
    # call k+1 goes while 0.10001 k + 0.1 + (<= 0.002) <= 0.85: k = 0..7, so 8 calls
    assert sent == 8
    assert "--max-cost 0.85 USD reached" in result.stderr
    [entry] = ledger(data_dir)
    assert entry["cost_usd"] == pytest.approx(8 * 0.10001)
    assert entry["not_sent_for_budget"] == 16 - sent
    assert len(dump(data_dir / "mt_bench_DE" / "model_judgment" / "gpt-4o_single.jsonl")) == sent
    # the next run judges only what was left
    with fixed_usage_server(10, 100) as server:
        result = judge_cli(data_dir, server.base_url, *common, "--max-cost", "100")
        assert len(server.requests) == 16 - sent
    assert result.exit_code == 0, result.output
    assert [line["calls"] for line in ledger(data_dir)] == [sent, 16 - sent]


def test_max_cost_needs_a_price(data_dir: Path) -> None:
    result = judge_cli(data_dir, "http://127.0.0.1:9/v1", "--max-cost", "1", judge="house-judge")
    assert result.exit_code == 1
    assert "--max-cost needs a price for 'house-judge'" in result.stderr


def test_batch_cost_is_at_the_batch_discount(data_dir: Path) -> None:
    with fixed_usage_server(1000, 100, batch_api=BatchAPIOptions()) as server:
        # the batch lines report the server's own token counts; fixed usage applies to them too
        result = judge_cli(data_dir, server.base_url, "--batch", "--batch-poll-seconds", "0")
    assert result.exit_code == 0, result.output
    [entry] = ledger(data_dir)
    assert entry["mode"] == "batch"
    assert entry["cost_usd"] == pytest.approx(0.5 * 16 * (1000 * 2.50 + 100 * 10.00) / 1e6)


def test_dry_run_prices_online_and_batch(data_dir: Path) -> None:
    result = judge_cli(data_dir, None, "--dry-run")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("cost:"))
    online, batch = (float(x) for x in re.findall(r"\$(\d+\.\d+)", line)[:2])
    assert batch == pytest.approx(online / 2, abs=0.01)
    assert "estimated as UTF-8 bytes / 3" in result.stdout
    assert "gpt-4o list price as of 2025-08-07" in line


def _word_tokenizer(path: Path) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()  # \w+|[^\w\s]+
    tokenizer.save(str(path))
    return path


def test_dry_run_counts_with_a_local_tokenizer(data_dir: Path, tmp_path: Path) -> None:
    tokenizer = _word_tokenizer(tmp_path / "tokenizer.json")
    result = judge_cli(data_dir, None, "--dry-run", "--tokenizer-file", str(tokenizer))
    assert result.exit_code == 0, result.output
    assert "counted with the tokenizer tokenizer.json" in result.stdout
    counted = int(re.search(r"total: 16 calls to gpt-4o, (\d+) input", result.stdout)[1])  # type: ignore[index]
    # the same prompts as sent to a server, counted by hand: words and punctuation runs,
    # plus 4 tokens per message
    with OpenAICompatibleServer(judge_reply) as server:
        assert judge_cli(data_dir, server.base_url).exit_code == 0
    by_hand = sum(
        len(re.findall(r"\w+|[^\w\s]+", message["content"])) + 4
        for body in server.requests
        for message in body["messages"]
    )
    assert counted == by_hand


def test_a_missing_tokenizer_file_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    result = judge_cli(data_dir, None, "--dry-run", "--tokenizer-file", str(tmp_path / "x.json"))
    assert result.exit_code == 1
    assert "--tokenizer-file" in result.stderr and "no such file" in result.stderr


def test_games_reused_from_the_journal_are_not_charged_again(
    data_dir: Path, tmp_path: Path
) -> None:
    """A pairwise match whose first game was answered but whose second failed keeps the
    first in the game journal; the run that reuses it pays (and records) only the new call."""
    from mt_bench_x.formats.jsonl import read_jsonl
    from tests.mt_bench_x.judge_fixtures import last_marks, write_model_answers

    bench = data_dir / "mt_bench_DE"
    write_model_answers(bench, "model-b", read_jsonl(bench / "question.jsonl"))

    def second_order_fails(body: dict) -> str:
        if last_marks(body["messages"][-1]["content"])[0][0] == "model-b":
            raise RuntimeError("judge overloaded")  # the server answers 500
        return judge_reply(body)

    args = ("--mode", "pairwise-all", "--model-list", "model-a", "model-b", "--max-retries", "0")
    usage = ReasoningModel(judge_reply, fixed_usage=(100, 10))  # its hook sets usage only
    with OpenAICompatibleServer(second_order_fails, reply_hook=usage.hook) as server:
        first = judge_cli(data_dir, server.base_url, *args)
        assert len(server.requests) == 32
    assert first.exit_code == 1  # the second orders failed
    with fixed_usage_server(100, 10) as server:
        second = judge_cli(data_dir, server.base_url, *args)
        new_calls = len(server.requests)
    assert second.exit_code == 0, second.output
    assert new_calls == 16  # only the failed orders: 8 questions x 2 turns
    entries = dump(bench / "model_judgment" / "gpt-4o_pair.ledger.jsonl")
    assert [(e["prompt_tokens"], e["completion_tokens"]) for e in entries] == [
        (16 * 100, 16 * 10),  # the 16 first orders answered in run 1
        (16 * 100, 16 * 10),  # run 2 pays for its 16 calls only, not the 16 reused games
    ]
