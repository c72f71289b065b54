"""Fixtures shared by every test package."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# `recipes` (tiny model builder, sft script) and `tests.servers` import from the repo root.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real MT-Bench / MT-Bench-X files beside the checkout (``../shared/data``)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"expected the shared test data at {SHARED_DATA}")
    return SHARED_DATA


from tests.browser import chromium  # noqa: E402,F401  (one browser fixture for every test)
