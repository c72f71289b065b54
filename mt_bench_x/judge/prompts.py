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
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mt_bench_x.errors import InputFileError
from mt_bench_x.jsonl import iter_jsonl

PromptType = Literal["single", "pairwise"]

REFERENCE_CATEGORIES = frozenset({"math", "reasoning", "coding"})
BOTH_BAD_SUFFIX = "-both-bad"
BOTH_BAD_TOKEN = "[[D]]"

_REQUIRED = ("name", "type", "system_prompt", "prompt_template", "output_format")


@dataclass(frozen=True)
class JudgePrompt:
    """One judge prompt: system message, user-message template and the verdict format."""

    name: str
    type: PromptType
    system_prompt: str
    template: str
    output_format: str
    category: str = "general"
    description: str = ""

    @property
    def fields(self) -> frozenset[str]:
        """The ``{placeholders}`` the template fills in."""
        return frozenset(
            name for _, name, _, _ in string.Formatter().parse(self.template) if name is not None
        )

    @property
    def uses_reference(self) -> bool:
        return "ref_answer_1" in self.fields

    @property
    def multi_turn(self) -> bool:
        return "question_2" in self.fields

    @property
    def allows_both_bad(self) -> bool:
        """Whether the prompt offers ``[[D]]`` (read from its text, not from its name)."""
        return BOTH_BAD_TOKEN in self.system_prompt or BOTH_BAD_TOKEN in self.template

    def render(self, values: dict[str, str]) -> str:
        """The user message: the template with every placeholder filled in."""
        missing = self.fields - values.keys()
        if missing:
            raise KeyError(f"judge prompt {self.name!r} needs {sorted(missing)}")
        return self.template.format(**values)


def prompt_hash(system_prompt: str, user_prompt: str) -> str:
    """A short, stable fingerprint of what the judge was asked (sha256 of both messages)."""
    digest = hashlib.sha256()
    digest.update(system_prompt.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(user_prompt.encode("utf-8"))
    return digest.hexdigest()[:16]


def load_judge_prompts(path: Path) -> dict[str, JudgePrompt]:
    """All prompts of a ``judge_prompts.jsonl`` by name; a malformed line names file and line."""
    prompts: dict[str, JudgePrompt] = {}
    for line, record in iter_jsonl(path):
        missing = [key for key in _REQUIRED if not isinstance(record.get(key), str)]
        if missing:
            raise InputFileError(
                str(path), f"judge prompt without string field(s) {missing}", line=line
            )
        if record["type"] not in ("single", "pairwise"):
            raise InputFileError(
                str(path),
                f"judge prompt type {record['type']!r}: expected 'single' or 'pairwise'",
                line=line,
            )
        prompt = JudgePrompt(
            name=record["name"],
            type=record["type"],
            system_prompt=record["system_prompt"],
            template=record["prompt_template"],
            output_format=record["output_format"],
            category=str(record.get("category", "general")),
            description=str(record.get("description", "")),
        )
        try:
            prompt.fields  # noqa: B018 - a template that str.format cannot read fails here
        except ValueError as error:
            raise InputFileError(str(path), f"prompt_template: {error}", line=line) from None
        if prompt.name in prompts:
            raise InputFileError(str(path), f"duplicate prompt name {prompt.name!r}", line=line)
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
        name += BOTH_BAD_SUFFIX
    return name


def has_both_bad_prompts(prompts: dict[str, JudgePrompt]) -> bool:
    """Whether every pairwise prompt has its ``-both-bad`` variant in ``prompts``."""
    names = [prompt_name("pairwise", cat, turn) for cat in ("writing", "math") for turn in (1, 2)]
    return all(f"{name}{BOTH_BAD_SUFFIX}" in prompts for name in names)


def choose_prompt(
    prompts: dict[str, JudgePrompt],
    kind: PromptType,
    category: str,
    turn: int,
    *,
    both_bad: bool = False,
    source: str = "judge_prompts.jsonl",
) -> JudgePrompt:
    """The prompt a game uses; a missing one is an error that names the file and the name."""
    name = prompt_name(kind, category, turn, both_bad=both_bad)
    prompt = prompts.get(name)
    if prompt is None:
        raise InputFileError(source, f"no judge prompt named {name!r} (have {sorted(prompts)})")
    if prompt.type != kind:
        raise InputFileError(source, f"judge prompt {name!r} has type {prompt.type!r}")
    return prompt
