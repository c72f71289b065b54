"""Judge prompt records as FastChat keeps them in ``judge_prompts.jsonl`` (one prompt a line).

Fields: ``name``, ``type`` (``single`` | ``pairwise``), ``system_prompt``, ``prompt_template``,
``description``, ``category``, ``output_format``. Extra fields are kept. The texts are input
data supplied by the user (FastChat's file or a translation of it); nothing here ships them.

This module is the one owner of judge prompt records: their fields, reading and writing them,
and the naming of the pairwise prompts with the ``[[D]]`` "both are equally bad" verdict
(``<name>-both-bad``). :mod:`mt_bench_x.dataset.both_bad` derives those prompts,
:mod:`mt_bench_x.judge.prompts` picks the prompt a game uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.jsonl import iter_jsonl, write_lines_atomic

#: The fourth pairwise verdict: both answers are equally bad.
BOTH_BAD_VERDICT = "[[D]]"
#: Appended to a pairwise prompt's name for its ``[[D]]`` sibling (``pair-v2-both-bad``).
BOTH_BAD_SUFFIX = "-both-bad"

PROMPT_TYPES: tuple[str, ...] = ("single", "pairwise")
_TEXT_FIELDS = ("name", "type", "system_prompt", "prompt_template")
_FIELD_ORDER = (
    "name",
    "type",
    "system_prompt",
    "prompt_template",
    "description",
    "category",
    "output_format",
)


@dataclass
class JudgePrompt:
    """One judge prompt; ``derived`` marks prompts this project adds (the ``[[D]]`` variants)."""

    name: str
    type: str
    system_prompt: str
    prompt_template: str
    description: str = ""
    category: str = "general"
    output_format: str = ""
    derived: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    #: ``path:line`` the prompt was read from (empty when it came from elsewhere); named in
    #: errors about the prompt, never written and not part of its identity.
    origin: str = field(default="", compare=False)


def judge_prompt_to_record(prompt: JudgePrompt) -> dict[str, Any]:
    """FastChat's record (``derived`` is not part of it; the name tells derived prompts apart)."""
    return {
        "name": prompt.name,
        "type": prompt.type,
        "system_prompt": prompt.system_prompt,
        "prompt_template": prompt.prompt_template,
        "description": prompt.description,
        "category": prompt.category,
        "output_format": prompt.output_format,
        **prompt.extra,
    }


def judge_prompt_from_record(record: dict[str, Any], path: Path, line: int) -> JudgePrompt:
    """Validate one judge prompt record; errors name ``path:line``."""
    for key in _TEXT_FIELDS:
        value = record.get(key)
        if not isinstance(value, str) or (key in ("name", "type") and not value):
            raise InputFileError(
                str(path), f"{key}: expected a non-empty string, found {value!r:.60}", line=line
            )
    if record["type"] not in PROMPT_TYPES:
        raise InputFileError(
            str(path), f"type: expected one of {PROMPT_TYPES}, found {record['type']!r}", line=line
        )
    optional = {}
    for key in ("description", "category", "output_format"):
        value = record.get(key, "")
        if not isinstance(value, str):
            raise InputFileError(str(path), f"{key}: expected a string, found {value!r}", line=line)
        optional[key] = value
    return JudgePrompt(
        name=record["name"],
        type=record["type"],
        system_prompt=record["system_prompt"],
        prompt_template=record["prompt_template"],
        description=optional["description"],
        category=optional["category"] or "general",
        output_format=optional["output_format"],
        extra={k: v for k, v in record.items() if k not in _FIELD_ORDER},
        origin=f"{path}:{line}",
    )


def both_bad_name(name: str) -> str:
    """The name of a pairwise prompt's ``[[D]]`` sibling: ``pair-v2`` -> ``pair-v2-both-bad``."""
    return f"{name}{BOTH_BAD_SUFFIX}"


def iter_judge_prompts(path: Path) -> Iterator[tuple[int, JudgePrompt]]:
    """``(file line, prompt)`` for each prompt of a ``judge_prompts.jsonl`` (lines 1-based, as
    an editor counts them); names must be unique."""
    path = Path(path)
    seen: dict[str, int] = {}
    for line, record in iter_jsonl(path):
        prompt = judge_prompt_from_record(record, path, line)
        if prompt.name in seen:
            raise InputFileError(
                str(path),
                f"judge prompt {prompt.name!r} appears twice (first on line {seen[prompt.name]})",
                line=line,
            )
        seen[prompt.name] = line
        yield line, prompt


def load_judge_prompts(path: Path) -> list[JudgePrompt]:
    """Read a ``judge_prompts.jsonl``; names must be unique."""
    return [prompt for _, prompt in iter_judge_prompts(path)]


def write_judge_prompts(path: Path, prompts: Iterable[JudgePrompt]) -> None:
    """Write ``judge_prompts.jsonl`` atomically, FastChat's field order."""
    write_lines_atomic(
        path, (json.dumps(judge_prompt_to_record(p), ensure_ascii=False) for p in prompts)
    )
