"""Hub repo folders: written locally exactly as pushed, atomically, then uploaded.

Layout::

    <out>/README.md                              card + YAML ``configs:`` (one ``default: true``)
    <out>/build_report.json                      the build report, machine-readable
    <out>/data/<config>/<split>-00000-of-00001.parquet

A config's ``data_files`` may list another config's files (full mixtures and aliases do), so
no parquet data is stored twice. :func:`atomic_folder` builds everything in a temporary sibling
folder and renames it into place only when the build succeeded: an error leaves no output.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lima_x.errors import LimaXError, OutputExistsError

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

ROWS_PER_SHARD = 250_000
PARQUET_OPTIONS: dict[str, object] = {"compression": "snappy", "row_group_size": 10_000}


@dataclass
class ConfigEntry:
    """One config of the repo: its files per split, row counts and what it is made of."""

    name: str
    data_files: dict[str, list[str]]
    rows: dict[str, int]
    langs: tuple[str, ...]
    kind: str  # "monolingual" | "mixture" | "sampled" | "alias"
    alias_of: str | None = None
    default: bool = False

    def yaml_entry(self) -> dict[str, object]:
        entry: dict[str, object] = {"config_name": self.name}
        if self.default:
            entry["default"] = True
        entry["data_files"] = [
            {"split": split, "path": list(paths) if len(paths) > 1 else paths[0]}
            for split, paths in self.data_files.items()
        ]
        return entry


def write_parquet_split(root: Path, config: str, split: str, table: pa.Table) -> list[str]:
    """Write ``table`` as ``data/<config>/<split>-XXXXX-of-YYYYY.parquet``; relative paths."""
    import pyarrow.parquet as pq

    folder = root / "data" / config
    folder.mkdir(parents=True, exist_ok=True)
    n_shards = max(1, -(-table.num_rows // ROWS_PER_SHARD))
    paths = []
    for shard in range(n_shards):
        name = f"{split}-{shard:05d}-of-{n_shards:05d}.parquet"
        part = table.slice(shard * ROWS_PER_SHARD, ROWS_PER_SHARD)
        pq.write_table(part, folder / name, **PARQUET_OPTIONS)
        paths.append(f"data/{config}/{name}")
    return paths


@contextlib.contextmanager
def atomic_folder(out: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``out`` when the block finishes without error."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise OutputExistsError(f"{out} exists already; pass --overwrite to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    tmp.chmod(0o755)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def read_card_configs(folder: Path) -> list[dict[str, object]]:
    """The ``configs:`` list of ``<folder>/README.md`` (raises when there is none)."""
    import yaml

    readme = Path(folder) / "README.md"
    if not readme.is_file():
        raise LimaXError(f"{readme} not found: expected a folder written by `lima-x build`")
    text = readme.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise LimaXError(f"{readme}: expected YAML front matter between '---' lines")
    header = text[4:].split("\n---\n", 1)[0]
    meta = yaml.safe_load(header) or {}
    configs = meta.get("configs")
    if not isinstance(configs, list) or not configs:
        raise LimaXError(f"{readme}: expected a non-empty 'configs:' list in the YAML header")
    return configs


def push_folder(
    folder: Path, repo_id: str, *, private: bool = False, commit_message: str | None = None
) -> str:
    """Create the dataset repo if needed and upload ``folder``; returns the commit URL.

    The token comes from ``HF_TOKEN`` (or the ``huggingface_hub`` login); it is never logged.
    """
    from huggingface_hub import HfApi, get_token

    folder = Path(folder)
    configs = read_card_configs(folder)
    for config in configs:
        for entry in config.get("data_files", []):  # type: ignore[union-attr]
            paths = entry["path"] if isinstance(entry["path"], list) else [entry["path"]]
            missing = [p for p in paths if not (folder / p).is_file()]
            if missing:
                raise LimaXError(f"config {config['config_name']}: missing files {missing[:3]}")
    token = os.environ.get("HF_TOKEN") or get_token()
    if not token:
        raise LimaXError(
            f"no Hugging Face token: set HF_TOKEN to a token with write access to {repo_id} "
            "(https://huggingface.co/settings/tokens), or log in with `hf auth login`"
        )
    api = HfApi(token=token)
    logger.info("uploading %s to datasets/%s (%d configs)", folder, repo_id, len(configs))
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        info = api.upload_folder(
            folder_path=str(folder),
            repo_id=repo_id,
            repo_type="dataset",
            commit_message=commit_message or f"Upload {len(configs)} configs with lima-x",
        )
    except Exception as exc:  # huggingface_hub raises its own HTTP and connection errors
        raise LimaXError(f"upload to {repo_id} failed: {type(exc).__name__}: {exc}") from exc
    return str(getattr(info, "commit_url", info))
