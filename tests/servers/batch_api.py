"""The Files and Batch endpoints of the test OpenAI-compatible server.

* ``POST /v1/files`` (multipart, ``purpose=batch``) stores a file; ``GET /v1/files/{id}``
  describes it, ``GET /v1/files/{id}/content`` returns its bytes;
* ``POST /v1/batches`` creates a batch from an uploaded JSONL of ``/v1/chat/completions``
  requests (``metadata`` kept as given); ``GET /v1/batches/{id}`` returns it;
  ``GET /v1/batches`` lists batches newest first (``limit``, ``after``, ``has_more``).

A batch is ``validating`` when created, ``in_progress`` from its first retrieval on, and
``completed`` after ``polls_to_finish`` retrievals, unless ``hold`` is set (then it stays
in progress, for a test that kills a client while it polls). On completion every line is
answered by the server's responder as a chat call would be; lines for which ``fail_line``
returns true go to the error file instead (status 500, as a line the batch could not run).
Limits, as the real endpoint has them: ``max_requests`` lines per batch, ``max_file_bytes``
per file; past them the create or upload is refused with a 400.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.servers.openai_server import OpenAICompatibleServer


@dataclass
class BatchAPIOptions:
    polls_to_finish: int = 2
    hold: bool = False
    fail_line: Callable[[dict], bool] | None = None
    max_requests: int = 50_000
    max_file_bytes: int = 200 * 1024 * 1024


class BatchAPI:
    """Files and batches kept in memory by one test server."""

    def __init__(self, server: OpenAICompatibleServer, options: BatchAPIOptions) -> None:
        self.server = server
        self.options = options
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.creates = 0
        #: ("create" | "complete", batch id) in the order they happened
        self.events: list[tuple[str, str]] = []
        #: request bodies of batch lines run (chat calls are in ``server.requests``)
        self.lines_run: list[dict] = []
        self._polls: dict[str, int] = {}
        self._ids = 0

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/files", self._upload)
        app.router.add_get("/v1/files/{file_id}", self._file)
        app.router.add_get("/v1/files/{file_id}/content", self._content)
        app.router.add_post("/v1/batches", self._create)
        app.router.add_get("/v1/batches", self._list)
        app.router.add_get("/v1/batches/{batch_id}", self._retrieve)

    def _new_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}-{self._ids}"

    def _store(self, data: bytes, filename: str, purpose: str) -> dict[str, Any]:
        file_id = self._new_id("file")
        record = {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
        }
        self.files[file_id] = record
        self.contents[file_id] = data
        return record

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file")
        if upload is None or not hasattr(upload, "file"):
            return _error(400, "expected a multipart 'file' field", "file")
        data = upload.file.read()
        if len(data) > self.options.max_file_bytes:
            return _error(400, f"file of {len(data)} bytes is over the limit", "file")
        record = self._store(data, str(upload.filename), str(form.get("purpose", "")))
        return web.json_response(record)

    async def _file(self, request: web.Request) -> web.Response:
        record = self.files.get(request.match_info["file_id"])
        if record is None:
            return _error(404, "no such file", "file_id")
        return web.json_response(record)

    async def _content(self, request: web.Request) -> web.Response:
        data = self.contents.get(request.match_info["file_id"])
        if data is None:
            return _error(404, "no such file", "file_id")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        file_id = body.get("input_file_id")
        if file_id not in self.contents:
            return _error(400, "no such input file", "input_file_id")
        lines = [line for line in self.contents[file_id].splitlines() if line.strip()]
        if len(lines) > self.options.max_requests:
            return _error(400, f"{len(lines)} requests is over the limit", "input_file_id")
        self.creates += 1
        batch_id = self._new_id("batch")
        self.events.append(("create", batch_id))
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body.get("endpoint"),
            "input_file_id": file_id,
            "completion_window": body.get("completion_window"),
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": int(time.time()),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "metadata": body.get("metadata"),
            "errors": None,
        }
        return web.json_response(self.batches[batch_id])

    async def _retrieve(self, request: web.Request) -> web.Response:
        batch = self.batches.get(request.match_info["batch_id"])
        if batch is None:
            return _error(404, "no such batch", "batch_id")
        if batch["status"] in ("validating", "in_progress") and not self.options.hold:
            polls = self._polls.get(batch["id"], 0) + 1
            self._polls[batch["id"]] = polls
            batch["status"] = "in_progress"
            if polls >= self.options.polls_to_finish:
                self._finish(batch)
        return web.json_response(batch)

    async def _list(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "20"))
        after = request.query.get("after")
        ordered = sorted(self.batches.values(), key=lambda b: int(b["id"].split("-")[1]))[::-1]
        if after is not None:
            ids = [batch["id"] for batch in ordered]
            ordered = ordered[ids.index(after) + 1 :] if after in ids else []
        page = ordered[:limit]
        return web.json_response(
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(ordered) > limit,
            }
        )

    def _finish(self, batch: dict[str, Any]) -> None:
        outputs: list[str] = []
        errors: list[str] = []
        for raw in self.contents[batch["input_file_id"]].splitlines():
            if not raw.strip():
                continue
            line = json.loads(raw)
            body = line["body"]
            self.lines_run.append(body)
            fail = self.options.fail_line
            if fail is not None and fail(body):
                errors.append(
                    json.dumps(
                        {
                            "id": self._new_id("batch_req"),
                            "custom_id": line["custom_id"],
                            "response": {
                                "status_code": 500,
                                "request_id": self._new_id("req"),
                                "body": {"error": {"message": "line failed", "type": "server"}},
                            },
                            "error": None,
                        }
                    )
                )
                continue
            outputs.append(
                json.dumps(
                    {
                        "id": self._new_id("batch_req"),
                        "custom_id": line["custom_id"],
                        "response": {
                            "status_code": 200,
                            "request_id": self._new_id("req"),
                            "body": self._completion(body),
                        },
                        "error": None,
                    }
                )
            )
        batch["status"] = "completed"
        self.events.append(("complete", batch["id"]))
        batch["request_counts"] = {
            "total": len(outputs) + len(errors),
            "completed": len(outputs),
            "failed": len(errors),
        }
        if outputs:
            name = f"{batch['id']}_output.jsonl"
            batch["output_file_id"] = self._store(
                ("\n".join(outputs) + "\n").encode(), name, "batch_output"
            )["id"]
        if errors:
            name = f"{batch['id']}_error.jsonl"
            batch["error_file_id"] = self._store(
                ("\n".join(errors) + "\n").encode(), name, "batch_output"
            )["id"]

    def _completion(self, body: dict) -> dict[str, Any]:
        from tests.servers.openai_server import _count_tokens

        content = self.server.respond(body)
        prompt_tokens = _count_tokens(
            "\n".join(str(m.get("content", "")) for m in body["messages"])
        )
        completion_tokens = _count_tokens(content)
        payload: dict[str, Any] = {
            "id": self._new_id("chatcmpl"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.server.model,
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
        if self.server.reply_hook is not None:
            self.server.reply_hook(body, payload)
        return payload


def _error(status: int, message: str, param: str) -> web.Response:
    error = {"message": message, "type": "invalid_request_error", "code": None, "param": param}
    return web.json_response({"error": error}, status=status)
