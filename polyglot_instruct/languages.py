"""The one parser of language lists on the command line (``--langs EN,DE,FR``, ``--lang all``).

Codes are upper-cased and checked for their shape (``EN``, ``DE``, ``PT-BR``, ``ZH-HANS``);
codes are separated by commas or white space; a language named twice (``DE,de``) is an error,
since a build or a run would do its work twice, unless the caller asks for repeats to count
once (``merge_repeats``: ``judge`` and ``show``, where a second pass would find nothing new).
Both command lines (``lima-x``, ``mt-bench-x``) use it.
"""

from __future__ import annotations

import re

from polyglot_instruct.errors import ToolkitError

LANGUAGE_CODE = re.compile(r"^[A-Z]{2}(-[A-Z]{2,4})?$")
#: The word that stands for every language a folder has, where a command allows it.
ALL = "all"


class LanguageListError(ToolkitError, ValueError):
    """A language list or code does not have the expected shape."""


def normalize_language(code: str) -> str:
    """``de`` → ``DE``, ``pt-br`` → ``PT-BR``; raises for anything not shaped like a code."""
    upper = code.strip().upper()
    if not LANGUAGE_CODE.match(upper):
        raise LanguageListError(f"language code {code!r}: expected a code like EN, DE or PT-BR")
    return upper


def parse_languages(
    value: str | None, *, allow_all: bool = False, merge_repeats: bool = False
) -> list[str] | None:
    """The codes of a comma- (or space-) separated list, in the given order.

    With ``allow_all``, ``None``, an empty value and ``all`` return ``None`` (every language);
    without it they raise. A language named twice raises, or with ``merge_repeats`` is kept
    once, where it first appears.
    """
    text = (value or "").strip()
    if allow_all and (not text or text.lower() == ALL):
        return None
    parts = [part for part in re.split(r"[,\s]+", text) if part]
    if not parts:
        raise LanguageListError(f"expected language codes such as EN,DE,FR,IT,ES, got {value!r}")
    codes = [normalize_language(part) for part in parts]
    if merge_repeats:
        return list(dict.fromkeys(codes))
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        raise LanguageListError(f"a language is listed twice ({', '.join(twice)}): {value}")
    return codes
