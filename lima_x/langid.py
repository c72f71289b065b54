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
_INDEX: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, profile in PROFILES.items() if word in profile)
    for word in set().union(*PROFILES.values())
}
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
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("CYRILLIC", re.compile(r"[\u0400-\u04FF]")),
    ("GREEK", re.compile(r"[\u0370-\u03FF]")),
    ("ARABIC", re.compile(r"[\u0600-\u06FF]")),
    ("HEBREW", re.compile(r"[\u0590-\u05FF]")),
    ("DEVANAGARI", re.compile(r"[\u0900-\u097F]")),
    ("CJK", re.compile(r"[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF]")),
)


@dataclass(frozen=True)
class Guess:
    """The best language, its share of profile words, and the runner-up's share."""

    lang: str | None
    share: float
    runner_up: float
    words: int


def guess(text: str) -> Guess:
    """Best profiled language (or script) of ``text``; ``lang`` is None when unsure."""
    words = _WORD.findall(text.lower())
    if not words:
        return Guess(None, 0.0, 0.0, 0)
    script = _dominant_script(text, len(words))
    if script is not None:
        return Guess(script, 1.0, 0.0, len(words))
    if len(words) < MIN_WORDS:
        return Guess(None, 0.0, 0.0, len(words))
    counts = dict.fromkeys(PROFILES, 0.0)
    index = _INDEX
    for word in words:
        langs = index.get(word)
        if langs:
            # A word shared by k profiles is weak evidence: it counts 1/k for each of them.
            for lang in langs:
                counts[lang] += 1 / len(langs)
    lowered = text.lower()
    for letter, langs in _LETTERS.items():
        hits = lowered.count(letter)
        if hits:
            for lang in langs:
                counts[lang] += hits / len(langs)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    share, runner_up = top / len(words), second / len(words)
    confident = share >= MIN_SHARE and top >= MARGIN * max(second, 1.0)
    return Guess(best if confident else None, share, runner_up, len(words))


def _dominant_script(text: str, n_words: int) -> str | None:
    letters = sum(ch.isalpha() for ch in text)
    for name, pattern in _SCRIPTS:
        hits = len(pattern.findall(text))
        if letters and hits / letters > 0.3:
            return name
    return None


def is_profiled(lang: str) -> bool:
    """Whether :func:`guess` can recognise ``lang`` (others are only checked by script)."""
    return lang.upper() in PROFILES
