"""The Hub folder writer: atomic replacement, card parsing, the checks `lima-x push` makes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lima_x.card import size_category
from lima_x.cli import build_app
from lima_x.errors import LimaXError, OutputExistsError
from lima_x.hub import atomic_folder, push_folder, read_card_configs


def test_atomic_folder_leaves_nothing_on_error(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    with pytest.raises(RuntimeError), atomic_folder(out) as tmp:
        (tmp / "half.parquet").write_bytes(b"partial")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_replaces_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    with atomic_folder(out) as tmp:
        (tmp / "a.txt").write_text("first", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        atomic_folder(out).__enter__()
    with pytest.raises(ValueError), atomic_folder(out, overwrite=True) as tmp:
        (tmp / "a.txt").write_text("second", encoding="utf-8")
        raise ValueError("stop")
    assert (out / "a.txt").read_text(encoding="utf-8") == "first"
    with atomic_folder(out, overwrite=True) as tmp:
        (tmp / "b.txt").write_text("second", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [(52, "n<1K"), (1030, "1K<n<10K"), (5150, "1K<n<10K"), (335_085, "100K<n<1M")],
)
def test_size_category(rows: int, expected: str) -> None:
    assert size_category(rows) == expected


def test_push_checks_the_folder_before_any_upload(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "repo"
    runner = CliRunner()
    source = make_bactrian_dir(12, langs=["EN", "DE"])
    result = runner.invoke(
        build_app(),
        ["build", "bactrian-x", "--source-dir", str(source), "--langs", "EN,DE", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    names = [c["config_name"] for c in read_card_configs(out)]
    assert names == ["EN", "DE", "ENDE", "ENDE-sampled", "EN_DE", "EN_DE_sampled"]
    (out / "data" / "DE" / "validation-00000-of-00001.parquet").unlink()
    with pytest.raises(LimaXError, match="config DE: missing files"):
        push_folder(out, "org/name")
    result = runner.invoke(build_app(), ["push", str(tmp_path / "nothing"), "--repo-id", "org/x"])
    assert result.exit_code == 1
    assert "README.md not found" in result.output


def test_push_without_a_token_says_to_set_hf_token(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # never the network
    out = tmp_path / "repo"
    source = make_bactrian_dir(12, langs=["EN", "DE"])
    runner = CliRunner()
    args = ["build", "bactrian-x", "--source-dir", str(source), "--langs", "EN,DE"]
    assert runner.invoke(build_app(), [*args, "--out", str(out)]).exit_code == 0
    result = runner.invoke(build_app(), ["push", str(out), "--repo-id", "org/name"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: no Hugging Face token: set HF_TOKEN to a token with write access to org/name "
        "(https://huggingface.co/settings/tokens), or log in with `hf auth login`"
    ]
