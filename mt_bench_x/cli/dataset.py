"""``mt-bench-x`` commands for the dataset part: build, export, push, answer.

Registered by :mod:`mt_bench_x.cli`. Heavy imports (datasets, torch, transformers) happen
inside the commands that need them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from mt_bench_x.formats.errors import MTBenchXError
from polyglot_instruct.languages import LanguageListError, parse_languages

logger = logging.getLogger(__name__)


def _split_langs(value: str | None) -> list[str] | None:
    """``"de, FR"`` -> ``["DE", "FR"]``; ``None``, ``""`` and ``"all"`` -> ``None`` (all)."""
    try:
        return parse_languages(value, allow_all=True)
    except LanguageListError as error:
        raise typer.BadParameter(str(error)) from None


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``["IT=more"]`` -> ``{"IT": "more"}``."""
    from mt_bench_x.formats.layout import normalize_lang

    pairs: dict[str, str] = {}
    for value in values or []:
        lang, sep, text = value.partition("=")
        if not sep or not text:
            raise typer.BadParameter(f"{option} expects LANG=VALUE, got {value!r}")
        try:
            pairs[normalize_lang(lang)] = text
        except ValueError as error:
            raise typer.BadParameter(f"{option}: {error}") from None
    return pairs


#: Options that only a build by translation (--from-fastchat) reads.
TRANSLATION_OPTIONS = {
    "translator": "--translator",
    "translator_model": "--translator-model",
    "translator_base_url": "--translator-base-url",
    "cache": "--cache",
    "corrections": "--corrections",
    "judge_prompts": "--judge-prompts",
    "preserve_code": "--preserve-code/--no-preserve-code",
    "formality": "--formality",
    "on_protected_loss": "--on-protected-loss",
}


def _check_protected_loss(value: str) -> str:
    from lima_x.translate.run import PROTECTED_LOSS_POLICIES

    if value not in PROTECTED_LOSS_POLICIES:
        raise typer.BadParameter(
            f"expected one of {', '.join(PROTECTED_LOSS_POLICIES)}, got {value!r}"
        )
    return value


def _refuse_translation_options(ctx: typer.Context) -> None:
    """--from-published copies finished files: options of a translation would be ignored."""
    given = []
    for name, flag in TRANSLATION_OPTIONS.items():
        source = ctx.get_parameter_source(name)
        # typer may carry its own copy of click: compare the source by name
        if source is not None and source.name != "DEFAULT":
            given.append(flag)
    if given:
        raise typer.BadParameter(
            f"{', '.join(given)} only apply to --from-fastchat (a build by translation); "
            "--from-published copies the published, already corrected files: leave "
            f"{'it' if len(given) == 1 else 'them'} out"
        )


def _check_formality_values(formality: dict[str, str]) -> None:
    from lima_x.translate.languages import formality_values

    for lang, value in formality.items():
        if value not in formality_values():
            raise typer.BadParameter(
                f"{lang}={value}: expected one of {', '.join(formality_values())}",
                param_hint="--formality",
            )


def _check_translation_languages(
    translator: str, langs: list[str], formality: dict[str, str]
) -> None:
    """Refuse languages and formality values the translator does not offer, before any
    request."""
    from lima_x.translate.languages import check_languages

    targets = [lang for lang in langs if lang != "EN"]
    check_languages(translator, "EN", targets)
    for lang, value in formality.items():
        check_languages(translator, "EN", [lang], value)


