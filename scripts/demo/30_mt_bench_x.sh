#!/usr/bin/env bash
# Demo stage 30: the MT-Bench-X benchmark and model answers.
# Builds the MT-Bench-X Hub repo folder from the published per-language files ($MTBX_DATA),
# loads every config back with `datasets`, exports DE and EN in FastChat's layout to
# $DEMO_OUT/mt_bench_data, and answers the first 3 questions per language (the judge stage
# judges the first N, JUDGE_DEMO_FIRST_N=3) with the checkpoint of stage 20 ($DEMO_OUT/sft-tiny) under two model ids, so the judge stage
# can compare them pairwise: `sft-tiny` (FastChat's per-category temperatures, seed 0) and
# `sft-tiny-b` (temperature 1.0 for every category, seed 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO_OUT="${DEMO_OUT:-$PWD/demo_out}"
mkdir -p "$DEMO_OUT"
export HF_DATASETS_CACHE="${HF_DATASETS_CACHE:-$DEMO_OUT/.hf-datasets}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export TRANSFORMERS_VERBOSITY=error DATASETS_VERBOSITY=error

# The published MT-Bench-X data (Apache-2.0), pinned to the commit the tests use.
MTBX_COMMIT=f8972dc70595a7e981ada7f2ac5e7c191ab12441
MTBX_RAW="https://raw.githubusercontent.com/Modalities/MT-Bench-X/$MTBX_COMMIT/data"
if [[ -z "${MTBX_DATA:-}" ]]; then
  if [[ -d ../shared/data/mt_bench_x ]]; then
    MTBX_DATA=../shared/data/mt_bench_x
  else
    MTBX_DATA="$DEMO_OUT/mt_bench_x_published"
    echo "--- MTBX_DATA not set and ../shared/data/mt_bench_x absent: downloading the published files ---"
    for lang in EN DE FR IT ES; do
      files=(question.jsonl judge_prompts.jsonl reference_answer/gpt-4.jsonl)
      [[ $lang != EN ]] && files+=(corrections.jsonl)
      for file in "${files[@]}"; do
        mkdir -p "$MTBX_DATA/mt_bench_$lang/$(dirname "$file")"
        curl -fsSL "$MTBX_RAW/mt_bench_$lang/$file" -o "$MTBX_DATA/mt_bench_$lang/$file"
      done
    done
  fi
fi
echo "MT-Bench-X input: $MTBX_DATA"

REPO="$DEMO_OUT/mt-bench-x-repo"
DATA="$DEMO_OUT/mt_bench_data"

echo
echo "--- mt-bench-x build --from-published (all languages) ---"
mt-bench-x build --from-published "$MTBX_DATA" --out "$REPO" 2>/dev/null

echo
echo "--- every config loaded back with datasets.load_dataset ---"
python - "$REPO" <<'EOF'
import sys
import datasets

datasets.disable_progress_bars()
repo = sys.argv[1]
for config in datasets.get_dataset_config_names(repo):
    rows = datasets.load_dataset(repo, config, split="test")
    extra = ""
    if "category" in rows.column_names and "question_id" in rows.column_names:
        extra = f", {len(set(rows['category']))} categories, {sum(rows['corrected'])} corrected"
    print(f"{config:<18} {rows.num_rows:>4} rows{extra}")
EOF

echo
echo "--- mt-bench-x export --langs DE,EN (FastChat layout) ---"
mt-bench-x export --repo "$REPO" --data-dir "$DATA" --langs DE,EN 2>/dev/null
find "$DATA" -name '*.jsonl' | sort | sed "s|$DEMO_OUT/||"
echo "judge prompts (DE): $(python -c "import json,sys; print(', '.join(json.loads(l)['name'] for l in open(sys.argv[1])))" "$DATA/mt_bench_DE/judge_prompts.jsonl")"

MODEL="$DEMO_OUT/sft-tiny"
if [[ ! -f "$MODEL/config.json" ]]; then
  echo
  echo "($MODEL not found, stage 20 did not run: answering with a fresh tiny random model)"
  python -m recipes.tiny_model --out "$MODEL" --seed 0 >/dev/null 2>&1
fi

FIRST_N="${JUDGE_DEMO_FIRST_N:-3}"   # the judge stage judges the first N questions
echo
echo "--- mt-bench-x answer: $MODEL as sft-tiny and sft-tiny-b, first $FIRST_N questions ---"
mt-bench-x answer --model-path "$MODEL" --model-id sft-tiny --lang DE,EN --data-dir "$DATA" \
  --limit "$FIRST_N" --max-new-tokens 32 --batch-size 3 --device cpu --no-progress \
  2>/dev/null
mt-bench-x answer --model-path "$MODEL" --model-id sft-tiny-b --lang DE,EN --data-dir "$DATA" \
  --limit "$FIRST_N" --max-new-tokens 32 --batch-size 3 --device cpu --no-progress \
  --temperature 1.0 --seed 1 2>/dev/null

echo
echo "--- a rerun skips what is answered ---"
mt-bench-x answer --model-path "$MODEL" --model-id sft-tiny --lang DE --data-dir "$DATA" \
  --limit "$FIRST_N" --max-new-tokens 32 --device cpu --no-progress 2>/dev/null

echo
echo "--- first answer record (DE, sft-tiny; a tiny random model writes noise) ---"
head -n 1 "$DATA/mt_bench_DE/model_answer/sft-tiny.jsonl" | cut -c 1-300
