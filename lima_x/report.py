"""The build report: what went in, which choices were made, what came out.

Written as ``build_report.json`` beside the data and rendered into the dataset card. It holds
no timestamps and no absolute paths, so the same inputs and seed give the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from lima_x.pipeline import RunStats
from lima_x.records import FLAG_NAMES


@dataclass
class BuildReport:
    dataset: str
    tool_version: str
    seed: int
    langs: list[str]
    source_lang: str
    sources: list[str]
    translator: str
    translation_options: dict[str, object] = field(default_factory=dict)
    small_size: int | None = None
    validation_rule: str = ""
    #: ``--validation <file>`` or ``--validation-fraction <F>``: how the validation split came.
    validation_choice: str = ""
    #: Markdown lines crediting the validation rows' authors (StackExchange, CC BY-SA).
    validation_attribution: list[str] = field(default_factory=list)
    id_rule: str = ""
    flags_rule: str = ""
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    flags: dict[str, dict[str, int]] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    default_config: str = ""
    rows_checked: int = 0
    flagged: dict[str, int] = field(default_factory=dict)
    #: ``--on-protected-loss`` and, per language, the messages kept in the source language.
    protected_loss: dict[str, object] = field(default_factory=dict)

    def add_step_counts(self, stats: RunStats) -> None:
        """Take the pipeline's counts: rows the steps checked, flags set and rows dropped per
        reason (a row counts once per language it was checked in)."""
        self.rows_checked += stats.seen
        for name, count in stats.flagged.items():
            self.flagged[name] = self.flagged.get(name, 0) + count
        self.flagged = {name: self.flagged[name] for name in FLAG_NAMES if name in self.flagged}
        for reason, count in stats.dropped.items():
            self.dropped[reason] = self.dropped.get(reason, 0) + count

    def step_counts(self) -> str:
        """The pipeline's counts in words, for the card."""
        flagged = ", ".join(f"`{name}` {count}" for name, count in self.flagged.items())
        return f"The flag steps checked {self.rows_checked} rows and set {flagged or 'no flag'}."

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def rows_table(self) -> str:
        splits = sorted({s for per in self.rows.values() for s in per}, key=_split_order)
        lines = ["| config | " + " | ".join(splits) + " |", "|---" * (len(splits) + 1) + "|"]
        for config, per in self.rows.items():
            cells = [str(per.get(split, "")) for split in splits]
            lines.append(f"| {config} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def flags_table(self) -> str:
        header = ["language", "rows", *FLAG_NAMES]
        lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
        for lang, counts in self.flags.items():
            lines.append(
                f"| {lang} | {counts.get('rows', 0)} | "
                + " | ".join(str(counts.get(name, 0)) for name in FLAG_NAMES)
                + " |"
            )
        return "\n".join(lines)


def _split_order(split: str) -> tuple[int, str]:
    return ({"train": 0, "validation": 1, "val": 2}.get(split, 3), split)
