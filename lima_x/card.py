"""Render a dataset card from a template in ``hub_cards/`` plus the build's configs and report.

A template is Markdown with a YAML header holding the dataset's fixed facts (license, task
categories, source datasets); the builder adds ``language``, ``size_categories`` and
``configs`` to that header and fills the body's ``$placeholders`` (``string.Template``).
"""

from __future__ import annotations

from importlib.resources import files
from string import Template

from lima_x.hub import ConfigEntry
from lima_x.report import BuildReport

_SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
)


def size_category(n_rows: int) -> str:
    """The Hub's ``size_categories`` bucket for ``n_rows``."""
    for limit, name in _SIZE_CATEGORIES:
        if n_rows < limit:
            return name
    return "10M<n<100M"


def load_template(name: str) -> tuple[dict[str, object], str]:
    """``(YAML header, body)`` of ``hub_cards/<name>``."""
    import yaml

    text = (files("hub_cards") / name).read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError(f"hub_cards/{name}: expected a YAML header between '---' lines")
    header, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(header) or {}, body


def configs_table(configs: list[ConfigEntry]) -> str:
    lines = ["| config | kind | languages | splits |", "|---|---|---|---|"]
    for config in configs:
        kind = f"alias of `{config.alias_of}`" if config.alias_of else config.kind
        if config.default:
            kind += " (default)"
        splits = ", ".join(f"{s} ({config.rows.get(s, 0)})" for s in config.data_files)
        lines.append(f"| `{config.name}` | {kind} | {' '.join(config.langs)} | {splits} |")
    return "\n".join(lines)


def render_card(template: str, report: BuildReport, configs: list[ConfigEntry]) -> str:
    """The full ``README.md`` text: YAML header with ``configs:`` and the rendered body."""
    import yaml

    meta, body = load_template(template)
    languages: list[str] = []
    for lang in report.langs:
        code = lang.split("-")[0].lower()
        if code not in languages:
            languages.append(code)
    stored = sum(sum(c.rows.values()) for c in configs if c.kind in ("monolingual", "sampled"))
    meta["language"] = languages
    meta["size_categories"] = [size_category(stored)]
    meta["configs"] = [config.yaml_entry() for config in configs]
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
    text = Template(body).substitute(
        title=str(meta.get("pretty_name", report.dataset)),
        languages=", ".join(report.langs),
        source_lang=report.source_lang,
        tool_version=report.tool_version,
        default_config=report.default_config,
        id_rule=report.id_rule,
        validation_rule=report.validation_rule,
        configs_table=configs_table(configs),
        seed=report.seed,
        translator=report.translator,
        sources=", ".join(f"`{s}`" for s in report.sources),
        extra_notes="\n".join(notes),
        rows_table=report.rows_table(),
        flags_table=report.flags_table(),
        flags_rule=report.flags_rule,
    )
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}---\n{text}"
