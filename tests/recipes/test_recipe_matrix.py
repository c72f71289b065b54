"""The committed recipe YAMLs: generated, parseable by TRL, batch 64, launchers that load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from recipes import generate_recipes as gen
from recipes.sft import make_parser

RECIPE_FILES = sorted(
    path for model in gen.MODELS for path in (gen.RECIPES_DIR / model).rglob("*.yaml")
)
ACCELERATE_FILES = sorted(gen.ACCELERATE_DIR.glob("*.yaml"))


def test_committed_files_match_the_generator() -> None:
    assert gen.committed() == gen.matrix()
    done = subprocess.run(
        [sys.executable, "-m", "recipes.generate_recipes", "--check"],
        cwd=gen.RECIPES_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_paper_matrix_has_45_runs() -> None:
    by_model = {model: len(list((gen.RECIPES_DIR / model).rglob("*.yaml"))) for model in gen.MODELS}
    assert by_model == {"teuken-7b": 27, "mixtral-8x7b": 18}
    assert not (gen.RECIPES_DIR / "mixtral-8x7b" / "bactrian-x").exists()


def test_the_7b_recipes_train_teuken_in_the_opengptx_format() -> None:
    for path in (gen.RECIPES_DIR / "teuken-7b").rglob("*.yaml"):
        fields = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert fields["model_name_or_path"] == "openGPT-X/Teuken-7B-base-v0.6"
        assert fields["trust_remote_code"] is True  # its SentencePiece tokenizer is remote code
        assert fields["training_chat_template"] == "opengptx"
        assert "non-commercial research" in path.read_text(encoding="utf-8")


def test_generator_writes_the_7b_matrix_for_another_base_model(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "recipes.generate_recipes",
            "--base-model",
            "occiglot/occiglot-7b-eu5",
            "--folder",
            "occiglot-7b",
            "--trust-remote-code",
            "false",
            "--training-chat-template",
            "auto",
            "--out",
            str(tmp_path),
        ],
        cwd=gen.RECIPES_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = sorted(tmp_path.rglob("*.yaml"))
    assert len(written) == 27
    teuken = yaml.safe_load((gen.RECIPES_DIR / "teuken-7b/lima-x/DE.yaml").read_text())
    fields = yaml.safe_load((tmp_path / "occiglot-7b/lima-x/DE.yaml").read_text())
    assert fields["model_name_or_path"] == "occiglot/occiglot-7b-eu5"
    assert (fields["trust_remote_code"], fields["training_chat_template"]) == (False, "auto")
    assert fields["output_dir"] == "outputs/occiglot-7b/lima-x/DE"
    changed = {k for k in fields if fields[k] != teuken[k]}
    assert changed == {
        "model_name_or_path",
        "trust_remote_code",
        "training_chat_template",
        "output_dir",
    }


@pytest.mark.parametrize("path", RECIPE_FILES, ids=lambda p: str(p.relative_to(gen.RECIPES_DIR)))
def test_recipe_parses_with_trl_and_has_the_paper_settings(path: Path) -> None:
    # `--use_cpu` only because this machine has no GPU for `bf16: true`; unknown keys fail.
    script, training, model = make_parser().parse_args_and_config(
        ["--config", str(path), "--use_cpu", "true"]
    )
    model_folder, dataset_folder = path.parent.parent.name, path.parent.name
    mixture = path.stem
    assert script.dataset_config == mixture
    assert script.dataset_name == gen.DATASETS[dataset_folder].repo_id
    assert model.model_name_or_path == gen.MODELS[model_folder].model_id
    parallel_mixtral = model_folder == "mixtral-8x7b" and mixture in ("ENDEFRITES", "DEFRITES")
    assert training.learning_rate == (1e-6 if parallel_mixtral else 1e-5)
    assert training.lr_scheduler_type == "linear"
    assert (training.adam_beta1, training.adam_beta2, training.weight_decay) == (0.9, 0.95, 0.1)
    assert training.assistant_only_loss
    assert training.load_best_model_at_end and training.metric_for_best_model == "eval_loss"
    assert training.greater_is_better is False
    assert script.early_stopping_patience > 0
    assert script.effective_batch_size == 64
    # transformers refuses load_best_model_at_end when evaluation and saving are not aligned
    assert training.eval_strategy == training.save_strategy != "no"
    if training.eval_strategy == "steps":
        assert training.save_steps % training.eval_steps == 0
    assert training.save_total_limit is None or training.save_total_limit >= 2
    assert training.bf16 and training.activation_checkpointing
    assert script.dataset_train_split == "train"
    assert script.dataset_test_split == "validation"


def _combinations():
    for path in RECIPE_FILES:
        model = gen.MODELS[path.parent.parent.name]
        for launcher in model.launchers:
            yield pytest.param(
                path, launcher, id=f"{path.relative_to(gen.RECIPES_DIR)}+{launcher.config}"
            )


@pytest.mark.parametrize(("path", "launcher"), list(_combinations()))
def test_effective_batch_is_64_for_every_launch_combination(path: Path, launcher) -> None:
    fields = yaml.safe_load(path.read_text(encoding="utf-8"))
    accelerate = yaml.safe_load((gen.ACCELERATE_DIR / launcher.config).read_text())
    processes = accelerate["num_processes"] * launcher.num_machines
    product = (
        fields["per_device_train_batch_size"] * fields["gradient_accumulation_steps"] * processes
    )
    assert product == 64


@pytest.mark.parametrize("path", ACCELERATE_FILES, ids=lambda p: p.name)
def test_accelerate_configs_load_with_accelerates_loader(path: Path) -> None:
    from accelerate.commands.config.config_args import load_config_from_file
    from accelerate.utils import DistributedType

    config = load_config_from_file(str(path))
    expected = {
        "single_gpu.yaml": (DistributedType.NO, 1),
        "multi_gpu.yaml": (DistributedType.MULTI_GPU, 8),
        "deepspeed_zero3.yaml": (DistributedType.DEEPSPEED, 8),
        "fsdp2.yaml": (DistributedType.FSDP, 8),
        "fsdp1.yaml": (DistributedType.FSDP, 8),
    }[path.name]
    assert (config.distributed_type, config.num_processes) == expected
    assert config.mixed_precision == "bf16"
    if path.name == "deepspeed_zero3.yaml":
        assert config.deepspeed_config["zero_stage"] == 3
    if path.name.startswith("fsdp"):
        assert config.fsdp_config["fsdp_version"] == int(path.stem[-1])
        assert config.fsdp_config["fsdp_state_dict_type"] == "FULL_STATE_DICT"  # loadable saves


def _launch_env(config: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment `accelerate launch --config_file <config>` gives the training processes."""
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser
    from accelerate.utils.launch import prepare_deepspeed_cmd_env, prepare_multi_gpu_env

    parser = launch_command_parser()
    args = parser.parse_args(["--config_file", str(gen.ACCELERATE_DIR / config), "sft.py"])
    args, defaults, _ = _validate_launch_command(args)
    if args.use_deepspeed:
        args.deepspeed_fields_from_accelerate_config = ",".join(defaults.deepspeed_config)
        _, env = prepare_deepspeed_cmd_env(args)
    else:
        env = prepare_multi_gpu_env(args)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_fsdp2_config_builds_accelerates_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    from accelerate.utils import FullyShardedDataParallelPlugin

    env = _launch_env("fsdp2.yaml", monkeypatch)
    assert env["ACCELERATE_USE_FSDP"] == "true"
    plugin = FullyShardedDataParallelPlugin()
    assert plugin.fsdp_version == 2
    assert plugin.reshard_after_forward is True
    assert plugin.activation_checkpointing is False


