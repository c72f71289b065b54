"""Pairwise judge prompts with a fourth verdict ``[[D]]``: "both answers are equally bad".

Every pairwise prompt of a language (``pair-v2``, ``pair-math-v1``, their ``-multi-turn``
forms, ...) gets a sibling named ``<name>-both-bad``: the same template, and the same system
prompt followed by one sentence of this project's own that adds the ``[[D]]`` verdict. The
sentence sits at the end of the system prompt, right after the input's own verdict list, so the
derivation does not depend on how a translation phrased that list. Languages without a sentence
here get one by translating the English sentence (``mt-bench-x build --from-fastchat``) or from
``--both-bad-clause LANG=TEXT``.
"""

from __future__ import annotations

from dataclasses import replace

from mt_bench_x.formats.judge_prompts import JudgePrompt

BOTH_BAD_VERDICT = "[[D]]"
BOTH_BAD_SUFFIX = "-both-bad"

#: This project's sentence per language; each keeps ``"[[D]]"`` literally.
BOTH_BAD_CLAUSES: dict[str, str] = {
    "EN": 'If both answers are equally bad, output "[[D]]" instead.',
    "DE": 'Wenn beide Antworten gleich schlecht sind, geben Sie stattdessen "[[D]]" aus.',
    "FR": (
        "Si les deux réponses sont aussi mauvaises l'une que l'autre, indiquez plutôt \"[[D]]\"."
    ),
    "IT": 'Se entrambe le risposte sono ugualmente scadenti, indichi invece "[[D]]".',
    "ES": 'Si ambas respuestas son igual de malas, indique en su lugar "[[D]]".',
}


def both_bad_name(name: str) -> str:
    """The name of the derived prompt: ``pair-v2`` -> ``pair-v2-both-bad``."""
    return f"{name}{BOTH_BAD_SUFFIX}"


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
