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
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mt_bench_x.formats.jsonl import read_jsonl, write_jsonl
from mt_bench_x.formats.layout import BenchPaths

LANGS = ("DE", "EN", "ES", "FR", "IT")


def build(data: Path, out: Path, answer_chars: int) -> None:
    for lang in LANGS:
        source = BenchPaths(data / "mt_bench_x", lang)
        target = BenchPaths(out, lang)
        target.reference_answer_dir.mkdir(parents=True)
        target.model_answer_dir.mkdir()
        shutil.copy(source.question_file, target.question_file)
        shutil.copy(source.judge_prompts_file, target.judge_prompts_file)
        shutil.copy(source.reference_answer_file("gpt-4"), target.reference_answer_file("gpt-4"))
        questions = read_jsonl(source.question_file)
        text = " ".join(turn for q in questions for turn in q["turns"])
        answer = (text * (answer_chars // max(1, len(text)) + 1))[:answer_chars]
        records = [
            {
                "question_id": q["question_id"],
                "answer_id": f"model-{q['question_id']}",
                "model_id": "model",
                "choices": [{"index": 0, "turns": [answer, answer]}],
                "tstamp": 0.0,
            }
            for q in questions
        ]
        write_jsonl(target.model_answer_file("model"), records)


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
