"""A local OpenAI-compatible chat server over real HTTP, for tests and benchmarks.

In a test, use it as a context manager; it runs an aiohttp server on its own event loop in
a background thread::

    with OpenAICompatibleServer(lambda body: "Rating: [[7]]", fault_rate=0.2) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test")
        ...
        assert len(server.requests) == ...

For benchmarks, run it as a separate process so it does not share the client's GIL::

    python -m tests.servers.openai_server --delay 0.25 --respond judge

prints ``READY <base_url>`` on stdout once it listens. ``GET /stats`` returns the request
count, the fault count and the wall-clock time (``time.time()``) of the first chat request.

Endpoints: ``POST /v1/chat/completions`` (non-streaming, with ``usage``), ``GET /v1/models``.
Faults, drawn at ``fault_rate`` from a seeded generator: 429, 500 and 503 in equal shares;
429 and 503 carry ``Retry-After`` when ``retry_after_s`` is given (500 never does).

Fault modes, chosen per test with ``fault_mode`` (for the first ``fault_count`` chat requests,
every request when ``None``); each is a way a real server or proxy has answered:

* ``html``: status 200 with an HTML page (a proxy's error page);
* ``not-json``: status 200, ``application/json``, a body that is not JSON;
* ``empty-content`` / ``null-content``: a completion whose message content is ``""`` / ``null``;
* ``no-choices``: a completion with ``"choices": []``;
* ``unauthorized`` / ``forbidden``: 401 / 403 with an OpenAI-style error body that quotes
  the key, as OpenAI's does (a client must never repeat it);
* ``slow``: the normal reply after ``slow_s`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

Responder = Callable[[dict], str]


class APIErrorReply(Exception):
    """Raised by a responder to answer with an OpenAI-style error body (``code``, ``param``)."""

    def __init__(
        self, status: int, message: str, code: str | None = None, param: str | None = None
    ):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param


_FAULT_STATUSES = (429, 500, 503)
FAULT_MODES: tuple[str, ...] = (
    "html",
    "not-json",
    "empty-content",
    "null-content",
    "no-choices",
    "unauthorized",
    "forbidden",
    "slow",
)
HTML_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def echo_respond(body: dict) -> str:
    """Default reply: the content of the last user message."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content", "")
            return content if isinstance(content, str) else json.dumps(content)
    return ""


class RawReply(Exception):
    """Raised by a responder to answer 200 with ``body`` as it is (not the chat JSON): what a
    proxy's error page or a broken server sends. See :func:`raw_reply_responder`."""

    def __init__(self, body: str, content_type: str) -> None:
        super().__init__(body[:40])
        self.body, self.content_type = body, content_type


def raw_reply_responder(kind: str, times: int | None = None) -> Responder:
    """A responder that answers the first ``times`` requests (all when None) with a malformed
    200 — ``"html"`` (an HTML page) or ``"not_json"`` (JSON cut short) — and echoes after."""
    sent = [0]

    def respond(body: dict) -> str:
        if times is None or sent[0] < times:
            sent[0] += 1
            if kind == "html":
                raise RawReply("<!DOCTYPE html><html><body>Bad gateway</body></html>", "text/html")
            raise RawReply('{"id": "chatcmpl-1", "choices": [', "application/json")
        return echo_respond(body)

    return respond


