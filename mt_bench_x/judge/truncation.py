"""Fitting a judge prompt into the judge's context: cut the longest answers first.

Token counts are estimated without a tokenizer, conservatively: one token per
:data:`BYTES_PER_TOKEN` bytes of UTF-8 (BPE tokenizers of GPT-4-class judges average about
four bytes per token on English and three to four on German, French, Italian and Spanish).
Questions, reference answers and the prompt text are never cut; only the model answers are,
and each cut answer ends with :data:`TRUNCATION_MARK`. The caller counts the cut answers.
"""

from __future__ import annotations

import math

from mt_bench_x.formats.errors import JudgeOptionError

BYTES_PER_TOKEN = 3
TRUNCATION_MARK = "\n[... answer truncated to fit the judge's context ...]"
#: Tokens for chat formatting around the system and user messages.
MESSAGE_OVERHEAD_TOKENS = 16


def estimate_tokens(text: str) -> int:
    """A conservative token estimate: UTF-8 bytes / :data:`BYTES_PER_TOKEN`, rounded up."""
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


def _cut(text: str, max_tokens: int) -> str:
    """``text`` cut to about ``max_tokens`` estimated tokens, mark included."""
    budget = max(0, max_tokens * BYTES_PER_TOKEN - len(TRUNCATION_MARK.encode("utf-8")))
    head = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return head + TRUNCATION_MARK


def _share(lengths: list[int], budget: int) -> list[int]:
    """Water-filling: each answer gets at most an equal share; unused shares go to the rest."""
    allowed = [0] * len(lengths)
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    remaining = budget
    for position, index in enumerate(order):
        share = remaining // (len(order) - position)
        allowed[index] = min(lengths[index], share)
        remaining -= allowed[index]
    return allowed


def fit_answers(
    system_prompt: str,
    template_without_answers: str,
    answers: dict[str, str],
    *,
    max_context_tokens: int | None,
    max_output_tokens: int,
) -> tuple[dict[str, str], int]:
    """Answers (by template field) cut so that the whole prompt fits; and how many were cut.

    ``template_without_answers`` is the user message with every answer left empty. Raises
    ``ValueError`` when even empty answers do not fit.
    """
    if max_context_tokens is None:
        return dict(answers), 0
    fixed = (
        estimate_tokens(system_prompt)
        + estimate_tokens(template_without_answers)
        + MESSAGE_OVERHEAD_TOKENS
        + max_output_tokens
    )
    budget = max_context_tokens - fixed
    mark_tokens = estimate_tokens(TRUNCATION_MARK)
    if budget < mark_tokens * len(answers):
        raise JudgeOptionError(
            f"the judge prompt needs about {fixed} tokens before any answer "
            f"(incl. {max_output_tokens} for the reply); --max-judge-context-tokens "
            f"{max_context_tokens} leaves no room for the answers"
        )
    names = list(answers)
    lengths = [estimate_tokens(answers[name]) for name in names]
    if sum(lengths) <= budget:
        return dict(answers), 0
    allowed = _share(lengths, budget)
    fitted: dict[str, str] = {}
    cut = 0
    for name, length, limit in zip(names, lengths, allowed, strict=True):
        if length <= limit:
            fitted[name] = answers[name]
        else:
            fitted[name] = _cut(answers[name], limit)
            cut += 1
    return fitted, cut
