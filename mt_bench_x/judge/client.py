"""Calls to an OpenAI-compatible judge with the ``openai>=1`` SDK: temperature 0, retries.

The SDK's own retries are off; this module retries instead, so that every wait is known:

* 429 and 5xx: wait what ``Retry-After`` (or ``retry-after-ms``) says, else back off
  exponentially with full jitter (from 0.25 s, at most 30 s); the same back-off for 408, 409,
  timeouts, connection errors and malformed 200 replies (an HTML page or another body that
  is not JSON, a completion without choices, empty or ``null`` content);
* 401 and 403 stop the whole run: the first refused call raises :class:`JudgeAuthError`, and
  no other call is sent after it (one line for the user, naming the variable to fix);
* anything else (400, 404 ...) fails at once.

A retry is sent ahead of every call not yet sent (:class:`CallSlots`), and waiting between
tries holds no slot, so a fault costs its own wait, not a place at the back of the queue.

The transport is aiohttp (the SDK's ``DefaultAioHttpClient``) by default: on a 2-core machine
the SDK's default httpx transport cannot keep 64 calls in flight (see
``docs/mt_bench_x_judge.md``). ``openai`` is imported here, not at package import, so that
``mt-bench-x --help`` and ``show`` start fast.

The API key comes from ``OPENAI_API_KEY`` only and never appears in an error message.
"""

from __future__ import annotations

import asyncio
import email.utils
import heapq
import itertools
import json
import logging
import os
import random
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

from mt_bench_x.formats.errors import MTBenchXError
from mt_bench_x.judge.cost import Budget
from mt_bench_x.judge.request_options import (
    ReplyBudgetError,
    RequestOptions,
    check_not_cut_off,
    unsupported_parameter_hint,
)
from mt_bench_x.judge.truncation import estimate_tokens
from polyglot_instruct.openai_reply import NOT_JSON, MalformedReplyError, completion_text

logger = logging.getLogger(__name__)

Transport = Literal["aiohttp", "httpx"]
_RETRY_STATUSES = frozenset({408, 409})
_AUTH_STATUSES = frozenset({401, 403})
#: The key sent to a custom base URL when ``OPENAI_API_KEY`` is unset (local servers).
LOCAL_PLACEHOLDER_KEY = "EMPTY"


class CallSlots:
    """At most ``limit`` calls in flight; a retry waits ahead of every first attempt.

    With a plain FIFO semaphore a retried call would queue behind every call not yet sent
    and finish last, so a few faults would stretch a whole run.
    """

    def __init__(self, limit: int) -> None:
        self._free = limit
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, retry: bool) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (0 if retry else 1, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the slot was handed over just before the cancellation
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)  # the slot passes straight to the waiter
                return
        self._free += 1


class JudgeCallError(MTBenchXError):
    """A judge call failed for good (a non-retryable error, or retries exhausted)."""


class JudgeConfigError(MTBenchXError):
    """The judge cannot be called as configured (no API key, bad URL)."""


class JudgeAuthError(JudgeConfigError):
    """The judge refused the credentials (401) or the access (403): the whole run stops."""


