"""`lima-x build lima` needs a validation choice: a (curated) file or an explicit hold-out; the
report and the card say which, and a StackExchange-curated set brings its CC BY-SA credits."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lima_x.cli import build_app
from lima_x.curation.config import CurationConfig
from lima_x.curation.run import curate_validation
from tests.lima_x.sources import FILLER, lima_rows, write_jsonl


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["build", "lima", *args, "--no-progress"])
    return result.exit_code, result.output


@pytest.fixture
def train(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "lima" / "train.jsonl", lima_rows(20))


def test_without_a_validation_choice_the_build_stops(train: Path, tmp_path: Path) -> None:
    code, output = build(
        "--source", str(train), "--langs", "EN", "--translator", "none",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 1
    line = output.strip().splitlines()[-1]
    assert line.startswith("error: ")
    assert "--validation FILE" in line and "--validation-fraction F" in line
    assert not (tmp_path / "out").exists()


def test_both_choices_at_once_are_refused(train: Path, tmp_path: Path) -> None:
    code, output = build(
        "--source", str(train), "--validation", str(train), "--validation-fraction", "0.1",
        "--langs", "EN", "--translator", "none", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 1
    assert "either --validation FILE or --validation-fraction F, found both" in output


def test_an_explicit_fraction_warns_and_is_stated(
    train: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="lima_x"):
        code, output = build(
            "--source", str(train), "--validation-fraction", "0.1", "--langs", "EN",
            "--translator", "none", "--out", str(out),
        )  # fmt: skip
    assert code == 0, output
    assert any("the training set shrinks to 18" in r.getMessage() for r in caplog.records)
    report = json.loads((out / "build_report.json").read_text())
    assert report["validation_choice"] == "--validation-fraction 0.1"
    assert report["rows"]["EN"] == {"train": 18, "validation": 2}
    card = (out / "README.md").read_text()
    assert "`--validation-fraction 0.1`: 2 train rows held out" in card
    assert "CC BY-SA" not in card


def test_a_curated_stackexchange_set_is_credited_in_the_card(train: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {
            "site": "cooking",
            "question_id": 10 + i,
            "answer_id": 20 + i,
            "title": f"How long does dough number {i} rest",
            "question": f"<p>Dough {i}: {FILLER['EN']}?</p>",
            "answer": f"<p>Rest dough {i} overnight: {FILLER['EN']}.</p>",
            "answer_score": 9,
            "question_author": {"name": f"Asker {i}", "user_id": 100 + i},
            "answer_author": {"name": f"Baker {i}", "user_id": 200 + i},
            "answer_created": "2019-06-01",
        }
        for i in range(2)
    ]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    curate_validation([pairs], train, tmp_path / "curated", CurationConfig(min_length=10))
    candidates = tmp_path / "curated" / "candidates.jsonl"
    out = tmp_path / "out"
    code, output = build(
        "--source", str(train), "--validation", str(candidates), "--langs", "EN",
        "--translator", "none", "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    report = json.loads((out / "build_report.json").read_text())
    assert report["validation_choice"] == "--validation candidates.jsonl"
    assert report["rows"]["EN"] == {"train": 20, "validation": 2}
    card = (out / "README.md").read_text()
    assert "Validation split: the rows of `candidates.jsonl` (`--validation`" in card
    assert "Stack Exchange posts, CC BY-SA" in card
    assert (
        "- [How long does dough number 1 rest](https://cooking.stackexchange.com/q/11): "
        "question by [Asker 1](https://cooking.stackexchange.com/users/101), "
        "[answer](https://cooking.stackexchange.com/a/21) by "
        "[Baker 1](https://cooking.stackexchange.com/users/201); CC BY-SA 4.0"
    ) in card
