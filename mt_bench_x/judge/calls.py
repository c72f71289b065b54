"""The messages of one judge call (one game), built from a match: the one place that renders
them, for the runner that sends them and for :mod:`mt_bench_x.judge.currency`, which rebuilds
them to tell whether a stored judgment still matches today's inputs."""

from __future__ import annotations

from dataclasses import dataclass

from mt_bench_x.judge.matches import Match
from mt_bench_x.judge.prompts import prompt_hash, render
from mt_bench_x.judge.truncation import fit_answers


@dataclass(frozen=True)
class GameCall:
    """One judge call: the messages and what they were built from."""

    messages: list[dict[str, str]]
    user_prompt: str
    prompt_hash: str
    truncated: int
    #: ``(max_context_tokens, max_output_tokens)`` when answers were cut to fit, else None:
    #: stored with the judgment so that the same cut can be rebuilt later.
    context_limit: tuple[int, int] | None = None


def build_call(
    match: Match,
    order: tuple[str, ...],
    *,
    max_context_tokens: int | None = None,
    max_output_tokens: int = 2048,
) -> GameCall:
    """The system + user messages of one game, answers cut to fit the context if needed."""
    prompt = match.prompt
    values = match.prompt_values(order)
    answers = {name: text for name, text in values.items() if name.startswith("answer")}
    skeleton = render(prompt, {**values, **dict.fromkeys(answers, "")})
    fitted, truncated = fit_answers(
        prompt.system_prompt,
        skeleton,
        answers,
        max_context_tokens=max_context_tokens,
        max_output_tokens=max_output_tokens,
    )
    user_prompt = render(prompt, {**values, **fitted})
    messages = [
        {"role": "system", "content": prompt.system_prompt},
        {"role": "user", "content": user_prompt},
    ]
    limit = None
    if truncated and max_context_tokens is not None:
        limit = (max_context_tokens, max_output_tokens)
    return GameCall(
        messages, user_prompt, prompt_hash(prompt.system_prompt, user_prompt), truncated, limit
    )
