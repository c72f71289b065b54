"""Training throughput, padding waste and the GPU-memory formula for the SFT recipes.

    # tokens/s, MFU and peak memory of full fine-tuning steps (AdamW, bf16 autocast, fp32 master)
    python benchmarks/bench_train.py throughput --model DIR [--steps 50 --seq-len 2048 --batch 4]
    # padding waste with and without packing on a built dataset's real length distribution
    python benchmarks/bench_train.py padding --dataset DIR --config ENDEFRITES --tokenizer DIR
    # how many GPUs each model needs under each launcher (the formula in recipes/README.md)
    python benchmarks/bench_train.py memory [--gpu-gb 80] [--measured results.json]

``throughput`` runs plain PyTorch steps on ``AutoModelForCausalLM`` (random weights from the
config when the folder has no weights): forward, backward, ``torch.optim.AdamW`` (fused on
CUDA), the same arithmetic as ``SFTTrainer`` with ``bf16: true`` but without its data pipeline.
MFU counts 6 x matmul parameters + 12 x layers x hidden x sequence FLOPs per token (PaLM, appx. B)
against the card's dense bf16 peak.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Dense bf16 tensor-core peaks (FLOP/s) by a substring of torch.cuda.get_device_name().
PEAK_BF16 = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10G": 125e12}
STATE_BYTES = 16  # bf16 weight 2 + bf16 grad 2 + fp32 master 4 + Adam m 4 + Adam v 4
GIB = 1024**3


@dataclass(frozen=True)
class ModelSize:
    """What the memory formula needs of a decoder-only model."""

    name: str
    vocab: int
    hidden: int
    layers: int
    intermediate: int
    heads: int
    kv_heads: int
    experts: int = 1
    top_k: int = 1

    def attention_params(self) -> int:
        head_dim = self.hidden // self.heads
        return 2 * self.hidden * self.hidden + 2 * self.hidden * self.kv_heads * head_dim

    def layer_params(self, active: bool = False) -> int:
        experts = self.top_k if active else self.experts
        router = self.hidden * self.experts if self.experts > 1 else 0
        mlp = experts * 3 * self.hidden * self.intermediate
        return self.attention_params() + mlp + router + 2 * self.hidden

    def params(self) -> int:
        return 2 * self.vocab * self.hidden + self.layers * self.layer_params() + self.hidden

    def matmul_params(self, active: bool = True) -> int:
        """Parameters that take part in a token's matmuls (no input embedding lookup)."""
        return self.vocab * self.hidden + self.layers * self.layer_params(active=active)

    def flops_per_token(self, seq_len: int) -> float:
        return 6 * self.matmul_params() + 12 * self.layers * self.hidden * seq_len


MODELS = {
    "bench-1b (250k vocab)": ModelSize("bench-1b", 250_000, 1536, 12, 4096, 12, 12),
    "llama-2-7b": ModelSize("llama-2-7b", 32_000, 4096, 32, 11008, 32, 32),
    "24eu-7b-like (250k vocab)": ModelSize("24eu-7b-like", 250_000, 4096, 32, 11008, 32, 32),
    "mixtral-8x7b": ModelSize("mixtral-8x7b", 32_000, 4096, 32, 14336, 32, 8, experts=8, top_k=2),
}
LAUNCHERS = ("ddp", "zero3", "fsdp2")


def activation_bytes(model: ModelSize, seq_len: int, micro_batch: int, checkpointing: bool) -> int:
    """Activations of one micro-batch (bf16; sdpa/flash attention, so no s^2 term).

    With checkpointing: each layer's input (2 bytes x s x h) kept plus one layer recomputed in
    full; without: ~34 bytes x s x h per layer (Korthikanti et al. 2022, no s^2 term), the MLP
    part scaled by the routed experts. Logits: bf16 + fp32 upcast + fp32 gradient = 10 bytes.
    """
    tokens = seq_len * micro_batch
    per_layer_full = tokens * model.hidden * (10 + 24 * model.top_k)
    if checkpointing:
        layers = model.layers * tokens * model.hidden * 2 + per_layer_full
    else:
        layers = model.layers * per_layer_full
    return layers + tokens * model.vocab * 10


def memory_per_gpu(
    model: ModelSize,
    launcher: str,
    gpus: int,
    *,
    seq_len: int = 2048,
    micro_batch: int = 1,
    checkpointing: bool = True,
) -> float:
    """Estimated peak bytes per GPU of full fine-tuning with AdamW under ``launcher``."""
    params = model.params()
    states = STATE_BYTES * params if launcher == "ddp" else STATE_BYTES * params / gpus
    # Sharded launchers gather one layer's bf16 weights and prefetch the next.
    gathered = 0 if launcher == "ddp" else 2 * 2 * model.layer_params()
    overhead = 2 * GIB  # CUDA context, NCCL buffers, allocator slack
    return (
        states + gathered + activation_bytes(model, seq_len, micro_batch, checkpointing) + overhead
    )


