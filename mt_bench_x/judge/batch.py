"""``mt-bench-x judge --batch``: the pending calls through the Batch API, at the batch price.

Per judgment file (one language):

1. The calls still needed (matches without a current judgment, see
   :mod:`mt_bench_x.judge.currency`; both games of a pairwise match) are
   written as Batch API request lines, ``custom_id`` = a hash of the request's messages, and
   split into parts that respect the endpoint's limits (requests and bytes per file).
2. Intent on disk before anything is created: the part files and a state file
   (``model_judgment/.<stem>.batch/``: ``state.json``, ``part-<i>.jsonl``) with a tag of
   the run. Each part is uploaded (``/v1/files``) and created (``/v1/batches``, tagged in its
   ``metadata``); the batch id is recorded as soon as it is known.
3. A run that finds a state file resumes it: a part without a recorded batch id is first
   looked up by its tag among the account's batches created since the intent was written
   (newest first), and created only when none has it. A batch is never submitted twice.
4. Poll every part (one progress line) until it ends; download the output and error files.
5. Write the judgments with the online runner (:func:`mt_bench_x.judge.runner.judge_matches`),
   whose judge answers each call from the batch output; a call the batch did not answer
   (a failed line, an expired batch, an empty reply) is sent online. So the judgment lines
   are exactly the online ones. The state folder is removed when every match is written.

Costs: lines answered by the batch are priced at the table's batch discount, calls sent
online at the full price; each gets its ledger line (``mode`` ``batch`` / ``online``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mt_bench_x.formats.errors import JudgeOptionError, MTBenchXError
from mt_bench_x.formats.jsonl import write_lines_atomic
from mt_bench_x.judge.client import JudgeClient, JudgeReply, resolve_api_key
from mt_bench_x.judge.cost import LedgerEntry, append_ledger
from mt_bench_x.judge.currency import TodayInputs, finished_keys
from mt_bench_x.judge.execute import CallOptions, judge_plans, make_budget, make_client
from mt_bench_x.judge.plan import LanguagePlan
from mt_bench_x.judge.selection import JudgeRun
from mt_bench_x.judge.truncation import estimate_tokens

logger = logging.getLogger(__name__)

ENDPOINT = "/v1/chat/completions"
TAG_KEY = "mt_bench_x_tag"
PART_KEY = "mt_bench_x_part"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


class BatchError(MTBenchXError):
    """A batch that cannot be used (refused by the API, or failed as a whole)."""


@dataclass(frozen=True)
class BatchOptions:
    """How batches are made and watched. Limits default to OpenAI's (50,000 requests and
    200 MB per input file), bytes with a margin."""

    poll_s: float = 30.0
    max_requests: int = 50_000
    max_bytes: int = 190 * 1024 * 1024
    completion_window: str = "24h"


def custom_id(messages: list[dict[str, str]]) -> str:
    """The id of a request in a batch: a hash of its messages (the same call, the same id)."""
    text = json.dumps(messages, ensure_ascii=False, sort_keys=True)
    return "mtbx-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def pending_requests(
    plan: LanguagePlan, judge_model: str, run: int, options: CallOptions
) -> list[str]:
    """The Batch API request lines of the calls the plan still needs (one per distinct call)."""
    from mt_bench_x.judge.calls import build_call

    done, _ = finished_keys(plan.output, TodayInputs.from_matches(plan.matches, plan.reference_set))
    lines: dict[str, str] = {}
    for match in plan.matches:
        if match.key(run) in done:
            continue
        for order in match.games():
            call = build_call(
                match,
                order,
                max_context_tokens=options.max_context_tokens,
                max_output_tokens=options.request.max_output_tokens,
            )
            cid = custom_id(call.messages)
            body = options.request.body(judge_model, call.messages)
            lines[cid] = json.dumps(
                {"custom_id": cid, "method": "POST", "url": ENDPOINT, "body": body},
                ensure_ascii=False,
            )
    return list(lines.values())


def split_parts(lines: list[str], max_requests: int, max_bytes: int) -> list[list[str]]:
    """Consecutive parts of at most ``max_requests`` lines and ``max_bytes`` bytes each."""
    parts: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        length = len(line.encode("utf-8")) + 1
        if length > max_bytes:
            raise BatchError(f"one batch request of {length} bytes is over the {max_bytes} limit")
        if current and (len(current) >= max_requests or size + length > max_bytes):
            parts.append(current)
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        parts.append(current)
    return parts


def state_dir(judgment_file: Path) -> Path:
    return judgment_file.with_name(f".{judgment_file.stem}.batch")


@dataclass
class Part:
    index: int
    requests: int
    input_file_id: str | None = None
    batch_id: str | None = None
    status: str = "not created"
    done: int = 0

    def record(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "requests": self.requests,
            "input_file_id": self.input_file_id,
            "batch_id": self.batch_id,
        }


@dataclass
class PlanBatches:
    """The batches of one judgment file and what they answered."""

    plan: LanguagePlan
    folder: Path
    tag: str
    parts: list[Part]
    #: when the intent was written (unix seconds): batches older than that are not ours
    created_at: int = 0
    #: read from disk: a part without a batch id may have been created by the killed run
    resumed: bool = False
    replies: dict[str, JudgeReply] = field(default_factory=dict)
    failed_lines: int = 0

    @property
    def state_file(self) -> Path:
        return self.folder / "state.json"

    def part_file(self, index: int) -> Path:
        return self.folder / f"part-{index}.jsonl"

    def save(self) -> None:
        state = {
            "tag": self.tag,
            "created_at": self.created_at,
            "parts": [part.record() for part in self.parts],
        }
        write_lines_atomic(self.state_file, [json.dumps(state)])

    @classmethod
    def load(cls, plan: LanguagePlan) -> PlanBatches | None:
        folder = state_dir(plan.output)
        path = folder / "state.json"
        if not path.is_file():
            return None
        state = json.loads(path.read_text(encoding="utf-8"))
        parts = [
            Part(p["index"], p["requests"], p.get("input_file_id"), p.get("batch_id"))
            for p in state["parts"]
        ]
        created = int(state.get("created_at", 0))
        return cls(plan, folder, str(state["tag"]), parts, created, resumed=True)

    @classmethod
    def create(cls, plan: LanguagePlan, parts: list[list[str]]) -> PlanBatches:
        folder = state_dir(plan.output)
        folder.mkdir(parents=True, exist_ok=True)
        numbered = [Part(i, len(p)) for i, p in enumerate(parts)]
        made = cls(plan, folder, uuid.uuid4().hex, numbered, int(time.time()))
        for index, lines in enumerate(parts):
            write_lines_atomic(made.part_file(index), lines)
        made.save()  # the intent: written before any batch exists
        return made


#: Clock skew allowed between this machine and the API when listing batches by age.
_SKEW_S = 3600


async def _find_by_tag(sdk: Any, tag: str, index: int, since: int) -> str | None:
    """The batch with this run's tag and part, among those created since ``since`` (the
    list comes newest first, so the search stops at the first older one)."""
    async for batch in sdk.batches.list(limit=100):
        if int(batch.created_at or 0) < since - _SKEW_S:
            return None
        metadata = batch.metadata or {}
        if metadata.get(TAG_KEY) == tag and metadata.get(PART_KEY) == str(index):
            return str(batch.id)
    return None


async def submit(sdk: Any, batches: PlanBatches, options: BatchOptions) -> None:
    """Upload and create every part without a batch; look each up by its tag first."""
    for part in batches.parts:
        if part.batch_id is not None:
            continue
        found = None
        if batches.resumed:  # a create of the killed run may have gone through
            found = await _find_by_tag(sdk, batches.tag, part.index, batches.created_at)
        if found is not None:
            part.batch_id = found
            batches.save()
            continue
        if part.input_file_id is None:
            path = batches.part_file(part.index)
            uploaded = await sdk.files.create(
                file=(path.name, path.read_bytes(), "application/jsonl"), purpose="batch"
            )
            part.input_file_id = str(uploaded.id)
            batches.save()
        created = await sdk.batches.create(
            input_file_id=part.input_file_id,
            endpoint=ENDPOINT,
            completion_window=options.completion_window,
            metadata={TAG_KEY: batches.tag, PART_KEY: str(part.index)},
        )
        part.batch_id = str(created.id)
        batches.save()
        logger.info("%s: batch %s created", batches.plan.output, part.batch_id)


async def poll(
    sdk: Any, all_batches: list[PlanBatches], options: BatchOptions, bar: Any
) -> list[Any]:
    """Retrieve every part until each has ended; the batches' final objects."""
    parts = [(batches, part) for batches in all_batches for part in batches.parts]
    final: dict[str, Any] = {}
    while True:
        for _, part in parts:
            if part.batch_id in final:
                continue
            batch = await sdk.batches.retrieve(part.batch_id)
            part.status = str(batch.status)
            counts = batch.request_counts
            part.done = (
                0 if counts is None else int(counts.completed or 0) + int(counts.failed or 0)
            )
            if part.status in TERMINAL:
                final[str(part.batch_id)] = batch
        bar.n = sum(part.done for _, part in parts)
        statuses = sorted({part.status for _, part in parts})
        bar.set_postfix_str(", ".join(statuses), refresh=False)
        bar.refresh()
        if len(final) == len(parts):
            return [final[str(part.batch_id)] for _, part in parts]
        await asyncio.sleep(options.poll_s)


