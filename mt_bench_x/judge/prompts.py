"""Judge prompts (FastChat's ``judge_prompts.jsonl`` records) and which one a game uses.

A prompt is data the user supplies, one per line::

    {"name": "single-v1", "type": "single", "system_prompt": "...",
     "prompt_template": "[Question]\\n{question}\\n...", "output_format": "[[rating]]", ...}

The choice follows FastChat: ``single-v1`` / ``pair-v2`` for most questions, the
reference-guided ``single-math-v1`` / ``pair-math-v1`` for math, reasoning and coding, and
the ``-multi-turn`` variant of each for the second turn. Pairwise prompts that offer the
``[[D]]`` "both are equally bad" verdict are the same names with ``-both-bad`` appended.
"""

from __future__ import annotations

import hashlib
import string
from pathlib import Path
from typing import Literal

from mt_bench_x.formats.errors import InputFileError, JudgePromptTemplateError
from mt_bench_x.formats.judge_prompts import (
    BOTH_BAD_VERDICT,
    JudgePrompt,
    both_bad_name,
    iter_judge_prompts,
)
from mt_bench_x.formats.layout import JUDGE_PROMPTS_NAME

PromptType = Literal["single", "pairwise"]

REFERENCE_CATEGORIES = frozenset({"math", "reasoning", "coding"})

__all__ = ["JudgePrompt", "PromptType", "load_prompts"]


def template_fields(prompt: JudgePrompt) -> frozenset[str]:
    """The ``{placeholders}`` a prompt's template fills in."""
    parsed = string.Formatter().parse(prompt.prompt_template)
    return frozenset(name for _, name, _, _ in parsed if name is not None)


def uses_reference(prompt: JudgePrompt) -> bool:
    return "ref_answer_1" in template_fields(prompt)


def allows_both_bad(prompt: JudgePrompt) -> bool:
    """Whether the prompt offers ``[[D]]`` (read from its text, not from its name)."""
    return BOTH_BAD_VERDICT in prompt.system_prompt or BOTH_BAD_VERDICT in prompt.prompt_template


def render(prompt: JudgePrompt, values: dict[str, str]) -> str:
    """The user message: the template with every placeholder filled in; a placeholder the
    game does not provide is an error naming the prompt, where it was read and the name."""
    missing = template_fields(prompt) - values.keys()
    if missing:
        where = f"{prompt.origin}: " if prompt.origin else ""
        placeholders = ", ".join(f"{{{name}}}" for name in sorted(missing))
        offered = ", ".join(f"{{{name}}}" for name in sorted(values))
        raise JudgePromptTemplateError(
            f"{where}prompt_template of judge prompt {prompt.name!r} asks for {placeholders}, "
            f"which its games do not provide (they provide {offered}): fix or remove that "
            "placeholder"
        )
    return prompt.prompt_template.format(**values)


def prompt_hash(system_prompt: str, user_prompt: str) -> str:
    """A short, stable fingerprint of what the judge was asked (sha256 of both messages)."""
    digest = hashlib.sha256()
    digest.update(system_prompt.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(user_prompt.encode("utf-8"))
    return digest.hexdigest()[:16]


def load_prompts(path: Path) -> dict[str, JudgePrompt]:
    """The prompts of a ``judge_prompts.jsonl`` by name; a template ``str.format`` cannot read
    is an error naming the file and line."""
    prompts: dict[str, JudgePrompt] = {}
    for line, prompt in iter_judge_prompts(path):
        try:
            template_fields(prompt)
        except ValueError as error:
            raise InputFileError(
                str(path), f"prompt_template of {prompt.name!r}: {error}", line=line
            ) from None
        prompts[prompt.name] = prompt
    return prompts


def prompt_name(kind: PromptType, category: str, turn: int, *, both_bad: bool = False) -> str:
    """FastChat's prompt name for a game (``pair-math-v1-multi-turn``, ``single-v1`` ...)."""
    reference = category in REFERENCE_CATEGORIES
    if kind == "single":
        name = "single-math-v1" if reference else "single-v1"
    else:
        name = "pair-math-v1" if reference else "pair-v2"
    if turn == 2:
        name += "-multi-turn"
    if kind == "pairwise" and both_bad:
        name = both_bad_name(name)
    return name


def has_both_bad_prompts(prompts: dict[str, JudgePrompt]) -> bool:
    """Whether every pairwise prompt has its ``-both-bad`` variant in ``prompts``."""
    names = [prompt_name("pairwise", cat, turn) for cat in ("writing", "math") for turn in (1, 2)]
    return all(both_bad_name(name) in prompts for name in names)


def choose_prompt(
    prompts: dict[str, JudgePrompt],
    kind: PromptType,
    category: str,
    turn: int,
    *,
    both_bad: bool = False,
    source: str = JUDGE_PROMPTS_NAME,
) -> JudgePrompt:
    """The prompt a game uses; a missing one is an error that names the file and the name."""
    name = prompt_name(kind, category, turn, both_bad=both_bad)
    prompt = prompts.get(name)
    if prompt is None:
        raise InputFileError(source, f"no judge prompt named {name!r} (have {sorted(prompts)})")
    if prompt.type != kind:
        raise InputFileError(source, f"judge prompt {name!r} has type {prompt.type!r}")
    return prompt