class JudgeResponder:
    """A judge-like reply: a verdict for pairwise prompts (they name ``[[A]]``), else a rating.

    The rating is derived from the prompt text, so it is stable for one prompt and varies
    across prompts (1-10). A pairwise verdict is consistent across the two answer orders, as
    a real judge's mostly is: the two games of a pair hold the same lines in another order,
    so the first game seen picks a verdict from those lines and the other game gets its
    mirror (``A`` <-> ``B``); ``[[D]]`` is among the choices where the prompt offers it.

    For demos of the report, two knobs (both off by default) make it judge-like in the ways a
    report measures, deterministically per ``seed``: ``position_bias``, the share of pairs whose
    second game repeats the first game's letter (favouring a position) instead of mirroring it;
    ``rating_noise``, a shift of up to that many points per rating (run-to-run noise).
    """

    def __init__(self, position_bias: float = 0.0, rating_noise: int = 0, seed: int = 0) -> None:
        self._first_game: dict[tuple[str, ...], tuple[str, str]] = {}
        self.position_bias = position_bias
        self.rating_noise = rating_noise
        self.seed = seed

    def _draw(self, text: str) -> int:
        digest = hashlib.sha256(f"{self.seed}\n{text}".encode()).digest()
        return int.from_bytes(digest[:4], "big")

    def __call__(self, body: dict) -> str:
        messages = body.get("messages", [])
        text = "\n".join(str(m.get("content", "")) for m in messages)
        if "[[A]]" not in text:
            score = 1 + len(text) % 10
            if self.rating_noise:
                shift = self._draw(text) % (2 * self.rating_noise + 1) - self.rating_noise
                score = min(10, max(1, score + shift))
            return f"The answer is adequate. Rating: [[{score}]]"
        user = str(messages[-1].get("content", "")) if messages else ""
        pair = (*sorted(user.splitlines()), str(messages[0].get("content", "")))
        first = self._first_game.setdefault(pair, (user, self._pick(pair, text)))
        verdict = first[1] if first[0] == user else {"A": "B", "B": "A"}.get(first[1], first[1])
        biased = self._draw("\n".join(pair)) % 1000 < self.position_bias * 1000
        if first[0] != user and biased:
            verdict = first[1]  # the same letter again: the same position wins
        return f"Both answers were compared. Final verdict: [[{verdict}]]"

    @staticmethod
    def _pick(pair: tuple[str, ...], text: str) -> str:
        choices = "ABCD" if "[[D]]" in text else "ABC"
        digest = hashlib.sha256("\n".join(pair).encode("utf-8")).digest()
        return choices[digest[0] % len(choices)]


#: Responder factories by ``--respond`` name (a judge keeps state per server).
RESPONDERS: dict[str, Callable[[], Responder]] = {
    "echo": lambda: echo_respond,
    "judge": JudgeResponder,
}


def _count_tokens(text: str) -> int:
    return max(1, len(re.findall(r"\w+|[^\w\s]", text)))


