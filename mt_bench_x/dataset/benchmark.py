"""The benchmark in memory: per language its questions, reference answers and judge prompts.

``build`` makes one (from published files or by translation), ``hub_repo`` writes it as a Hub
repo folder and reads it back, ``export`` writes it in FastChat's layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.formats.judge_prompts import JudgePrompt
from mt_bench_x.formats.questions import AnswerRecord, Question


@dataclass
class LanguageBench:
    """One language of the benchmark."""

    lang: str
    questions: list[Question]
    #: reference set name (``gpt-4``) -> its answer records
    references: dict[str, list[AnswerRecord]] = field(default_factory=dict)
    judge_prompts: list[JudgePrompt] = field(default_factory=list)
    #: numbers of the questions a human corrected after machine translation
    corrected: set[int] = field(default_factory=set)


@dataclass
class Benchmark:
    """Languages in order (``EN`` first when present)."""

    languages: dict[str, LanguageBench] = field(default_factory=dict)

    def select(self, langs: list[str] | None) -> Benchmark:
        """The named languages only (all when ``langs`` is ``None``); unknown names fail."""
        if langs is None:
            return self
        missing = [lang for lang in langs if lang not in self.languages]
        if missing:
            raise MTBenchXError(
                f"languages {missing} are not in the benchmark (it has {list(self.languages)}): "
                "name only those"
            )
        return Benchmark({lang: self.languages[lang] for lang in langs})


def check_parallel(benchmark: Benchmark) -> None:
    """Every language must have the same question numbers with the same categories."""
    reference: tuple[str, dict[int, str]] | None = None
    for lang, bench in benchmark.languages.items():
        categories = {q.number: q.category for q in bench.questions}
        if reference is None:
            reference = (lang, categories)
            continue
        first_lang, first = reference
        if categories != first:
            only_here = sorted(set(categories) - set(first))
            only_there = sorted(set(first) - set(categories))
            differing = sorted(n for n in set(first) & set(categories) if first[n] != categories[n])
            raise ValueError(
                f"{lang} and {first_lang} do not hold the same questions: only in {lang} "
                f"{only_here[:10]}, only in {first_lang} {only_there[:10]}, "
                f"category differs for {differing[:10]}"
            )


#: The paper's languages in the paper's order; others follow in the order given.
PAPER_LANGUAGES: tuple[str, ...] = ("EN", "DE", "FR", "IT", "ES")


def order_languages(langs: list[str]) -> list[str]:
    """The paper's languages first, in its order (EN, DE, FR, IT, ES), then the rest as given."""
    known = [lang for lang in PAPER_LANGUAGES if lang in langs]
    return known + [lang for lang in langs if lang not in PAPER_LANGUAGES]
