"""The parallel sample: one conversation in one language, linked to its siblings by ``source_id``.

Every reader produces :class:`ParallelSample` records, every pipeline step reads and returns
them, and the Hub writer turns them into Arrow rows with :data:`ARROW_SCHEMA` (the column
order and types never depend on the data, so every parquet file of a repo has the same schema).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pyarrow as pa

Origin = Literal["original", "machine_translation", "human"]
ORIGINS: tuple[str, ...] = ("original", "machine_translation", "human")
ROLES: tuple[str, ...] = ("system", "user", "assistant")

#: Flag columns, in output order. See :mod:`lima_x.flags` for what sets each of them.
FLAG_NAMES: tuple[str, ...] = (
    "has_code",
    "not_source_language",
    "mixed_language",
    "untranslatable",
)


def sample_id(source_id: str, lang: str) -> str:
    """The id of one language version of a sample: ``<source_id>_<LANG>`` (``100_DE``)."""
    return f"{source_id}_{lang.upper()}"


@dataclass
class ParallelSample:
    """One language version of a source sample, in TRL's ``messages`` format."""

    source_id: str
    lang: str
    messages: list[dict[str, str]]
    source: str
    origin: str = "original"
    flags: dict[str, bool] = field(default_factory=dict)
    #: The 1-based row of the file it was read from, for messages (not written out).
    row: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        self.lang = self.lang.upper()
        if self.origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}, got {self.origin!r}")
        unknown = set(self.flags) - set(FLAG_NAMES)
        if unknown:
            raise ValueError(f"unknown flags {sorted(unknown)}; expected some of {FLAG_NAMES}")

    @property
    def id(self) -> str:
        return sample_id(self.source_id, self.lang)

    def text(self) -> str:
        """All turns joined by blank lines (what the flag heuristics read)."""
        return "\n\n".join(m["content"] for m in self.messages)

    def user_text(self) -> str:
        return "\n\n".join(m["content"] for m in self.messages if m["role"] == "user")

    def translated(self, lang: str, contents: Sequence[str]) -> ParallelSample:
        """The same sample in ``lang`` with one new content per message; flags carry over."""
        if len(contents) != len(self.messages):
            raise ValueError(f"expected {len(self.messages)} contents, got {len(contents)}")
        messages = [
            {"role": m["role"], "content": c} for m, c in zip(self.messages, contents, strict=True)
        ]
        return replace(
            self, lang=lang, messages=messages, origin="machine_translation", flags=dict(self.flags)
        )

    def to_row(self) -> dict[str, object]:
        row: dict[str, object] = {
            "id": self.id,
            "source_id": self.source_id,
            "lang": self.lang,
            "messages": [{"role": m["role"], "content": m["content"]} for m in self.messages],
            "source": self.source,
            "origin": self.origin,
        }
        for name in FLAG_NAMES:
            row[name] = bool(self.flags.get(name, False))
        return row


def arrow_schema() -> pa.Schema:
    """The schema of every parquet file the builder writes."""
    import pyarrow as pa

    message = pa.struct([("role", pa.string()), ("content", pa.string())])
    fields = [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("lang", pa.string(), nullable=False),
        pa.field("messages", pa.list_(message), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("origin", pa.string(), nullable=False),
    ]
    fields += [pa.field(name, pa.bool_(), nullable=False) for name in FLAG_NAMES]
    return pa.schema(fields)


def to_table(samples: Iterable[ParallelSample]) -> pa.Table:
    """Arrow table of ``samples`` with :func:`arrow_schema`, built column by column."""
    import pyarrow as pa

    samples = list(samples)
    columns: dict[str, list[object]] = {
        "id": [s.id for s in samples],
        "source_id": [s.source_id for s in samples],
        "lang": [s.lang for s in samples],
        "messages": [s.messages for s in samples],
        "source": [s.source for s in samples],
        "origin": [s.origin for s in samples],
    }
    for name in FLAG_NAMES:
        columns[name] = [bool(s.flags.get(name, False)) for s in samples]
    return pa.Table.from_pydict(columns, schema=arrow_schema())
