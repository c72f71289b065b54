"""Reading the text out of an OpenAI-compatible chat completion, or saying why there is none.

A server (or a proxy in front of it) sometimes answers 200 with something that is not a
completion: an HTML error page, which the ``openai`` SDK hands through as a plain string; a
JSON object without ``choices``, which it builds into a completion without checking; a
message whose content is empty or ``null``. None of these is an answer, and each is worth
asking again: :func:`completion_text` raises :class:`MalformedReplyError` for all of them, and
callers retry it as they retry a 5xx. A body that is not JSON at all reaches the caller as the
SDK's ``json.JSONDecodeError``; :data:`NOT_JSON` is the message for it.
"""

from __future__ import annotations

from typing import Any

from polyglot_instruct.errors import ToolkitError

NOT_JSON = "a 200 reply whose body is not JSON"


class MalformedReplyError(ToolkitError):
    """A 200 reply that is not a usable chat completion (retry it like a 5xx)."""


def completion_text(response: Any) -> str:
    """The first choice's message text; :class:`MalformedReplyError` when there is none."""
    if isinstance(response, str | bytes):
        body = response.decode("utf-8", "replace") if isinstance(response, bytes) else response
        kind = "an HTML page" if body.lstrip().startswith("<") else "a body that is not JSON"
        raise MalformedReplyError(f"a 200 reply with {kind} instead of a completion")
    choices = getattr(response, "choices", None)
    if not choices:
        raise MalformedReplyError("a 200 reply without choices")
    message = getattr(choices[0], "message", None)
    text = getattr(message, "content", None)
    if not isinstance(text, str) or not text.strip():
        finish = getattr(choices[0], "finish_reason", None)
        why = f", finish_reason {finish}" if isinstance(finish, str) else ""
        empty = "null" if text is None else "empty"
        raise MalformedReplyError(f"a 200 reply with {empty} content{why}")
    return text
