"""``answer``'s loading options: ``--trust-remote-code`` on a checkpoint that ships its own
code (real ``transformers`` loading in a subprocess), vLLM's parallel options refused early."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mt_bench_x.answer.engine_options import EngineOptionError, EngineOptions
from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import load_answer_records

REPO_ROOT = Path(__file__).resolve().parents[2]

CONFIG_CODE = """from transformers import LlamaConfig


class RemoteTinyConfig(LlamaConfig):
    model_type = "remote-tiny"
"""
MODEL_CODE = """from transformers import LlamaForCausalLM

from .configuration_remote_tiny import RemoteTinyConfig


class RemoteTinyForCausalLM(LlamaForCausalLM):
    config_class = RemoteTinyConfig
"""


def _with_remote_code(model: Path, target: Path) -> Path:
    """The tiny checkpoint as a model type transformers does not know, with its code."""
    shutil.copytree(model, target)
    (target / "configuration_remote_tiny.py").write_text(CONFIG_CODE)
    (target / "modeling_remote_tiny.py").write_text(MODEL_CODE)
    config = json.loads((target / "config.json").read_text())
    config["model_type"] = "remote-tiny"
    config["architectures"] = ["RemoteTinyForCausalLM"]
    config["auto_map"] = {
        "AutoConfig": "configuration_remote_tiny.RemoteTinyConfig",
        "AutoModelForCausalLM": "modeling_remote_tiny.RemoteTinyForCausalLM",
    }
    (target / "config.json").write_text(json.dumps(config))
    return target


def _answer(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mt_bench_x.cli", "answer", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def data_dir(shared_data: Path, tmp_path: Path) -> Path:
    paths = BenchPaths(tmp_path / "data", "DE")
    paths.root.mkdir(parents=True)
    source = shared_data / "mt_bench_x" / "mt_bench_DE" / "question.jsonl"
    shutil.copyfile(source, paths.question_file)
    return tmp_path / "data"


@pytest.mark.slow
def test_remote_code_loads_only_with_the_flag(data_dir: Path, tmp_path: Path) -> None:
    from recipes.tiny_model import build_tiny_llama

    model = _with_remote_code(build_tiny_llama(tmp_path / "tiny", seed=0), tmp_path / "remote")
    common = ["--model-path", str(model), "--model-id", "remote", "--data-dir", str(data_dir)]
    common += ["--lang", "DE", "--limit", "1", "--max-new-tokens", "4", "--device", "cpu"]
    common += ["--no-progress"]
    refused = _answer(*common)
    assert refused.returncode == 1
    assert "pass --trust-remote-code" in refused.stderr
    assert "Traceback" not in refused.stderr
    loaded = _answer(*common, "--trust-remote-code")
    assert loaded.returncode == 0, loaded.stderr
    records = load_answer_records(BenchPaths(data_dir, "DE").model_answer_file("remote"))
    assert len(records) == 1 and len(records[0].turns) == 2


def _config(tmp_path: Path, heads: int) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.json").write_text(json.dumps({"num_attention_heads": heads}))
    return str(tmp_path)


@pytest.mark.parametrize(
    ("options", "backend", "gpus", "message"),
    [
        (EngineOptions(tensor_parallel_size=2), "transformers", None, "needs --backend vllm"),
        (EngineOptions(data_parallel_size=2), "openai", None, "needs --backend vllm"),
        (EngineOptions(tensor_parallel_size=0), "vllm", 8, "at least 1"),
        (EngineOptions(tensor_parallel_size=3), "vllm", 8, "divide the model's 32 attention"),
        (EngineOptions(tensor_parallel_size=4, data_parallel_size=2), "vllm", 4, "needs 8 GPUs"),
        (EngineOptions(trust_remote_code=True), "openai", None, "loads none"),
    ],
)
def test_engine_options_that_cannot_run_are_refused(
    tmp_path: Path, options: EngineOptions, backend: str, gpus: int | None, message: str
) -> None:
    with pytest.raises(EngineOptionError, match=message):
        options.validate(backend, _config(tmp_path / "m", 32), gpus)


def test_engine_options_that_fit_pass_and_reach_vllm(tmp_path: Path) -> None:
    options = EngineOptions(True, tensor_parallel_size=4, data_parallel_size=2)
    options.validate("vllm", _config(tmp_path / "m", 32), 8)
    assert options.vllm_kwargs() == {
        "tensor_parallel_size": 4,
        "data_parallel_size": 2,
        "trust_remote_code": True,
    }
    assert options.hf_kwargs() == {"trust_remote_code": True}
    assert EngineOptions().hf_kwargs() == {}


def test_the_answer_cli_refuses_tensor_parallel_without_vllm(data_dir: Path) -> None:
    result = _answer(
        "--model-path", "some/model", "--model-id", "x", "--data-dir", str(data_dir),
        "--lang", "DE", "--tensor-parallel-size", "2",
    )  # fmt: skip
    assert result.returncode == 1
    assert "--tensor-parallel-size 2 needs --backend vllm" in result.stderr
