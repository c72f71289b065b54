"""`lima-x push`: the checks made before any upload (hub_cards.push)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub_cards.configs import read_card_configs
from hub_cards.errors import HubRepoError
from hub_cards.push import push_folder
from lima_x.cli import build_app


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
    with pytest.raises(HubRepoError, match="config DE: missing files"):
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
