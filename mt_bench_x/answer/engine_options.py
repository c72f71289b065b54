"""How a local checkpoint is loaded: remote code, and vLLM's tensor and data parallelism.

``--trust-remote-code`` lets ``transformers`` (and vLLM) run the Python files a checkpoint
ships (its ``auto_map``); it is off by default, as in both libraries. ``--tensor-parallel-size``
splits one model over that many GPUs, ``--data-parallel-size`` runs that many copies; both are
vLLM's engine options and are checked here before vLLM is imported (the vLLM path has not
been run in this project's tests: vLLM cannot be installed on its machines).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mt_bench_x.formats.errors import MTBenchXError


class EngineOptionError(MTBenchXError, ValueError):
    """Loading options that cannot work with the chosen backend or checkpoint."""


@dataclass(frozen=True)
class EngineOptions:
    trust_remote_code: bool = False
    tensor_parallel_size: int = 1
    data_parallel_size: int = 1

    def validate(self, backend: str, model_path: str, gpu_count: int | None) -> None:
        """Refuse what cannot run; ``gpu_count`` None when it is not known."""
        for name, value in (
            ("--tensor-parallel-size", self.tensor_parallel_size),
            ("--data-parallel-size", self.data_parallel_size),
        ):
            if value < 1:
                raise EngineOptionError(f"{name} must be at least 1, got {value}")
            if value > 1 and backend != "vllm":
                raise EngineOptionError(
                    f"{name} {value} needs --backend vllm (the {backend} backend runs one copy "
                    "on one device)"
                )
        if self.trust_remote_code and backend == "openai":
            raise EngineOptionError(
                "--trust-remote-code loads a local checkpoint; the openai backend loads none"
            )
        gpus = self.tensor_parallel_size * self.data_parallel_size
        if backend == "vllm" and gpu_count is not None and gpus > gpu_count:
            raise EngineOptionError(
                f"--tensor-parallel-size {self.tensor_parallel_size} x --data-parallel-size "
                f"{self.data_parallel_size} needs {gpus} GPUs; {gpu_count} visible"
            )
        heads = _attention_heads(model_path)
        if heads is not None and heads % self.tensor_parallel_size:
            raise EngineOptionError(
                f"--tensor-parallel-size {self.tensor_parallel_size} must divide the model's "
                f"{heads} attention heads ({Path(model_path) / 'config.json'})"
            )

    def hf_kwargs(self) -> dict[str, Any]:
        return {"trust_remote_code": True} if self.trust_remote_code else {}

    def vllm_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"tensor_parallel_size": self.tensor_parallel_size}
        if self.data_parallel_size > 1:
            kwargs["data_parallel_size"] = self.data_parallel_size
        if self.trust_remote_code:
            kwargs["trust_remote_code"] = True
        return kwargs


def _attention_heads(model_path: str) -> int | None:
    """``num_attention_heads`` of a local checkpoint's config.json, if it says."""
    config = Path(model_path) / "config.json"
    if not config.is_file():
        return None
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    heads = data.get("num_attention_heads") or (data.get("text_config") or {}).get(
        "num_attention_heads"
    )
    return heads if isinstance(heads, int) and heads > 0 else None


def visible_gpus() -> int | None:
    """CUDA devices visible to torch; None when torch cannot say."""
    try:
        import torch

        return int(torch.cuda.device_count())
    except Exception:  # torch missing or broken: the count is unknown, not zero
        return None
