#!/usr/bin/env bash
# Demo stage: judge the tiny models' MT-Bench-X answers (DE, EN) through a real
# OpenAI-compatible server started here -- `transformers serve` with the tiny checkpoint --
# in single and pairwise-all mode, then print the results tables.
#
# A random tiny judge almost never writes a well-formed verdict, so the tables show mostly
# "unparsed" counts: that is the point of the demo (nothing unparseable is averaged in).
# With a real judge the same commands run against its API, e.g.
#   OPENAI_API_KEY=... mt-bench-x judge --lang all --mode single --judge-model gpt-4o \
#       --model-list sft-tiny sft-tiny-b --data-dir "$DEMO_OUT/mt_bench_data" --parallel 16
# (and OPENAI_BASE_URL=... for any other OpenAI-compatible server).
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO_OUT="${DEMO_OUT:-$PWD/demo_out}"

DATA="$DEMO_OUT/mt_bench_data"
JUDGE="sft-tiny"              # the checkpoint folder under $DEMO_OUT, served as the judge
MODELS=(sft-tiny sft-tiny-b)  # the answers written by the dataset stage
FIRST_N="${JUDGE_DEMO_FIRST_N:-3}"   # stage 30 answers the first N questions
# The reference set stage 30 exported (gpt-4 for the published data, sample for the sample).
REFERENCE_SET="$(basename "$(find "$DATA/mt_bench_DE/reference_answer" -name '*.jsonl' | sort | head -n 1)" .jsonl)"
for model in "${MODELS[@]}"; do
  for lang in DE EN; do
    test -f "$DATA/mt_bench_$lang/model_answer/$model.jsonl" || {
      echo "missing $DATA/mt_bench_$lang/model_answer/$model.jsonl (run the earlier stages)" >&2
      exit 1
    }
  done
done

PORT="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOG="$DEMO_OUT/judge_server.log"
# Served from $DEMO_OUT so that the model name is the folder name (`transformers serve` pins
# the model and requires requests to name it as given).
(cd "$DEMO_OUT" && exec transformers serve "$JUDGE" --host 127.0.0.1 --port "$PORT" \
  --device cpu) >"$LOG" 2>&1 &
SERVER_PID=$!
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT

echo "starting transformers serve ($JUDGE) on 127.0.0.1:$PORT"
for _ in $(seq 1 120); do
  if python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "transformers serve exited; its log:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 1
done

# The local server needs no key; never send a real one to it.
judge() {
  env -u OPENAI_API_KEY -u OPENAI_BASE_URL mt-bench-x judge --lang all --judge-model "$JUDGE" \
    --model-list "${MODELS[@]}" --data-dir "$DATA" \
    --judge-base-url "http://127.0.0.1:$PORT/v1" --parallel 2 --first-n "$FIRST_N" \
    --reference-set "$REFERENCE_SET" --max-tokens 24 --max-judge-context-tokens 2048 \
    --no-progress "$@"
}

echo
echo "--- dry run: what the single-mode run below will send (no call made) ---"
judge --mode single --dry-run
echo
echo "--- judging the first $FIRST_N questions per language: single, then pairwise-all ---"
judge --mode single
judge --mode pairwise-all
echo
mt-bench-x show --lang all --mode single --judge-model "$JUDGE" --data-dir "$DATA"
echo
mt-bench-x show --lang all --mode pairwise-all --judge-model "$JUDGE" --data-dir "$DATA"
echo
echo "judgments: $DATA/mt_bench_{DE,EN}/model_judgment/${JUDGE}_{single,pair}.jsonl"
