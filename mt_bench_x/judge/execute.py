"""Carry out a planned judge run: every language through one client, or a cost estimate.

:func:`judge_run` sends every language's matches through one
:class:`~mt_bench_x.judge.client.JudgeClient`, so ``--parallel`` is one budget for all of
them; :func:`estimate_run` says what the run would send, without sending it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mt_bench_x.formats.errors import JudgeOptionError
from mt_bench_x.judge.cost import Budget, LedgerEntry, Price, append_ledger
from mt_bench_x.judge.plan import DryRunEstimate, estimate_plan
from mt_bench_x.judge.request_options import RequestOptions
from mt_bench_x.judge.selection import JudgeRun
from mt_bench_x.judge.token_count import TokenCounter

if TYPE_CHECKING:  # the client and runner load only when a run starts
    from mt_bench_x.judge.client import JudgeClient, Transport
    from mt_bench_x.judge.runner import Judge, RunStats
    from mt_bench_x.judge.verdict import VerdictRule


@dataclass(frozen=True)
class CallOptions:
    """How the judge is called (the options of a run that do not pick the matches)."""

    base_url: str | None
    parallel: int
    max_tokens: int
    max_retries: int
    max_context_tokens: int | None
    progress: bool
    transport: Transport
    #: how verdicts are read (``--verdict-rule``: strict, or FastChat's regex)
    verdict_rule: VerdictRule = "strict"
    #: the request body's fields besides model and messages (``--judge-param``)
    request: RequestOptions = field(default_factory=RequestOptions)
    #: the judge's price (None: not in the table; costs are then not computed)
    price: Price | None = None
    #: ``--max-cost`` in USD
    max_cost: float | None = None


def make_budget(judge_model: str, options: CallOptions) -> Budget | None:
    """The run's ``--max-cost`` budget (None without one); it needs the judge's price."""
    if options.max_cost is None:
        return None
    if options.price is None:
        raise JudgeOptionError(
            f"--max-cost needs a price for {judge_model!r}: it is not in the price "
            "table; give --input-price and --output-price or a --price-file"
        )
    return Budget(options.max_cost, options.price)


def make_client(judge_model: str, options: CallOptions, budget: Budget | None) -> JudgeClient:
    """The judge client of a run (use ``async with``)."""
    from mt_bench_x.judge.client import JudgeClient, RetryPolicy

    return JudgeClient(
        judge_model,
        base_url=options.base_url,
        max_tokens=options.max_tokens,
        retry=RetryPolicy(max_retries=options.max_retries),
        parallel=options.parallel,
        transport=options.transport,
        request=options.request,
        budget=budget,
    )


async def judge_plans(
    run: JudgeRun, options: CallOptions, judges: Sequence[Judge]
) -> list[RunStats]:
    """Every plan's matches through its judge (one per plan), all languages together."""
    import asyncio

    from mt_bench_x.judge.runner import judge_matches

    return await asyncio.gather(
        *(
            judge_matches(
                plan.matches,
                judge,
                plan.output,
                judge_model=run.job.judge_model,
                run=run.job.run,
                max_context_tokens=options.max_context_tokens,
                max_output_tokens=options.request.max_output_tokens,
                progress=options.progress,
                reference_set=plan.reference_set,
                verdict_rule=options.verdict_rule,
            )
            for plan, judge in zip(run.plans, judges, strict=True)
        )
    )


def judge_run(run: JudgeRun, options: CallOptions) -> list[RunStats]:
    """Judge every language's matches; one :class:`RunStats` per plan, in plan order."""
    import asyncio

    budget = make_budget(run.job.judge_model, options)

    async def main() -> list[RunStats]:
        async with make_client(run.job.judge_model, options, budget) as client:
            return await judge_plans(run, options, [client] * len(run.plans))

    return asyncio.run(main())


def record_costs(
    run: JudgeRun, options: CallOptions, stats: list[RunStats], *, mode: str = "online"
) -> list[LedgerEntry]:
    """One ledger line per judgment file that had calls (see :mod:`mt_bench_x.judge.cost`)."""
    entries = []
    for plan, stat in zip(run.plans, stats, strict=True):
        if stat.calls == 0 and stat.not_sent_for_budget == 0:
            continue
        entry = LedgerEntry(
            judgment_file=plan.output,
            judge_model=run.job.judge_model,
            mode=mode,
            calls=stat.calls,
            prompt_tokens=stat.prompt_tokens - stat.reused_prompt_tokens,
            completion_tokens=stat.completion_tokens - stat.reused_completion_tokens,
            price=options.price,
            max_cost=options.max_cost,
            not_sent_for_budget=stat.not_sent_for_budget,
        )
        append_ledger(entry)
        entries.append(entry)
    return entries


def estimate_run(
    run: JudgeRun,
    options: CallOptions,
    output_tokens_per_call: int,
    counter: TokenCounter | None = None,
) -> list[DryRunEstimate]:
    """What each language's plan would still send (finished judgments skipped)."""
    return [
        estimate_plan(
            plan,
            run.job.run,
            output_tokens_per_call=min(output_tokens_per_call, options.request.max_output_tokens),
            max_context_tokens=options.max_context_tokens,
            max_output_tokens=options.request.max_output_tokens,
            count_tokens=None if counter is None else counter.messages,
        )
        for plan in run.plans
    ]
