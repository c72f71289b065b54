"""Carry out a planned judge run: every language through one client, or a cost estimate.

:func:`judge_run` sends every language's matches through one
:class:`~mt_bench_x.judge.client.JudgeClient`, so ``--parallel`` is one budget for all of
them; :func:`estimate_run` says what the run would send, without sending it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mt_bench_x.judge.plan import DryRunEstimate, estimate_plan
from mt_bench_x.judge.selection import JudgeRun

if TYPE_CHECKING:  # the client and runner load only when a run starts
    from mt_bench_x.judge.client import Transport
    from mt_bench_x.judge.runner import RunStats
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
    verdict_rule: VerdictRule = "strict"


def judge_run(run: JudgeRun, options: CallOptions) -> list[RunStats]:
    """Judge every language's matches; one :class:`RunStats` per plan, in plan order."""
    import asyncio

    from mt_bench_x.judge.client import JudgeClient, RetryPolicy
    from mt_bench_x.judge.runner import judge_matches

    job = run.job

    async def main() -> list[RunStats]:
        client = JudgeClient(
            job.judge_model,
            base_url=options.base_url,
            max_tokens=options.max_tokens,
            retry=RetryPolicy(max_retries=options.max_retries),
            parallel=options.parallel,
            transport=options.transport,
        )
        async with client:
            return await asyncio.gather(
                *(
                    judge_matches(
                        plan.matches,
                        client,
                        plan.output,
                        judge_model=job.judge_model,
                        run=job.run,
                        max_context_tokens=options.max_context_tokens,
                        max_output_tokens=options.max_tokens,
                        progress=options.progress,
                        reference_set=plan.reference_set,
                        verdict_rule=options.verdict_rule,
                    )
                    for plan in run.plans
                )
            )

    return asyncio.run(main())


def estimate_run(
    run: JudgeRun, options: CallOptions, output_tokens_per_call: int
) -> list[DryRunEstimate]:
    """What each language's plan would still send (finished judgments skipped)."""
    return [
        estimate_plan(
            plan,
            run.job.run,
            output_tokens_per_call=min(output_tokens_per_call, options.max_tokens),
            max_context_tokens=options.max_context_tokens,
            max_output_tokens=options.max_tokens,
        )
        for plan in run.plans
    ]
