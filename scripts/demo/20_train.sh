#!/usr/bin/env bash
# Demo stage 20: supervised fine-tuning with the real recipe script.
# Builds a tiny random Llama with a locally trained multilingual tokenizer into
# $DEMO_OUT/tiny-base, trains it for a few CPU steps with `accelerate launch recipes/sft.py` on
# $DEMO_OUT/bactrian-x (config ENDEFRITES-sampled, from stage 10) with assistant-only loss and
# validation, and saves the best checkpoint with its chat template to $DEMO_OUT/sft-tiny, which
# the MT-Bench-X stages answer with.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO_OUT="${DEMO_OUT:-$PWD/demo_out}"
export HF_DATASETS_CACHE="${HF_DATASETS_CACHE:-$DEMO_OUT/.hf-datasets}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export ACCELERATE_LOG_LEVEL=error TRANSFORMERS_VERBOSITY=error DATASETS_VERBOSITY=error
export TQDM_DISABLE=1

echo "--- tiny random Llama + multilingual byte-level BPE tokenizer (nothing downloaded) ---"
python -m recipes.tiny_model --out "$DEMO_OUT/tiny-base" --seed 0

echo
echo "--- accelerate launch --cpu recipes/sft.py (ENDEFRITES-sampled, 8 steps) ---"
accelerate launch --cpu --num_processes 1 --num_machines 1 --mixed_precision no \
  --dynamo_backend no --num_cpu_threads_per_process 2 \
  recipes/sft.py --config recipes/tiny-llama/cpu_demo.yaml \
  --model_name_or_path "$DEMO_OUT/tiny-base" \
  --dataset_name "$DEMO_OUT/bactrian-x" --dataset_config ENDEFRITES-sampled \
  --output_dir "$DEMO_OUT/sft-tiny" >"$DEMO_OUT/sft-tiny.log" 2>&1 \
  || { tail -n 40 "$DEMO_OUT/sft-tiny.log"; echo "training failed (log: $DEMO_OUT/sft-tiny.log)"; exit 1; }
grep -E "^\{'(loss|eval_loss)|^saved" "$DEMO_OUT/sft-tiny.log" || true

python - "$DEMO_OUT/sft-tiny" <<'PY'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
state = json.loads((out / "trainer_state.json").read_text())
losses = [e["loss"] for e in state["log_history"] if "loss" in e]
evals = [e["eval_loss"] for e in state["log_history"] if "eval_loss" in e]
print(f"train loss {losses[0]:.3f} -> {losses[-1]:.3f}; validation loss {evals}")
print(f"best checkpoint: {state['best_model_checkpoint']} (eval_loss {state['best_metric']:.3f})")
print(f"saved: {', '.join(sorted(p.name for p in out.iterdir() if p.is_file()))}")
PY
