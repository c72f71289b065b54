#!/usr/bin/env bash
# Training-throughput benchmark on one GPU: a randomly initialised ~1.1B Llama with a 250k
# vocabulary (recipes/tiny_model.py --preset bench-1b, config only, no weights downloaded),
# ~50 bf16 full fine-tuning steps (AdamW) at sequence length 2048, then the memory formula with
# the 7B / 8x7B extrapolation at the measured MFU. Results go to $OUT (default bench_out/).
#
#   bash benchmarks/gpu_bench.sh                                  # on a GPU machine
#   PRESET=tiny SEQ_LEN=128 STEPS=3 bash benchmarks/gpu_bench.sh  # a quick check on CPU
#
# Wheels in .whl/ (e.g. transformers matching this checkout) are installed first when present.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/bench_out}"
PYTHON="${PYTHON:-python3}"
PRESET="${PRESET:-bench-1b}"
SEQ_LEN="${SEQ_LEN:-2048}"
STEPS="${STEPS:-50}"
WARMUP="${WARMUP:-5}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1

if compgen -G ".whl/*.whl" >/dev/null; then
  # Carried wheels (Python 3.12 builds for the GPU machine) win over the installed packages
  # when they install and import; otherwise the installed ones are used.
  if "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .whl/*.whl >"$OUT/wheel_install.txt" 2>&1 \
    && PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -c "import transformers" \
      >>"$OUT/wheel_install.txt" 2>&1; then
    export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
    rm -f "$OUT/wheel_install.txt"
  else
    echo "carried wheels not used (see $OUT/wheel_install.txt); using the installed packages"
  fi
fi
{ nvidia-smi 2>/dev/null || echo "no nvidia-smi"; "$PYTHON" -c \
  'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__, "cuda", torch.cuda.is_available())'; } \
  >"$OUT/environment.txt" 2>&1
cat "$OUT/environment.txt"

MODEL="/tmp/bench-model-$PRESET"
"$PYTHON" -m recipes.tiny_model --out "$MODEL" --preset "$PRESET" --config-only || exit 1

status=0
# Micro-batch 4 without, then with activation checkpointing (the recipes use it). With a 250k
# vocabulary the fp32 logits (s x b x V) dominate activations: micro-batch 8 would not fit 80 GB.
"$PYTHON" benchmarks/bench_train.py throughput --model "$MODEL" --seq-len "$SEQ_LEN" \
  --batch 4 --steps "$STEPS" --warmup "$WARMUP" --out "$OUT/throughput_b4.json" || status=1
"$PYTHON" benchmarks/bench_train.py throughput --model "$MODEL" --seq-len "$SEQ_LEN" \
  --batch 4 --checkpointing --steps "$STEPS" --warmup "$WARMUP" \
  --out "$OUT/throughput_b4_ckpt.json" || status=1
measured="$OUT/throughput_b4.json"
[[ -f "$measured" ]] || measured=""
"$PYTHON" benchmarks/bench_train.py memory --gpu-gb 80 --seq-len "$SEQ_LEN" \
  ${measured:+--measured "$measured"} --out "$OUT/memory_80gb.json" || status=1
exit "$status"
