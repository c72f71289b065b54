"""Which experiment a judgment belongs to, read from its prompt name.

Pairwise judgments made with FastChat's 3-option prompts (``pair-v2`` ...: A, B or tie) and
with the ``[[D]]`` prompts (``pair-v2-both-bad`` ...: A, B, tie or both bad) answer different
questions; ``show`` and the report keep them apart, never counting them together.
"""

from __future__ import annotations

from typing import Any

from mt_bench_x.dataset.both_bad import BOTH_BAD_SUFFIX

THREE_OPTION = "3-option"
BOTH_BAD = "both-bad"
SINGLE = "single"


def prompt_set(prompt_name: str) -> str:
    """``both-bad`` for the ``[[D]]`` pairwise prompts, ``3-option`` for FastChat's pairwise
    prompts, ``single`` for single grading."""
    if prompt_name.startswith("single"):
        return SINGLE
    return BOTH_BAD if prompt_name.endswith(BOTH_BAD_SUFFIX) else THREE_OPTION


def record_prompt_set(record: dict[str, Any]) -> str:
    """The prompt set of a judgment line (``judge: [judge_model, prompt_name]``)."""
    return prompt_set(str(record["judge"][1]))
