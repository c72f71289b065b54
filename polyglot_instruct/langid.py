"""A light language identifier: function-word profiles, no model download.

Each profile is a set of frequent function words that are rare in the other profiled languages.
A text's score for a language is the share of its words found in that profile. Texts mostly in
a non-Latin script are reported by script (``CYRILLIC``, ``CJK``, …). The identifier is meant
for flagging (is this sample in the language it claims? does it mix languages?), not for
labelling arbitrary text: below :data:`MIN_WORDS` words or without a clear winner it answers
``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

MIN_WORDS = 6
MIN_SHARE = 0.12
MARGIN = 1.3

_PROFILE_WORDS: dict[str, str] = {
    "EN": (
        "the and of to is in that it for with are was this be on not you have as but what "
        "which they can from by would there their will an or if how do does your should a "
        "my me we our at so all about just"
    ),
    "DE": (
        "der die das und ist nicht ich sie es ein eine einen dem den mit sich auf für von zu "
        "auch wie wird werden sind wir ihr oder aber wenn kann dass nach bei noch über"
    ),
    "FR": (
        "le la les et est un une des du dans pour pas que qui sur avec ce cette sont vous nous "
        "au aux il elle mais ou être comme plus peut leur été très sans je tu on à y a ne qu c j n"
    ),
    "IT": (
        "il lo la le gli i un e è di che non per con una sono della delle degli nel nella alla "
        "si come anche più ma questo questa ci ha hanno essere può loro stato molto da al del o "
        "dell nell all sull quest perché sul"
    ),
    "ES": (
        "el los las y es de que en un una por con para no se del al como más pero su sus "
        "este esta son ha ser puede también muy sin sobre hay está la lo le y o ya tu"
    ),
    "PT": (
        "o os as e é de que em um uma por com para não se do da dos das ao como mais mas "
        "seu sua são ser pode também muito sem sobre há está você"
    ),
    "NL": (
        "de het een en is van dat niet ik je zijn op te met voor er maar ook als aan dit "
        "wordt worden kan bij nog naar hebben heeft"
    ),
}

PROFILES: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in _PROFILE_WORDS.items()
}
#: Profiled languages in sorted order: lane ``i`` of a packed score belongs to ``LANES[i]``
#: (sorted, so ties go to the first code, deterministically).
LANES: tuple[str, ...] = tuple(sorted(PROFILES))
#: Scores are kept as integers in units of 1/420 (420 = lcm(1, …, 7): a word or letter shared by
#: k languages is worth 1/k to each, exactly), one lane of :data:`_LANE_BITS` bits per language,
#: all lanes in one Python int: the evidence of a text is a C-level ``sum`` over its words.
_UNIT = 420
_LANE_BITS = 48
_LANE_MASK = (1 << _LANE_BITS) - 1


def _packed(langs: tuple[str, ...]) -> int:
    weight = _UNIT // len(langs)
    return sum(weight << (_LANE_BITS * LANES.index(lang)) for lang in langs)


_INDEX: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang in LANES if word in PROFILES[lang])
    for word in set().union(*PROFILES.values())
}
#: word → packed weights: a word in k profiles is weak evidence, worth 1/k for each.
_WORD_WEIGHTS: dict[str, int] = {word: _packed(langs) for word, langs in _INDEX.items()}
#: Letters that point to some of the profiled languages; each occurrence counts like a word.
_LETTERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys("äöüß", ("DE",)),
    **dict.fromkeys("œêîôûâë", ("FR",)),
    "ç": ("FR", "PT"),
    **dict.fromkeys("ìò", ("IT",)),
    **dict.fromkeys("ñ¿¡", ("ES",)),
    **dict.fromkeys("áíóú", ("ES", "PT")),
    **dict.fromkeys("ãõ", ("PT",)),
}
_LETTER_WEIGHTS: dict[str, int] = {letter: _packed(langs) for letter, langs in _LETTERS.items()}
_MARKED_LETTER = re.compile("[" + "".join(_LETTERS) + "]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("CYRILLIC", re.compile(r"[\u0400-\u04FF]")),
    ("GREEK", re.compile(r"[\u0370-\u03FF]")),
    ("ARABIC", re.compile(r"[\u0600-\u06FF]")),
    ("HEBREW", re.compile(r"[\u0590-\u05FF]")),
    ("DEVANAGARI", re.compile(r"[\u0900-\u097F]")),
    ("CJK", re.compile(r"[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF]")),
)
_ANY_SCRIPT = (
    r"[\u0370-\u03FF\u0400-\u04FF\u0590-\u06FF\u0900-\u097F"
    r"\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF]"
)
_MARKED_OR_SCRIPT = re.compile(_MARKED_LETTER.pattern + "|" + _ANY_SCRIPT)


class Guess(NamedTuple):
    """The best language, its share of profile words, and the runner-up's share."""

    lang: str | None
    share: float
    runner_up: float
    words: int


