"""Dataset cards: a template in this package plus a build's facts.

A template (``lima_x.md``, ``bactrian_x.md``, ``mt_bench_x.md``) is Markdown with a YAML header
holding the dataset's fixed facts (pretty name, license, task categories, tags); the builder
adds what it knows (``language``, ``size_categories``, ``configs``) to that header and fills
the body's ``$placeholders`` (``string.Template``).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from string import Template

from hub_cards.errors import HubRepoError

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


def split_front_matter(text: str, where: str) -> tuple[str, str]:
    """``(YAML header text, body)`` of a card whose header sits between ``---`` lines."""
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        raise HubRepoError(f"{where}: expected a YAML header between '---' lines")
    header, body = text[4:].split("\n---\n", 1)
    return header, body


def load_template(name: str) -> tuple[dict[str, object], str]:
    """``(YAML header, body)`` of the template ``hub_cards/<name>``."""
    import yaml

    text = (files("hub_cards") / name).read_text(encoding="utf-8")
    header, body = split_front_matter(text, f"hub_cards/{name}")
    meta = yaml.safe_load(header) or {}
    if not isinstance(meta, dict):
        raise HubRepoError(f"hub_cards/{name}: the YAML header is not a mapping")
    return meta, body


def render_card(
    template: str, *, header: Mapping[str, object], values: Mapping[str, object]
) -> str:
    """The full ``README.md``: the template's YAML header updated with ``header`` (new keys
    last, in the given order), then the body with every ``$placeholder`` filled from
    ``values`` (a missing one raises ``KeyError``)."""
    import yaml

    meta, body = load_template(template)
    meta.update(header)
    text = Template(body).substitute(values)
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n{text}"