class OpenAICompatibleServer:
    """A chat-completions server on ``127.0.0.1:<free port>``; see the module docstring."""

    def __init__(
        self,
        respond: Responder | None = None,
        *,
        delay_s: float = 0.0,
        fault_rate: float = 0.0,
        retry_after_s: float | None = None,
        seed: int = 0,
        model: str = "test-model",
        fault_mode: str | None = None,
        fault_count: int | None = None,
        slow_s: float = 5.0,
    ) -> None:
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError(f"fault_rate must lie in [0, 1], got {fault_rate}")
        if fault_mode is not None and fault_mode not in FAULT_MODES:
            raise ValueError(f"fault_mode {fault_mode!r}: expected one of {FAULT_MODES}")
        self.fault_mode = fault_mode
        self.fault_count = fault_count
        self.slow_s = slow_s
        #: Requests answered with ``fault_mode`` so far.
        self.mode_faults = 0
        self.respond: Responder = respond or echo_respond
        self.delay_s = delay_s
        self.fault_rate = fault_rate
        self.retry_after_s = retry_after_s
        self.model = model
        self.requests: list[dict] = []
        self.faults = 0
        self.first_request_at: float | None = None
        self.base_url = ""
        self._rng = random.Random(seed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ids = 0

    # -- HTTP handlers -------------------------------------------------------------------
    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/stats", self._stats)
        return app

    async def _chat(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "request body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return _error(400, "expected a JSON object with a 'messages' list")
        if self.first_request_at is None:
            self.first_request_at = time.time()
        self.requests.append(body)
        if self.delay_s > 0:
            await asyncio.sleep(self.delay_s)
        mode = self._next_fault_mode()
        if mode == "slow":
            await asyncio.sleep(self.slow_s)
        elif mode is not None:
            return self._fault_reply(mode, body, request)
        if self.fault_rate > 0 and self._rng.random() < self.fault_rate:
            self.faults += 1
            status = self._rng.choice(_FAULT_STATUSES)
            headers = {}
            if status in (429, 503) and self.retry_after_s is not None:
                headers["Retry-After"] = f"{self.retry_after_s:g}"
            return _error(status, f"injected fault {status}", headers=headers)
        try:
            content = self.respond(body)
        except RawReply as raw:
            return web.Response(status=200, text=raw.body, content_type=raw.content_type)
        except APIErrorReply as error:
            return _error(error.status, error.message, code=error.code, param=error.param)
        except Exception as error:  # a test's responder failing is a server error
            return _error(500, f"responder failed: {error!r}")
        return web.json_response(self._completion(body, content))

    def _next_fault_mode(self) -> str | None:
        if self.fault_mode is None:
            return None
        if self.fault_count is not None and self.mode_faults >= self.fault_count:
            return None
        self.mode_faults += 1
        return self.fault_mode

    def _fault_reply(self, mode: str, body: dict, request: web.Request) -> web.Response:
        if mode == "html":
            return web.Response(text=HTML_PAGE, content_type="text/html")
        if mode == "not-json":
            return web.Response(text="upstream closed the stream", content_type="application/json")
        if mode in ("unauthorized", "forbidden"):
            status = 401 if mode == "unauthorized" else 403
            key = request.headers.get("Authorization", "").removeprefix("Bearer ")
            return _error(status, f"Incorrect API key provided: {key}", code="invalid_api_key")
        payload = self._completion(body, "")
        if mode == "null-content":
            payload["choices"][0]["message"]["content"] = None
        elif mode == "no-choices":
            payload["choices"] = []
        return web.json_response(payload)

    def _completion(self, body: dict, content: str) -> dict[str, Any]:
        prompt_text = "\n".join(str(m.get("content", "")) for m in body["messages"])
        prompt_tokens = _count_tokens(prompt_text)
        completion_tokens = _count_tokens(content)
        self._ids += 1
        payload = {
            "id": f"chatcmpl-{self._ids}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        return payload

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "object": "list",
                "data": [{"id": self.model, "object": "model", "created": 0, "owned_by": "test"}],
            }
        )

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "requests": len(self.requests),
                "faults": self.faults,
                "first_request_at": self.first_request_at,
            }
        )

    # -- life cycle ----------------------------------------------------------------------
    async def _start(self, host: str, port: int) -> int:
        self._runner = web.AppRunner(self._make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=1024)
        await site.start()
        server = site._server  # the asyncio server: read back the port chosen by the OS
        return server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def start(self) -> OpenAICompatibleServer:
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                port = loop.run_until_complete(self._start("127.0.0.1", 0))
                self.base_url = f"http://127.0.0.1:{port}/v1"
            except BaseException as error:
                failure.append(error)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())  # type: ignore[union-attr]
            loop.close()

        self._thread = threading.Thread(target=run, name="openai-test-server", daemon=True)
        self._thread.start()
        started.wait(timeout=30)
        if failure:
            raise RuntimeError(f"test server failed to start: {failure[0]!r}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._thread = None
            self._loop = None

    def __enter__(self) -> OpenAICompatibleServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _error(
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    code: str | int | None = None,
    param: str | None = None,
) -> web.Response:
    error: dict[str, Any] = {
        "message": message,
        "type": "server_error" if status >= 500 else "invalid_request_error",
        "code": status if code is None else code,
        "param": param,
    }
    return web.json_response({"error": error}, status=status, headers=headers)


def main(argv: list[str] | None = None) -> None:
    """Run the server in the foreground (for benchmarks: a process of its own)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each reply")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--retry-after", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default="test-model")
    parser.add_argument("--respond", choices=sorted(RESPONDERS), default="judge")
    parser.add_argument("--fault-mode", choices=FAULT_MODES, default=None)
    parser.add_argument("--fault-count", type=int, default=None)
    parser.add_argument("--slow", type=float, default=5.0, help="seconds of a 'slow' reply")
    parser.add_argument(
        "--position-bias", type=float, default=0.0, help="judge: share of position-biased pairs"
    )
    parser.add_argument("--rating-noise", type=int, default=0, help="judge: +- points per rating")
    args = parser.parse_args(argv)
    responder = (
        JudgeResponder(args.position_bias, args.rating_noise, args.seed)
        if args.respond == "judge"
        else RESPONDERS[args.respond]()
    )
    server = OpenAICompatibleServer(
        responder,
        delay_s=args.delay,
        fault_rate=args.fault_rate,
        retry_after_s=args.retry_after,
        seed=args.seed,
        model=args.model,
        fault_mode=args.fault_mode,
        fault_count=args.fault_count,
        slow_s=args.slow,
    )
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    port = loop.run_until_complete(server._start("127.0.0.1", args.port))
    server.base_url = f"http://127.0.0.1:{port}/v1"
    print(f"READY {server.base_url}", flush=True)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        loop.run_until_complete(server._runner.cleanup())  # type: ignore[union-attr]
        loop.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
