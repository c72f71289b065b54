"""The MT-Bench-X Hub repo: a folder laid out exactly as it is pushed, and reading it back.

::

    README.md                                   card (hub_cards/mt_bench_x.md) + YAML configs
    .polyglot-instruct-repo.json                marker: written by a build (not uploaded)
    data/<LANG>/test-00000-of-00001.parquet     questions of one language (config <LANG>)
    data/reference_answers/test-...parquet      reference answers, every language and set
    data/judge_prompts/test-...parquet          judge prompts, every language

Every config has one split, ``test`` (the benchmark is for evaluation only). ``question_id``
is a string column: FastChat's int ids are stored as their digits (``"81"``) and come back as
ints on export; MT-Bench-X's ``"81_DE"`` stay strings.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

from hub_cards.cards import render_card as render_template
from hub_cards.folder import check_replaceable, repo_folder
from mt_bench_x.dataset.benchmark import Benchmark, LanguageBench, order_languages
from mt_bench_x.dataset.corrections import CorrectionReport
from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.formats.judge_prompts import JudgePrompt
from mt_bench_x.formats.layout import normalize_lang
from mt_bench_x.formats.questions import AnswerRecord, Question, id_from_string

logger = logging.getLogger(__name__)

SPLIT = "test"
REFERENCE_CONFIG = "reference_answers"
PROMPTS_CONFIG = "judge_prompts"
_FILE = f"{SPLIT}-00000-of-00001.parquet"


def _schemas() -> dict[str, Any]:
    import pyarrow as pa

    strings = pa.list_(pa.string())
    return {
        "questions": pa.schema(
            [
                ("question_id", pa.string()),
                ("category", pa.string()),
                ("turns", strings),
                ("reference", strings),
                ("corrected", pa.bool_()),
            ]
        ),
        REFERENCE_CONFIG: pa.schema(
            [
                ("language", pa.string()),
                ("reference_set", pa.string()),
                ("question_id", pa.string()),
                ("answer_id", pa.string()),
                ("model_id", pa.string()),
                ("turns", strings),
                ("tstamp", pa.float64()),
            ]
        ),
        PROMPTS_CONFIG: pa.schema(
            [
                ("language", pa.string()),
                ("name", pa.string()),
                ("type", pa.string()),
                ("system_prompt", pa.string()),
                ("prompt_template", pa.string()),
                ("description", pa.string()),
                ("category", pa.string()),
                ("output_format", pa.string()),
                ("derived", pa.bool_()),
            ]
        ),
    }


def _question_rows(bench: LanguageBench) -> list[dict[str, Any]]:
    return [
        {
            "question_id": str(q.question_id),
            "category": q.category,
            "turns": q.turns,
            "reference": q.reference,
            "corrected": q.number in bench.corrected,
        }
        for q in bench.questions
    ]


def _reference_rows(benchmark: Benchmark) -> list[dict[str, Any]]:
    return [
        {
            "language": lang,
            "reference_set": set_name,
            "question_id": str(a.question_id),
            "answer_id": a.answer_id,
            "model_id": a.model_id,
            "turns": a.turns,
            "tstamp": float(a.tstamp),
        }
        for lang, bench in benchmark.languages.items()
        for set_name, answers in bench.references.items()
        for a in answers
    ]


def _prompt_rows(benchmark: Benchmark) -> list[dict[str, Any]]:
    return [
        {
            "language": lang,
            "name": p.name,
            "type": p.type,
            "system_prompt": p.system_prompt,
            "prompt_template": p.prompt_template,
            "description": p.description,
            "category": p.category,
            "output_format": p.output_format,
            "derived": p.derived,
        }
        for lang, bench in benchmark.languages.items()
        for p in bench.judge_prompts
    ]


def _write_parquet(path: Path, rows: list[dict[str, Any]], schema: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def _configs(names: list[str]) -> list[dict[str, Any]]:
    configs: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        config: dict[str, Any] = {
            "config_name": name,
            "data_files": [{"split": SPLIT, "path": f"data/{name}/{SPLIT}-*.parquet"}],
        }
        if index == 0:
            config["default"] = True
        configs.append(config)
    return configs


def _stats_table(benchmark: Benchmark, reports: dict[str, CorrectionReport]) -> str:
    lines = [
        "| language | questions | categories | with `reference` | reference answers "
        "| judge prompts (derived) | corrected rows |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for lang, bench in benchmark.languages.items():
        categories = Counter(q.category for q in bench.questions)
        with_reference = sum(1 for q in bench.questions if q.reference)
        references = ", ".join(f"{name}: {len(rows)}" for name, rows in bench.references.items())
        derived = sum(1 for p in bench.judge_prompts if p.derived)
        corrected = (
            str(reports[lang].changed_count) if lang in reports else str(len(bench.corrected))
        )
        lines.append(
            f"| {lang} | {len(bench.questions)} | {len(categories)} | {with_reference} "
            f"| {references or '-'} | {len(bench.judge_prompts)} ({derived}) | {corrected} |"
        )
    return "\n".join(lines)


def render_card(
    benchmark: Benchmark,
    *,
    config_names: list[str],
    provenance: str,
    reports: dict[str, CorrectionReport],
) -> str:
    """The README: the template's YAML header with the languages and every config, then the
    card template (``hub_cards/mt_bench_x.md``) filled in."""
    langs = list(benchmark.languages)
    return render_template(
        "mt_bench_x.md",
        header={"language": [lang.lower() for lang in langs], "configs": _configs(config_names)},
        values={
            "languages": ", ".join(langs),
            "default_config": langs[0],
            "stats_table": _stats_table(benchmark, reports),
            "provenance": provenance,
        },
    )


#: The program named in the folder's marker.
WRITER = "mt-bench-x build"


def check_out_dir(out_dir: Path) -> None:
    """Fail before any work when ``out_dir`` may not be replaced: only an empty folder or one
    an earlier build wrote (:func:`hub_cards.folder.check_replaceable`), so that ``--out``
    pointed at a data folder (answers, judgments, the published input) deletes nothing."""
    check_replaceable(Path(out_dir), overwrite=True)


def write_repo(
    benchmark: Benchmark,
    out_dir: Path,
    *,
    provenance: str,
    reports: dict[str, CorrectionReport] | None = None,
) -> Path:
    """Write the repo folder; it appears complete or not at all (see
    :func:`hub_cards.folder.repo_folder`)."""
    out_dir = Path(out_dir)
    langs = order_languages(list(benchmark.languages))
    benchmark = benchmark.select(langs)
    schemas = _schemas()
    with repo_folder(out_dir, overwrite=True, writer=WRITER) as partial:
        for lang, bench in benchmark.languages.items():
            _write_parquet(
                partial / "data" / lang / _FILE, _question_rows(bench), schemas["questions"]
            )
        config_names = list(langs)
        # A config without rows is left out: `datasets` cannot load an empty parquet file.
        for name, rows in (
            (REFERENCE_CONFIG, _reference_rows(benchmark)),
            (PROMPTS_CONFIG, _prompt_rows(benchmark)),
        ):
            if rows:
                _write_parquet(partial / "data" / name / _FILE, rows, schemas[name])
                config_names.append(name)
        card = render_card(
            benchmark, config_names=config_names, provenance=provenance, reports=reports or {}
        )
        (partial / "README.md").write_text(card, encoding="utf-8")
    logger.info("wrote the MT-Bench-X repo (%s) to %s", ", ".join(langs), out_dir)
    return out_dir


def _is_language_config(name: str) -> bool:
    try:
        return normalize_lang(name) == name
    except ValueError:
        return False


def read_repo(repo: str | Path, *, langs: list[str] | None = None) -> Benchmark:
    """Read a repo folder or Hub dataset id back with ``datasets.load_dataset``.

    A local folder is loaded into a private, temporary cache: ``datasets`` keys its cache of
    local folders by the folder name and relative file paths, so two different folders named
    alike would otherwise share (stale) cached tables.
    """
    import tempfile

    source = str(repo)
    if Path(source).is_dir():
        with tempfile.TemporaryDirectory(prefix="mt-bench-x-read-") as cache_dir:
            return _read_repo(source, langs, cache_dir)
    return _read_repo(source, langs, None)


def _read_repo(source: str, langs: list[str] | None, cache_dir: str | None) -> Benchmark:
    import datasets

    try:
        names = datasets.get_dataset_config_names(source)
    except (ConnectionError, FileNotFoundError) as error:
        # not a folder here, and the Hub cannot be reached (ConnectionError) or has no such
        # dataset (datasets' DatasetNotFoundError is a FileNotFoundError)
        raise MTBenchXError(
            f"{source}: no such folder, and no Hub dataset of that name could be reached "
            f"({type(error).__name__})"
        ) from None
    available = [name for name in names if _is_language_config(name)]
    if not available:
        raise MTBenchXError(
            f"{source}: no language configs (EN, DE, ...) in it; expected a repo written by "
            "`mt-bench-x build` (to read published mt_bench_<LANG>/ files, use "
            "`mt-bench-x build --from-published` first)"
        )
    wanted = available if langs is None else langs
    missing = [lang for lang in wanted if lang not in available]
    if missing:
        raise MTBenchXError(f"{source} has no config for {missing} (it has {available})")

    def load(config: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = datasets.load_dataset(
            source, config, split=SPLIT, cache_dir=cache_dir
        ).to_list()
        return rows

    references = load(REFERENCE_CONFIG) if REFERENCE_CONFIG in names else []
    prompts = load(PROMPTS_CONFIG) if PROMPTS_CONFIG in names else []
    benchmark = Benchmark()
    for lang in wanted:
        benchmark.languages[lang] = _language(lang, load(lang), references, prompts)
    return benchmark


def _language(
    lang: str,
    rows: list[dict[str, Any]],
    references: list[dict[str, Any]],
    prompts: list[dict[str, Any]],
) -> LanguageBench:
    questions = [
        Question(id_from_string(r["question_id"]), r["category"], r["turns"], r["reference"])
        for r in rows
    ]
    bench = LanguageBench(lang, questions)
    bench.corrected = {q.number for q, r in zip(questions, rows, strict=True) if r["corrected"]}
    for r in references:
        if r["language"] == lang:
            bench.references.setdefault(r["reference_set"], []).append(
                AnswerRecord(
                    question_id=id_from_string(r["question_id"]),
                    model_id=r["model_id"],
                    turns=r["turns"],
                    answer_id=r["answer_id"],
                    tstamp=_tstamp(r["tstamp"]),
                )
            )
    bench.judge_prompts = [
        JudgePrompt(
            name=r["name"],
            type=r["type"],
            system_prompt=r["system_prompt"],
            prompt_template=r["prompt_template"],
            description=r["description"],
            category=r["category"],
            output_format=r["output_format"],
            derived=r["derived"],
        )
        for r in prompts
        if r["language"] == lang
    ]
    return bench


def _tstamp(value: float) -> float | int:
    """Keep a whole-number timestamp an int, as it was in the JSON it came from."""
    return int(value) if float(value).is_integer() else value
