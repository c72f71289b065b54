#!/usr/bin/env bash
# Demo stage 10: parallel instruction datasets.
# Builds a Bactrian-X-style Hub repo from the shipped sample (40 parallel rows in EN, DE, FR,
# IT, ES), loads every config back with `datasets` and prints configs x splits x rows x
# languages. With DEEPL_AUTH_KEY set it also builds a Lima-X-style repo by translating the
# English part through DeepL. Later stages train on $DEMO_OUT/bactrian-x, config ENDEFRITES-sampled.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO_OUT="${DEMO_OUT:-$PWD/demo_out}"
mkdir -p "$DEMO_OUT"
export HF_DATASETS_CACHE="${HF_DATASETS_CACHE:-$DEMO_OUT/.hf-datasets}"

echo "--- lima-x build bactrian-x (shipped sample, default mixtures) ---"
lima-x build bactrian-x \
  --source-dir examples/bactrian_x_sample \
  --langs EN,DE,FR,IT,ES \
  --out "$DEMO_OUT/bactrian-x" \
  --seed 42 --overwrite --no-progress

echo
echo "--- every config loaded back with datasets.load_dataset ---"
lima-x inspect "$DEMO_OUT/bactrian-x" --cache-dir "$HF_DATASETS_CACHE"

if [[ -n "${DEEPL_AUTH_KEY:-}" ]]; then
  echo
  echo "--- DEEPL_AUTH_KEY is set: Lima-X-style repo, English part translated through DeepL ---"
  lima-x build lima \
    --source "$DEMO_OUT/bactrian-x/data/EN/train-00000-of-00001.parquet" \
    --validation "$DEMO_OUT/bactrian-x/data/EN/validation-00000-of-00001.parquet" \
    --langs EN,DE,FR,IT,ES --translator deepl \
    --cache "$DEMO_OUT/translations.sqlite" \
    --out "$DEMO_OUT/lima-x" --seed 42 --overwrite --no-progress
  lima-x inspect "$DEMO_OUT/lima-x" --cache-dir "$HF_DATASETS_CACHE"
else
  echo
  echo "(DEEPL_AUTH_KEY not set: skipping the DeepL-translated Lima-X-style build)"
fi
