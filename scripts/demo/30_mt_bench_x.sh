#!/usr/bin/env bash
# Demo stage 30: the MT-Bench-X benchmark and model answers.
# Builds the MT-Bench-X Hub repo folder from per-language files in the published layout,
# loads every config back with `datasets`, exports DE and EN in FastChat's layout to
# $DEMO_OUT/mt_bench_data, and answers the first 3 questions per language (the judge stage
# judges the first N, JUDGE_DEMO_FIRST_N=3) with the checkpoint of stage 20
# ($DEMO_OUT/sft-tiny) under two model ids, so the judge stage can compare them pairwise:
# `sft-tiny` (FastChat's per-category temperatures, seed 0) and `sft-tiny-b` (temperature 1.0
# for every category, seed 1).
#
# Input, offline by default:
#   MTBX_DATA=DIR    a folder with mt_bench_<LANG>/ (e.g. a clone of the published MT-Bench-X);
#   MTBX_DOWNLOAD=1  download the published files (pinned commit) with curl: the one stage of
#                    the demo that uses the network, and only when asked;
#   neither          the project's own sample, examples/mt_bench_x_sample/ (8 questions).
# Each command's messages go to $DEMO_OUT/logs/; a failing command prints them and stops.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO_OUT="${DEMO_OUT:-$PWD/demo_out}"
mkdir -p "$DEMO_OUT"
export HF_DATASETS_CACHE="${HF_DATASETS_CACHE:-$DEMO_OUT/.hf-datasets}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export TRANSFORMERS_VERBOSITY=error DATASETS_VERBOSITY=error
LOGS="$DEMO_OUT/logs"
mkdir -p "$LOGS"

# Runs a command with its messages (INFO lines, warnings) kept in $LOGS/NAME; if it fails, its
# messages are printed and the stage stops.
logged() {
  local log="$LOGS/$1"
  shift
  if ! "$@" 2>"$log"; then
    echo "stage 30 failed: \`$*\` (messages in $log):" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

if [[ -n "${MTBX_DATA:-}" ]]; then
  echo "MT-Bench-X input: $MTBX_DATA (MTBX_DATA)"
elif [[ "${MTBX_DOWNLOAD:-0}" == 1 ]]; then
  # The published MT-Bench-X data (Apache-2.0), pinned to the commit the tests use.
  MTBX_COMMIT=f8972dc70595a7e981ada7f2ac5e7c191ab12441
  MTBX_RAW="https://raw.githubusercontent.com/Modalities/MT-Bench-X/$MTBX_COMMIT/data"
  MTBX_DATA="$DEMO_OUT/mt_bench_x_published"
  echo "--- MTBX_DOWNLOAD=1: downloading the published files to $MTBX_DATA ---"
  for lang in EN DE FR IT ES; do
    files=(question.jsonl judge_prompts.jsonl reference_answer/gpt-4.jsonl)
    [[ $lang != EN ]] && files+=(corrections.jsonl)
    for file in "${files[@]}"; do
      mkdir -p "$MTBX_DATA/mt_bench_$lang/$(dirname "$file")"
      if ! curl -fsSL "$MTBX_RAW/mt_bench_$lang/$file" -o "$MTBX_DATA/mt_bench_$lang/$file"; then
        echo "stage 30 failed: could not download $MTBX_RAW/mt_bench_$lang/$file" >&2
        echo "(without MTBX_DOWNLOAD=1 the demo uses examples/mt_bench_x_sample offline)" >&2
        exit 1
      fi
    done
  done
  echo "MT-Bench-X input: $MTBX_DATA (published, commit $MTBX_COMMIT)"
else
  MTBX_DATA=examples/mt_bench_x_sample
  echo "MT-Bench-X input: $MTBX_DATA (the project's own sample; MTBX_DATA=DIR or" \
    "MTBX_DOWNLOAD=1 for the published benchmark)"
fi

REPO="$DEMO_OUT/mt-bench-x-repo"
DATA="$DEMO_OUT/mt_bench_data"

echo
echo "--- mt-bench-x build --from-published (all languages) ---"
logged build.log mt-bench-x build --from-published "$MTBX_DATA" --out "$REPO"

echo
echo "--- mt-bench-x inspect: every config loaded back with datasets.load_dataset ---"
mt-bench-x inspect "$REPO"

echo
echo "--- mt-bench-x export --langs DE,EN (FastChat layout) ---"
logged export.log mt-bench-x export --repo "$REPO" --data-dir "$DATA" --langs DE,EN
find "$DATA" -name '*.jsonl' | sort | sed "s|$DEMO_OUT/||"
echo "judge prompts (DE): $(python -c "import json,sys; print(', '.join(json.loads(l)['name'] for l in open(sys.argv[1])))" "$DATA/mt_bench_DE/judge_prompts.jsonl")"

MODEL="$DEMO_OUT/sft-tiny"
if [[ ! -f "$MODEL/config.json" ]]; then
  echo
  echo "($MODEL not found, stage 20 did not run: answering with a fresh tiny random model)"
  logged tiny_model.log python -m recipes.tiny_model --out "$MODEL" --seed 0 >/dev/null
fi

FIRST_N="${JUDGE_DEMO_FIRST_N:-3}"   # the judge stage judges the first N questions
echo
echo "--- mt-bench-x answer: $MODEL as sft-tiny and sft-tiny-b, first $FIRST_N questions ---"
logged answer-sft-tiny.log mt-bench-x answer --model-path "$MODEL" --model-id sft-tiny \
  --lang DE,EN --data-dir "$DATA" --limit "$FIRST_N" --max-new-tokens 32 --batch-size 3 \
  --device cpu --no-progress
logged answer-sft-tiny-b.log mt-bench-x answer --model-path "$MODEL" --model-id sft-tiny-b \
  --lang DE,EN --data-dir "$DATA" --limit "$FIRST_N" --max-new-tokens 32 --batch-size 3 \
  --device cpu --no-progress --temperature 1.0 --seed 1

echo
echo "--- a rerun skips what is answered ---"
logged answer-rerun.log mt-bench-x answer --model-path "$MODEL" --model-id sft-tiny --lang DE \
  --data-dir "$DATA" --limit "$FIRST_N" --max-new-tokens 32 --device cpu --no-progress

echo
echo "--- first answer record (DE, sft-tiny; a tiny random model writes noise) ---"
head -n 1 "$DATA/mt_bench_DE/model_answer/sft-tiny.jsonl" | cut -c 1-300
