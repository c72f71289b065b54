"""The atomic repo-folder writer: a folder appears complete or not at all, and only a folder
this project wrote is ever replaced.

:func:`repo_folder` yields a temporary folder to write into. When the block ends without error
it writes the marker file :data:`MARKER` (which program wrote the folder, and the entries it
wrote) and puts the folder in place of ``out``; on an error the temporary folder is removed and
``out`` is untouched.

An existing ``out`` is replaced only when asked to (``overwrite``) and only when it is an empty
folder or carries the marker and holds nothing besides what the build wrote (a Hub clone's
``.gitattributes`` aside): a user's folder, a data folder given as ``--out`` by mistake, or a
built folder a user added notes to, is refused with the names of the files in the way.

A folder is put in place by renaming (the old one is renamed aside first, then removed). When
``out`` is the working directory (``--out .``) or holds it, its entries are swapped instead,
through temporary folders inside it, so the working directory stays valid. Temporary folders
carry the writing process's id; one whose process is gone (a killed build) is removed by the
next run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hub_cards.errors import ForeignOutputError, OutputExistsError

logger = logging.getLogger(__name__)

#: The marker file a build leaves in every repo folder it writes (not uploaded).
MARKER = ".polyglot-instruct-repo.json"
#: Entries a Hub clone of the repo adds, which a rebuild may replace.
HUB_ENTRIES = frozenset({".gitattributes"})
#: Names of the temporary folders this writer makes: ``<prefix>.tmp-<pid>-<random>`` and
#: ``<prefix>.old-<pid>-<random>``.
_TEMP_NAME = re.compile(r"\.(?:tmp|old)-(\d+)-[A-Za-z0-9_]+$")


def read_marker(folder: Path) -> dict[str, object] | None:
    """The marker of ``folder`` (None when there is none or it is not ours)."""
    path = Path(folder) / MARKER
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("entries"), list) else None


def check_replaceable(out: Path, *, overwrite: bool) -> None:
    """Fail (before any work) when ``out`` exists and may not be replaced."""
    out = Path(out)
    if not out.exists() and not out.is_symlink():
        return
    if not overwrite:
        raise OutputExistsError(f"{out} exists already; pass --overwrite to replace it")
    if out.is_symlink() or not out.is_dir():
        raise ForeignOutputError(
            f"--out {out}: not replaced, it is not a folder a build wrote; choose a new or "
            "empty folder"
        )
    _clean_stale(out, prefix="")
    foreign = foreign_entries(out)
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise ForeignOutputError(
            f"--out {out}: not replaced, it holds files a build did not write ({shown}); "
            "choose a new or empty folder"
        )


def foreign_entries(folder: Path) -> list[str]:
    """Entries of ``folder`` that the build which wrote it (per its marker) did not write;
    every entry when there is no marker."""
    marker = read_marker(folder)
    entries = marker.get("entries") if marker else None
    ours = (
        {str(e) for e in entries} | {MARKER} | HUB_ENTRIES if isinstance(entries, list) else set()
    )
    return sorted(item.name for item in Path(folder).iterdir() if item.name not in ours)


@contextlib.contextmanager
def repo_folder(out: Path, *, overwrite: bool = False, writer: str) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``out`` when the block finishes without error.

    ``writer`` (e.g. ``"lima-x build"``) goes into the marker. See the module's text for which
    folders may be replaced.
    """
    out = Path(os.path.abspath(out))
    check_replaceable(out, overwrite=overwrite)
    in_place = out.exists() and _holds_working_directory(out)
    parent = out if in_place else out.parent
    prefix = "" if in_place else f".{out.name}"
    parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(parent, prefix=prefix)
    tmp = Path(tempfile.mkdtemp(prefix=f"{prefix}.tmp-{os.getpid()}-", dir=parent))
    try:
        yield tmp
        entries = sorted(entry.name for entry in tmp.iterdir())
        (tmp / MARKER).write_text(
            json.dumps({"written_by": writer, "entries": entries}, indent=2) + "\n",
            encoding="utf-8",
        )
        tmp.chmod(0o755)
        if in_place:
            _swap_entries(tmp, out)
        else:
            _swap_folder(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _holds_working_directory(out: Path) -> bool:
    try:
        return Path.cwd().resolve().is_relative_to(out.resolve())
    except OSError:
        return False


def _swap_folder(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``, the old ``out`` aside first and then removed."""
    if not out.exists():
        tmp.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _swap_entries(tmp: Path, out: Path) -> None:
    """Replace the entries of ``out`` by those of ``tmp`` (both inside ``out``)."""
    old = Path(tempfile.mkdtemp(prefix=f".old-{os.getpid()}-", dir=out))
    try:
        for entry in out.iterdir():
            if entry not in (tmp, old):
                entry.rename(old / entry.name)
        for entry in tmp.iterdir():
            entry.rename(out / entry.name)
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _clean_stale(folder: Path, *, prefix: str) -> None:
    """Remove ``<prefix>.tmp-<pid>-*`` / ``<prefix>.old-<pid>-*`` folders in ``folder`` whose
    process is gone (left by a killed build)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if not entry.name.startswith(f"{prefix}.") or not entry.is_dir():
            continue
        match = _TEMP_NAME.match(entry.name[len(prefix) :])
        if match and not _process_alive(int(match.group(1))):
            logger.info("removing %s, left by a build that did not finish", entry)
            shutil.rmtree(entry, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
