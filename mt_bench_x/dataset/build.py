"""Make the MT-Bench-X benchmark: import published per-language files, or translate MT-Bench.

Two ways in, one result (:class:`~mt_bench_x.dataset.benchmark.Benchmark`), written by
:mod:`mt_bench_x.dataset.hub_repo`:

- :func:`from_published`: a folder with ``mt_bench_<LANG>/question.jsonl``,
  ``reference_answer/<set>.jsonl``, ``judge_prompts.jsonl`` (and optionally the published
  ``corrections.jsonl`` listing corrected ids). Ids stay as the source has them (ints or
  ``"81_DE"``); languages are joined on the question number.
- :func:`from_fastchat`: FastChat's English MT-Bench (``question.jsonl``,
  ``reference_answer/*.jsonl``, ``judge_prompts.jsonl`` here or one level up) translated with a
  :class:`lima_x.translate.base.Translator` (through
  :func:`lima_x.translate.run.translate_texts`), then human corrections applied. Translated rows
  follow the published MT-Bench-X files: ids ``<number>_<LANG>``, a ``reference`` list on every
  question (empty where English has none), reference answers with ``<answer_id><LANG>``.

Both add the ``[[D]]`` pairwise prompts of :mod:`mt_bench_x.dataset.both_bad` for every
language.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.code_spans import with_placeholder_protection
from lima_x.translate.run import translate_texts
from mt_bench_x.dataset.benchmark import Benchmark, LanguageBench, check_parallel, order_languages
from mt_bench_x.dataset.both_bad import BOTH_BAD_CLAUSES, BOTH_BAD_VERDICT, with_both_bad
from mt_bench_x.dataset.corrections import CorrectionReport, apply_corrections, load_corrections
from mt_bench_x.formats.errors import InputFileError, MTBenchXError
from mt_bench_x.formats.jsonl import iter_jsonl
from mt_bench_x.formats.judge_prompts import JudgePrompt, load_judge_prompts
from mt_bench_x.formats.layout import (
    BenchFolder,
    BenchPaths,
    available_languages,
    normalize_lang,
)
from mt_bench_x.formats.questions import (
    AnswerRecord,
    Question,
    load_answer_records,
    load_questions,
    question_number,
)

logger = logging.getLogger(__name__)

SOURCE_LANG = "EN"
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|\[\[[^\[\]\n]{1,40}\]\]")


class BuildError(MTBenchXError):
    """The inputs do not make a consistent benchmark."""


@dataclass
class BuildResult:
    benchmark: Benchmark
    corrections: dict[str, CorrectionReport] = field(default_factory=dict)
    provenance: str = ""


# --------------------------------------------------------------------------- shared pieces


def _reference_sets(folder: Path) -> dict[str, list[AnswerRecord]]:
    return {
        file.stem: load_answer_records(file)
        for file in BenchFolder(folder).reference_answer_files()
    }


def _add_both_bad(bench: LanguageBench, clause: str | None) -> None:
    if clause is None:
        logger.warning(
            "%s: no [[D]] sentence for this language; pass --both-bad-clause %s=TEXT to add "
            "the both-bad pairwise prompts",
            bench.lang,
            bench.lang,
        )
        return
    bench.judge_prompts = with_both_bad(bench.judge_prompts, clause)


def _clauses(overrides: dict[str, str] | None) -> dict[str, str]:
    clauses = dict(BOTH_BAD_CLAUSES)
    for lang, text in (overrides or {}).items():
        if BOTH_BAD_VERDICT not in text:
            raise BuildError(f"the both-bad sentence for {lang} must contain {BOTH_BAD_VERDICT}")
        clauses[normalize_lang(lang)] = text
    return clauses


def _published_corrected(path: Path) -> set[int]:
    """Numbers listed in a published ``corrections.jsonl`` (rows with a ``question_id``)."""
    numbers: set[int] = set()
    for line, record in iter_jsonl(path):
        try:
            question_id: Any = record.get("question_id")
            numbers.add(question_number(question_id))
        except ValueError as error:
            raise InputFileError(str(path), f"question_id: {error}", line=line) from None
    return numbers


# --------------------------------------------------------------------------- published


def from_published(
    folder: Path,
    *,
    langs: list[str] | None = None,
    both_bad_clauses: dict[str, str] | None = None,
) -> BuildResult:
    """Import a published MT-Bench-X folder (``mt_bench_<LANG>/...`` per language)."""
    folder = Path(folder)
    found = available_languages(folder)
    if not found:
        raise InputFileError(str(folder), "no mt_bench_<LANG>/question.jsonl below this folder")
    wanted = found if langs is None else [normalize_lang(lang) for lang in langs]
    missing = [lang for lang in wanted if lang not in found]
    if missing:
        raise InputFileError(str(folder), f"no mt_bench_<LANG> folder for {missing} (has {found})")
    clauses = _clauses(both_bad_clauses)
    benchmark = Benchmark()
    for lang in order_languages(wanted):
        paths = BenchPaths(folder, lang)
        bench = LanguageBench(lang, load_questions(paths.question_file))
        bench.references = _reference_sets(paths.root)
        if paths.judge_prompts_file.is_file():
            bench.judge_prompts = load_judge_prompts(paths.judge_prompts_file)
        else:
            logger.warning("%s: no judge_prompts.jsonl; the repo has no judge prompts for it", lang)
        corrections_file = paths.root / "corrections.jsonl"
        if corrections_file.is_file():
            bench.corrected = _published_corrected(corrections_file)
        if (paths.root / "judge_prompts_v2.jsonl").is_file():
            logger.info(
                "%s: judge_prompts_v2.jsonl is not read; the [[D]] prompts are derived from "
                "judge_prompts.jsonl instead",
                lang,
            )
        _add_both_bad(bench, clauses.get(lang))
        benchmark.languages[lang] = bench
    _check(benchmark)
    return BuildResult(benchmark, provenance=f"Imported from published files ({folder.name}).")


def _check(benchmark: Benchmark) -> None:
    try:
        check_parallel(benchmark)
    except ValueError as error:
        raise BuildError(str(error)) from None
    for lang, bench in benchmark.languages.items():
        counts = Counter(q.category for q in bench.questions)
        references = {name: len(rows) for name, rows in bench.references.items()}
        logger.info(
            "%s: %d questions in %d categories, reference answers %s, %d judge prompts",
            lang,
            len(bench.questions),
            len(counts),
            references or "none",
            len(bench.judge_prompts),
        )


# --------------------------------------------------------------------------- translation


def _fastchat_prompts_file(folder: Path, given: Path | None) -> Path:
    if given is not None:
        return Path(given)
    bench = BenchFolder(folder)
    for candidate in (bench.judge_prompts_file, bench.shared_judge_prompts_file):
        if candidate.is_file():
            return candidate
    raise InputFileError(
        str(bench.judge_prompts_file),
        "file not found (FastChat keeps it in data/, one level above data/mt_bench; "
        "pass --judge-prompts FILE)",
    )


TranslateFn = Callable[[list[str], bool], list[str]]


def _translator_fn(
    translator: Translator,
    lang: str,
    *,
    preserve_code: bool,
    formality: str | None,
    on_protected_loss: str = "stop",
) -> TranslateFn:
    """``fn(texts, protect_placeholders) -> translations`` for one target language.

    ``on_protected_loss``: see :mod:`lima_x.translate.run`; texts kept in English under
    ``keep-source`` are logged."""
    plain = TranslationOptions(formality=formality, preserve_code=preserve_code)
    protected = with_placeholder_protection(plain)

    def translate(texts: list[str], placeholders: bool) -> list[str]:
        kept: list[str] = []
        result = translate_texts(
            texts,
            translator,
            source_lang=SOURCE_LANG,
            target_lang=lang,
            options=protected if placeholders else plain,
            progress=False,
            on_protected_loss=on_protected_loss,
            kept_source=kept,
        )
        if kept:
            logger.warning(
                "%s: %d text(s) kept in English because their translation lost protected code: %s",
                lang,
                len(kept),
                "; ".join(repr(text[:50]) for text in kept),
            )
        return result

    return translate


def _check_placeholders(source: str, translated: str, where: str) -> None:
    want = Counter(_PLACEHOLDER.findall(source))
    got = Counter(_PLACEHOLDER.findall(translated))
    if want != got:
        raise BuildError(
            f"{where}: the translation changed placeholders or verdict markers: "
            f"expected {dict(want)}, found {dict(got)}"
        )


def _translate_questions(
    questions: list[Question], lang: str, translate: TranslateFn
) -> list[Question]:
    texts = [t for q in questions for t in (*q.turns, *(q.reference or []))]
    table = dict(zip(texts, translate(texts, False), strict=True))
    return [
        Question(
            question_id=f"{q.number}_{lang}",
            category=q.category,
            turns=[table[t] for t in q.turns],
            reference=[table[t] for t in (q.reference or [])],
        )
        for q in questions
    ]


def _translate_references(
    sets: dict[str, list[AnswerRecord]], lang: str, translate: TranslateFn
) -> dict[str, list[AnswerRecord]]:
    texts = [t for rows in sets.values() for a in rows for t in a.turns]
    table = dict(zip(texts, translate(texts, False), strict=True))
    return {
        name: [
            replace(
                a,
                question_id=f"{a.number}_{lang}",
                answer_id=f"{a.answer_id}{lang}",
                turns=[table[t] for t in a.turns],
                extra=dict(a.extra),
                source_line=None,
            )
            for a in rows
        ]
        for name, rows in sets.items()
    }


def _translate_prompts(
    prompts: list[JudgePrompt], lang: str, translate: TranslateFn
) -> list[JudgePrompt]:
    texts = [t for p in prompts for t in (p.system_prompt, p.prompt_template)]
    table = dict(zip(texts, translate(texts, True), strict=True))
    out = []
    for p in prompts:
        for source in (p.system_prompt, p.prompt_template):
            _check_placeholders(source, table[source], f"{lang} judge prompt {p.name!r}")
        out.append(
            replace(
                p,
                system_prompt=table[p.system_prompt],
                prompt_template=table[p.prompt_template],
                extra=dict(p.extra),
            )
        )
    return out


def _clause_for(lang: str, clauses: dict[str, str], translate: TranslateFn) -> str:
    if lang in clauses:
        return clauses[lang]
    english = clauses[SOURCE_LANG]
    (translated,) = translate([english], True)
    _check_placeholders(english, translated, f"{lang} both-bad sentence")
    return translated


def from_fastchat(
    folder: Path,
    langs: list[str],
    translator: Translator,
    *,
    corrections: list[Path] | None = None,
    judge_prompts_file: Path | None = None,
    preserve_code: bool = True,
    formality: dict[str, str] | None = None,
    both_bad_clauses: dict[str, str] | None = None,
    include_source: bool = True,
    on_protected_loss: str = "stop",
) -> BuildResult:
    """Translate FastChat's English MT-Bench into ``langs`` and apply corrections.

    ``on_protected_loss``: what to do with a translation that lost protected code
    (``stop``, ``retry``, ``keep-source``; see :mod:`lima_x.translate.run`)."""
    folder = Path(folder)
    questions = load_questions(BenchFolder(folder).question_file)
    references = _reference_sets(folder)
    prompts = load_judge_prompts(_fastchat_prompts_file(folder, judge_prompts_file))
    targets = [normalize_lang(lang) for lang in langs if normalize_lang(lang) != SOURCE_LANG]
    by_lang = load_corrections(corrections or [])
    stray = sorted(set(by_lang) - set(targets))
    if stray:
        raise BuildError(f"corrections given for {stray}, which are not being built ({targets})")
    clauses = _clauses(both_bad_clauses)
    benchmark = Benchmark()
    if include_source:
        source = LanguageBench(SOURCE_LANG, questions, references, prompts)
        _add_both_bad(source, clauses[SOURCE_LANG])
        benchmark.languages[SOURCE_LANG] = source
    reports: dict[str, CorrectionReport] = {}
    for lang in targets:
        translate = _translator_fn(
            translator,
            lang,
            preserve_code=preserve_code,
            formality=(formality or {}).get(lang),
            on_protected_loss=on_protected_loss,
        )
        translated = _translate_questions(questions, lang, translate)
        corrected, report = apply_corrections(lang, translated, by_lang.get(lang, {}))
        reports[lang] = report
        bench = LanguageBench(lang, corrected, corrected=set(report.changed))
        bench.references = _translate_references(references, lang, translate)
        bench.judge_prompts = _translate_prompts(prompts, lang, translate)
        _add_both_bad(bench, _clause_for(lang, clauses, translate))
        benchmark.languages[lang] = bench
    _check(benchmark)
    summary = ", ".join(f"{lang} {r.changed_count}" for lang, r in reports.items())
    identity = translator.cache_identity()
    provenance = (
        "Translated from FastChat's English MT-Bench"
        f"{' with ' + identity if identity else ''}; "
        f"rows changed by human corrections: {summary or 'none'}."
    )
    return BuildResult(benchmark, reports, provenance)
