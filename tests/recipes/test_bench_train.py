"""The training benchmark's formulas and its CPU run (figures come from the script, not asserts)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_train.py"
_spec = importlib.util.spec_from_file_location("bench_train", SCRIPT)
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_train"] = bench
_spec.loader.exec_module(bench)
GIB = 1024**3


def test_parameter_counts_match_the_published_sizes() -> None:
    assert bench.MODELS["llama-2-7b"].params() == pytest.approx(6.74e9, rel=0.01)
    assert bench.MODELS["mixtral-8x7b"].params() == pytest.approx(46.7e9, rel=0.01)
    active = bench.MODELS["mixtral-8x7b"].matmul_params(active=True)
    assert active == pytest.approx(12.9e9, rel=0.03)


def test_parameter_count_matches_a_real_model(tiny_model: Path) -> None:
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    size = bench.model_size_from_config(config)
    assert size.params() == sum(p.numel() for p in model.parameters())


def test_7b_full_fine_tuning_does_not_fit_one_80gb_gpu() -> None:
    llama = bench.MODELS["llama-2-7b"]
    assert bench.memory_per_gpu(llama, "ddp", 1) > 80 * GIB
    assert bench.gpus_needed(llama, "ddp", 80 * GIB) is None
    assert bench.gpus_needed(llama, "zero3", 80 * GIB) == 2
    mixtral = bench.MODELS["mixtral-8x7b"]
    assert bench.gpus_needed(mixtral, "fsdp2", 80 * GIB) == 16  # two 8-GPU nodes


def test_padding_waste_against_a_hand_count() -> None:
    # batch 2 in shuffled order is seed-dependent; one batch holding everything is not.
    result = bench.padding_waste([10, 30, 20, 40], batch=4, max_length=50)
    assert result["padding_waste_unpacked"] == pytest.approx(1 - 100 / 160)
    # best-fit decreasing: [40+10], [30+20] -> two full rows, no waste
    assert result["packed_rows"] == 2
    assert result["padding_waste_packed"] == pytest.approx(0.0)
    clipped = bench.padding_waste([80, 10], batch=2, max_length=50)
    assert clipped["truncated_samples"] == 1 and clipped["tokens"] == 60


def _best_fit_rows_by_scanning(lengths: list[int], capacity: int) -> int:
    """Best-fit decreasing written the plain way: scan every open row for the tightest fit."""
    rows: list[int] = []
    for n in sorted(lengths, reverse=True):
        fits = [i for i, used in enumerate(rows) if used + n <= capacity]
        if fits:
            rows[min(fits, key=lambda i: capacity - rows[i] - n)] += n
        else:
            rows.append(n)
    return len(rows)


@pytest.mark.parametrize("seed", range(5))
def test_best_fit_decreasing_matches_a_row_scan(seed: int) -> None:
    import random

    rng = random.Random(seed)
    lengths = [min(2048, int(rng.lognormvariate(5.5, 0.9)) + 1) for _ in range(400)]
    rows = bench.best_fit_decreasing(lengths, 2048)
    assert rows == _best_fit_rows_by_scanning(lengths, 2048)
    assert rows >= sum(lengths) / 2048


@pytest.mark.slow
def test_cpu_throughput_and_padding_runs(tiny_model: Path, mixture_repo: Path, tmp_path: Path):
    out = tmp_path / "throughput.json"
    common = [sys.executable, str(SCRIPT)]
    run = [*common, "throughput", "--model", str(tiny_model), "--steps", "2", "--warmup", "1"]
    run += ["--seq-len", "64", "--batch", "2", "--device", "cpu", "--out", str(out)]
    subprocess.run(run, check=True, capture_output=True, timeout=120)
    result = json.loads(out.read_text())
    assert result["tokens_per_s"] > 0 and result["params"] > 0
    pad = tmp_path / "padding.json"
    run = [*common, "padding", "--dataset", str(mixture_repo), "--config", "ENDEFRITES"]
    run += ["--tokenizer", str(tiny_model), "--out", str(pad)]
    subprocess.run(run, check=True, capture_output=True, timeout=120)
    waste = json.loads(pad.read_text())
    assert waste["samples"] > 0
    assert 0 <= waste["padding_waste_packed"] <= waste["padding_waste_unpacked"] < 1
