"""Run flag steps over many samples, in worker processes when there are enough of them.

A job is a list of samples and the flags to compute on them (:class:`FlagRunner` takes jobs
as they arrive, :func:`run_flag_jobs` a list of them). The rows of every job are cut into
chunks; a chunk travels to a worker as plain ``(lang, messages)`` pairs and comes back as
one byte of flag bits per row plus the chunk's :class:`~lima_x.pipeline.RunStats`, so little
is pickled. In the worker the flag steps run through :func:`lima_x.pipeline.run_pipeline`, which
owns the loop and the counts per reason; the counts of every chunk are merged into the run's
stats. Each flag is a pure function of the row, and results are put back in input order: the
output does not depend on ``workers``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from lima_x.errors import BuildSettingError, LimaXError
from lima_x.flags import flag_steps
from lima_x.pipeline import RunStats, run_pipeline
from lima_x.records import FLAG_NAMES, ParallelSample

#: Below this many rows in all jobs together, flagging stays in this process (starting
#: workers and shipping rows costs more than it saves).
PARALLEL_MIN_ROWS = 2000
#: Rows per chunk sent to a worker.
CHUNK_ROWS = 2000

Rows = list[tuple[str, list[dict[str, str]]]]
Job = tuple[Sequence[ParallelSample], Sequence[str]]
#: One chunk's flag bits (a byte per row) and its counts.
ChunkResult = tuple[bytes, RunStats]


def default_workers() -> int:
    return os.cpu_count() or 1


def flag_rows(names: tuple[str, ...], rows: Rows) -> tuple[bytes, RunStats]:
    """Run the flag steps ``names`` over ``rows`` through the pipeline base: one byte per row
    (bit ``i`` set when flag ``names[i]`` holds for that row) and the counts per reason."""
    samples = [ParallelSample("", lang, messages, "") for lang, messages in rows]
    kept, stats = run_pipeline(flag_steps(names), samples)
    if len(kept) != len(samples):  # flag steps mark rows, they never drop one
        raise LimaXError(f"a flag step dropped {len(samples) - len(kept)} rows")
    out = bytearray(len(samples))
    for position, sample in enumerate(samples):
        out[position] = sum(1 << i for i, name in enumerate(names) if sample.flags.get(name))
    return bytes(out), stats


class FlagRunner:
    """Flag jobs as they arrive; :meth:`finish` sets every flag in place, in input order.

    With ``workers`` > 1 the chunks of a job of at least :data:`PARALLEL_MIN_ROWS` rows (or of
    any job once workers are running, or of every job when ``expected_rows`` reaches it) go to
    worker processes and :meth:`submit` returns at once: the caller can read the next input
    while the workers flag. Otherwise a job is flagged in this process when submitted.
    """

    def __init__(
        self,
        stats: RunStats,
        *,
        workers: int | None = None,
        chunk_rows: int = CHUNK_ROWS,
        expected_rows: int | None = None,
        progress: bool = True,
    ) -> None:
        self.stats = stats
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise BuildSettingError(f"workers must be at least 1, got {self.workers}")
        self.chunk_rows = chunk_rows
        self.progress = progress
        self._parallel = self.workers > 1 and (expected_rows or 0) >= PARALLEL_MIN_ROWS
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[
            tuple[Sequence[ParallelSample], tuple[str, ...], Future[ChunkResult] | ChunkResult]
        ] = []

    def __enter__(self) -> FlagRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def submit(self, samples: Sequence[ParallelSample], names: Sequence[str]) -> None:
        """Start flagging ``samples`` with the flags ``names``."""
        ordered = tuple(name for name in FLAG_NAMES if name in names)
        if self.workers > 1 and len(samples) >= PARALLEL_MIN_ROWS:
            self._parallel = True
        if self._parallel and self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        for start in range(0, len(samples), self.chunk_rows):
            chunk = samples[start : start + self.chunk_rows]
            task = (ordered, [(s.lang, s.messages) for s in chunk])
            result = self._pool.submit(_flag_chunk, task) if self._pool else _flag_chunk(task)
            self._pending.append((chunk, ordered, result))

    def finish(self) -> None:
        """Wait for every submitted chunk and set its flags; the workers are shut down."""
        from tqdm.auto import tqdm

        total = sum(len(chunk) for chunk, _, _ in self._pending)
        try:
            with tqdm(total=total, desc="flag", unit="row", disable=not self.progress) as bar:
                for chunk, names, result in self._pending:
                    bits, stats = result.result() if isinstance(result, Future) else result
                    _apply(chunk, names, bits)
                    self.stats.merge(stats)
                    bar.update(len(chunk))
        finally:
            self._pending = []
            self.close()


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
    :data:`PARALLEL_MIN_ROWS` in all jobs together, flags in this process.
    """
    expected = sum(len(samples) for samples, _ in jobs)
    with FlagRunner(
        stats, workers=workers, chunk_rows=chunk_rows, expected_rows=expected, progress=progress
    ) as runner:
        for samples, names in jobs:
            runner.submit(samples, names)
        runner.finish()


def _flag_chunk(task: tuple[tuple[str, ...], Rows]) -> tuple[bytes, RunStats]:
    return flag_rows(*task)


def _apply(samples: Sequence[ParallelSample], names: tuple[str, ...], bits: bytes) -> None:
    if not any(bits):
        return
    for sample, value in zip(samples, bits, strict=True):
        if value:
            for i, name in enumerate(names):
                if value >> i & 1:
                    sample.flags[name] = True