def auth_error(status: int, error: Any, model: str, placeholder_key: bool) -> JudgeAuthError:
    """The one line for a refused key; it names the variable to fix, never the key."""
    described = f"HTTP {status} ({_described(error)})"
    if placeholder_key:
        fix = "the server needs a key: set OPENAI_API_KEY"
    elif status == 401:
        fix = "set OPENAI_API_KEY to a valid key for this server"
    else:
        fix = f"the key in OPENAI_API_KEY has no access to model {model!r}; use a key that has"
    return JudgeAuthError(
        f"the judge refused the API key ({described}): {fix}; no further call was sent, "
        "finished judgments are saved"
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed call."""

    max_retries: int = 8
    initial_backoff_s: float = 0.25
    max_backoff_s: float = 30.0
    request_timeout_s: float = 600.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter exponential back-off for retry number ``attempt`` (0-based)."""
        ceiling = min(self.max_backoff_s, self.initial_backoff_s * (2**attempt))
        return rng.uniform(0.0, ceiling)


@dataclass(frozen=True)
class JudgeReply:
    """What one call returned: the text, the model that answered, token usage, attempts."""

    text: str
    model: str
    usage: dict[str, int]
    attempts: int


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``Retry-After`` (seconds or HTTP date)."""
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def resolve_api_key(base_url: str | None) -> str:
    """``OPENAI_API_KEY``; a placeholder for a custom base URL (local servers need none)."""
    key = os.environ.get("OPENAI_API_KEY")
    if key:
        return key
    if base_url or os.environ.get("OPENAI_BASE_URL"):
        return LOCAL_PLACEHOLDER_KEY
    raise JudgeConfigError(
        "no judge credentials: set OPENAI_API_KEY (and OPENAI_BASE_URL or --judge-base-url "
        "for another OpenAI-compatible server)"
    )


class JudgeClient:
    """An async chat-completions client for one judge model (use ``async with``)."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        max_tokens: int = 2048,
        retry: RetryPolicy | None = None,
        transport: Transport = "aiohttp",
        parallel: int = 8,
        seed: int = 0,
        request: RequestOptions | None = None,
        budget: Budget | None = None,
    ) -> None:
        if parallel < 1:
            raise ValueError(f"parallel must be >= 1, got {parallel}")
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.max_tokens = max_tokens
        #: every field of a request body but model and messages (``--judge-param``)
        self.request = request or RequestOptions(max_tokens=max_tokens)
        self._template = self.request.template()
        self.budget = budget
        self.retry = retry or RetryPolicy()
        self.transport = transport
        self.retries = 0
        self._rng = random.Random(seed)
        self._api_key = resolve_api_key(self.base_url)
        self._client: Any = None
        self._slots = CallSlots(parallel)
        #: Set by the first 401/403; every later call raises it without being sent.
        self._refused: JudgeAuthError | None = None

    async def __aenter__(self) -> JudgeClient:
        import openai

        http_client = None
        if self.transport == "aiohttp":
            try:  # bundled with recent SDKs; older ones need `pip install "openai[aiohttp]"`
                http_client = openai.DefaultAioHttpClient()
            except (AttributeError, ImportError, RuntimeError) as error:
                logger.warning(
                    "aiohttp transport unavailable (%s); using the SDK's default transport. "
                    'For many calls in flight: pip install "openai[aiohttp]"',
                    type(error).__name__,
                )
        self._client = openai.AsyncOpenAI(
            api_key=self._api_key,
            base_url=self.base_url,
            max_retries=0,
            timeout=self.retry.request_timeout_s,
            http_client=http_client,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def complete(self, messages: list[dict[str, str]]) -> JudgeReply:
        """One judgment: retried as the module docstring says; raises :class:`JudgeCallError`,
        or :class:`~mt_bench_x.judge.cost.BudgetReached` for a call ``--max-cost`` holds back."""
        if self._client is None:
            raise RuntimeError("JudgeClient.complete called outside `async with`")
        if self.budget is None:
            return await self._complete(messages, None)
        input_tokens = sum(estimate_tokens(message["content"]) for message in messages)
        worst = self.budget.worst_case(input_tokens, self.request.max_output_tokens)
        reply: JudgeReply | None = None
        held = [False]
        try:
            reply = await self._complete(messages, (self.budget, worst, held))
            return reply
        finally:
            if held[0]:
                self.budget.settle(worst, reply.usage if reply is not None else None)

    async def _complete(
        self, messages: list[dict[str, str]], hold: tuple[Budget, float, list[bool]] | None
    ) -> JudgeReply:
        import openai
        from openai.types.chat import ChatCompletion

        assert self._client is not None
        attempt = 0
        while True:
            if self._refused is not None:
                raise self._refused
            try:
                await self._slots.acquire(retry=attempt > 0)  # a wait between tries holds none
                if hold is not None and not hold[2][0]:  # --max-cost: held while in flight
                    try:
                        hold[0].reserve(hold[1])
                    except BaseException:
                        self._slots.release()
                        raise
                    hold[2][0] = True
                try:
                    if self._refused is not None:  # refused while this call waited for a slot
                        raise self._refused
                    # `post` with a plain body (the SDK's documented way to send a request as
                    # is) skips `create`'s per-call conversion of typed params, which costs
                    # about 1 ms of CPU per call: a quarter of the budget at 256 calls/s.
                    response = await self._client.post(
                        "/chat/completions",
                        cast_to=ChatCompletion,
                        body={"model": self.model, "messages": messages, **self._template},
                    )
                finally:
                    self._slots.release()
                check_not_cut_off(response, self.request)
                return _reply(response, attempt + 1)
            except ReplyBudgetError as error:  # the same budget would be cut off again
                raise JudgeCallError(f"judge call failed: {error}") from None
            except openai.APIStatusError as error:
                status = error.status_code
                if status in _AUTH_STATUSES:
                    if self._refused is None:
                        placeholder = self._api_key == LOCAL_PLACEHOLDER_KEY
                        self._refused = auth_error(status, error, self.model, placeholder)
                    raise self._refused from None
                retryable = status == 429 or status >= 500 or status in _RETRY_STATUSES
                wait = retry_after_seconds(error.response.headers)  # 429 and 503 may say
                described = f"HTTP {status} ({_described(error)})"
                if status == 400:
                    param = getattr(error, "param", None)
                    if isinstance(param, str) and _IDENTIFIER.match(param):
                        described += unsupported_parameter_hint(param, self.request)
            except (openai.APITimeoutError, openai.APIConnectionError) as error:
                retryable, wait, described = True, None, type(error).__name__
            except json.JSONDecodeError:  # a 200 whose JSON content type hides another body
                retryable, wait, described = True, None, NOT_JSON
            except MalformedReplyError as error:
                retryable, wait, described = True, None, str(error)
            if not retryable or attempt >= self.retry.max_retries:
                tries = attempt + 1
                raise JudgeCallError(f"judge call failed after {tries} attempt(s): {described}")
            if wait is None:
                wait = self.retry.backoff(attempt, self._rng)
            logger.debug("judge call: %s; retrying in %.2f s", described, wait)
            self.retries += 1
            attempt += 1
            await asyncio.sleep(min(wait, self.retry.max_backoff_s))


_IDENTIFIER = re.compile(r"^[A-Za-z_][\w.-]{0,63}$")


def _described(error: Any) -> str:
    """The error's class plus the API's ``code`` and ``param`` where they are identifiers
    (``unsupported_parameter``, ``max_tokens``): they say what to change, and unlike the
    server's free-text message they cannot quote a key or a prompt."""
    parts = [type(error).__name__]
    for name in ("code", "param"):
        value = getattr(error, name, None)
        if isinstance(value, str) and _IDENTIFIER.match(value):
            parts.append(f"{name} {value}")
    return ", ".join(parts)


def _reply(response: Any, attempts: int) -> JudgeReply:
    text = completion_text(response)
    usage: dict[str, int] = {}
    if getattr(response, "usage", None) is not None:
        usage = {
            "prompt_tokens": int(response.usage.prompt_tokens or 0),
            "completion_tokens": int(response.usage.completion_tokens or 0),
            "total_tokens": int(response.usage.total_tokens or 0),
        }
    model = getattr(response, "model", None)
    return JudgeReply(text=text, model=str(model or ""), usage=usage, attempts=attempts)
