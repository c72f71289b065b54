"""The dry-run cost of judging one model in five languages, online vs batch (docs figure).

Builds a FastChat-layout folder from the published MT-Bench-X data (questions, judge
prompts, GPT-4 reference answers of DE, EN, ES, FR, IT) plus one model's answers, and runs
``mt-bench-x judge --dry-run`` on it. The answers are text of the language's own questions,
repeated to ``--answer-chars`` characters per turn (default 1,118: the mean answer length
of the model in the published DE and EN judgment files), so the estimate stands for a model
that answers at that length; nothing is sent anywhere.

    python benchmarks/judge_cost_estimate.py --data ../shared/data --judge-model gpt-4o
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LANGS = ("DE", "EN", "ES", "FR", "IT")


def build(data: Path, out: Path, answer_chars: int) -> None:
    for lang in LANGS:
        source = data / "mt_bench_x" / f"mt_bench_{lang}"
        target = out / f"mt_bench_{lang}"
        (target / "reference_answer").mkdir(parents=True)
        (target / "model_answer").mkdir()
        for name in ("question.jsonl", "judge_prompts.jsonl"):
            shutil.copy(source / name, target / name)
        shutil.copy(source / "reference_answer" / "gpt-4.jsonl", target / "reference_answer")
        questions = [json.loads(line) for line in (source / "question.jsonl").open()]
        text = " ".join(turn for q in questions for turn in q["turns"])
        answer = (text * (answer_chars // max(1, len(text)) + 1))[:answer_chars]
        with (target / "model_answer" / "model.jsonl").open("w") as handle:
            for q in questions:
                record = {
                    "question_id": q["question_id"],
                    "answer_id": f"model-{q['question_id']}",
                    "model_id": "model",
                    "choices": [{"index": 0, "turns": [answer, answer]}],
                    "tstamp": 0.0,
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--judge-model", default="gpt-4o")
    parser.add_argument("--answer-chars", type=int, default=1118)
    parser.add_argument("--mode", default="single")
    parser.add_argument("extra", nargs="*", help="more `mt-bench-x judge` options")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        build(args.data, Path(folder), args.answer_chars)
        command = [
            sys.executable, "-m", "mt_bench_x.cli", "judge", "--lang", ",".join(LANGS),
            "--data-dir", folder, "--mode", args.mode, "--judge-model", args.judge_model,
            "--model-list", "model", "--dry-run", *args.extra,
        ]  # fmt: skip
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
