#!/usr/bin/env bash
# Demo stage 50: `mt-bench-x report` with every table and plot filled.
#
# STAND-IN JUDGE: the verdicts here come from the tests' OpenAI-compatible server
# (tests/servers/openai_server.py, `--respond judge`): ratings derived from the prompt text and
# pairwise verdicts that are deterministic, with a set share of position-biased pairs and a
# little rating noise per run. They say nothing about the models: the numbers show what the
# report computes, not how good the tiny models are. With a real judge, run `mt-bench-x judge`
# against its API (see 40_judge.sh) and the same `mt-bench-x report` command.
#
# Three tiny models trained for a few CPU steps on Bactrian-X EN, DE and ENDEFRITES-sampled
# (the latter is stage 20's checkpoint) answer one question per category in DE and EN; the
# stand-in judge grades them (single, runs 0 and 1) and compares them (pairwise-all, runs 0
# and 1); the report then has monolingual and mixture runs for the improvement figure,
# repeated runs for intervals and the position-bias mitigation.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO_OUT="${DEMO_OUT:-$PWD/demo_out}"
export HF_DATASETS_CACHE="${HF_DATASETS_CACHE:-$DEMO_OUT/.hf-datasets}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export ACCELERATE_LOG_LEVEL=error TRANSFORMERS_VERBOSITY=error DATASETS_VERBOSITY=error
export TQDM_DISABLE=1

SOURCE="$DEMO_OUT/mt_bench_data"   # exported by stage 30
DATA="$DEMO_OUT/report_data"
REPORT="$DEMO_OUT/report"
JUDGE="stand-in-judge"
for lang in DE EN; do
  test -f "$SOURCE/mt_bench_$lang/question.jsonl" || {
    echo "missing $SOURCE/mt_bench_$lang/question.jsonl (run stage 30 first)" >&2
    exit 1
  }
done

echo "--- benchmark subset: the first question of each category in DE and EN -> $DATA ---"
rm -rf "$DATA"
python - "$SOURCE" "$DATA" <<'PY'
import json, shutil, sys
from pathlib import Path

source, target = Path(sys.argv[1]), Path(sys.argv[2])
for lang in ("DE", "EN"):
    src, dst = source / f"mt_bench_{lang}", target / f"mt_bench_{lang}"
    dst.mkdir(parents=True)
    lines, seen = [], set()
    for line in (src / "question.jsonl").read_text(encoding="utf-8").splitlines():
        category = json.loads(line)["category"]
        if category not in seen:
            seen.add(category)
            lines.append(line)
    (dst / "question.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(src / "judge_prompts.jsonl", dst / "judge_prompts.jsonl")
    shutil.copytree(src / "reference_answer", dst / "reference_answer")
    print(f"{lang}: {len(lines)} questions")
PY

train() {  # $1: Bactrian-X config, $2: output folder
  [[ -f "$2/config.json" ]] && return
  test -f "$DEMO_OUT/tiny-base/config.json" || python -m recipes.tiny_model --out "$DEMO_OUT/tiny-base" --seed 0 >/dev/null
  accelerate launch --cpu --num_processes 1 --num_machines 1 --mixed_precision no \
    --dynamo_backend no --num_cpu_threads_per_process 2 \
    recipes/sft.py --config recipes/tiny-llama/cpu_demo.yaml \
    --model_name_or_path "$DEMO_OUT/tiny-base" \
    --dataset_name "$DEMO_OUT/bactrian-x" --dataset_config "$1" \
    --output_dir "$2" >"$2.log" 2>&1 \
    || { tail -n 40 "$2.log"; echo "training on $1 failed (log: $2.log)" >&2; exit 1; }
}

echo
echo "--- tiny models on Bactrian-X EN, DE (8 CPU steps each) and ENDEFRITES-sampled (stage 20) ---"
declare -A CHECKPOINT=(
  [EN]="$DEMO_OUT/sft-tiny-EN" [DE]="$DEMO_OUT/sft-tiny-DE" [ENDEFRITES-sampled]="$DEMO_OUT/sft-tiny"
)
for config in EN DE ENDEFRITES-sampled; do
  train "$config" "${CHECKPOINT[$config]}"
  echo "tiny/Bactrian-$config: ${CHECKPOINT[$config]}"
  mt-bench-x answer --model-path "${CHECKPOINT[$config]}" --model-id "tiny/Bactrian-$config" \
    --lang DE,EN --data-dir "$DATA" --max-new-tokens 32 --batch-size 8 --device cpu \
    --no-progress 2>/dev/null
done

# The reference set stage 30 exported (gpt-4 for the published data, sample for the sample).
REFERENCE_SET="$(basename "$(find "$DATA/mt_bench_DE/reference_answer" -name '*.jsonl' | sort | head -n 1)" .jsonl)"

echo
echo "--- STAND-IN judge (tests/servers/openai_server.py, deterministic verdicts), runs 0 and 1 ---"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
for run in 0 1; do
  LOG="$DEMO_OUT/stand_in_judge_run$run.log"
  python -u -m tests.servers.openai_server --respond judge --seed "$run" \
    --position-bias 0.3 --rating-noise 1 --model "$JUDGE" >"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 50); do grep -q '^READY' "$LOG" && break; sleep 0.2; done
  URL="$(sed -n 's/^READY //p' "$LOG")"
  [[ -n "$URL" ]] || { cat "$LOG" >&2; exit 1; }
  for mode in single pairwise-all; do
    env -u OPENAI_API_KEY -u OPENAI_BASE_URL OPENAI_API_KEY=stand-in mt-bench-x judge \
      --lang DE,EN --mode "$mode" --judge-model "$JUDGE" --data-dir "$DATA" \
      --judge-base-url "$URL" --run "$run" --reference-set "$REFERENCE_SET" --no-progress \
      --model-list tiny/Bactrian-EN tiny/Bactrian-DE tiny/Bactrian-ENDEFRITES-sampled
  done
  stop_server
done

echo
echo "--- mt-bench-x report (stand-in judge: the numbers illustrate the report, not the models) ---"
mt-bench-x report --data-dir "$DATA" --judge-model "$JUDGE" --lang DE,EN --runs 0,1 \
  --out "$REPORT"
echo "report: $REPORT/report.html"