async def _file_lines(sdk: Any, file_id: str | None) -> list[dict[str, Any]]:
    if not file_id:
        return []
    content = await sdk.files.content(file_id)
    text = content.text if hasattr(content, "text") else bytes(content).decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def reply_of(line: dict[str, Any]) -> JudgeReply | None:
    """The judge reply of one output line, or None for a line that did not answer."""
    response = line.get("response") or {}
    body = response.get("body") or {}
    if line.get("error") or response.get("status_code") != 200:
        return None
    choices = body.get("choices") or []
    if not choices:
        return None
    content = (choices[0].get("message") or {}).get("content")
    if not isinstance(content, str) or not content.strip():
        return None  # a cut-off reasoning reply or an empty one: judged again online
    usage = body.get("usage") or {}
    return JudgeReply(
        text=content,
        model=str(body.get("model") or ""),
        usage={
            name: int(usage.get(name) or 0)
            for name in ("prompt_tokens", "completion_tokens", "total_tokens")
        },
        attempts=1,
    )


async def collect(sdk: Any, batches: PlanBatches, finals: list[Any]) -> None:
    """Download the output and error files of the plan's batches into ``batches.replies``."""
    for batch in finals:
        if batch.status == "failed":
            errors = getattr(batch, "errors", None)
            described = "; ".join(
                f"{e.code}: {e.message}" for e in (getattr(errors, "data", None) or [])
            )
            shutil.rmtree(batches.folder, ignore_errors=True)  # a dead batch: start afresh
            raise BatchError(
                f"batch {batch.id} for {batches.plan.output} failed as a whole"
                + (f" ({described})" if described else "")
                + "; run again to submit a new one"
            )
        for line in await _file_lines(sdk, batch.output_file_id):
            reply = reply_of(line)
            if reply is None:
                batches.failed_lines += 1
            else:
                batches.replies[str(line["custom_id"])] = reply
        batches.failed_lines += len(await _file_lines(sdk, batch.error_file_id))


