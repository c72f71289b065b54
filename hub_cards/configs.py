"""The ``configs:`` list of a repo folder's card, and the check that its files exist."""

from __future__ import annotations

from pathlib import Path

from hub_cards.cards import split_front_matter
from hub_cards.errors import HubRepoError

#: What a folder must be for the commands that read one.
EXPECTED = "expected a folder written by `lima-x build` or `mt-bench-x build`"


def read_card_configs(folder: Path) -> list[dict[str, object]]:
    """The ``configs:`` list of ``<folder>/README.md`` (raises when there is none)."""
    import yaml

    readme = Path(folder) / "README.md"
    if not readme.is_file():
        raise HubRepoError(f"{readme} not found: {EXPECTED}")
    header, _ = split_front_matter(readme.read_text(encoding="utf-8"), str(readme))
    meta = yaml.safe_load(header) or {}
    configs = meta.get("configs") if isinstance(meta, dict) else None
    if (
        not isinstance(configs, list)
        or not configs
        or not all(isinstance(config, dict) and "config_name" in config for config in configs)
    ):
        raise HubRepoError(
            f"{readme}: expected a non-empty 'configs:' list (each with a config_name) in the "
            "YAML header"
        )
    return configs


def data_file_patterns(config: dict[str, object]) -> list[str]:
    """Every path or glob pattern a config's ``data_files`` lists, all splits."""
    entries = config.get("data_files") or []
    if isinstance(entries, (str, dict)):
        entries = [entries]
    patterns: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        paths = entry.get("path", []) if isinstance(entry, dict) else entry
        patterns.extend(str(p) for p in (paths if isinstance(paths, list) else [paths]))
    return patterns


def check_data_files(folder: Path, configs: list[dict[str, object]]) -> None:
    """Raise when a config lists a file that is not in ``folder`` (or a pattern that matches
    none), naming the config and the first missing paths."""
    folder = Path(folder)
    for config in configs:
        missing = [
            pattern
            for pattern in data_file_patterns(config)
            if not (
                any(path.is_file() for path in folder.glob(pattern))
                if any(char in pattern for char in "*?[")
                else (folder / pattern).is_file()
            )
        ]
        if missing:
            raise HubRepoError(
                f"{folder}: config {config['config_name']}: missing files {missing[:3]}; "
                "rebuild the folder"
            )
