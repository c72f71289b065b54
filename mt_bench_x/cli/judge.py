"""``mt-bench-x judge`` and ``mt-bench-x show`` (registered by :mod:`mt_bench_x.cli`).

Each command parses its options, calls the judge or results layer, and prints. Which
languages and models a run takes is decided in :mod:`mt_bench_x.judge.selection`; errors are
the package's own and reach the one handler of :mod:`polyglot_instruct.cli_errors`.
"""

from __future__ import annotations

import enum
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the judge modules load only when a command runs
    from mt_bench_x.judge.client import Transport
    from mt_bench_x.judge.matches import Mode
    from mt_bench_x.judge.plan import DryRunEstimate
    from mt_bench_x.judge.selection import JudgeRun
    from mt_bench_x.judge.verdict import VerdictRule

logger = logging.getLogger(__name__)


class ModeChoice(str, enum.Enum):
    single = "single"
    pairwise_baseline = "pairwise-baseline"
    pairwise_all = "pairwise-all"


class TransportChoice(str, enum.Enum):
    aiohttp = "aiohttp"
    httpx = "httpx"


class VerdictRuleChoice(str, enum.Enum):
    strict = "strict"
    fastchat = "fastchat"


class FormatChoice(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


_MODES: dict[ModeChoice, Mode] = {
    ModeChoice.single: "single",
    ModeChoice.pairwise_baseline: "pairwise-baseline",
    ModeChoice.pairwise_all: "pairwise-all",
}
_VERDICT_RULES: dict[VerdictRuleChoice, VerdictRule] = {
    VerdictRuleChoice.strict: "strict",
    VerdictRuleChoice.fastchat: "fastchat",
}
_TRANSPORTS: dict[TransportChoice, Transport] = {
    TransportChoice.aiohttp: "aiohttp",
    TransportChoice.httpx: "httpx",
}


LangOpt = Annotated[str, typer.Option(help="Language code (DE), a comma list (DE,FR) or 'all'.")]
DataDirOpt = Annotated[Path, typer.Option(help="FastChat-layout folder with mt_bench_<LANG>/.")]
ModeOpt = Annotated[ModeChoice, typer.Option(help="Single grading or pairwise.")]
JudgeOpt = Annotated[str, typer.Option(help="Judge model name (sent to the API, names files).")]
RunOpt = Annotated[int, typer.Option(min=0, help="Judge run K (files *_run<K>.jsonl from 1 on).")]
BaselineOpt = Annotated[str, typer.Option(help="Baseline model of pairwise-baseline.")]
ModelListOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model-list",
        help="Models (`--model-list A B C` as in FastChat, or repeated); default: every "
        "model_answer file of the first language.",
    ),
]


