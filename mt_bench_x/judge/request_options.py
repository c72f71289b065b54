"""The body of every judge request: FastChat's defaults, changed by ``--judge-param``.

FastChat sends ``temperature: 0`` and ``max_tokens``; today's reasoning judges reject both
and want ``max_completion_tokens`` and ``reasoning_effort`` instead. ``--judge-param KEY=VALUE``
(repeatable; VALUE is JSON, a bare word is a string) sets one field of every request body:

* ``KEY=null`` removes a default field (``temperature=null``);
* ``max_completion_tokens=N`` replaces ``max_tokens`` (the two are never sent together);
* ``model`` and ``messages`` are the run's own and cannot be set.

The body is a plain dict, built once per call by :meth:`RequestOptions.body`, so the client's
plain ``post`` path (see :mod:`mt_bench_x.judge.client`) stays as cheap as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mt_bench_x.formats.errors import JudgeOptionError, MTBenchXError

#: Fields a ``--judge-param`` may not set: they belong to the run.
RESERVED = frozenset({"model", "messages", "stream"})
OUTPUT_BUDGET_FIELDS = ("max_completion_tokens", "max_tokens")


class ReplyBudgetError(MTBenchXError):
    """A reply cut off by its token budget before it said anything (reasoning judges spend
    the budget on hidden reasoning): not a verdict; retry with a larger budget."""


def parse_judge_params(items: Iterable[str]) -> dict[str, Any]:
    """``["KEY=VALUE", ...]`` as a dict; VALUE is JSON (a bare word is a string)."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise JudgeOptionError(f"--judge-param {item!r}: expected KEY=VALUE (VALUE in JSON)")
        if key in RESERVED:
            raise JudgeOptionError(
                f"--judge-param {key}: {key!r} is set by the run itself and cannot be changed"
            )
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        params[key] = value
    return params


@dataclass(frozen=True)
class RequestOptions:
    """FastChat's request defaults and the user's changes to them."""

    max_tokens: int = 2048
    params: dict[str, Any] = field(default_factory=dict)

    def defaults(self) -> dict[str, Any]:
        return {"temperature": 0, "max_tokens": self.max_tokens, "n": 1}

    def template(self) -> dict[str, Any]:
        """Every field of a body except ``model`` and ``messages``."""
        body = self.defaults()
        if "max_completion_tokens" in self.params:
            body.pop("max_tokens", None)
        for key, value in self.params.items():
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        return body

    def body(self, model: str, messages: list[dict[str, str]]) -> dict[str, Any]:
        return {"model": model, "messages": messages, **self.template()}

    @property
    def max_output_tokens(self) -> int:
        """The most tokens one reply may cost (for the budget and for context fitting)."""
        template = self.template()
        for name in OUTPUT_BUDGET_FIELDS:
            value = template.get(name)
            if isinstance(value, int) and value > 0:
                return value
        return self.max_tokens

    def budget_flag(self) -> str:
        """The flag that sets the reply budget now in use."""
        template = self.template()
        name = next((n for n in OUTPUT_BUDGET_FIELDS if n in template), "max_completion_tokens")
        return f"--judge-param {name}=N" if name in self.params else "--max-tokens N"


def unsupported_parameter_hint(param: str | None, options: RequestOptions) -> str:
    """What to change when the API rejects ``param`` (a 400 naming it)."""
    if not param:
        return ""
    if param == "max_tokens":
        return (
            "; this judge wants max_completion_tokens: pass --judge-param "
            "max_completion_tokens=N (it replaces max_tokens)"
        )
    if param in options.template():
        return f"; drop it with --judge-param {param}=null or set another value"
    return ""


def check_not_cut_off(response: Any, options: RequestOptions) -> None:
    """Raise :class:`ReplyBudgetError` for an empty reply that stopped at its token budget."""
    choices = getattr(response, "choices", None)
    if not choices or isinstance(response, str | bytes):
        return
    choice = choices[0]
    content = getattr(getattr(choice, "message", None), "content", None)
    if getattr(choice, "finish_reason", None) == "length" and not (content or "").strip():
        raise ReplyBudgetError(
            f"the judge spent its whole reply budget ({options.max_output_tokens} tokens) "
            "without a verdict (finish_reason length, empty content); raise it with "
            f"{options.budget_flag()} and run again"
        )
