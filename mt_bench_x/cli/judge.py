"""``mt-bench-x judge`` and ``mt-bench-x show`` (registered by :mod:`mt_bench_x.cli`)."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mt_bench_x.formats.errors import MTBenchXError

if TYPE_CHECKING:  # the judge modules load only when a command runs
    from mt_bench_x.judge.client import Transport
    from mt_bench_x.judge.plan import JudgeJob, LanguagePlan
    from mt_bench_x.judge.runner import RunStats
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


def _languages(data_dir: Path, lang: str) -> list[str]:
    from mt_bench_x.formats.layout import available_languages, normalize_lang

    if lang.lower() == "all":
        langs = available_languages(data_dir)
        if not langs:
            raise MTBenchXError(f"{data_dir}: no mt_bench_<LANG>/question.jsonl found")
        return langs
    # A language named twice (DE,de) is one: two runs would append to one judgment file.
    return list(dict.fromkeys(normalize_lang(code) for code in lang.split(",")))


def _answer_files(data_dir: Path, lang: str) -> list[str]:
    """The file stems of ``model_answer/<stem>.jsonl`` in one language, sorted."""
    from mt_bench_x.formats.layout import BenchPaths

    return sorted(p.stem for p in BenchPaths(data_dir, lang).model_answer_dir.glob("*.jsonl"))


def _model_id(data_dir: Path, lang: str, stem: str) -> str:
    """The model id of an answer file: its records' ``model_id`` where the file is named after
    it (``org/model`` is stored as ``org__model.jsonl``), else the stem, as FastChat does."""
    import json

    from mt_bench_x.formats.layout import BenchPaths, file_safe

    path = BenchPaths(data_dir, lang).model_answer_dir / f"{stem}.jsonl"
    with path.open("rb") as handle:
        first = handle.readline()
    try:  # a broken first line is reported with file and line when the answers are read
        model_id = json.loads(first).get("model_id")
    except (ValueError, AttributeError):
        return stem
    return model_id if isinstance(model_id, str) and file_safe(model_id) == stem else stem


def _languages_with_answers(data_dir: Path, langs: list[str], models: list[str]) -> list[str]:
    """``--lang all``: the languages where any of ``models`` (any model, when none is named)
    has answers; the others are skipped with a note, none left is an error."""
    from mt_bench_x.formats.layout import file_safe

    wanted = {file_safe(model) for model in models}
    kept = [
        code
        for code in langs
        if (
            wanted & set(_answer_files(data_dir, code)) if wanted else _answer_files(data_dir, code)
        )
    ]
    if not kept:
        who = f"for {', '.join(models)} " if models else ""
        raise MTBenchXError(
            f"{data_dir}: no model answers {who}in any of {', '.join(langs)} "
            "(mt_bench_<LANG>/model_answer/<model>.jsonl; run `mt-bench-x answer` first)"
        )
    skipped = [code for code in langs if code not in kept]
    if skipped:
        typer.echo(f"--lang all: no answers in {', '.join(skipped)}; skipped", err=True)
    return kept


def _languages_with_judgments(
    data_dir: Path, langs: list[str], judge_model: str, mode: ModeChoice, run: int
) -> list[str]:
    """``--lang all`` in ``show``: the languages that have the judgment file; the others are
    skipped with a note (none left: the first language, whose missing file is the error)."""
    from mt_bench_x.formats.layout import BenchPaths

    kind = "single" if mode == ModeChoice.single else "pair"
    kept = [
        code
        for code in langs
        if BenchPaths(data_dir, code).judgment_file(judge_model, kind, run).is_file()
    ]
    if not kept:
        return langs[:1]
    skipped = [code for code in langs if code not in kept]
    if skipped:
        typer.echo(f"--lang all: no judgments in {', '.join(skipped)}; skipped", err=True)
    return kept


def _default_models(data_dir: Path, lang: str, mode: ModeChoice, baseline: str) -> list[str]:
    """Every model with answers in ``lang`` (less the baseline of pairwise-baseline)."""
    from mt_bench_x.formats.layout import BenchPaths

    models = [_model_id(data_dir, lang, stem) for stem in _answer_files(data_dir, lang)]
    if mode == ModeChoice.pairwise_baseline:
        models = [m for m in models if m != baseline]
    if not models:
        where = BenchPaths(data_dir, lang).model_answer_dir
        extra = (
            f" besides the baseline {baseline!r}" if mode == ModeChoice.pairwise_baseline else ""
        )
        raise MTBenchXError(
            f"{where}: no model answers{extra} to judge (run `mt-bench-x answer` first, "
            "or name the models with --model-list)"
        )
    return models


def _fail(error: Exception) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(code=1)  # a known failure (usage errors are click's, exit 2)


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
    from mt_bench_x.judge.plan import JudgeJob, plan_language

    for noisy in ("httpx", "httpx2", "openai"):  # one INFO line per HTTP request otherwise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    models = list(model_list or []) + list(ctx.args)
    try:
        langs = _languages(data_dir, lang)
        if lang.lower() == "all":
            langs = _languages_with_answers(data_dir, langs, models)
        if not models:
            models = _default_models(data_dir, langs[0], mode, baseline_model)
        job = JudgeJob(
            mode=mode.value,  # type: ignore[arg-type]
            judge_model=judge_model,
            models=tuple(models),
            baseline=baseline_model,
            reference_set=reference_set,
            run=run,
            both_bad=both_bad,
            first_n=first_n,
        )
        plans = [plan_language(data_dir, code, job) for code in langs]
    except (MTBenchXError, ValueError) as error:
        raise _fail(error) from None
    options = CallOptions(
        base_url=judge_base_url,
        parallel=parallel,
        max_tokens=max_tokens,
        max_retries=max_retries,
        max_context_tokens=max_judge_context_tokens,
        progress=progress,
        transport=http_transport.value,  # type: ignore[arg-type]
        verdict_rule=verdict_rule.value,
    )
    if dry_run:
        try:
            _print_dry_run(plans, job, options, output_tokens_per_call, input_price, output_price)
        except (MTBenchXError, ValueError) as error:
            raise _fail(error) from None
        return
    try:
        stats = _run(plans, job, options)
    except (MTBenchXError, ValueError) as error:
        raise _fail(error) from None
    api_errors = 0
    for plan, stat in zip(plans, stats, strict=True):
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


@dataclass(frozen=True)
class CallOptions:
    """How the judge is called (the options of ``judge`` that do not pick the matches)."""

    base_url: str | None
    parallel: int
    max_tokens: int
    max_retries: int
    max_context_tokens: int | None
    progress: bool
    transport: Transport
    verdict_rule: VerdictRule = "strict"


def _run(plans: list[LanguagePlan], job: JudgeJob, options: CallOptions) -> list[RunStats]:
    """Judge every language's matches through one client (one ``--parallel`` budget)."""
    import asyncio

    from mt_bench_x.judge.client import JudgeClient, RetryPolicy
    from mt_bench_x.judge.runner import judge_matches

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
                        verdict_rule=options.verdict_rule,
                        reference_set=plan.reference_set,
                    )
                    for plan in plans
                )
            )

    return asyncio.run(main())


def _print_dry_run(
    plans: list[LanguagePlan],
    job: JudgeJob,
    options: CallOptions,
    output_tokens_per_call: int,
    input_price: float,
    output_price: float,
) -> None:
    from mt_bench_x.judge.plan import estimate_plan

    total_calls = total_in = total_out = 0
    total_cost = 0.0
    for plan in plans:
        estimate = estimate_plan(
            plan,
            job.run,
            output_tokens_per_call=min(output_tokens_per_call, options.max_tokens),
            max_context_tokens=options.max_context_tokens,
            max_output_tokens=options.max_tokens,
        )
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

    try:
        langs = _languages(data_dir, lang)
        if lang.lower() == "all":
            langs = _languages_with_judgments(data_dir, langs, judge_model, mode, run)
        baseline = baseline_model if mode == ModeChoice.pairwise_baseline else None
        report = results.build_report(
            data_dir,
            langs,
            mode=mode.value,
            judge_model=judge_model,
            run=run,
            models=(list(model_list or []) + list(ctx.args)) or None,
            baseline=baseline,
        )
    except (MTBenchXError, ValueError) as error:
        raise _fail(error) from None
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