class BatchedJudge:
    """A judge that answers from a batch's output and sends the rest online."""

    def __init__(self, model: str, replies: dict[str, JudgeReply], online: JudgeClient) -> None:
        self.model = model
        self.replies = replies
        self.online = online
        self.batch_usage: dict[str, int] = {}
        self.batch_calls = 0
        self.online_usage: dict[str, int] = {}
        self.online_calls = 0

    async def complete(self, messages: list[dict[str, str]]) -> JudgeReply:
        reply = self.replies.get(custom_id(messages))
        if reply is not None:
            self.batch_calls += 1
            _add(self.batch_usage, reply.usage)
            return reply
        self.online_calls += 1
        reply = await self.online.complete(messages)
        _add(self.online_usage, reply.usage)
        return reply


def _add(total: dict[str, int], usage: dict[str, int]) -> None:
    for name, value in usage.items():
        total[name] = total.get(name, 0) + value


@dataclass(frozen=True)
class BatchRunResult:
    stats: list[Any]
    ledger: list[LedgerEntry]
    batches: list[PlanBatches]


def _check_budget(options: CallOptions, lines: int, worst: float) -> None:
    if options.max_cost is not None and worst > options.max_cost:
        raise JudgeOptionError(
            f"--max-cost {options.max_cost:g} USD: the batches of {lines} requests could cost "
            f"up to ${worst:.2f} at the batch price; raise --max-cost or judge fewer (--first-n)"
        )


