"""The Lima-X / Bactrian-X dataset card: a template from ``hub_cards`` plus the build's report.

The template's YAML header holds the dataset's fixed facts; the build adds ``language``,
``size_categories`` and ``configs`` and fills the body (:func:`hub_cards.cards.render_card`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub_cards.cards import load_template, size_category
from hub_cards.cards import render_card as render_template
from lima_x.report import BuildReport

if TYPE_CHECKING:
    from lima_x.repo import ConfigEntry

__all__ = ["configs_table", "render_card", "size_category"]


def configs_table(configs: list[ConfigEntry]) -> str:
    lines = ["| config | kind | languages | splits |", "|---|---|---|---|"]
    for config in configs:
        kind = f"alias of `{config.alias_of}`" if config.alias_of else config.kind
        if config.default:
            kind += " (default)"
        splits = ", ".join(f"{s} ({config.rows.get(s, 0)})" for s in config.data_files)
        lines.append(f"| `{config.name}` | {kind} | {' '.join(config.langs)} | {splits} |")
    return "\n".join(lines)


def validation_attribution(report: BuildReport) -> str:
    """The CC BY-SA notice and credits of a validation set made from StackExchange posts
    (between blank lines; empty when there is none)."""
    lines = report.validation_attribution
    if not lines:
        return ""
    return "\n".join(
        [
            "",
            "### Validation split: Stack Exchange posts, CC BY-SA",
            "",
            f"The validation split holds {len(lines)} question–answer pairs from Stack Exchange "
            "sites, each under the Creative Commons Attribution-ShareAlike licence named below "
            "(<https://creativecommons.org/licenses/by-sa/4.0/>); their translations are "
            "adaptations shared under the same licence. Posts and authors:",
            "",
            *lines,
            "",
        ]
    )


def render_card(template: str, report: BuildReport, configs: list[ConfigEntry]) -> str:
    """The full ``README.md`` text: YAML header with ``configs:`` and the rendered body."""
    meta, _ = load_template(template)
    languages: list[str] = []
    for lang in report.langs:
        code = lang.split("-")[0].lower()
        if code not in languages:
            languages.append(code)
    stored = sum(sum(c.rows.values()) for c in configs if c.kind in ("monolingual", "sampled"))
    header = {
        "language": languages,
        "size_categories": [size_category(stored)],
        "configs": [config.yaml_entry() for config in configs],
    }
    notes = []
    if report.small_size is not None:
        kept = report.rows.get(report.langs[0], {}).get("train", report.small_size)
        short = (
            f" (asked for {report.small_size}; the source has no more)"
            if kept < report.small_size
            else ""
        )
        notes.append(f"- small variant: {kept} training ids{short}, the same in every language")
    if report.translation_options:
        options = ", ".join(f"{k}={v}" for k, v in report.translation_options.items())
        notes.append(f"- translation options: {options}")
    if report.dropped:
        dropped = ", ".join(f"{k}: {v}" for k, v in sorted(report.dropped.items()))
        notes.append(f"- rows left out: {dropped}")
    values = {
        "title": str(meta.get("pretty_name", report.dataset)),
        "languages": ", ".join(report.langs),
        "source_lang": report.source_lang,
        "tool_version": report.tool_version,
        "default_config": report.default_config,
        "id_rule": report.id_rule,
        "validation_rule": report.validation_rule,
        "configs_table": configs_table(configs),
        "seed": report.seed,
        "translator": report.translator,
        "sources": ", ".join(f"`{s}`" for s in report.sources),
        "extra_notes": "\n".join(notes),
        "rows_table": report.rows_table(),
        "flags_table": report.flags_table(),
        "flags_rule": report.flags_rule,
        "step_counts": report.step_counts(),
        "validation_attribution": validation_attribution(report),
    }
    return render_template(template, header=header, values=values)
