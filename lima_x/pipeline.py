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
from typing import Generic

from typing_extensions import TypeVar

from lima_x.records import FLAG_NAMES, ParallelSample

#: The record a step reads and returns: the parallel sample unless a pipeline says otherwise
#: (the validation-set curation runs over question–answer pairs).
S = TypeVar("S", default=ParallelSample)


@dataclass
class RunStats:
    """What a pipeline did: flags set and samples dropped, each counted per reason."""

    flagged: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    seen: int = 0
    #: How many dropped samples to keep per reason, as examples for a report (0: none).
    max_examples: int = 0
    examples: dict[str, list[object]] = field(default_factory=dict)

    def drop(self, reason: str, sample: object) -> None:
        """Count ``sample`` as dropped for ``reason`` (and keep it as an example if room)."""
        self.dropped[reason] += 1
        if self.max_examples:
            kept = self.examples.setdefault(reason, [])
            if len(kept) < self.max_examples:
                kept.append(sample)

    def merge(self, other: RunStats) -> None:
        self.flagged.update(other.flagged)
        self.dropped.update(other.dropped)
        self.seen += other.seen
        for reason, samples in other.examples.items():
            kept = self.examples.setdefault(reason, [])
            kept.extend(samples[: max(0, self.max_examples - len(kept))])


class Step(ABC, Generic[S]):
    """One pipeline step. Subclasses override :meth:`process_one` (or a narrower hook)."""

    name: str = "step"

    def run(self, samples: Iterable[S], stats: RunStats) -> Iterator[S]:
        """Lazily process ``samples``: a sample passes every step before the next one starts."""
        for sample in samples:
            result = self.process_one(sample, stats)
            if result is not None:
                yield result

    @abstractmethod
    def process_one(self, sample: S, stats: RunStats) -> S | None:
        """Return the (possibly changed) sample, or None to drop it."""


class FlagStep(Step[ParallelSample]):
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


class FilterStep(Step[S]):
    """Drop samples for which :meth:`reason` returns a reason (counted under that reason)."""

    def process_one(self, sample: S, stats: RunStats) -> S | None:
        why = self.reason(sample)
        if why is None:
            return sample
        stats.drop(why, sample)
        return None

    @abstractmethod
    def reason(self, sample: S) -> str | None:
        """Why the sample is dropped, or None to keep it."""


def stream_pipeline(steps: Sequence[Step[S]], samples: Iterable[S], stats: RunStats) -> Iterator[S]:
    """Run ``steps`` lazily over a stream of ``samples`` (counted in ``stats.seen`` as read)."""

    def counted() -> Iterator[S]:
        for sample in samples:
            stats.seen += 1
            yield sample

    stream: Iterable[S] = counted()
    for step in steps:
        stream = step.run(stream, stats)
    return iter(stream)


def run_pipeline(
    steps: Sequence[Step[S]], samples: list[S], stats: RunStats | None = None
) -> tuple[list[S], RunStats]:
    """Run ``steps`` in order over ``samples``; returns the kept samples and the counts."""
    stats = stats if stats is not None else RunStats()
    return list(stream_pipeline(steps, samples, stats)), stats
