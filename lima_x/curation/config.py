"""The settings of one curation run, with the paper's values as defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources

from lima_x.errors import CurationError

LENGTH_UNITS: tuple[str, ...] = ("words", "characters")
LENGTH_TARGETS: tuple[str, ...] = ("pair", "question", "answer")
PHRASE_FIELDS: tuple[str, ...] = ("answer", "question")


def default_phrases() -> tuple[str, ...]:
    """The phrase list shipped with the package (``lima_x/curation/phrases.json``)."""
    text = resources.files("lima_x.curation").joinpath("phrases.json").read_text("utf-8")
    return tuple(json.loads(text)["phrases"])


@dataclass
class CurationConfig:
    """What a run keeps. Defaults follow the paper's Appendix B where it names a value."""

    lang: str = field(default="EN", metadata={"help": "Language of question and answer."})
    min_answer_score: int = field(
        default=3, metadata={"help": "An answer needs at least this score to be paired."}
    )
    min_question_score: int | None = field(
        default=None, metadata={"help": "A question needs at least this score (None: any)."}
    )
    phrases: tuple[str, ...] = field(
        default_factory=default_phrases, metadata={"help": "Phrases that drop a pair."}
    )
    phrase_fields: tuple[str, ...] = field(
        default=("answer",), metadata={"help": "Texts the phrases are searched in."}
    )
    min_length: int = field(
        default=1200, metadata={"help": "A pair needs more than this many units (exclusive)."}
    )
    max_length: int = field(
        default=4096, metadata={"help": "A pair may have at most this many units (inclusive)."}
    )
    length_unit: str = field(default="words", metadata={"help": "words | characters"})
    length_target: str = field(default="pair", metadata={"help": "pair | question | answer"})
    dedup_threshold: float = field(
        default=0.5, metadata={"help": "Estimated Jaccard similarity that makes a near-duplicate."}
    )
    shingle_words: int = field(default=5, metadata={"help": "Words per shingle."})
    num_perm: int = field(default=128, metadata={"help": "MinHash permutations."})
    seed: int = field(default=1, metadata={"help": "MinHash seed."})
    max_examples: int = field(default=5, metadata={"help": "Examples per drop reason."})

    def __post_init__(self) -> None:
        self.lang = self.lang.upper()
        problems = []
        if self.length_unit not in LENGTH_UNITS:
            problems.append(f"length_unit one of {LENGTH_UNITS}, got {self.length_unit!r}")
        if self.length_target not in LENGTH_TARGETS:
            problems.append(f"length_target one of {LENGTH_TARGETS}, got {self.length_target!r}")
        if not set(self.phrase_fields) <= set(PHRASE_FIELDS):
            problems.append(f"phrase_fields among {PHRASE_FIELDS}, got {self.phrase_fields!r}")
        if not 0 <= self.min_length < self.max_length:
            problems.append(
                f"0 <= min_length < max_length, got {self.min_length} and {self.max_length}"
            )
        if not 0.0 < self.dedup_threshold <= 1.0:
            problems.append(f"dedup_threshold in (0, 1], got {self.dedup_threshold}")
        if self.shingle_words < 1 or self.num_perm < 16:
            problems.append(
                f"shingle_words >= 1 and num_perm >= 16, got {self.shingle_words}, {self.num_perm}"
            )
        if any(not p.strip() for p in self.phrases):
            problems.append("phrases without empty entries")
        if problems:
            raise CurationError("expected " + "; ".join(problems))