async def _submit_all(
    sdk: Any,
    run: JudgeRun,
    options: CallOptions,
    batch_options: BatchOptions,
    batch_factor: float,
) -> tuple[list[PlanBatches], float]:
    """Every plan's batches submitted (resumed where a state exists); the worst case, at the
    batch price, of the batches made now (all languages together against ``--max-cost``)."""
    job = run.job
    made: list[tuple[LanguagePlan, list[list[str]]]] = []
    worst = 0.0
    requests = 0
    for plan in run.plans:
        if PlanBatches.load(plan) is not None:
            continue
        lines = pending_requests(plan, job.judge_model, job.run, options)
        if not lines:
            continue
        if options.price is not None:
            tokens = sum(estimate_tokens(line) for line in lines)
            reply = len(lines) * options.request.max_output_tokens
            worst += options.price.cost(tokens, reply, batch=batch_factor)
        requests += len(lines)
        made.append((plan, split_parts(lines, batch_options.max_requests, batch_options.max_bytes)))
    _check_budget(options, requests, worst)  # before anything is written or created
    for plan, parts in made:
        PlanBatches.create(plan, parts)
    all_batches = []
    for plan in run.plans:
        batches = PlanBatches.load(plan)
        if batches is None:
            continue
        await submit(sdk, batches, batch_options)
        all_batches.append(batches)
    return all_batches, worst


def _sdk(options: CallOptions) -> Any:
    import openai

    return openai.AsyncOpenAI(
        api_key=resolve_api_key(options.base_url), base_url=options.base_url, max_retries=5
    )


def submit_run_batches(
    run: JudgeRun, options: CallOptions, batch_options: BatchOptions, batch_factor: float
) -> tuple[int, float]:
    """Submit without waiting (a panel submits every judge's batches before polling any):
    the number of batches and the worst case of those made now."""
    make_budget(run.job.judge_model, options)  # --max-cost needs a price

    async def main() -> tuple[int, float]:
        sdk = _sdk(options)
        try:
            all_batches, worst = await _submit_all(sdk, run, options, batch_options, batch_factor)
        finally:
            await sdk.close()
        return sum(len(batches.parts) for batches in all_batches), worst

    return asyncio.run(main())


def judge_run_batch(
    run: JudgeRun, options: CallOptions, batch_options: BatchOptions, batch_factor: float
) -> BatchRunResult:
    """Judge every plan's pending matches through the Batch API (see the module docstring)."""
    from tqdm import tqdm

    job = run.job
    budget = make_budget(job.judge_model, options)

    async def main() -> BatchRunResult:
        sdk = _sdk(options)
        all_batches: list[PlanBatches] = []
        try:
            all_batches, _ = await _submit_all(sdk, run, options, batch_options, batch_factor)
            if all_batches:
                total = sum(part.requests for b in all_batches for part in b.parts)
                bar = tqdm(total=total, desc="batch", disable=not options.progress)
                try:
                    finals = await poll(sdk, all_batches, batch_options, bar)
                finally:
                    bar.close()
                position = 0
                for batches in all_batches:
                    count = len(batches.parts)
                    await collect(sdk, batches, finals[position : position + count])
                    position += count
        finally:
            await sdk.close()
        by_output = {b.plan.output: b for b in all_batches}
        async with make_client(job.judge_model, options, budget) as client:
            judges = [
                BatchedJudge(
                    job.judge_model,
                    by_output[plan.output].replies if plan.output in by_output else {},
                    client,
                )
                for plan in run.plans
            ]
            stats = await judge_plans(run, options, judges)
        ledger = []
        for plan, judge, stat in zip(run.plans, judges, stats, strict=True):
            for mode, calls, usage, factor in (
                ("batch", judge.batch_calls, judge.batch_usage, batch_factor),
                ("online", judge.online_calls, judge.online_usage, 1.0),
            ):
                if calls == 0 and not (mode == "online" and stat.not_sent_for_budget):
                    continue
                entry = LedgerEntry(
                    judgment_file=plan.output,
                    judge_model=job.judge_model,
                    mode=mode,
                    calls=calls,
                    prompt_tokens=usage.get("prompt_tokens", 0),
                    completion_tokens=usage.get("completion_tokens", 0),
                    price=options.price,
                    batch_factor=factor,
                    max_cost=options.max_cost,
                    not_sent_for_budget=stat.not_sent_for_budget if mode == "online" else 0,
                )
                append_ledger(entry)
                ledger.append(entry)
            if plan.output in by_output and stat.api_errors == 0 and stat.not_sent_for_budget == 0:
                shutil.rmtree(by_output[plan.output].folder, ignore_errors=True)
        return BatchRunResult(stats, ledger, all_batches)

    return asyncio.run(main())