def build(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Repo folder to write (an earlier one is replaced, other folders refused).",
        ),
    ],
    from_published: Annotated[
        Path | None,
        typer.Option(
            "--from-published",
            help="Folder with published mt_bench_<LANG>/ files "
            "(question.jsonl, reference_answer/, judge_prompts.jsonl).",
        ),
    ] = None,
    from_fastchat: Annotated[
        Path | None,
        typer.Option(
            "--from-fastchat",
            help="FastChat's English MT-Bench folder (data/mt_bench) to translate.",
        ),
    ] = None,
    langs: Annotated[
        str | None,
        typer.Option(
            "--langs", help="Comma-separated languages, e.g. DE,FR (published: default all)."
        ),
    ] = None,
    translator: Annotated[str, typer.Option("--translator", help="deepl or openai.")] = "deepl",
    translator_model: Annotated[
        str | None,
        typer.Option("--translator-model", help="Chat model (openai) or DeepL model_type."),
    ] = None,
    translator_base_url: Annotated[
        str | None,
        typer.Option(
            "--translator-base-url",
            help="Server URL (default: DEEPL_SERVER_URL / OPENAI_BASE_URL).",
        ),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="Translation cache (SQLite); default <out>.translation-cache.sqlite beside --out.",
        ),
    ] = None,
    corrections: Annotated[
        list[Path] | None,
        typer.Option(
            "--corrections",
            help="Human-corrected question rows (files or folders; repeatable); "
            "see docs/mt_bench_x_dataset.md.",
        ),
    ] = None,
    judge_prompts: Annotated[
        Path | None,
        typer.Option(
            "--judge-prompts", help="English judge_prompts.jsonl (default: found beside DIR)."
        ),
    ] = None,
    preserve_code: Annotated[
        bool,
        typer.Option(
            "--preserve-code/--no-preserve-code",
            help="Keep code blocks untranslated except comments.",
        ),
    ] = True,
    formality: Annotated[
        list[str] | None,
        typer.Option(
            "--formality", help="DeepL formality per language, LANG=VALUE (e.g. IT=more)."
        ),
    ] = None,
    both_bad_clause: Annotated[
        list[str] | None,
        typer.Option(
            "--both-bad-clause",
            help='Sentence adding the [[D]] verdict for a language, LANG=TEXT (must hold "[[D]]").',
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Also write the FastChat layout here (as `export` does, but straight from the "
            "inputs: unchanged input lines and corrected rows are kept byte for byte).",
        ),
    ] = None,
    on_protected_loss: Annotated[
        str,
        typer.Option(
            "--on-protected-loss",
            help="A translation that lost protected code: stop (name it, cache the rest), "
            "retry (send it again, then stop), keep-source (keep the English text).",
            callback=_check_protected_loss,
        ),
    ] = "stop",
) -> None:
    """Build the MT-Bench-X Hub repo folder (parquet configs per language + README card)."""
    from mt_bench_x.dataset.build import from_fastchat as build_from_fastchat
    from mt_bench_x.dataset.build import from_published as build_from_published
    from mt_bench_x.dataset.hub_repo import check_out_dir, write_repo

    if (from_published is None) == (from_fastchat is None):
        raise typer.BadParameter("give exactly one of --from-published and --from-fastchat")
    lang_list = _split_langs(langs)
    clauses = _pairs(both_bad_clause, "--both-bad-clause")
    if from_published is not None:
        _refuse_translation_options(ctx)
    _check_formality_values(_pairs(formality, "--formality"))
    check_out_dir(out)
    if from_published is not None:
        result = build_from_published(from_published, langs=lang_list, both_bad_clauses=clauses)
    elif from_fastchat is not None:
        if not lang_list:
            raise typer.BadParameter("--from-fastchat needs --langs, e.g. DE,FR,IT,ES")
        from lima_x.translate.factory import create_translator

        _check_translation_languages(translator, lang_list, _pairs(formality, "--formality"))
        cache_path = cache or out.with_name(f"{out.name}.translation-cache.sqlite")
        backend = create_translator(
            translator,
            cache_path=cache_path,
            model=translator_model,
            base_url=translator_base_url,
        )
        if backend is None:
            raise typer.BadParameter("--from-fastchat needs a translator (deepl or openai)")
        result = build_from_fastchat(
            from_fastchat,
            lang_list,
            backend,
            corrections=corrections,
            judge_prompts_file=judge_prompts,
            preserve_code=preserve_code,
            formality=_pairs(formality, "--formality"),
            both_bad_clauses=clauses,
            on_protected_loss=on_protected_loss,
        )
    write_repo(result.benchmark, out, provenance=result.provenance, reports=result.corrections)
    if data_dir is not None:
        from mt_bench_x.dataset.export import export_benchmark

        export_benchmark(result.benchmark, data_dir)
    for lang, bench in result.benchmark.languages.items():
        line = f"{lang}: {len(bench.questions)} questions"
        line += f", {sum(len(r) for r in bench.references.values())} reference answers"
        line += f", {len(bench.judge_prompts)} judge prompts"
        if lang in result.corrections:
            line += f", corrections changed {result.corrections[lang].changed_count} rows"
        typer.echo(line)
    typer.echo(f"wrote {out}" + (f" and {data_dir}" if data_dir is not None else ""))