def judge(
    ctx: typer.Context,
    lang: LangOpt,
    data_dir: DataDirOpt,
    mode: ModeOpt = ModeChoice.single,
    judge_model: JudgeOpt = "gpt-4",
    model_list: ModelListOpt = None,
    parallel: Annotated[int, typer.Option(min=1, help="Judge calls in flight at most.")] = 8,
    baseline_model: BaselineOpt = "gpt-3.5-turbo",
    reference_set: Annotated[
        str, typer.Option(help="reference_answer/<set>.jsonl for math, reasoning, coding.")
    ] = "gpt-4",
    run: RunOpt = 0,
    judge_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL (default: OPENAI_BASE_URL).")
    ] = None,
    both_bad: Annotated[
        bool | None,
        typer.Option(
            "--both-bad/--no-both-bad",
            help="Pairwise prompts with the [[D]] both-bad verdict (default: when the prompt "
            "file has the -both-bad variants).",
        ),
    ] = None,
    max_judge_context_tokens: Annotated[
        int | None,
        typer.Option(min=1, help="Judge context size; longer answers are cut (and counted)."),
    ] = None,
    max_tokens: Annotated[int, typer.Option(min=1, help="Reply tokens per judge call.")] = 2048,
    max_retries: Annotated[
        int, typer.Option(min=0, help="Retries per call (429/5xx/timeout).")
    ] = 8,
    first_n: Annotated[
        int | None, typer.Option(min=1, help="Only the first N questions (for trial runs).")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Print calls, tokens and cost only.")] = False,
    output_tokens_per_call: Annotated[
        int, typer.Option(help="Dry run: assumed reply tokens per call.")
    ] = 300,
    input_price: Annotated[
        float, typer.Option(help="Dry run: USD per million input tokens (gpt-4o list price).")
    ] = 2.5,
    output_price: Annotated[
        float, typer.Option(help="Dry run: USD per million output tokens.")
    ] = 10.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    http_transport: Annotated[
        TransportChoice, typer.Option(help="HTTP transport of the openai client.")
    ] = TransportChoice.aiohttp,
    verdict_rule: Annotated[
        VerdictRuleChoice,
        typer.Option(
            help="strict: last valid 1-10 token; fastchat: FastChat's first-match regex "
            "(accepts [[0]], no range check)."
        ),
    ] = VerdictRuleChoice.strict,
) -> None:
    """Judge model answers with an LLM judge, per language, resumably (FastChat formats)."""
    from mt_bench_x.judge.execute import CallOptions, estimate_run, judge_run
    from mt_bench_x.judge.plan import JudgeJob
    from mt_bench_x.judge.selection import plan_judge_run

    for noisy in ("httpx", "httpx2", "openai"):  # one INFO line per HTTP request otherwise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    job = JudgeJob(
        mode=_MODES[mode],
        judge_model=judge_model,
        models=tuple(list(model_list or []) + list(ctx.args)),
        baseline=baseline_model,
        reference_set=reference_set,
        run=run,
        both_bad=both_bad,
        first_n=first_n,
    )
    options = CallOptions(
        base_url=judge_base_url,
        parallel=parallel,
        max_tokens=max_tokens,
        max_retries=max_retries,
        max_context_tokens=max_judge_context_tokens,
        progress=progress,
        transport=_TRANSPORTS[http_transport],
        verdict_rule=_VERDICT_RULES[verdict_rule],
    )
    planned = plan_judge_run(data_dir, lang, job)
    if planned.skipped:
        typer.echo(f"--lang all: no answers in {', '.join(planned.skipped)}; skipped", err=True)
    if dry_run:
        estimates = estimate_run(planned, options, output_tokens_per_call)
        _print_dry_run(planned, estimates, input_price, output_price)
        return
    stats = judge_run(planned, options)
    api_errors = 0
    for plan, stat in zip(planned.plans, stats, strict=True):
        api_errors += stat.api_errors
        typer.echo(
            f"{plan.paths.lang}: {stat.written} judged"
            + (f" ({stat.stale} stale redone)" if stat.stale else "")
            + f", {stat.already_done} already done, "
            f"{stat.parse_failures} unparseable verdict(s), {stat.api_errors} API error(s), "
            f"{stat.truncated_answers} truncated answer(s), {stat.prompt_tokens} prompt + "
            f"{stat.completion_tokens} completion tokens"
            + (f", {stat.reused_games} game(s) reused" if stat.reused_games else "")
            + f" -> {plan.output}"
        )
        for message in stat.error_messages:
            typer.echo(f"  {message}", err=True)
    if api_errors:
        typer.echo(
            f"{api_errors} judgment(s) failed; run the same command again to retry them.", err=True
        )
        raise typer.Exit(code=1)


def _print_dry_run(
    planned: JudgeRun,
    estimates: list[DryRunEstimate],
    input_price: float,
    output_price: float,
) -> None:
    job = planned.job
    total_calls = total_in = total_out = 0
    total_cost = 0.0
    for plan, estimate in zip(planned.plans, estimates, strict=True):
        cost = estimate.cost(input_price, output_price)
        total_calls += estimate.calls
        total_in += estimate.input_tokens
        total_out += estimate.output_tokens
        total_cost += cost
        typer.echo(
            f"{plan.paths.lang}: {estimate.matches} judgments ({estimate.already_done} done), "
            f"{estimate.calls} calls, ~{estimate.input_tokens} input + ~{estimate.output_tokens} "
            f"output tokens, ~${cost:.2f} -> {plan.output}"
        )
    typer.echo(
        f"total: {total_calls} calls to {job.judge_model}, ~{total_in} input + ~{total_out} "
        f"output tokens, ~${total_cost:.2f} at ${input_price}/${output_price} per million "
        "tokens (estimates: UTF-8 bytes / 3 per token)"
    )


def show(
    ctx: typer.Context,
    data_dir: DataDirOpt,
    lang: LangOpt = "all",
    mode: ModeOpt = ModeChoice.single,
    judge_model: JudgeOpt = "gpt-4",
    run: RunOpt = 0,
    model_list: ModelListOpt = None,
    baseline_model: BaselineOpt = "gpt-3.5-turbo",
    output_format: Annotated[
        FormatChoice, typer.Option("--format", help="table, json or csv (long format).")
    ] = FormatChoice.table,
) -> None:
    """Scores per model x language x category x turn, cross-lingual averages, win rates."""
    from mt_bench_x.results import show as results

    report, skipped = results.report_for(
        data_dir,
        lang,
        mode=mode.value,
        judge_model=judge_model,
        run=run,
        models=(list(model_list or []) + list(ctx.args)) or None,
        baseline=baseline_model if mode == ModeChoice.pairwise_baseline else None,
    )
    if skipped:
        typer.echo(f"--lang all: no judgments in {', '.join(skipped)}; skipped", err=True)
    typer.echo(results.render(report, output_format.value), nl=False)
    for note in results.skipped_notes(report):
        typer.echo(f"note: {note}", err=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``mt-bench-x`` app."""
    app.command(
        "judge",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": False},
    )(judge)
    app.command(
        "show",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": False},
    )(show)
