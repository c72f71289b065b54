"""Run flag steps over many samples, in worker processes when there are enough of them.

A job is a list of samples and the flags to compute on them. The rows of every job are cut
into chunks; a chunk travels to a worker as plain ``(lang, messages)`` pairs and comes back as
one byte of flag bits per row, so little is pickled. Each flag is a pure function of the row,
and results are put back in input order: the output does not depend on ``workers``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from lima_x.flags import flag_steps
from lima_x.pipeline import RunStats
from lima_x.records import FLAG_NAMES, ParallelSample

#: Below this many rows in all jobs together, flagging stays in this process (starting
#: workers and shipping rows costs more than it saves).
PARALLEL_MIN_ROWS = 2000
#: Rows per chunk sent to a worker.
CHUNK_ROWS = 2000

Rows = list[tuple[str, list[dict[str, str]]]]
Job = tuple[Sequence[ParallelSample], Sequence[str]]


def default_workers() -> int:
    return os.cpu_count() or 1


def flag_rows(names: tuple[str, ...], rows: Rows) -> bytes:
    """One byte per row: bit ``i`` is set when flag ``names[i]`` holds for that row."""
    steps = flag_steps(names)
    bits = [1 << names.index(step.flag) for step in steps]
    out = bytearray(len(rows))
    for position, (lang, messages) in enumerate(rows):
        sample = ParallelSample("", lang, messages, "")
        value = 0
        for step, bit in zip(steps, bits, strict=True):
            if step.check(sample):
                value |= bit
        out[position] = value
    return bytes(out)


def _chunks(jobs: Sequence[Job], size: int) -> Iterator[tuple[tuple[str, ...], Rows]]:
    for samples, names in jobs:
        ordered = tuple(name for name in FLAG_NAMES if name in names)
        for start in range(0, len(samples), size):
            chunk = samples[start : start + size]
            yield ordered, [(s.lang, s.messages) for s in chunk]


def run_flag_jobs(
    jobs: Sequence[Job],
    stats: RunStats,
    *,
    workers: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool = True,
) -> None:
    """Set the flags of every job's samples in place and count them in ``stats``.

    ``workers``: processes to use (default: the number of CPUs); 1, or fewer rows than
    :data:`PARALLEL_MIN_ROWS`, flags in this process.
    """
    from tqdm.auto import tqdm

    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    total = sum(len(samples) for samples, _ in jobs)
    stats.seen += total
    results: Iterator[bytes]
    pool = None
    if workers > 1 and total >= PARALLEL_MIN_ROWS:
        pool = ProcessPoolExecutor(max_workers=workers)
        results = pool.map(_flag_chunk, _chunks(jobs, chunk_rows))
    else:
        results = map(_flag_chunk, _chunks(jobs, chunk_rows))
    try:
        with tqdm(total=total, desc="flag", unit="row", disable=not progress) as bar:
            for samples, names in jobs:
                ordered = tuple(name for name in FLAG_NAMES if name in names)
                for start in range(0, len(samples), chunk_rows):
                    chunk = samples[start : start + chunk_rows]
                    _apply(chunk, ordered, next(results), stats)
                    bar.update(len(chunk))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _flag_chunk(task: tuple[tuple[str, ...], Rows]) -> bytes:
    return flag_rows(*task)


def _apply(
    samples: Sequence[ParallelSample], names: tuple[str, ...], bits: bytes, stats: RunStats
) -> None:
    if not any(bits):
        return
    for sample, value in zip(samples, bits, strict=True):
        if value:
            for i, name in enumerate(names):
                if value >> i & 1:
                    sample.flags[name] = True
                    stats.flagged[name] += 1
