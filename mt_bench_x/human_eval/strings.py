"""Interface strings of the app per language, shipped as data files (``strings/<lang>.json``).

Every file has the keys of the English file; a language without a file is an error naming the
languages there are.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from mt_bench_x.formats.errors import MTBenchXError


def available_interface_languages() -> list[str]:
    folder = files("mt_bench_x.human_eval") / "strings"
    return sorted(
        entry.name.removesuffix(".json").upper()
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    )


@cache
def interface_strings(lang: str) -> dict[str, str]:
    """The strings of one language (``DE``, ``EN``, ...), checked against English's keys."""
    code = lang.upper()
    if code not in available_interface_languages():
        raise MTBenchXError(
            f"no interface strings for {code}: expected one of "
            f"{', '.join(available_interface_languages())} "
            "(add mt_bench_x/human_eval/strings/<lang>.json)"
        )
    folder = files("mt_bench_x.human_eval") / "strings"
    texts: dict[str, str] = json.loads((folder / f"{code.lower()}.json").read_text("utf-8"))
    english: dict[str, str] = json.loads((folder / "en.json").read_text("utf-8"))
    missing = sorted(set(english) - set(texts))
    if missing:
        raise MTBenchXError(f"strings/{code.lower()}.json: missing keys {missing}")
    return texts
