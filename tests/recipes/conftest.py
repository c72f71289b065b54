"""Fixtures for the recipe tests: a tiny random Llama and small mixture datasets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.recipes.hub_folder import write_hub_folder

REPO_ROOT = Path(__file__).resolve().parents[2]
SFT_SCRIPT = REPO_ROOT / "recipes" / "sft.py"

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


def cpu_recipe(model: Path, dataset: Path, config: str, out: Path, **overrides: object) -> dict:
    """A recipe for a few CPU steps on the tiny model (the paper's optimiser settings)."""
    recipe = {
        "model_name_or_path": str(model),
        "dataset_name": str(dataset),
        "dataset_config": config,
        "output_dir": str(out),
        "use_cpu": True,
        "bf16": False,
        "activation_checkpointing": False,
        "assistant_only_loss": True,
        "learning_rate": 3.0e-3,
        "lr_scheduler_type": "linear",
        "adam_beta1": 0.9,
        "adam_beta2": 0.95,
        "weight_decay": 0.1,
        "per_device_train_batch_size": 8,
        "gradient_accumulation_steps": 2,
        "effective_batch_size": 16,
        "max_steps": 12,
        "eval_strategy": "steps",
        "eval_steps": 4,
        "save_strategy": "steps",
        "save_steps": 4,
        "save_total_limit": 2,
        "load_best_model_at_end": True,
        "metric_for_best_model": "eval_loss",
        "greater_is_better": False,
        "logging_steps": 1,
        "report_to": "none",
        "max_length": 128,
        "seed": 0,
        "dataloader_num_workers": 0,
    }
    recipe.update(overrides)
    return recipe


def launch(recipe: dict, tmp: Path, *, num_processes: int = 1, extra: tuple[str, ...] = ()):
    """Run ``recipes/sft.py`` through ``accelerate launch`` on CPU; return (state, output)."""
    config = tmp / "recipe.yaml"
    config.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        # `--cpu` alone starts one process whatever --num_processes says (no MPI hostfile);
        # torchrun through `--multi_gpu` starts them all and `use_cpu: true` selects gloo.
        *(["--multi_gpu"] if num_processes > 1 else ["--cpu"]),
        "--num_processes",
        str(num_processes),
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "--num_cpu_threads_per_process",
        "1",
        str(SFT_SCRIPT),
        "--config",
        str(config),
        *extra,
    ]
    done = subprocess.run(
        command, cwd=tmp, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    state_file = Path(recipe["output_dir"]) / "trainer_state.json"
    return json.loads(state_file.read_text(encoding="utf-8")), output
