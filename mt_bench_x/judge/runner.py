"""Playing matches against the judge: resume, concurrency, one writer.

* Resume: matches whose key ``(question_id, models, turn, prompt name, run)`` has a current
  judgment in the file are skipped (:mod:`mt_bench_x.judge.currency`: its stored prompt hash
  equals the one today's inputs give); stale judgments and lines that record an API error
  are judged again.
* Concurrency: one asyncio task per match; the client keeps at most ``parallel`` calls in
  flight (waits between retries do not hold a slot). Both games of a pairwise match run
  together; a game that finishes before its partner goes to the game journal
  (:mod:`mt_bench_x.judge.journal`), so a killed run pays again only for calls in flight.
* One writer: a single thread appends finished lines with
  :class:`~mt_bench_x.formats.jsonl.JsonlAppender`
  (one flushed, fsynced line per judgment; a torn tail from a kill is cut on the next start).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from mt_bench_x.formats.jsonl import JsonlAppender
from mt_bench_x.formats.judgments import (
    API_ERROR_OUTPUT,
    ERROR_WINNER,
    WINNERS_GAME1,
    WINNERS_GAME2,
)
from mt_bench_x.judge.calls import GameCall, build_call
from mt_bench_x.judge.client import JudgeCallError, JudgeReply
from mt_bench_x.judge.currency import DEFAULT_REFERENCE_SET, TodayInputs, finished_keys
from mt_bench_x.judge.journal import game_id, game_record, journal_path, load_games
from mt_bench_x.judge.matches import Match
from mt_bench_x.judge.prompts import allows_both_bad
from mt_bench_x.judge.verdict import VerdictRule, parse_pair, parse_rating
from polyglot_instruct.errors import ToolkitError

logger = logging.getLogger(__name__)


class Judge(Protocol):
    """What the runner needs from a client (see :class:`~mt_bench_x.judge.client.JudgeClient`)."""

    model: str

    async def complete(self, messages: list[dict[str, str]]) -> JudgeReply: ...


@dataclass
class RunStats:
    """Counts of one judge run, for the summary line and the benchmark."""

    matches: int = 0
    already_done: int = 0
    #: judgments redone because their inputs changed since (see judge.currency)
    stale: int = 0
    written: int = 0
    calls: int = 0
    reused_games: int = 0
    parse_failures: int = 0
    api_errors: int = 0
    truncated_answers: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error_messages: list[str] = field(default_factory=list)


def _sum_usage(replies: Sequence[JudgeReply]) -> dict[str, int]:
    total: dict[str, int] = {}
    for reply in replies:
        for name, value in reply.usage.items():
            total[name] = total.get(name, 0) + value
    return total


def single_record(
    match: Match,
    judge_model: str,
    run: int,
    call: GameCall,
    reply: JudgeReply | None,
    error: str | None,
    verdict_rule: VerdictRule = "strict",
    *,
    reference_set: str = DEFAULT_REFERENCE_SET,
) -> dict[str, Any]:
    """A FastChat single-judgment line (+ extras, see :mod:`mt_bench_x.formats.judgments`)."""
    score = parse_rating(reply.text, rule=verdict_rule) if reply is not None else None
    record: dict[str, Any] = {
        "question_id": match.question.question_id,
        "model": match.models[0],
        "judge": [judge_model, match.prompt.name],
        "user_prompt": call.user_prompt,
        "judgment": reply.text if reply is not None else API_ERROR_OUTPUT,
        "score": -1 if score is None else score,
        "turn": match.turn,
        "tstamp": time.time(),
        "run": run,
        "judge_response_model": reply.model if reply is not None else None,
        "usage": _sum_usage([reply] if reply is not None else []),
        "prompt_hash": call.prompt_hash,
        "truncated_answers": call.truncated,
    }
    if verdict_rule != "strict":
        record["verdict_rule"] = verdict_rule
    _add_inputs(record, match, [call], reference_set)
    if error is not None:
        record["error"] = error
    return record


def _add_inputs(
    record: dict[str, Any], match: Match, calls: Sequence[GameCall], reference_set: str
) -> None:
    """What :mod:`mt_bench_x.judge.currency` needs to rebuild the prompts later: the context
    limit answers were cut with, the reference set a reference answer came from."""
    limits = [call.context_limit for call in calls if call.context_limit is not None]
    if limits:
        record["context_limit"] = list(limits[0])
    if match.reference is not None:
        record["reference_set"] = reference_set


def pair_record(
    match: Match,
    judge_model: str,
    run: int,
    calls: Sequence[GameCall],
    replies: Sequence[JudgeReply | None],
    error: str | None,
    verdict_rule: VerdictRule = "strict",
    *,
    reference_set: str = DEFAULT_REFERENCE_SET,
) -> dict[str, Any]:
    """A FastChat pairwise line; ``[[D]]`` is winner ``tie`` with ``g*_verdict`` = ``D``."""
    allow_d = allows_both_bad(match.prompt)
    verdicts = [
        parse_pair(reply.text, allow_both_bad=allow_d, rule=verdict_rule)
        if reply is not None
        else None
        for reply in replies
    ]
    winners = [
        ERROR_WINNER if verdict is None else mapping[verdict]
        for verdict, mapping in zip(verdicts, (WINNERS_GAME1, WINNERS_GAME2), strict=True)
    ]
    texts = [reply.text if reply is not None else API_ERROR_OUTPUT for reply in replies]
    answered = [reply for reply in replies if reply is not None]
    record: dict[str, Any] = {
        "question_id": match.question.question_id,
        "model_1": match.models[0],
        "model_2": match.models[1],
        "g1_winner": winners[0],
        "g2_winner": winners[1],
        "judge": [judge_model, match.prompt.name],
        "g1_user_prompt": calls[0].user_prompt,
        "g1_judgment": texts[0],
        "g2_user_prompt": calls[1].user_prompt,
        "g2_judgment": texts[1],
        "turn": match.turn,
        "tstamp": time.time(),
        "run": run,
        "g1_verdict": verdicts[0],
        "g2_verdict": verdicts[1],
        "judge_response_model": answered[0].model if answered else None,
        "usage": _sum_usage(answered),
        "g1_prompt_hash": calls[0].prompt_hash,
        "g2_prompt_hash": calls[1].prompt_hash,
        "truncated_answers": calls[0].truncated + calls[1].truncated,
    }
    if verdict_rule != "strict":
        record["verdict_rule"] = verdict_rule
    _add_inputs(record, match, calls, reference_set)
    if error is not None:
        record["error"] = error
    return record


class _WriterThread:
    """The single writer: takes finished lines from a queue, appends them in arrival order.

    Judgment lines go to the judgment file; finished games of unfinished pairwise matches go
    to the game journal (:mod:`mt_bench_x.judge.journal`), opened on first use.
    """

    def __init__(self, path: Path, journal: Path | None = None) -> None:
        self._queue: queue.Queue[tuple[bool, dict[str, Any]] | None] = queue.Queue()
        self._appender = JsonlAppender(path)
        self._journal_path = journal
        self._journal: JsonlAppender | None = None
        self._thread = threading.Thread(target=self._run, name="judgment-writer", daemon=True)
        self.failure: BaseException | None = None

    def __enter__(self) -> _WriterThread:
        self._appender.__enter__()
        self._thread.start()
        return self

    def put(self, record: dict[str, Any], *, game: bool = False) -> None:
        if self.failure is not None:
            self._raise_failure()
        self._queue.put((game, record))

    def _raise_failure(self) -> None:
        """The writer's own error: a full or read-only disk stays an ``OSError`` (one line for
        the user, naming the file), anything else is a bug of the writer."""
        failure = self.failure
        if isinstance(failure, OSError | ToolkitError):
            raise failure
        raise RuntimeError(f"the judgment writer failed: {failure!r}") from failure

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            game, record = item
            try:
                if not game:
                    self._appender.write(record)
                elif self._journal_path is not None:
                    if self._journal is None:
                        self._journal = JsonlAppender(self._journal_path).__enter__()
                    self._journal.write(record)
            except BaseException as error:  # surfaced to the event loop by put()/__exit__
                self.failure = error
                return

    def __exit__(self, *exc_info: object) -> None:
        self._queue.put(None)
        self._thread.join()
        try:
            self._appender.__exit__(None, None, None)
            if self._journal is not None:
                self._journal.__exit__(None, None, None)
        finally:
            if self.failure is not None:
                self._raise_failure()  # the first error, not the close's echo of it


async def judge_matches(
    matches: Sequence[Match],
    judge: Judge,
    output_path: Path,
    *,
    judge_model: str,
    run: int = 0,
    max_context_tokens: int | None = None,
    max_output_tokens: int = 2048,
    progress: bool = True,
    reference_set: str = DEFAULT_REFERENCE_SET,
    verdict_rule: VerdictRule = "strict",
) -> RunStats:
    """Judge every match without a current judgment in ``output_path``; append one line per
    finished match. ``reference_set`` names where the matches' reference answers came from;
    verdicts are read by :mod:`mt_bench_x.judge.verdict` under ``verdict_rule``."""
    from tqdm import tqdm

    stats = RunStats(matches=len(matches))
    done, selection = finished_keys(output_path, TodayInputs.from_matches(matches, reference_set))
    todo = [match for match in matches if match.key(run) not in done]
    stats.already_done = len(matches) - len(todo)
    stats.stale = sum(match.key(run) in selection.stale_keys for match in todo)
    if not todo:
        return stats
    # Build every call first: a prompt that cannot fit fails before anything is paid for.
    planned = [
        (
            match,
            [
                build_call(
                    match,
                    order,
                    max_context_tokens=max_context_tokens,
                    max_output_tokens=max_output_tokens,
                )
                for order in match.games()
            ],
        )
        for match in todo
    ]
    bar = tqdm(
        total=len(todo), desc=f"judge {output_path.parent.parent.name}", disable=not progress
    )

    journal = journal_path(output_path)
    finished_games = load_games(journal) if todo[0].kind == "pairwise" else {}

    async def call(
        game: GameCall, game_key: str | None, writer: _WriterThread
    ) -> tuple[JudgeReply | None, str | None]:
        if game_key is not None and game_key in finished_games:
            stats.reused_games += 1
            return finished_games[game_key], None
        stats.calls += 1
        try:
            reply = await judge.complete(game.messages)
        except JudgeCallError as error:
            return None, str(error)
        if game_key is not None:
            writer.put(game_record(game_key, reply), game=True)
        return reply, None

    async def play(match: Match, calls: list[GameCall], writer: _WriterThread) -> None:
        keys: list[str | None] = [None] * len(calls)
        if match.kind == "pairwise":
            key = match.key(run)
            keys = [game_id(key, index, game.prompt_hash) for index, game in enumerate(calls)]
        results = await asyncio.gather(
            *(call(game, game_key, writer) for game, game_key in zip(calls, keys, strict=True))
        )
        replies = [reply for reply, _ in results]
        errors = [message for _, message in results if message is not None]
        error = errors[0] if errors else None
        if match.kind == "single":
            record = single_record(
                match,
                judge_model,
                run,
                calls[0],
                replies[0],
                error,
                verdict_rule,
                reference_set=reference_set,
            )
            failed_parse = error is None and record["score"] == -1
        else:
            record = pair_record(
                match,
                judge_model,
                run,
                calls,
                replies,
                error,
                verdict_rule,
                reference_set=reference_set,
            )
            failed_parse = error is None and ERROR_WINNER in (
                record["g1_winner"],
                record["g2_winner"],
            )
        writer.put(record)
        stats.written += 1
        stats.truncated_answers += record["truncated_answers"]
        stats.prompt_tokens += record["usage"].get("prompt_tokens", 0)
        stats.completion_tokens += record["usage"].get("completion_tokens", 0)
        if error is not None:
            stats.api_errors += 1
            if len(stats.error_messages) < 5:
                stats.error_messages.append(error)
        elif failed_parse:
            stats.parse_failures += 1
        bar.update(1)

    try:
        with _WriterThread(output_path, journal) as writer:
            await asyncio.gather(*(play(match, calls, writer) for match, calls in planned))
    finally:
        bar.close()
    if stats.api_errors == 0:
        journal.unlink(missing_ok=True)  # every match is written: no half-finished game left
    return stats
