#!/usr/bin/env bash
# Demo stage 60: the whole study from one YAML (recipes/study/tiny.yaml) with recipes/study.py.
# `plan` prints the steps, the training matrix and the (here trivial) cost estimate; `run`
# builds the dataset and the benchmark, builds the tiny base model, trains it on two mixtures,
# answers MT-Bench-X DE and EN, judges with the tests' stand-in judge server (ratings derived
# from the prompt text: they say nothing about the models) and writes the report. A second
# `run` finds everything done and runs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO_OUT="${DEMO_OUT:-$PWD/demo_out}"
export HF_DATASETS_CACHE="${HF_DATASETS_CACHE:-$DEMO_OUT/.hf-datasets}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export ACCELERATE_LOG_LEVEL=error TRANSFORMERS_VERBOSITY=error DATASETS_VERBOSITY=error
export STUDY_OUT="$DEMO_OUT/study-tiny"
if [[ -z "${MTBX_DATA:-}" && -d "$DEMO_OUT/mt_bench_x_published" ]]; then
  export MTBX_DATA="$DEMO_OUT/mt_bench_x_published"   # downloaded by stage 30
fi

LOG="$DEMO_OUT/study_judge_server.log"
python -m tests.servers.openai_server --respond judge >"$LOG" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  grep -q READY "$LOG" && break
  sleep 0.5
done
export JUDGE_BASE_URL="$(awk '/READY/ {print $2}' "$LOG")"
unset OPENAI_API_KEY

echo "--- python recipes/study.py plan recipes/study/tiny.yaml ---"
python recipes/study.py plan recipes/study/tiny.yaml
echo
echo "--- python recipes/study.py run recipes/study/tiny.yaml --executor local ---"
python recipes/study.py run recipes/study/tiny.yaml --executor local
echo
echo "--- run again: everything is done ---"
python recipes/study.py run recipes/study/tiny.yaml --executor local
echo
echo "report: $STUDY_OUT/report/report.html (step logs: $STUDY_OUT/.study/logs/)"
