"""Generate the paper's recipe matrix: ``recipes/<model>/<dataset>/<mixture>.yaml``.

    python -m recipes.generate_recipes            # (re)write every YAML
    python -m recipes.generate_recipes --check    # exit 1 if a committed file differs

27 runs for the Llama-2-architecture 7B (Lima-X, Bactrian-X, Bactrian-X-small x 9 mixtures) and
18 for Mixtral-8x7B (Lima-X, Bactrian-X-small x 9; the paper skipped full Bactrian-X). Paper
section 5.1: lr 1e-5 with linear decay, batch 64, Adam beta1 0.9, beta2 0.95, weight decay 0.1,
epochs and lr chosen by early stopping on validation loss (lr 1e-6 for Mixtral on the fully
parallel ENDEFRITES and DEFRITES; the ``-sampled`` variants hold each source id once, so they
keep 1e-5).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

RECIPES_DIR = Path(__file__).resolve().parent
ACCELERATE_DIR = RECIPES_DIR / "accelerate"
EFFECTIVE_BATCH = 64
LANGS = ("EN", "DE", "FR", "IT", "ES")
MIXTURES = (*LANGS, "ENDEFRITES", "DEFRITES", "ENDEFRITES-sampled", "DEFRITES-sampled")
FULLY_PARALLEL = ("ENDEFRITES", "DEFRITES")


@dataclass(frozen=True)
class Launcher:
    """An accelerate config and the number of machines it is launched on."""

    config: str
    num_machines: int = 1


@dataclass(frozen=True)
class ModelSpec:
    folder: str
    model_id: str
    datasets: tuple[str, ...]
    per_device_batch: int
    launchers: tuple[Launcher, ...]
    note: tuple[str, ...]


@dataclass(frozen=True)
class DatasetSpec:
    folder: str
    repo_id: str
    num_train_epochs: int
    eval_strategy: str  # "epoch" or "steps"
    eval_steps: int | None = None


DATASETS = {
    "lima-x": DatasetSpec(
        "lima-x", "lamarr-org/Lima-X", num_train_epochs=15, eval_strategy="epoch"
    ),
    # Placeholder ids for `lima-x build bactrian-x` output pushed to your namespace;
    # override with --dataset_name <your repo or local folder>.
    "bactrian-x": DatasetSpec(
        "bactrian-x",
        "lamarr-org/Bactrian-X",
        num_train_epochs=3,
        eval_strategy="steps",
        eval_steps=250,
    ),
    "bactrian-x-small": DatasetSpec(
        "bactrian-x-small",
        "lamarr-org/Bactrian-X-small",
        num_train_epochs=15,
        eval_strategy="epoch",
    ),
}

MODELS = {
    "llama-2-7b": ModelSpec(
        folder="llama-2-7b",
        model_id="meta-llama/Llama-2-7b-hf",
        datasets=("lima-x", "bactrian-x", "bactrian-x-small"),
        per_device_batch=4,
        launchers=(
            Launcher("deepspeed_zero3.yaml"),
            Launcher("fsdp1.yaml"),
            Launcher("fsdp2.yaml"),
        ),
        note=(
            "Stand-in for the paper's 24EU-7B (an OpenGPT-X Llama-2-architecture checkpoint",
            "with a 250k SentencePiece vocabulary). Public OpenGPT-X models ship a custom",
            "tokenizer: add --model_name_or_path <id> --trust_remote_code true (see",
            "recipes/README.md on slow tokenizers and assistant masks).",
        ),
    ),
    "mixtral-8x7b": ModelSpec(
        folder="mixtral-8x7b",
        model_id="mistralai/Mixtral-8x7B-v0.1",
        datasets=("lima-x", "bactrian-x-small"),
        per_device_batch=1,
        launchers=(
            Launcher("deepspeed_zero3.yaml", 2),
            Launcher("fsdp1.yaml", 2),
            Launcher("fsdp2.yaml", 2),
        ),
        note=(
            "Full fine-tuning of 46.7B parameters: two 8-GPU nodes",
            "(recipes/slurm/sft_multinode.sh).",
        ),
    ),
}


def num_processes(launcher: Launcher) -> int:
    """Processes of ``launcher``: its accelerate config's per-machine count x machines."""
    import yaml

    config = yaml.safe_load((ACCELERATE_DIR / launcher.config).read_text(encoding="utf-8"))
    per_machine = config["num_processes"] // config.get("num_machines", 1)
    return per_machine * launcher.num_machines