@dataclass(slots=True)
class Evidence:
    """What :func:`guess` decides from; evidence of several texts adds up (``a + b``).

    ``packed``: the profile scores, one lane per language of :data:`LANES` (see
    :attr:`scores` for them as a dict).
    """

    packed: int = 0
    words: int = 0
    letters: int = 0
    scripts: tuple[tuple[str, int], ...] = ()

    @property
    def scores(self) -> dict[str, float]:
        """Score per language (profile words and marked letters), languages with hits only."""
        return {lang: v / _UNIT for lang, v in zip(LANES, self._lanes(), strict=True) if v}

    def _lanes(self) -> list[int]:
        packed = self.packed
        return [packed >> (_LANE_BITS * i) & _LANE_MASK for i in range(len(LANES))]

    def __add__(self, other: Evidence) -> Evidence:
        scripts = self.scripts
        if other.scripts:
            merged = dict(self.scripts)
            for name, hits in other.scripts:
                merged[name] = merged.get(name, 0) + hits
            scripts = tuple(merged.items())
        return Evidence(
            self.packed + other.packed,
            self.words + other.words,
            self.letters + other.letters,
            scripts,
        )


def evidence(text: str) -> Evidence:
    """Profile-word and letter scores of ``text``.

    Words are the whitespace-separated tokens (function words rarely carry punctuation). The
    scores are one ``sum`` in C over the tokens' packed weights: this runs on every row of a
    build.
    """
    lowered = text.lower()
    tokens = lowered.split()
    packed = sum(map(_WORD_WEIGHTS.get, tokens, repeat(0, len(tokens))))
    if lowered.isascii():
        return Evidence(packed, len(tokens))
    # One scan finds the marked letters and any letter of another script.
    found = _MARKED_OR_SCRIPT.findall(lowered)
    packed += sum(map(_LETTER_WEIGHTS.get, found, repeat(0, len(found))))
    scripts: tuple[tuple[str, int], ...] = ()
    letters = 0
    if not _LETTER_WEIGHTS.keys() >= set(found):
        letters = len(_LETTER.findall(text))
        scripts = tuple((name, len(pattern.findall(text))) for name, pattern in _SCRIPTS)
    return Evidence(packed, len(tokens), letters, scripts)


def decide(found: Evidence) -> Guess:
    """The language the evidence points to, or None when it is too thin or too close."""
    if not found.words:
        return Guess(None, 0.0, 0.0, 0)
    for name, hits in found.scripts:
        if found.letters and hits / found.letters > 0.3:
            return Guess(name, 1.0, 0.0, found.words)
    if found.words < MIN_WORDS:
        return Guess(None, 0.0, 0.0, found.words)
    best, top, second = "", 0, 0
    packed = found.packed
    for lang in LANES:  # in sorted order: ties go to the first code
        score = packed & _LANE_MASK
        packed >>= _LANE_BITS
        if score > top:
            best, top, second = lang, score, top
        elif score > second:
            second = score
    share, runner_up = top / _UNIT / found.words, second / _UNIT / found.words
    confident = share >= MIN_SHARE and top >= MARGIN * max(second, _UNIT)
    return Guess(best if confident else None, share, runner_up, found.words)


def guess(text: str) -> Guess:
    """Best profiled language (or script) of ``text``; ``lang`` is None when unsure."""
    return decide(evidence(text))


def is_profiled(lang: str) -> bool:
    """Whether :func:`guess` can recognise ``lang`` (others are only checked by script)."""
    return lang.upper() in PROFILES


#: Texts shorter than this (in characters) are not sent to the statistical detector.
MIN_DETECTOR_CHARS = 20


def detect(text: str) -> str | None:
    """The language of ``text`` by ``py3langid`` (97 languages, model shipped offline), as an
    upper-case code (``DE``); ``None`` for very short texts."""
    if len(text.strip()) < MIN_DETECTOR_CHARS:
        return None
    try:
        import py3langid
    except ImportError:
        from polyglot_instruct.errors import ToolkitError

        raise ToolkitError(
            "language detection of unprofiled or undecided texts needs py3langid: "
            "pip install py3langid (or the project's 'report' extra)"
        ) from None
    code, _ = py3langid.classify(text)
    return str(code).upper()


def identify(text: str, expected: str | None = None) -> str | None:
    """The language of ``text``: the function-word profiles first (fast), ``py3langid`` when
    they are undecided or when ``expected`` is a language they do not profile."""
    if expected is None or is_profiled(expected):
        found = guess(text)
        if found.lang is not None:
            return found.lang
    return detect(text)
