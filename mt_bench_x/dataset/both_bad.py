"""Pairwise judge prompts with a fourth verdict ``[[D]]``: "both answers are equally bad".

Every pairwise prompt of a language (``pair-v2``, ``pair-math-v1``, their ``-multi-turn``
forms, ...) gets a sibling named ``<name>-both-bad``: the same template, and the same system
prompt followed by one sentence of this project's own that adds the ``[[D]]`` verdict. The
sentence sits at the end of the system prompt, right after the input's own verdict list, so the
derivation does not depend on how a translation phrased that list. The sentences are data
(``mt_bench_x/dataset/data/both_bad_clauses.json``, shipped with the package); languages
without a sentence there get one by translating the English sentence
(``mt-bench-x build --from-fastchat``) or from ``--both-bad-clause LANG=TEXT``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from types import MappingProxyType

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.formats.judge_prompts import (
    BOTH_BAD_SUFFIX,
    BOTH_BAD_VERDICT,
    JudgePrompt,
    both_bad_name,
)

__all__ = [
    "BOTH_BAD_CLAUSES",
    "BOTH_BAD_SUFFIX",
    "BOTH_BAD_VERDICT",
    "both_bad_name",
    "derive_both_bad",
    "load_both_bad_clauses",
    "with_both_bad",
]

#: The package data file with this project's sentence per language (language code -> text).
CLAUSES_RESOURCE = "data/both_bad_clauses.json"


def load_both_bad_clauses() -> dict[str, str]:
    """This project's ``[[D]]`` sentence per language, read from the package data file; each
    sentence keeps ``"[[D]]"`` literally."""
    source = resources.files("mt_bench_x.dataset").joinpath(CLAUSES_RESOURCE)
    data = json.loads(source.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise MTBenchXError(f"{CLAUSES_RESOURCE}: expected a JSON object of language -> sentence")
    clauses: dict[str, str] = {}
    for lang, text in data.items():
        if not isinstance(text, str) or BOTH_BAD_VERDICT not in text:
            raise MTBenchXError(
                f"{CLAUSES_RESOURCE}: the sentence for {lang} must be a string containing "
                f"{BOTH_BAD_VERDICT}, found {text!r:.60}"
            )
        clauses[lang] = text
    return clauses


#: This project's sentence per language (read-only; see :func:`load_both_bad_clauses`).
BOTH_BAD_CLAUSES: Mapping[str, str] = MappingProxyType(load_both_bad_clauses())


def derive_both_bad(prompt: JudgePrompt, clause: str) -> JudgePrompt:
    """The ``[[D]]`` sibling of one pairwise prompt."""
    if prompt.type != "pairwise":
        raise ValueError(f"judge prompt {prompt.name!r} is {prompt.type!r}, not pairwise")
    if BOTH_BAD_VERDICT not in clause:
        raise ValueError(f"the both-bad sentence must contain {BOTH_BAD_VERDICT}: {clause!r}")
    system_prompt = prompt.system_prompt.rstrip()
    separator = " " if system_prompt else ""
    description = prompt.description or prompt.name
    return replace(
        prompt,
        name=both_bad_name(prompt.name),
        system_prompt=f"{system_prompt}{separator}{clause}",
        description=f"{description} (with {BOTH_BAD_VERDICT}: both answers equally bad)",
        derived=True,
        extra=dict(prompt.extra),
    )


def with_both_bad(prompts: list[JudgePrompt], clause: str) -> list[JudgePrompt]:
    """The input's prompts (its own derived ones dropped) followed by a ``[[D]]`` sibling of
    every pairwise prompt."""
    originals = [p for p in prompts if not p.derived and not p.name.endswith(BOTH_BAD_SUFFIX)]
    derived = [derive_both_bad(p, clause) for p in originals if p.type == "pairwise"]
    return originals + derived
