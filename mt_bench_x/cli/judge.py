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
    from mt_bench_x.judge.cost import Price
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
JudgePanelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--judge-model",
        help="Judge model name (sent to the API, names files); repeat it for a panel, each "
        "judge writes its own file. Default: gpt-4.",
    ),
]
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
    judge_model: JudgePanelOpt = None,
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
        float | None,
        typer.Option(help="USD per million input tokens (default: the price table's).", min=0),
    ] = None,
    output_price: Annotated[
        float | None,
        typer.Option(help="USD per million output tokens (default: the price table's).", min=0),
    ] = None,
    judge_param: Annotated[
        list[str] | None,
        typer.Option(
            "--judge-param",
            help="KEY=VALUE (JSON) set in every request body, repeatable: "
            "max_completion_tokens=4096 (replaces max_tokens), reasoning_effort=low, "
            "temperature=null (removes the default).",
        ),
    ] = None,
    price_file: Annotated[
        Path | None,
        typer.Option(help="JSON price table whose models replace or add to the shipped one."),
    ] = None,
    max_cost: Annotated[
        float | None,
        typer.Option(
            help="USD: stop sending when spent + the worst case of calls in flight would pass "
            "it (unjudged matches are judged by the next run).",
        ),
    ] = None,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help="Send the pending calls through the Batch API (batch price; results within "
            "its completion window); a killed run resumes its batches.",
        ),
    ] = False,
    batch_poll_seconds: Annotated[
        float, typer.Option(min=0, help="--batch: seconds between status checks.")
    ] = 30.0,
    batch_max_requests: Annotated[
        int, typer.Option(min=1, help="--batch: requests per batch at most (API limit).")
    ] = 50_000,
    batch_max_bytes: Annotated[
        int, typer.Option(min=1, help="--batch: bytes per batch input file at most.")
    ] = 190 * 1024 * 1024,
    tokenizer_file: Annotated[
        Path | None,
        typer.Option(help="Dry run: a local tokenizer.json to count tokens with."),
    ] = None,
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
    from mt_bench_x.formats.errors import JudgeOptionError
    from mt_bench_x.judge.cost import ledger_path, load_prices, resolve_price
    from mt_bench_x.judge.execute import CallOptions, estimate_run, judge_run, record_costs
    from mt_bench_x.judge.plan import JudgeJob
    from mt_bench_x.judge.request_options import RequestOptions, parse_judge_params
    from mt_bench_x.judge.selection import plan_judge_run
    from mt_bench_x.judge.token_count import load_counter

    for noisy in ("httpx", "httpx2", "openai"):  # one INFO line per HTTP request otherwise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    judges = list(dict.fromkeys(judge_model or ["gpt-4"]))
    if len(judges) > 1 and input_price is not None:
        raise JudgeOptionError(
            "--input-price/--output-price with several --judge-model: give each judge's "
            "price in a --price-file instead"
        )
    prices = load_prices(price_file)
    request = RequestOptions(max_tokens, parse_judge_params(judge_param or []))

    def judge_with(
        name: str, budget_left: float | None, submit_only: bool = False
    ) -> tuple[int, float]:
        """Judge with one judge of the panel: (failed judgments, USD spent); with
        ``submit_only``, submit its batches and return (0, their worst-case USD)."""
        job = JudgeJob(
            mode=_MODES[mode],
            judge_model=name,
            models=tuple(list(model_list or []) + list(ctx.args)),
            baseline=baseline_model,
            reference_set=reference_set,
            run=run,
            both_bad=both_bad,
            first_n=first_n,
        )
        price = resolve_price(prices, name, input_price, output_price)
        options = CallOptions(
            request=request,
            price=price,
            max_cost=budget_left,
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
            counter = load_counter(tokenizer_file)
            estimates = estimate_run(planned, options, output_tokens_per_call, counter)
            _print_dry_run(planned, estimates, price, prices.batch_discount, counter.description)
            return 0, 0.0
        if batch:
            from mt_bench_x.judge.batch import BatchOptions, judge_run_batch, submit_run_batches

            batch_options = BatchOptions(
                poll_s=batch_poll_seconds,
                max_requests=batch_max_requests,
                max_bytes=batch_max_bytes,
            )
            if submit_only:
                count, worst = submit_run_batches(
                    planned, options, batch_options, prices.batch_discount
                )
                typer.echo(f"{name}: {count} batch(es) submitted or resumed")
                return 0, worst
            result = judge_run_batch(planned, options, batch_options, prices.batch_discount)
            stats, ledger = result.stats, result.ledger
            for batches in result.batches:
                typer.echo(
                    f"{batches.plan.paths.lang}: {len(batches.parts)} batch(es), "
                    f"{len(batches.replies)} answered, {batches.failed_lines} failed line(s) "
                    "judged online"
                )
        else:
            stats = judge_run(planned, options)
            ledger = record_costs(planned, options, stats)
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
        for entry in ledger:
            cost = "unpriced" if entry.cost is None else f"${entry.cost:.4f}"
            typer.echo(
                f"cost {entry.judgment_file.parent.parent.name} ({entry.mode}): {cost} for "
                f"{entry.calls} calls, {entry.prompt_tokens} prompt + {entry.completion_tokens} "
                f"completion tokens -> {ledger_path(entry.judgment_file)}"
            )
        not_sent = sum(stat.not_sent_for_budget for stat in stats)
        if not_sent:
            typer.echo(
                f"--max-cost {max_cost or 0:g} USD reached: {not_sent} judgment(s) not sent; "
                "run again (with a larger --max-cost) to judge them.",
                err=True,
            )
        return api_errors, sum(entry.cost or 0.0 for entry in ledger)

    if batch and len(judges) > 1 and not dry_run:
        # a panel's batches run side by side: submit every judge's before polling any
        held = 0.0
        for name in judges:
            left = None if max_cost is None else max_cost - held
            held += judge_with(name, left, submit_only=True)[1]
    failed = 0
    spent = 0.0
    for name in judges:
        budget_left = None if max_cost is None else max_cost - spent
        if budget_left is not None and budget_left <= 0:
            typer.echo(f"--max-cost {max_cost:g} USD spent: judge {name} not started", err=True)
            continue
        errors, cost = judge_with(name, budget_left)
        failed += errors
        spent += cost
    if failed:
        typer.echo(
            f"{failed} judgment(s) failed; run the same command again to retry them.", err=True
        )
        raise typer.Exit(code=1)


def _print_dry_run(
    planned: JudgeRun,
    estimates: list[DryRunEstimate],
    price: Price | None,
    batch_discount: float,
    how_counted: str,
) -> None:
    job = planned.job
    total_calls = total_in = total_out = 0
    for plan, estimate in zip(planned.plans, estimates, strict=True):
        total_calls += estimate.calls
        total_in += estimate.input_tokens
        total_out += estimate.output_tokens
        cost = (
            ""
            if price is None
            else f", ${price.cost(estimate.input_tokens, estimate.output_tokens):.2f}"
        )
        typer.echo(
            f"{plan.paths.lang}: {estimate.matches} judgments ({estimate.already_done} done), "
            f"{estimate.calls} calls, {estimate.input_tokens} input + {estimate.output_tokens} "
            f"output tokens{cost} -> {plan.output}"
        )
    typer.echo(
        f"total: {total_calls} calls to {job.judge_model}, {total_in} input + {total_out} "
        f"output tokens (input {how_counted}; output assumed per call)"
    )
    if price is None:
        typer.echo(
            f"cost: {job.judge_model!r} is not in the price table; give --input-price and "
            "--output-price or a --price-file"
        )
        return
    online = price.cost(total_in, total_out)
    batch = price.cost(total_in, total_out, batch=batch_discount)
    typer.echo(
        f"cost: online ${online:.2f}, batch ${batch:.2f} (batch at {batch_discount:g} x) at "
        f"${price.input:g}/${price.output:g} per million input/output tokens ({price.source})"
    )


def show(
    ctx: typer.Context,
    data_dir: DataDirOpt,
    lang: LangOpt = "all",
    mode: ModeOpt = ModeChoice.single,
    judge_model: JudgePanelOpt = None,
    run: RunOpt = 0,
    model_list: ModelListOpt = None,
    baseline_model: BaselineOpt = "gpt-3.5-turbo",
    output_format: Annotated[
        FormatChoice, typer.Option("--format", help="table, json or csv (long format).")
    ] = FormatChoice.table,
) -> None:
    """Scores per model x language x category x turn, cross-lingual averages, win rates;
    with several --judge-model, each judge's scores, the panel mean and their agreement."""
    from mt_bench_x.results import show as results

    judges = list(dict.fromkeys(judge_model or ["gpt-4"]))
    if len(judges) > 1:
        from mt_bench_x.results.panel import panel_report, render_panel

        panel, left_out = panel_report(
            data_dir,
            lang,
            mode=mode.value,
            judges=judges,
            run=run,
            models=(list(model_list or []) + list(ctx.args)) or None,
            baseline=baseline_model if mode == ModeChoice.pairwise_baseline else None,
        )
        if left_out:
            typer.echo(f"--lang all: no judgments in {', '.join(left_out)}; skipped", err=True)
        typer.echo(render_panel(panel, output_format.value), nl=False)
        return

    report, skipped = results.report_for(
        data_dir,
        lang,
        mode=mode.value,
        judge_model=judges[0],
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