def export(
    repo: Annotated[str, typer.Option("--repo", help="Repo folder or Hub dataset id.")],
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="FastChat-style data folder to write.")
    ],
    langs: Annotated[
        str | None, typer.Option("--langs", help="Comma-separated languages (all).")
    ] = None,
) -> None:
    """Write question.jsonl, reference_answer/ and judge_prompts.jsonl per language."""
    from mt_bench_x.dataset.export import export_benchmark
    from mt_bench_x.dataset.hub_repo import read_repo

    benchmark = read_repo(repo, langs=_split_langs(langs))
    written = export_benchmark(benchmark, data_dir)
    for paths in written:
        typer.echo(f"{paths.lang}: {paths.root}")


def push(
    repo_dir: Annotated[Path, typer.Option("--repo-dir", help="Folder written by `build`.")],
    repo_id: Annotated[str, typer.Option("--repo-id", help="Hub dataset id, e.g. org/mt-bench-x.")],
    private: Annotated[bool, typer.Option("--private", help="Create the repo as private.")] = False,
) -> None:
    """Upload the repo folder to the Hugging Face Hub (token from HF_TOKEN)."""
    from hub_cards.push import push_folder

    push_folder(repo_dir, repo_id, private=private, program="mt-bench-x")
    typer.echo(f"pushed {repo_dir} to https://huggingface.co/datasets/{repo_id}")


def inspect(
    repo: Annotated[Path, typer.Argument(help="A repo folder written by `build`.")],
    config: Annotated[
        list[str] | None, typer.Option("--config", help="Only these configs (repeatable).")
    ] = None,
) -> None:
    """Load every config with `datasets` and print configs × splits × rows × languages."""
    from hub_cards.inspection import inspect_folder, summary_table

    rows = inspect_folder(repo, configs=config)
    for line in summary_table(rows):
        typer.echo(line)


