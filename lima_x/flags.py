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
from collections.abc import Sequence
from functools import lru_cache

from lima_x.pipeline import FlagStep, Step
from lima_x.records import FLAG_NAMES, ParallelSample
from polyglot_instruct.langid import Evidence, decide, evidence, is_profiled

#: Flags that describe the source sample (what was asked, what kind of answer): computed on
#: the source-language rows and copied to the other language versions of the same sample.
SOURCE_FLAGS: tuple[str, ...] = ("has_code", "untranslatable")
#: Flags that describe one row's own text (a failed machine translation can leave a German
#: row in English, or mix languages): computed on every row in its own language.
LANGUAGE_FLAGS: tuple[str, ...] = ("not_source_language", "mixed_language")

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
    "poem poems poetry haiku haikus limerick limericks sonnet sonnets verse verses joke jokes "
    "pun puns wordplay riddle riddles anagram anagrams acrostic acrostics palindrome "
    "palindromes alliteration lyrics tongue-twister tongue-twisters "
    # DE
    "gedicht gedichte reim reime reimen gereimt witz witze wortspiel wortspiele rätsel "
    "zungenbrecher kalauer "
    # FR
    "poème poèmes poésie poésies rime rimes blague blagues devinette devinettes virelangue "
    "virelangues calembour calembours "
    # IT
    "poesia poesie rima barzelletta barzellette indovinello indovinelli scioglilingua "
    # ES
    "poema poemas poesía poesías chiste chistes adivinanza adivinanzas trabalenguas"
)
UNTRANSLATABLE_WORDS = frozenset(_UNTRANSLATABLE_WORDS.split())
UNTRANSLATABLE_PHRASES = (
    "word play", "tongue twister", "jeu de mots", "jeux de mots", "gioco di parole",
    "giochi di parole", "juego de palabras", "juegos de palabras",
)  # fmt: skip
_PUNCTUATION = ".,!?;:\"'()[]{}«»¿¡“”‘’…*_"
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


_CODE_HINT = re.compile(r"[`{}();<>=#$\[\]]")


def strip_code(text: str) -> str:
    """``text`` without fenced blocks, inline code and indented code lines."""
    if "`" in text:
        text = _INLINE_CODE.sub(" ", _FENCE.sub(" ", text))
    if "\n    " in text or "\n\t" in text or text.startswith(("    ", "\t")):
        text = _INDENTED_CODE_LINE.sub(" ", text)
    return text


#: Language evidence reads at most this many characters of each paragraph: enough words to
#: tell the language, and a bounded cost per row on builds of hundreds of thousands of rows.
PARAGRAPH_CHARS = 300
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@lru_cache(maxsize=64)
def paragraph_evidence(text: str) -> tuple[Evidence, ...]:
    """Language evidence of every paragraph of ``text`` without code.

    Memoised: the language steps read a sample one after the other, and the evidence of the
    whole text is the sum of its paragraphs'.
    """
    paragraphs = _PARAGRAPH_BREAK.split(strip_code(text))
    return tuple(evidence(p[:PARAGRAPH_CHARS]) for p in paragraphs if p and not p.isspace())


class HasCode(FlagStep):
    flag = "has_code"

    def check(self, sample: ParallelSample) -> bool:
        text = sample.text()
        if "```" in text:
            return True
        if _CODE_HINT.search(text) is None:  # code without any of these characters is rare
            return False
        if _CODE_PATTERNS.search(text):
            return True
        return len(_INDENTED_CODE_LINE.findall(text)) >= 2


class NotSourceLanguage(FlagStep):
    flag = "not_source_language"
    min_words = 15

    def check(self, sample: ParallelSample) -> bool:
        result = decide(sum(paragraph_evidence(sample.text()), Evidence()))
        found = result.lang
        if found is None or found == sample.lang or result.words < self.min_words:
            return False
        # A language without a profile is only contradicted by a different script.
        return is_profiled(sample.lang) or not is_profiled(found)


class MixedLanguage(FlagStep):
    flag = "mixed_language"
    min_words = 12

    def check(self, sample: ParallelSample) -> bool:
        long_enough = [p for p in paragraph_evidence(sample.text()) if p.words >= self.min_words]
        if len(long_enough) < 2:
            return False
        found: set[str] = set()
        for paragraph in long_enough:
            result = decide(paragraph)
            if result.lang is not None:
                found.add(result.lang)
                if len(found) > 1:
                    return True
        return False


class Untranslatable(FlagStep):
    flag = "untranslatable"

    def check(self, sample: ParallelSample) -> bool:
        if asks_for_untranslatable(sample.user_text()):
            return True
        return any(
            looks_like_verse(m["content"]) for m in sample.messages if m["role"] == "assistant"
        )


def asks_for_untranslatable(text: str) -> bool:
    """A poem, joke, pun, rhyme, riddle … named in ``text`` (EN, DE, FR, IT, ES)."""
    lowered = text.lower()
    words = {token.strip(_PUNCTUATION) for token in lowered.split()}
    if words & UNTRANSLATABLE_WORDS or "rhym" in lowered:
        return True
    return any(phrase in lowered for phrase in UNTRANSLATABLE_PHRASES)


def looks_like_verse(text: str) -> bool:
    """Four or more short lines in a stanza, not a list, with at least two rhyming line pairs."""
    if text.count("\n") < 3:
        return False
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
    return list(flag_steps(FLAG_NAMES))


def flag_steps(names: Sequence[str]) -> list[FlagStep]:
    """The flag steps setting ``names`` (in column order); an unknown name is an error."""
    unknown = set(names) - set(FLAG_NAMES)
    if unknown:
        raise ValueError(f"unknown flags {sorted(unknown)}; expected some of {FLAG_NAMES}")
    steps: list[FlagStep] = [HasCode(), NotSourceLanguage(), MixedLanguage(), Untranslatable()]
    return [step for step in steps if step.flag in names]
