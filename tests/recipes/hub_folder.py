"""Write small Hub-layout dataset folders (parquet under data/<config>/ + README configs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

Rows = Sequence[Mapping[str, object]]


def write_hub_folder(out: Path, configs: Mapping[str, Mapping[str, Rows]]) -> Path:
    """``configs``: config name -> split -> rows (each with ``id`` and ``messages``)."""
    from datasets import Dataset

    entries = []
    for name, splits in configs.items():
        files = []
        for split, rows in splits.items():
            path = Path("data") / name / f"{split}.parquet"
            (out / path.parent).mkdir(parents=True, exist_ok=True)
            Dataset.from_list(list(rows)).to_parquet(out / path)
            files.append({"split": split, "path": str(path)})
        entries.append({"config_name": name, "data_files": files})
    entries[0]["default"] = True
    card = "---\n" + yaml.safe_dump({"configs": entries}, sort_keys=False) + "---\n"
    (out / "README.md").write_text(card, encoding="utf-8")
    return out
