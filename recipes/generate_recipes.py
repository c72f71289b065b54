"""Generate the paper's recipe matrix: ``recipes/<model>/<dataset>/<mixture>.yaml``.

    python -m recipes.generate_recipes            # (re)write every YAML
    python -m recipes.generate_recipes --check    # exit 1 if a committed file differs

    python -m recipes.generate_recipes --base-model occiglot/occiglot-7b-eu5 \
        --folder occiglot-7b [--like teuken-7b] [--out DIR]   # the 7B matrix for another model

27 runs for the polyglot 7B (``openGPT-X/Teuken-7B-base-v0.6``, standing in for the paper's
unpublished 24EU-7B; Lima-X, Bactrian-X, Bactrian-X-small x 9 mixtures) and 18 for
Mixtral-8x7B (Lima-X, Bactrian-X-small x 9; the paper skipped full Bactrian-X). Paper
section 5.1: lr 1e-5 with linear decay, batch 64, Adam beta1 0.9, beta2 0.95, weight decay 0.1,
epochs and lr chosen by early stopping on validation loss (lr 1e-6 for Mixtral on the fully
parallel ENDEFRITES and DEFRITES; the ``-sampled`` variants hold each source id once, so they
keep 1e-5).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
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
    trust_remote_code: bool = False
    training_chat_template: str = "auto"


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
    "teuken-7b": ModelSpec(
        folder="teuken-7b",
        model_id="openGPT-X/Teuken-7B-base-v0.6",
        datasets=("lima-x", "bactrian-x", "bactrian-x-small"),
        # 2 per device: the 250,680-token vocabulary makes the logits of 4 x 2048 tokens ~20 GB.
        per_device_batch=2,
        launchers=(
            Launcher("deepspeed_zero3.yaml"),
            Launcher("fsdp1.yaml"),
            Launcher("fsdp2.yaml"),
        ),
        note=(
            "Stand-in for the paper's 24EU-7B (an unpublished 1T-token OpenGPT-X checkpoint):",
            "its public successor, Llama architecture, 250,680-token SentencePiece tokenizer",
            "loaded as remote code (slow tokenizer), about 6T tokens; licensed for",
            "non-commercial research only. Trained in the paper authors' prompt format",
            "(training_chat_template: opengptx, a system message in each sample's language).",
        ),
        trust_remote_code=True,
        training_chat_template="opengptx",
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


def learning_rate(model: ModelSpec, mixture: str) -> float:
    mixtral = model.model_id.startswith("mistralai/Mixtral")
    return 1.0e-6 if mixtral and mixture in FULLY_PARALLEL else 1.0e-5


def recipe(model: ModelSpec, dataset: DatasetSpec, mixture: str) -> dict[str, object]:
    """The fields of one run (SFTConfig, ModelConfig and the script's own arguments)."""
    reference = model.launchers[0]
    accumulation = EFFECTIVE_BATCH // (model.per_device_batch * num_processes(reference))
    fields: dict[str, object] = {
        "model_name_or_path": model.model_id,
        "dtype": "bfloat16",
        "attn_implementation": "sdpa",
        "trust_remote_code": model.trust_remote_code,
        "dataset_name": dataset.repo_id,
        "dataset_config": mixture,
        "dataset_train_split": "train",
        "dataset_test_split": "validation",
        "training_chat_template": model.training_chat_template,
        "assistant_only_loss": True,
        "max_length": 2048,
        "packing": False,
        "bf16": True,
        "activation_checkpointing": True,
        "learning_rate": learning_rate(model, mixture),
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


def render(model: ModelSpec, dataset: DatasetSpec, mixture: str, root: str = "recipes") -> str:
    """YAML text of one recipe with a header that names the launch command."""
    import yaml

    reference = model.launchers[0]
    path = f"{root}/{model.folder}/{dataset.folder}/{mixture}.yaml"
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


def matrix(models: Sequence[ModelSpec] | None = None, root: str = "recipes") -> dict[Path, str]:
    """Relative path -> YAML text for every run of ``models`` (default: the paper's matrix)."""
    return {
        Path(model.folder) / dataset / f"{mixture}.yaml": render(
            model, DATASETS[dataset], mixture, root
        )
        for model in (MODELS.values() if models is None else models)
        for dataset in model.datasets
        for mixture in MIXTURES
    }


def other_base_model(model_id: str, folder: str, like: str) -> ModelSpec:
    """The recipes of ``like`` (a key of ``MODELS``) for another base model."""
    template = MODELS[like]
    return replace(
        template,
        folder=folder,
        model_id=model_id,
        note=(
            f"{model_id} with the settings of recipes/{template.folder}/ (generated with",
            f"--base-model {model_id} --folder {folder} --like {like}).",
        ),
    )


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
    parser.add_argument("--base-model", help="write the matrix for this model id instead")
    parser.add_argument("--folder", help="folder name of --base-model's recipes")
    parser.add_argument(
        "--like", default="teuken-7b", choices=sorted(MODELS), help="settings to copy"
    )
    parser.add_argument("--trust-remote-code", choices=("true", "false"), default=None)
    parser.add_argument(
        "--training-chat-template", default=None, help="auto, model, opengptx or a .jinja path"
    )
    parser.add_argument("--out", type=Path, default=RECIPES_DIR, help="root folder to write")
    args = parser.parse_args(argv)
    if args.base_model:
        if args.check:
            parser.error("--check compares the shipped matrix; drop --base-model")
        model = other_base_model(
            args.base_model, args.folder or args.base_model.split("/")[-1].lower(), args.like
        )
        if args.trust_remote_code is not None:
            model = replace(model, trust_remote_code=args.trust_remote_code == "true")
        if args.training_chat_template is not None:
            model = replace(model, training_chat_template=args.training_chat_template)
        root = "recipes" if args.out.resolve() == RECIPES_DIR else str(args.out)
        return write(matrix([model], root=root), args.out)
    wanted = matrix()
    if args.check:
        stale = sorted(set(wanted.items()) ^ set(committed().items()))
        for path, _ in stale:
            print(f"out of date: recipes/{path}", file=sys.stderr)
        return 1 if stale else 0
    return write(wanted, RECIPES_DIR)


def write(recipes: dict[Path, str], root: Path) -> int:
    for path, text in recipes.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    print(f"wrote {len(recipes)} recipes under {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