def learning_rate(model: str, mixture: str) -> float:
    return 1.0e-6 if model == "mixtral-8x7b" and mixture in FULLY_PARALLEL else 1.0e-5


def recipe(model: ModelSpec, dataset: DatasetSpec, mixture: str) -> dict[str, object]:
    """The fields of one run (SFTConfig, ModelConfig and the script's own arguments)."""
    reference = model.launchers[0]
    accumulation = EFFECTIVE_BATCH // (model.per_device_batch * num_processes(reference))
    fields: dict[str, object] = {
        "model_name_or_path": model.model_id,
        "dtype": "bfloat16",
        "attn_implementation": "sdpa",
        "trust_remote_code": False,
        "dataset_name": dataset.repo_id,
        "dataset_config": mixture,
        "dataset_train_split": "train",
        "dataset_test_split": "validation",
        "training_chat_template": "auto",
        "assistant_only_loss": True,
        "max_length": 2048,
        "packing": False,
        "bf16": True,
        "activation_checkpointing": True,
        "learning_rate": learning_rate(model.folder, mixture),
        "lr_scheduler_type": "linear",
        "warmup_steps": 0,
        "optim": "adamw_torch_fused",
        "adam_beta1": 0.9,
        "adam_beta2": 0.95,
        "weight_decay": 0.1,
        "per_device_train_batch_size": model.per_device_batch,
        "per_device_eval_batch_size": model.per_device_batch,
        "gradient_accumulation_steps": accumulation,
        "effective_batch_size": EFFECTIVE_BATCH,
        "num_train_epochs": dataset.num_train_epochs,
        "eval_strategy": dataset.eval_strategy,
        "save_strategy": dataset.eval_strategy,
    }
    if dataset.eval_steps:
        fields["eval_steps"] = dataset.eval_steps
        fields["save_steps"] = dataset.eval_steps
    fields |= {
        "save_total_limit": 2,
        "load_best_model_at_end": True,
        "metric_for_best_model": "eval_loss",
        "greater_is_better": False,
        "early_stopping_patience": 3,
        "logging_steps": 5,
        "report_to": "none",
        "seed": 42,
        "output_dir": f"outputs/{model.folder}/{dataset.folder}/{mixture}",
    }
    return fields


def render(model: ModelSpec, dataset: DatasetSpec, mixture: str) -> str:
    """YAML text of one recipe with a header that names the launch command."""
    import yaml

    reference = model.launchers[0]
    path = f"recipes/{model.folder}/{dataset.folder}/{mixture}.yaml"
    processes = num_processes(reference)
    accumulation = EFFECTIVE_BATCH // (model.per_device_batch * processes)
    header = [
        "# Generated by `python -m recipes.generate_recipes`; edit the generator, not this file.",
        *(f"# {line}" for line in model.note),
        f"# Batch: {model.per_device_batch} per device x {accumulation} accumulation x "
        f"{processes} processes = {EFFECTIVE_BATCH};",
        "# on another process count sft.py recomputes the accumulation (effective_batch_size).",
        f"# accelerate launch --config_file recipes/accelerate/{reference.config}"
        + (f" --num_machines {reference.num_machines} ..." if reference.num_machines > 1 else "")
        + f" recipes/sft.py --config {path}",
    ]
    body = yaml.safe_dump(recipe(model, dataset, mixture), sort_keys=False, allow_unicode=True)
    return "\n".join(header) + "\n" + body


def matrix() -> dict[Path, str]:
    """Relative path -> YAML text for every run of the paper's matrix."""
    return {
        Path(model.folder) / dataset / f"{mixture}.yaml": render(model, DATASETS[dataset], mixture)
        for model in MODELS.values()
        for dataset in model.datasets
        for mixture in MIXTURES
    }


def committed() -> dict[Path, str]:
    """Relative path -> text of the recipe YAMLs in the repository."""
    return {
        path.relative_to(RECIPES_DIR): path.read_text(encoding="utf-8")
        for model in MODELS
        for path in sorted((RECIPES_DIR / model).rglob("*.yaml"))
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    wanted = matrix()
    if args.check:
        stale = sorted(set(wanted.items()) ^ set(committed().items()))
        for path, _ in stale:
            print(f"out of date: recipes/{path}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in wanted.items():
        target = RECIPES_DIR / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    print(f"wrote {len(wanted)} recipes under {RECIPES_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
