"""The CC BY-SA attribution of a validation file made from StackExchange candidates.

A row written by ``lima-x curate-validation`` keeps its post links, authors and licence; a
dataset built with such a file names them in its card, as the licence asks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lima_x.readers import load_rows


def _author(value: Any) -> str:
    if not isinstance(value, dict) or not value.get("name"):
        return "an unnamed user"
    name = str(value["name"])
    return f"[{name}]({value['profile']})" if value.get("profile") else name


def attribution_lines(path: Path) -> list[str]:
    """One Markdown line per StackExchange row of ``path`` (rows without a link are skipped)."""
    lines = []
    for _, row in load_rows(path):
        link = row.get("question_link")
        if not isinstance(link, str) or not link:
            continue
        title = str(row.get("title") or row.get("id") or link).replace("]", ")")
        answer_link = row.get("answer_link") or link
        licence = row.get("license") or "CC BY-SA"
        lines.append(
            f"- [{title}]({link}): question by {_author(row.get('question_author'))}, "
            f"[answer]({answer_link}) by {_author(row.get('answer_author'))}; {licence}"
        )
    return lines
