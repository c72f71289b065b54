"""Money: prices per model, the cost of replies from their ``usage``, the run's budget, the ledger.

Prices come from ``judge/data/prices.json`` (list prices in USD per million tokens, with the
date they were read and the batch discount); ``--price-file`` names a JSON file of the same
shape whose models replace or add to the shipped ones. A model is priced by its exact name,
else by the longest table name it starts with (``gpt-4o-2024-08-06`` is ``gpt-4o``).

:class:`Budget` (``--max-cost``) is checked before each call is sent: the money spent so far
plus the worst case of every call in flight (its estimated input tokens and its whole output
budget, at the price) plus this call's worst case must stay within the budget; else the call
is not sent (:class:`BudgetReached`) and its match stays unjudged for a later run.

The ledger (``model_judgment/<judgment file stem>.ledger.jsonl``, next to the judgments)
gets one line per judgment file and run; see ``docs/mt_bench_x_judge.md`` for its fields.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from mt_bench_x.formats.errors import InputFileError, JudgeOptionError, MTBenchXError
from mt_bench_x.formats.jsonl import JsonlAppender


class BudgetReached(MTBenchXError):
    """A call not sent because it could take the run past ``--max-cost``."""


@dataclass(frozen=True)
class Price:
    """USD per million input and output tokens of one model, and where that came from."""

    input: float
    output: float
    source: str

    def cost(self, prompt_tokens: int, completion_tokens: int, *, batch: float = 1.0) -> float:
        return batch * (prompt_tokens * self.input + completion_tokens * self.output) / 1e6


@dataclass(frozen=True)
class PriceTable:
    """Prices by model name, the date they were read, the batch discount factor."""

    models: dict[str, tuple[float, float]]
    as_of: str
    batch_discount: float
    source: str

    def price(self, model: str) -> Price | None:
        if model in self.models:
            found: str | None = model
        else:
            prefixes = [name for name in self.models if model.startswith(name)]
            found = max(prefixes, key=len) if prefixes else None
        if found is None:
            return None
        inp, out = self.models[found]
        return Price(inp, out, f"{found} list price as of {self.as_of}")


def _read_table(data: Any, where: str) -> PriceTable:
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise InputFileError(
            where, 'expected {"models": {"<model>": {"input": USD, "output": USD}}}'
        )
    models: dict[str, tuple[float, float]] = {}
    for name, entry in data["models"].items():
        try:
            models[str(name)] = (float(entry["input"]), float(entry["output"]))
        except (KeyError, TypeError, ValueError):
            raise InputFileError(
                where, f'model {name!r}: expected {{"input": USD, "output": USD}}, got {entry!r}'
            ) from None
    return PriceTable(
        models=models,
        as_of=str(data.get("as_of", "unknown date")),
        batch_discount=float(data.get("batch_discount", 0.5)),
        source=str(data.get("source", where)),
    )


def load_prices(override: Path | None = None) -> PriceTable:
    """The shipped table, with ``override``'s models (and date, discount) on top."""
    text = resources.files("mt_bench_x.judge").joinpath("data/prices.json").read_text("utf-8")
    table = _read_table(json.loads(text), "mt_bench_x/judge/data/prices.json")
    if override is None:
        return table
    try:
        extra = _read_table(json.loads(Path(override).read_text(encoding="utf-8")), str(override))
    except FileNotFoundError:
        raise InputFileError(str(override), "price file not found") from None
    except json.JSONDecodeError as error:
        raise InputFileError(str(override), f"not JSON ({error.msg})", line=error.lineno) from None
    raw = json.loads(Path(override).read_text(encoding="utf-8"))
    return PriceTable(
        models={**table.models, **extra.models},
        as_of=str(raw.get("as_of", table.as_of)),
        batch_discount=float(raw.get("batch_discount", table.batch_discount)),
        source=f"{table.source}; {override}",
    )


def resolve_price(
    table: PriceTable,
    model: str,
    input_price: float | None = None,
    output_price: float | None = None,
) -> Price | None:
    """``--input-price/--output-price`` when both are given, else the table's price."""
    if (input_price is None) != (output_price is None):
        raise JudgeOptionError("--input-price and --output-price go together: give both or none")
    if input_price is not None and output_price is not None:
        return Price(input_price, output_price, "--input-price/--output-price")
    return table.price(model)


class Budget:
    """Money spent and reserved by the calls in flight, against ``limit`` USD.

    Single-threaded (the judge's event loop): no lock needed.
    """

    def __init__(self, limit: float, price: Price) -> None:
        if limit <= 0:
            raise JudgeOptionError(f"--max-cost must be positive, got {limit}")
        self.limit = limit
        self.price = price
        self.spent = 0.0
        self.reserved = 0.0
        self.refused = 0

    def worst_case(self, input_tokens: int, max_output_tokens: int) -> float:
        return self.price.cost(input_tokens, max_output_tokens)

    def reserve(self, worst_case: float) -> None:
        """Hold ``worst_case`` for a call about to be sent; :class:`BudgetReached` if it
        could take the run past the limit."""
        if self.refused or self.spent + self.reserved + worst_case > self.limit:
            self.refused += 1  # once one call is held back, every later one is too
            raise BudgetReached(
                f"--max-cost {self.limit:g} USD reached: ${self.spent:.4f} spent, "
                f"${self.reserved:.4f} held by calls in flight; this call could cost "
                f"${worst_case:.4f}"
            )
        self.reserved += worst_case

    def settle(self, worst_case: float, usage: dict[str, int] | None) -> None:
        """Release a reservation; add what the call cost (nothing for a failed call)."""
        self.reserved = max(0.0, self.reserved - worst_case)
        if usage:
            self.spent += self.price.cost(
                usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)
            )


def ledger_path(judgment_file: Path) -> Path:
    """``<dir>/<stem>.ledger.jsonl`` next to a judgment file."""
    return judgment_file.with_name(f"{judgment_file.stem}.ledger.jsonl")


@dataclass(frozen=True)
class LedgerEntry:
    """What one run cost in one judgment file."""

    judgment_file: Path
    judge_model: str
    mode: str  # "online" or "batch"
    calls: int
    prompt_tokens: int
    completion_tokens: int
    price: Price | None
    batch_factor: float = 1.0
    max_cost: float | None = None
    not_sent_for_budget: int = 0

    @property
    def cost(self) -> float | None:
        if self.price is None:
            return None
        return self.price.cost(self.prompt_tokens, self.completion_tokens, batch=self.batch_factor)

    def record(self) -> dict[str, Any]:
        cost = self.cost
        return {
            "tstamp": time.time(),
            "judgment_file": self.judgment_file.name,
            "judge": self.judge_model,
            "mode": self.mode,
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "usd_per_mtok": None
            if self.price is None
            else {"input": self.price.input, "output": self.price.output},
            "batch_factor": self.batch_factor,
            "price_source": None if self.price is None else self.price.source,
            "cost_usd": None if cost is None else round(cost, 6),
            "max_cost_usd": self.max_cost,
            "not_sent_for_budget": self.not_sent_for_budget,
        }


def append_ledger(entry: LedgerEntry) -> Path:
    """Append one line to the judgment file's ledger (flushed, fsynced); returns its path."""
    path = ledger_path(entry.judgment_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    with JsonlAppender(path) as appender:
        appender.write(entry.record())
    return path


def ledger_total(judgment_file: Path) -> float:
    """USD spent on a judgment file over all runs in its ledger (unpriced lines count 0)."""
    path = ledger_path(judgment_file)
    if not path.is_file():
        return 0.0
    total = 0.0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            total += float(json.loads(line).get("cost_usd") or 0.0)
    return total
