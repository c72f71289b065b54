"""A pipeline is a plain list of steps; the base class owns the loop and the counts.

Steps are chained lazily (as in datatrove): one sample goes through every step before the next
one is read, so a step may reuse what an earlier step computed for the same sample.

Modelled on datatrove's filters: :class:`Step` runs over a list of samples and counts what it
did per reason; a concrete step overrides one method. :class:`FlagStep` sets one flag column
(``check`` returns True) and never drops a sample; :class:`FilterStep` drops a sample when
``reason`` returns a reason string. The run ends with a count per reason (:class:`RunStats`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from lima_x.records import FLAG_NAMES, ParallelSample


@dataclass
class RunStats:
    """What a pipeline did: flags set and samples dropped, each counted per reason."""

    flagged: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    seen: int = 0

    def merge(self, other: RunStats) -> None:
        self.flagged.update(other.flagged)
        self.dropped.update(other.dropped)
        self.seen += other.seen


class Step(ABC):
    """One pipeline step. Subclasses override :meth:`process_one` (or a narrower hook)."""

    name: str = "step"

    def run(self, samples: Iterable[ParallelSample], stats: RunStats) -> Iterator[ParallelSample]:
        """Lazily process ``samples``: a sample passes every step before the next one starts."""
        for sample in samples:
            result = self.process_one(sample, stats)
            if result is not None:
                yield result

    @abstractmethod
    def process_one(self, sample: ParallelSample, stats: RunStats) -> ParallelSample | None:
        """Return the (possibly changed) sample, or None to drop it."""


class FlagStep(Step):
    """Set the flag :attr:`flag` on samples for which :meth:`check` is true."""

    flag: str = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.flag and cls.flag not in FLAG_NAMES:
            raise TypeError(f"{cls.__name__}.flag must be one of {FLAG_NAMES}, got {cls.flag!r}")
        if cls.flag:
            cls.name = cls.flag

    def process_one(self, sample: ParallelSample, stats: RunStats) -> ParallelSample:
        if self.check(sample):
            sample.flags[self.flag] = True
            stats.flagged[self.flag] += 1
        return sample

    @abstractmethod
    def check(self, sample: ParallelSample) -> bool:
        """True when the sample has the property this flag names."""


class FilterStep(Step):
    """Drop samples for which :meth:`reason` returns a reason (counted under that reason)."""

    def process_one(self, sample: ParallelSample, stats: RunStats) -> ParallelSample | None:
        why = self.reason(sample)
        if why is None:
            return sample
        stats.dropped[why] += 1
        return None

    @abstractmethod
    def reason(self, sample: ParallelSample) -> str | None:
        """Why the sample is dropped, or None to keep it."""


def run_pipeline(
    steps: Sequence[Step], samples: list[ParallelSample], stats: RunStats | None = None
) -> tuple[list[ParallelSample], RunStats]:
    """Run ``steps`` in order over ``samples``; returns the kept samples and the counts."""
    stats = stats if stats is not None else RunStats()
    stats.seen += len(samples)
    stream: Iterable[ParallelSample] = samples
    for step in steps:
        stream = step.run(stream, stats)
    return list(stream), stats