def answer(
    model_path: Annotated[
        str,
        typer.Option("--model-path", help="Checkpoint folder, or the served model name (openai)."),
    ],
    model_id: Annotated[str, typer.Option("--model-id", help="Name of the answer file.")],
    lang: Annotated[str, typer.Option("--lang", help="Language(s): DE, DE,FR or all.")],
    data_dir: Annotated[Path, typer.Option("--data-dir", help="FastChat-style data folder.")],
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", min=1)] = 1024,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Questions per batch.")
    ] = 8,
    backend: Annotated[
        str, typer.Option("--backend", help="transformers, vllm, openai.")
    ] = "transformers",
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="OpenAI-compatible server (default OPENAI_BASE_URL)."),
    ] = None,
    system_prompt: Annotated[
        str | None, typer.Option("--system-prompt", help="System prompt for every language.")
    ] = None,
    system_prompt_file: Annotated[
        Path | None,
        typer.Option(
            "--system-prompt-file",
            help='JSON object per language: {"DE": "...", "default": "..."}.',
        ),
    ] = None,
    conv_template: Annotated[
        str | None,
        typer.Option(
            "--conv-template",
            help="FastChat conversation template, for checkpoints without a chat template.",
        ),
    ] = None,
    device: Annotated[str, typer.Option("--device", help="cpu, cuda, cuda:1 or auto.")] = "auto",
    temperature: Annotated[
        float | None,
        typer.Option(
            "--temperature", help="One temperature for all categories (default: FastChat's)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Sampling seed.")] = 0,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N questions.")
    ] = None,
    question_ids: Annotated[
        str | None,
        typer.Option("--question-ids", help="Comma-separated numbers or ids (81,82 or 81_DE)."),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    trust_remote_code: Annotated[
        bool,
        typer.Option(
            "--trust-remote-code",
            help="Run the Python code a checkpoint ships (its auto_map); off by default.",
        ),
    ] = False,
    tensor_parallel_size: Annotated[
        int, typer.Option("--tensor-parallel-size", help="vLLM: GPUs one model is split over.")
    ] = 1,
    data_parallel_size: Annotated[
        int, typer.Option("--data-parallel-size", help="vLLM: model copies run side by side.")
    ] = 1,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help="--backend openai: each group of --batch-size questions and turn as one "
            "Batch API job (batch price, results within its window); resumable.",
        ),
    ] = False,
    batch_poll_seconds: Annotated[
        float, typer.Option("--batch-poll-seconds", min=0, help="--batch: seconds between checks.")
    ] = 30.0,
) -> None:
    """Answer MT-Bench(-X) questions, two turns each; a rerun skips answered questions."""
    from mt_bench_x.answer.backends import BACKENDS, create_backend
    from mt_bench_x.answer.engine_options import EngineOptions
    from mt_bench_x.answer.run import AnswerSettings, answer_languages, load_system_prompts
    from mt_bench_x.formats.layout import available_languages

    if backend not in BACKENDS:
        raise typer.BadParameter(f"--backend must be one of {', '.join(BACKENDS)}")
    if batch and backend != "openai":
        raise typer.BadParameter("--batch needs --backend openai")
    if system_prompt is not None and system_prompt_file is not None:
        raise typer.BadParameter("give --system-prompt or --system-prompt-file, not both")
    langs = _split_langs(lang) or available_languages(data_dir)
    if not langs:
        raise MTBenchXError(
            f"{data_dir}: no mt_bench_<LANG>/question.jsonl below this folder; give the data "
            "folder that `mt-bench-x export` (or `build --data-dir`) wrote"
        )
    prompts = (
        load_system_prompts(system_prompt_file)
        if system_prompt_file is not None
        else ({"default": system_prompt} if system_prompt else {})
    )
    settings = AnswerSettings(
        model_id=model_id,
        max_new_tokens=max_new_tokens,
        batch_size=batch_size,
        system_prompts=prompts,
        temperature=temperature,
        limit=limit,
        question_ids=[q for q in (question_ids or "").split(",") if q.strip()] or None,
    )
    chat = create_backend(
        backend,
        model_path,
        device=device,
        conv_template=conv_template,
        base_url=base_url,
        parallel=batch_size,
        seed=seed,
        engine=EngineOptions(trust_remote_code, tensor_parallel_size, data_parallel_size),
    )
    if batch:
        from mt_bench_x.answer.backends import OpenAIBackend
        from mt_bench_x.answer.batch_backend import OpenAIBatchBackend

        assert isinstance(chat, OpenAIBackend)  # checked with the other options
        chat = OpenAIBatchBackend(chat, data_dir / ".answer-batches", poll_s=batch_poll_seconds)
    reports = answer_languages(chat, data_dir, langs, settings, show_progress=progress)
    for report in reports:
        typer.echo(
            f"{report.lang}: answered {report.answered}, already done {report.skipped} "
            f"-> {report.path}"
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``mt-bench-x`` app."""
    app.command("build")(build)
    app.command("export")(export)
    app.command("push")(push)
    app.command("inspect")(inspect)
    app.command("answer")(answer)
