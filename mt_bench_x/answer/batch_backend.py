"""``mt-bench-x answer --backend openai --batch``: each generate call as one Batch API job.

The answer loop asks a backend for one turn of a group of questions at a time
(:func:`mt_bench_x.answer.run._two_turns`); here that call becomes a batch: its requests
(the same bodies as :class:`~mt_bench_x.answer.backends.OpenAIBackend` sends) are uploaded
to ``/v1/files``, a batch is created at ``/v1/batches`` and polled until it ends, and the
replies are read from its output file in request order. A request the batch did not answer
(error file, non-200 line, empty reply) is sent online.

Never twice: before the batch is created, a state file named after a hash of the requests is
written to ``--batch-state-dir`` (``<data-dir>/.answer-batches``), and the batch id is added
as soon as it is known. A killed run asks for the same requests again (turn 1 of unanswered
questions, then turn 2 built from the same turn-1 replies), finds the state and resumes that
batch; a state without an id is looked up by its tag in the batches' ``metadata``. The state
file is removed once the replies are read. Use a large ``--batch-size`` so that a language
is a few batches, not many.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from mt_bench_x.answer.backends import GREEDY_BELOW, AnswerBackendError, Conversation, OpenAIBackend
from mt_bench_x.formats.jsonl import write_lines_atomic

logger = logging.getLogger(__name__)

ENDPOINT: Final = "/v1/chat/completions"
TAG_KEY = "mt_bench_x_answer"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


class OpenAIBatchBackend:
    """Answers through the Batch API of the server ``online`` talks to."""

    def __init__(
        self,
        online: OpenAIBackend,
        state_dir: Path,
        *,
        poll_s: float = 30.0,
        completion_window: str = "24h",
    ) -> None:
        self.online = online
        self.client = online.client
        self.model = online.model
        self.state_dir = Path(state_dir)
        self.poll_s = poll_s
        self.completion_window = completion_window

    def generate(
        self, conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int
    ) -> list[str]:
        bodies = [
            {
                "model": self.model,
                "messages": list(conversation),
                "temperature": 0.0 if temperature < GREEDY_BELOW else temperature,
                "max_tokens": max_new_tokens,
            }
            for conversation in conversations
        ]
        text = json.dumps(bodies, ensure_ascii=False, sort_keys=True)
        tag = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
        state_file = self.state_dir / f"{tag}.json"
        batch_id = self._submitted(state_file, tag, bodies)
        batch = self._wait(batch_id)
        replies = self._replies(batch)
        texts = []
        for index, conversation in enumerate(conversations):
            reply = replies.get(f"req-{index}")
            if reply is None:  # not answered by the batch: ask online
                reply = self.online._one(conversation, temperature, max_new_tokens)
            texts.append(reply)
        state_file.unlink(missing_ok=True)
        return texts

    def _submitted(self, state_file: Path, tag: str, bodies: list[dict[str, Any]]) -> str:
        """The batch id of these requests: recorded, found by tag, or newly created."""
        if state_file.is_file():
            state = json.loads(state_file.read_text(encoding="utf-8"))
            if state.get("batch_id"):
                return str(state["batch_id"])
            for batch in self.client.batches.list(limit=100):
                if (batch.metadata or {}).get(TAG_KEY) == tag:
                    self._save(state_file, tag, str(batch.id))
                    return str(batch.id)
        self._save(state_file, tag, None)  # the intent, before anything is created
        lines = [
            json.dumps(
                {"custom_id": f"req-{i}", "method": "POST", "url": ENDPOINT, "body": body},
                ensure_ascii=False,
            )
            for i, body in enumerate(bodies)
        ]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        uploaded = self.client.files.create(
            file=(f"{tag}.jsonl", data, "application/jsonl"), purpose="batch"
        )
        created = self.client.batches.create(
            input_file_id=uploaded.id,
            endpoint=ENDPOINT,
            completion_window=self.completion_window,  # type: ignore[arg-type]  # "24h" only today
            metadata={TAG_KEY: tag},
        )
        self._save(state_file, tag, str(created.id))
        return str(created.id)

    def _save(self, state_file: Path, tag: str, batch_id: str | None) -> None:
        write_lines_atomic(state_file, [json.dumps({"tag": tag, "batch_id": batch_id})])

    def _wait(self, batch_id: str) -> Any:
        while True:
            batch = self.client.batches.retrieve(batch_id)
            counts = batch.request_counts
            if counts is not None:
                logger.info(
                    "batch %s: %s, %d/%d done",
                    batch_id,
                    batch.status,
                    (counts.completed or 0) + (counts.failed or 0),
                    counts.total or 0,
                )
            if batch.status in TERMINAL:
                if batch.status == "failed":
                    raise AnswerBackendError(
                        f"answer batch {batch_id} failed as a whole; finished questions are "
                        "saved, run again to submit a new one"
                    )
                return batch
            time.sleep(self.poll_s)

    def _replies(self, batch: Any) -> dict[str, str]:
        if not batch.output_file_id:
            return {}
        content = self.client.files.content(batch.output_file_id)
        replies: dict[str, str] = {}
        for raw in content.text.splitlines():
            if not raw.strip():
                continue
            line = json.loads(raw)
            response = line.get("response") or {}
            if line.get("error") or response.get("status_code") != 200:
                continue
            choices = (response.get("body") or {}).get("choices") or []
            text = (choices[0].get("message") or {}).get("content") if choices else None
            if isinstance(text, str) and text.strip():
                replies[str(line["custom_id"])] = text.strip()
        return replies
