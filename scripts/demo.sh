#!/usr/bin/env bash
# `make demo`: every step of the toolkit end to end, offline, on small data.
# Each stage is a script under scripts/demo/, run in name order; they share DEMO_OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEMO_OUT="${DEMO_OUT:-$PWD/demo_out}"
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
export HF_DATASETS_OFFLINE="${HF_DATASETS_OFFLINE:-1}"
export TOKENIZERS_PARALLELISM=false
rm -rf "$DEMO_OUT"
mkdir -p "$DEMO_OUT"
for stage in scripts/demo/[0-9]*.sh; do
  echo
  echo "=== demo stage: $(basename "$stage") ==="
  bash "$stage"
done
echo
echo "Demo finished; outputs are under $DEMO_OUT"