def gpus_needed(model: ModelSize, launcher: str, gpu_bytes: float, **kwargs: object) -> int | None:
    """The fewest GPUs (1, 2, 4, 8, 16, ... 256) whose per-GPU estimate fits ``gpu_bytes``."""
    for gpus in (2**i for i in range(9)):
        if memory_per_gpu(model, launcher, gpus, **kwargs) <= gpu_bytes:
            return gpus
        if launcher == "ddp":
            return None  # replicas do not shrink with more GPUs
    return None


def memory_table(gpu_gb: float, seq_len: int, micro_batch: int) -> list[dict[str, object]]:
    rows = []
    for label, model in MODELS.items():
        for launcher in LAUNCHERS:
            need = gpus_needed(
                model, launcher, gpu_gb * GIB, seq_len=seq_len, micro_batch=micro_batch
            )
            at = need or (1 if launcher == "ddp" else 256)
            rows.append(
                {
                    "model": label,
                    "params_b": round(model.params() / 1e9, 2),
                    "launcher": launcher,
                    "gpus_needed": need,
                    "gib_per_gpu": round(
                        memory_per_gpu(
                            model, launcher, at, seq_len=seq_len, micro_batch=micro_batch
                        )
                        / GIB,
                        1,
                    ),
                    "at_gpus": at,
                }
            )
    return rows


def run_memory(args: argparse.Namespace) -> dict[str, object]:
    rows = memory_table(args.gpu_gb, args.seq_len, args.micro_batch)
    print(
        f"Full fine-tuning, AdamW, bf16 mixed precision ({STATE_BYTES} bytes/parameter), "
        f"activation checkpointing, seq {args.seq_len} x micro-batch {args.micro_batch}, "
        f"{args.gpu_gb:g} GB GPUs:"
    )
    print(f"{'model':28} {'params':>8} {'launcher':>8} {'GPUs':>6} {'GiB/GPU':>9}")
    for row in rows:
        need = row["gpus_needed"] or "none"
        print(
            f"{row['model']:28} {row['params_b']:>7}B {row['launcher']:>8} {need!s:>6} "
            f"{row['gib_per_gpu']:>6} @{row['at_gpus']}"
        )
    result: dict[str, object] = {"gpu_gb": args.gpu_gb, "rows": rows}
    if args.measured:
        measured = json.loads(Path(args.measured).read_text(encoding="utf-8"))
        result["extrapolation"] = extrapolate(measured, args.seq_len)
        for label, value in result["extrapolation"].items():
            print(f"at the measured efficiency: {label}: {value:,.0f} tokens/s per GPU")
    return result


def extrapolate(measured: dict, seq_len: int) -> dict[str, float]:
    """Tokens/s per GPU of each model at the measured efficiency (same card, same MFU).

    tokens/s scales with the inverse of the FLOPs per token; sharding and communication
    overheads of the multi-GPU launchers are not modelled, so these are upper bounds.
    """
    flops_done = measured["tokens_per_s"] * measured["flops_per_token"]
    return {label: flops_done / model.flops_per_token(seq_len) for label, model in MODELS.items()}


def run_throughput(args: argparse.Namespace) -> dict[str, object]:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.manual_seed(0)
    config = AutoConfig.from_pretrained(args.model)
    if (Path(args.model) / "model.safetensors").is_file():
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    else:
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.to(device).train()
    if args.checkpointing:
        model.gradient_checkpointing_enable()
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=1e-5,
        betas=(0.9, 0.95),
        weight_decay=0.1,
        fused=device.type == "cuda",
    )
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16)
    generator = torch.Generator(device="cpu").manual_seed(0)
    shape = (args.batch, args.seq_len)
    batches = [
        torch.randint(0, config.vocab_size, shape, generator=generator).to(device) for _ in range(4)
    ]

    def step(ids) -> float:
        with autocast:
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.item()  # synchronises

    for i in range(args.warmup):
        step(batches[i % len(batches)])
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    times = []
    for i in range(args.steps):
        start = time.perf_counter()
        step(batches[i % len(batches)])
        times.append(time.perf_counter() - start)

    size = model_size_from_config(config)
    tokens = args.batch * args.seq_len
    per_step = statistics.median(times)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    peak = args.peak_tflops * 1e12 if args.peak_tflops else peak_flops(name)
    result = {
        "device": name,
        "model": args.model,
        "params": sum(p.numel() for p in model.parameters()),
        "vocab_size": config.vocab_size,
        "seq_len": args.seq_len,
        "batch": args.batch,
        "bf16_autocast": args.bf16,
        "activation_checkpointing": args.checkpointing,
        "steps": args.steps,
        "step_s_median": per_step,
        "step_s_p90": sorted(times)[int(0.9 * (len(times) - 1))],
        "tokens_per_s": tokens / per_step,
        "flops_per_token": size.flops_per_token(args.seq_len),
        "peak_flops": peak,
        "mfu": (tokens / per_step * size.flops_per_token(args.seq_len) / peak) if peak else None,
        "peak_memory_gib": torch.cuda.max_memory_allocated(device) / GIB
        if device.type == "cuda"
        else None,
        "formula_memory_gib": memory_per_gpu(
            size,
            "ddp",
            1,
            seq_len=args.seq_len,
            micro_batch=args.batch,
            checkpointing=args.checkpointing,
        )
        / GIB,
        "torch": torch.__version__,
    }
    for key, value in result.items():
        print(f"{key:26} {value}")
    return result