def test_fsdp1_config_gives_the_launch_environment_that_ran(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FSDP1's plugin wants a GPU to be built; the launcher's environment is checked instead."""
    env = _launch_env("fsdp1.yaml", monkeypatch)
    assert env["ACCELERATE_USE_FSDP"] == "true"
    assert (env["FSDP_VERSION"], env["FSDP_SHARDING_STRATEGY"]) == ("1", "FULL_SHARD")
    assert env["FSDP_AUTO_WRAP_POLICY"] == "TRANSFORMER_BASED_WRAP"
    assert env["FSDP_STATE_DICT_TYPE"] == "FULL_STATE_DICT"
    # rank 0 loads the weights and broadcasts them: needs sync_module_states
    assert env["FSDP_CPU_RAM_EFFICIENT_LOADING"] == env["FSDP_SYNC_MODULE_STATES"] == "true"


def test_deepspeed_config_builds_accelerates_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """DeepSpeed itself is not installed here; the launcher's env and accelerate's plugin are."""
    from accelerate.utils import DeepSpeedPlugin

    env = _launch_env("deepspeed_zero3.yaml", monkeypatch)
    assert env["ACCELERATE_USE_DEEPSPEED"] == "true"
    plugin = DeepSpeedPlugin()
    assert plugin.zero_stage == 3
    assert plugin.zero3_init_flag is True


def test_slurm_example_is_valid_bash_and_uses_a_committed_config() -> None:
    script = gen.RECIPES_DIR / "slurm" / "sft_multinode.sh"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    text = script.read_text(encoding="utf-8")
    assert "recipes/accelerate/deepspeed_zero3.yaml" in text
    assert "--machine_rank" in text and "--num_machines" in text


def test_cpu_demo_recipe_parses_with_trl() -> None:
    path = gen.RECIPES_DIR / "tiny-llama" / "cpu_demo.yaml"
    script, training, _ = make_parser().parse_args_and_config(["--config", str(path)])
    assert training.use_cpu and not training.bf16 and not training.activation_checkpointing
    assert script.dataset_config == "ENDEFRITES-sampled"
    assert training.per_device_train_batch_size * training.gradient_accumulation_steps == 8


FAKE_SLURM = {
    # srun runs its command once, as the second node would (SLURM_PROCID=1).
    "srun": '#!/usr/bin/env bash\nshift\nSLURM_PROCID=1 exec "$@"\n',
    "scontrol": '#!/usr/bin/env bash\nprintf "node-a\\nnode-b\\n"\n',
    "accelerate": '#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n',
}


def _run_slurm_script(tmp_path: Path, *args: str) -> list[str]:
    """The `accelerate` arguments the Slurm example gives on node 1 (Slurm itself is faked)."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in FAKE_SLURM.items():
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "SLURM_NNODES": "2",
        "SLURM_JOB_NODELIST": "node-[a-b]",
    }
    script = gen.RECIPES_DIR / "slurm" / "sft_multinode.sh"
    done = subprocess.run(
        ["bash", str(script), *args], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_slurm_example_passes_rank_address_and_overrides(tmp_path: Path) -> None:
    recipe = "recipes/mixtral-8x7b/lima-x/DEFRITES.yaml"
    argv = _run_slurm_script(tmp_path, recipe, "--learning_rate", "2e-6")
    assert _flag(argv, "--config_file") == "recipes/accelerate/deepspeed_zero3.yaml"
    assert (_flag(argv, "--num_machines"), _flag(argv, "--num_processes")) == ("2", "16")
    assert _flag(argv, "--machine_rank") == "1"
    assert _flag(argv, "--main_process_ip") == "node-a"
    assert argv[argv.index("recipes/sft.py") :] == [
        "recipes/sft.py",
        "--config",
        recipe,
        "--learning_rate",
        "2e-6",
    ]

    argv = _run_slurm_script(tmp_path, recipe, "recipes/accelerate/fsdp2.yaml", "--seed", "1")
    assert _flag(argv, "--config_file") == "recipes/accelerate/fsdp2.yaml"
    assert argv[-4:] == ["--config", recipe, "--seed", "1"]


def test_slurm_output_file_needs_no_folder_made_by_the_job() -> None:
    """Slurm opens --output before the script runs: a folder the script creates is too late."""
    text = (gen.RECIPES_DIR / "slurm" / "sft_multinode.sh").read_text(encoding="utf-8")
    output = next(line for line in text.splitlines() if line.startswith("#SBATCH --output="))
    assert "/" not in output.removeprefix("#SBATCH --output=")
