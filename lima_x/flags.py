"""Flag steps for the paper's problem cases (Section 3.2): heuristics, no models.

* ``has_code``: fenced blocks, indented code, or typical statements (``def f(``, ``#include``,
  ``SELECT … FROM``, HTML tags, …). Translation keeps code except its comments.
* ``not_source_language``: the text (code removed) is confidently in another language than the
  sample claims (LIMA has a dozen non-English rows).
* ``mixed_language``: paragraphs confidently in two or more different languages.
* ``untranslatable``: poems, jokes, wordplay: asked for in the user turn (keywords in EN, DE,
  FR, IT, ES), or an answer shaped like rhyming verse.

A flag marks a sample; it never drops it. Counts end up in the build report.
"""

from __future__ import annotations

import re

from lima_x.langid import guess, is_profiled
from lima_x.pipeline import FlagStep, Step
from lima_x.records import ParallelSample

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_CODE_PATTERNS = re.compile(
    r"```"
    r"|^\s*(?:def|class)\s+\w+\s*[(:]"
    r"|^\s*#include\s*[<\"]"
    r"|^\s*(?:import\s+[\w.]+|from\s+[\w.]+\s+import\s+\w+)\s*;?\s*$"
    r"|\b(?:public|private|protected|static)\s+[\w<>\[\]]+\s+\w+\s*\("
    r"|\bfunction\s*\w*\s*\([^)]*\)\s*\{"
    r"|\b(?:console\.log|System\.out\.print\w*|printf|std::cout)\b"
    r"|\bSELECT\b[^\n]*\bFROM\b"
    r"|</?(?:div|span|html|body|script|table|ul|li)\b[^>]*>"
    r"|^\s*(?:for|while|if)\s*\(.*\)\s*\{\s*$"
    r"|^\s*\$\s+(?:sudo|pip|npm|git|cd|ls|cat|echo)\b",
    re.MULTILINE,
)
_INDENTED_CODE_LINE = re.compile(r"^(?: {4}|\t)\S.*[;{}()=\[\]].*$", re.MULTILINE)

_UNTRANSLATABLE_WORDS = (
    # EN
    r"poems?|poetry|haikus?|limericks?|sonnets?|rhym\w*|jokes?|puns?|word ?play|riddles?"
    r"|tongue[- ]twisters?|anagrams?|acrostics?|palindromes?|alliteration|lyrics"
    # DE
    r"|gedichte?|reim\w*|witze?|wortspiel\w*|rätsel|zungenbrecher|kalauer"
    # FR
    r"|poèmes?|poésies?|rimes?|blagues?|jeux? de mots|devinettes?|virelangues?|calembours?"
    # IT
    r"|poesi[ae]|rim[ae]|barzellett[ae]|giochi di parole|gioco di parole|indovinell[oi]"
    r"|scioglilingua"
    # ES
    r"|poemas?|poesías?|chistes?|juegos? de palabras|adivinanzas?|trabalenguas"
)
_UNTRANSLATABLE = re.compile(rf"\b(?:{_UNTRANSLATABLE_WORDS})\b", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


def strip_code(text: str) -> str:
    """``text`` without fenced blocks, inline code and indented code lines."""
    text = _FENCE.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    return _INDENTED_CODE_LINE.sub(" ", text)


class HasCode(FlagStep):
    flag = "has_code"

    def check(self, sample: ParallelSample) -> bool:
        text = sample.text()
        if _CODE_PATTERNS.search(text):
            return True
        return len(_INDENTED_CODE_LINE.findall(text)) >= 2


class NotSourceLanguage(FlagStep):
    flag = "not_source_language"
    min_words = 15

    def check(self, sample: ParallelSample) -> bool:
        result = guess(strip_code(sample.text()))
        found = result.lang
        if found is None or found == sample.lang or result.words < self.min_words:
            return False
        # A language without a profile is only contradicted by a different script.
        return is_profiled(sample.lang) or not is_profiled(found)


class MixedLanguage(FlagStep):
    flag = "mixed_language"
    min_words = 12

    def check(self, sample: ParallelSample) -> bool:
        found: set[str] = set()
        for paragraph in re.split(r"\n\s*\n", strip_code(sample.text())):
            result = guess(paragraph)
            if result.lang is not None and result.words >= self.min_words:
                found.add(result.lang)
                if len(found) > 1:
                    return True
        return False


class Untranslatable(FlagStep):
    flag = "untranslatable"

    def check(self, sample: ParallelSample) -> bool:
        if _UNTRANSLATABLE.search(sample.user_text()):
            return True
        return any(
            looks_like_verse(m["content"]) for m in sample.messages if m["role"] == "assistant"
        )


def looks_like_verse(text: str) -> bool:
    """Four or more short lines in a stanza, not a list, with at least two rhyming line pairs."""
    for stanza in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in stanza.splitlines() if line.strip()]
        if len(lines) < 4 or any(_LIST_ITEM.match(line) for line in lines):
            continue
        if sum(len(line) <= 60 for line in lines) < 0.75 * len(lines):
            continue
        endings = [_line_ending(line) for line in lines]
        rhymes = sum(
            1
            for i, end in enumerate(endings)
            if end and any(end == other for other in endings[i + 1 : i + 3])
        )
        if rhymes >= 2:
            return True
    return False


def _line_ending(line: str) -> str:
    words = re.findall(r"[^\W\d_]+", line.lower())
    return words[-1][-2:] if words and len(words[-1]) >= 2 else ""


def default_flag_steps() -> list[Step]:
    """The four flag steps, in column order."""
    return [HasCode(), NotSourceLanguage(), MixedLanguage(), Untranslatable()]
