"""Run the real ``recipes/sft.py`` through ``accelerate launch`` on CPU for the recipe tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import yaml

SFT_SCRIPT = Path(__file__).resolve().parents[2] / "recipes" / "sft.py"


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
        # a free port of our own, so that back-to-back launches never meet on torchrun's 29500
        *(["--main_process_port", str(free_port())] if num_processes > 1 else []),
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
    if num_processes > 1 and done.returncode != 0 and "SIGABRT" in output:
        # Seen once in ~20 two-process gloo runs on the 2-core CI machine: a rank aborted by
        # torch's gloo backend at the evaluation step, never reproduced in isolation. One
        # fresh attempt, reported in the test output, so a real failure still fails twice.
        warnings.warn(f"gloo rank aborted, launching once more:\n{output[-2000:]}", stacklevel=2)
        done = subprocess.run(
            command, cwd=tmp, env=env, capture_output=True, text=True, timeout=240, check=False
        )
        output = done.stdout + done.stderr
    assert done.returncode == 0, output[-12000:]
    state_file = Path(recipe["output_dir"]) / "trainer_state.json"
    return json.loads(state_file.read_text(encoding="utf-8")), output


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
