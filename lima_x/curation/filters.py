"""The per-pair steps of the curation: HTML to text, phrases, length and language.

Each step names the drop reasons it can give (:attr:`reasons`, for the drop report) and puts
what it found in the pair's ``drop_detail`` (the report shows it next to the example).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lima_x.curation.config import CurationConfig
from lima_x.curation.html_text import html_to_text
from lima_x.curation.records import QAPair
from lima_x.pipeline import FilterStep, RunStats, Step
from polyglot_instruct.langid import guess

_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)


class HtmlToText(Step[QAPair]):
    """Question and answer bodies from HTML to text (code blocks kept as fences)."""

    name = "html_to_text"
    reasons: tuple[str, ...] = ("empty_after_html",)

    def process_one(self, sample: QAPair, stats: RunStats) -> QAPair | None:
        if sample.is_html:
            sample.question = html_to_text(sample.question)
            sample.answer = html_to_text(sample.answer)
            sample.is_html = False
        if not sample.question.strip() or not sample.answer.strip():
            sample.drop_detail = "question or answer has no text outside the HTML tags"
            stats.drop(self.reasons[0], sample)
            return None
        return sample


def phrase_pattern(phrases: Sequence[str]) -> re.Pattern[str]:
    """One pattern matching any phrase as whole words, case-insensitively.

    A phrase matches only where it is not part of a longer word on either side ("my" matches
    "My answer" but not "mythology" or "Jimmy"); spaces inside a phrase match any whitespace.
    """
    alternatives = sorted(
        (r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


class PhraseFilter(FilterStep[QAPair]):
    """Drop pairs whose answer (or other configured text) contains a listed phrase."""

    name = "phrase_filter"
    reasons: tuple[str, ...] = ("banned_phrase",)

    def __init__(self, config: CurationConfig) -> None:
        self.pattern = phrase_pattern(config.phrases)
        self.fields = config.phrase_fields

    def reason(self, sample: QAPair) -> str | None:
        for name in self.fields:
            found = self.pattern.search(getattr(sample, name))
            if found:
                sample.drop_detail = f"{name} contains {found.group(0)!r}"
                return self.reasons[0]
        return None


def length_of(text: str, unit: str) -> int:
    """Length of ``text`` in ``unit``: whitespace-separated words or characters."""
    return len(text.split()) if unit == "words" else len(text)


class LengthFilter(FilterStep[QAPair]):
    """Keep pairs longer than ``min_length`` and at most ``max_length`` units."""

    name = "length_filter"
    reasons: tuple[str, ...] = ("too_short", "too_long")

    def __init__(self, config: CurationConfig) -> None:
        self.config = config

    def reason(self, sample: QAPair) -> str | None:
        config = self.config
        target = config.length_target
        text = sample.pair_text() if target == "pair" else getattr(sample, target)
        length = length_of(text, config.length_unit)
        sample.drop_detail = f"{target}: {length} {config.length_unit}"
        if length <= config.min_length:
            return "too_short"
        if length > config.max_length:
            return "too_long"
        return None


class SameLanguage(FilterStep[QAPair]):
    """Question and answer in the expected language (code blocks are not read).

    A text the identifier is unsure about (``None``: too short, mostly code) does not drop the
    pair; two different confident answers do (``language_mismatch``), and so does an agreed or
    single confident language other than the expected one (``not_expected_language``).
    """

    name = "same_language"
    reasons: tuple[str, ...] = ("language_mismatch", "not_expected_language")

    def __init__(self, config: CurationConfig) -> None:
        self.lang = config.lang

    def reason(self, sample: QAPair) -> str | None:
        question = guess(_CODE_FENCE.sub(" ", sample.question)).lang
        answer = guess(_CODE_FENCE.sub(" ", sample.answer)).lang
        sample.drop_detail = f"question {question or 'unsure'}, answer {answer or 'unsure'}"
        if question and answer and question != answer:
            return "language_mismatch"
        if any(lang and lang != self.lang for lang in (question, answer)):
            return "not_expected_language"
        return None
