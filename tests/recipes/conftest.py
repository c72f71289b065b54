"""Fixtures for the recipe tests: a tiny random Llama and small mixture datasets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.recipes.hub_folder import write_hub_folder

REPO_ROOT = Path(__file__).resolve().parents[2]

# One short question/answer per language; ids follow the lima_x `<source_id>_<LANG>` scheme.
QA = {
    "EN": ("What colour is the sky?", "The sky is blue."),
    "DE": ("Welche Farbe hat der Himmel?", "Der Himmel ist blau, grün wäre überraschend."),
    "FR": ("De quelle couleur est le ciel ?", "Le ciel est bleu, à vrai dire."),
    "IT": ("Di che colore è il cielo?", "Il cielo è blu, così com'è."),
    "ES": ("¿De qué color es el cielo?", "El cielo es azul, señor."),
}


def _rows(lang: str, ids: range, *, reverse_answer: bool = False) -> list[dict]:
    question, answer = QA[lang]
    if reverse_answer:
        answer = answer[::-1]
    return [
        {
            "id": f"{i}_{lang}",
            "messages": [
                {"role": "user", "content": f"{question} ({i})"},
                {"role": "assistant", "content": answer},
            ],
        }
        for i in ids
    ]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from recipes.tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), seed=0)


@pytest.fixture(scope="session")
def contradicting_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ENDEFRITES`` whose validation answers are the train answers reversed.

    Fitting the train answers first helps the validation loss (shared characters), then hurts
    it (the order is the opposite): the validation loss falls and then rises.
    """
    train = [row for lang in QA for row in _rows(lang, range(32))]
    validation = [row for lang in QA for row in _rows(lang, range(4), reverse_answer=True)]
    return write_hub_folder(
        tmp_path_factory.mktemp("contradicting"),
        {"ENDEFRITES": {"train": train, "val": validation}},
    )


@pytest.fixture(scope="session")
def mixture_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Bactrian-X-style Hub folder: ``lima-x build bactrian-x`` on the shipped sample."""
    out = tmp_path_factory.mktemp("lima-x") / "bactrian-x"
    command = [
        sys.executable,
        "-m",
        "lima_x.cli",
        "build",
        "bactrian-x",
        "--source-dir",
        str(REPO_ROOT / "examples" / "bactrian_x_sample"),
        "--langs",
        "EN,DE,FR,IT,ES",
        "--out",
        str(out),
        "--seed",
        "42",
        "--no-progress",
    ]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return out