def peak_flops(device_name: str) -> float | None:
    return next((v for key, v in PEAK_BF16.items() if key in device_name), None)


def model_size_from_config(config) -> ModelSize:
    return ModelSize(
        name=getattr(config, "model_type", "model"),
        vocab=config.vocab_size,
        hidden=config.hidden_size,
        layers=config.num_hidden_layers,
        intermediate=config.intermediate_size,
        heads=config.num_attention_heads,
        kv_heads=getattr(config, "num_key_value_heads", None) or config.num_attention_heads,
        experts=getattr(config, "num_local_experts", 1) or 1,
        top_k=getattr(config, "num_experts_per_tok", 1) or 1,
    )


def best_fit_decreasing(lengths: list[int], capacity: int) -> int:
    """Rows of ``capacity`` that best-fit decreasing packs ``lengths`` (each <= capacity) into.

    The free space of the open rows is kept sorted, so the best fit (the smallest free space
    that holds the sequence) is a bisection: O(n log n) searches, not a scan of every row.
    """
    import bisect

    free: list[int] = []
    for n in sorted(lengths, reverse=True):
        i = bisect.bisect_left(free, n)
        left = (free.pop(i) if i < len(free) else capacity) - n
        bisect.insort(free, left)
    return len(free)


def padding_waste(lengths: list[int], batch: int, max_length: int, seed: int = 0) -> dict:
    """Share of padded positions: shuffled batches padded to their longest vs BFD packing."""
    import random

    clipped = [min(n, max_length) for n in lengths]
    order = clipped[:]
    random.Random(seed).shuffle(order)
    padded = sum(
        batch_max * len(chunk)
        for chunk in (order[i : i + batch] for i in range(0, len(order), batch))
        for batch_max in [max(chunk)]
    )
    rows = best_fit_decreasing(clipped, max_length)
    real = sum(clipped)
    return {
        "samples": len(lengths),
        "tokens": real,
        "truncated_samples": sum(n > max_length for n in lengths),
        "mean_length": real / len(lengths),
        "max_length_seen": max(lengths),
        "padding_waste_unpacked": 1 - real / padded,
        "packed_rows": rows,
        "padding_waste_packed": 1 - real / (rows * max_length),
    }


def run_padding(args: argparse.Namespace) -> dict[str, object]:
    from datasets import load_dataset
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    data = load_dataset(args.dataset, args.config, split=args.split)
    lengths = [
        len(
            tokenizer.apply_chat_template(row["messages"], tokenize=True, return_dict=True)[
                "input_ids"
            ]
        )
        for row in data
    ]
    result = {"dataset": args.dataset, "config": args.config, "split": args.split}
    result |= padding_waste(lengths, args.batch, args.max_length)
    for key, value in result.items():
        print(f"{key:24} {value:.4f}" if isinstance(value, float) else f"{key:24} {value}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", type=Path, help="also write the result as JSON here")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("throughput", parents=[common], help="tokens/s, MFU, peak memory")
    p.add_argument("--model", required=True, help="folder with config.json (+ weights)")
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--seq-len", type=int, default=2048)
    p.add_argument("--batch", type=int, default=4, help="micro-batch (sequences per step)")
    p.add_argument("--device", default=None)
    p.add_argument("--no-bf16", dest="bf16", action="store_false")
    p.add_argument("--checkpointing", action="store_true", help="activation checkpointing")
    p.add_argument("--peak-tflops", type=float, default=None, help="override the card's peak")
    p = sub.add_parser("padding", parents=[common], help="padding waste with and without packing")
    p.add_argument("--dataset", required=True, help="Hub-layout folder or Hub id")
    p.add_argument("--config", required=True, help="mixture config")
    p.add_argument("--split", default="train")
    p.add_argument("--tokenizer", required=True, help="tokenizer folder with a chat template")
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--max-length", type=int, default=2048)
    p = sub.add_parser("memory", parents=[common], help="GPUs needed per model and launcher")
    p.add_argument("--gpu-gb", type=float, default=80.0, help="GPU memory in GiB")
    p.add_argument("--seq-len", type=int, default=2048)
    p.add_argument("--micro-batch", type=int, default=1)
    p.add_argument("--measured", type=Path, help="a throughput JSON to extrapolate from")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv or ["memory"])  # `make bench-train`: the memory table
    run = {"throughput": run_throughput, "padding": run_padding, "memory": run_memory}
    result = run[args.command](args)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(args.out.suffix + ".tmp")
        tmp.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
