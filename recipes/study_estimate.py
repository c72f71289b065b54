"""What a study costs before it runs: training GPU-hours, API cost of translation and judging.

GPU-hours: tokens trained (rows of the mixture x assumed mean tokens per sample x expected
epochs, all plan fields) over tokens/s per GPU from the training benchmark's extrapolation
(``benchmarks/bench_train.py memory --measured ... --out FILE``), and the fewest GPUs the memory
formula allows. Translation: ``lima-x build lima --dry-run`` per translated source. Judging: an
estimate from the MT-Bench-X questions, judge prompts and reference answers of each language plus
an assumed answer length per language (a plan field), since no answers exist at plan time.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recipes import fastchat_layout as layout
from recipes.study_plan import Plan, cli_flags

CHARS_PER_TOKEN = 4.0  # rough for European languages with a GPT-4-class tokenizer
REFERENCE_CATEGORIES = ("math", "reasoning", "coding")
MONOLINGUAL_SHARE = {"ENDEFRITES": 5, "DEFRITES": 4}  # rows relative to one language


@dataclass
class TrainingEstimate:
    base_model: str
    source: str
    mixture: str
    tokens: float
    tokens_per_s_per_gpu: float | None
    min_gpus: int | None

    @property
    def gpu_hours(self) -> float | None:
        if not self.tokens_per_s_per_gpu:
            return None
        return self.tokens / self.tokens_per_s_per_gpu / 3600


def mixture_rows(mixture: str, rows_per_language: int) -> int:
    """Training rows of a mixture: ``ENDEFRITES`` 5x, ``DEFRITES`` 4x, others (mono, sampled) 1x."""
    return MONOLINGUAL_SHARE.get(mixture, 1) * rows_per_language


def benchmark_figures(path: Path, model: str, launcher: str) -> tuple[float | None, int | None]:
    """(tokens/s per GPU, fewest GPUs) of ``model`` in a ``bench_train.py memory`` JSON."""
    if not path.is_file():
        return None, None
    data = json.loads(path.read_text(encoding="utf-8"))
    speed = data.get("extrapolation", {}).get(model)
    gpus = next(
        (
            row.get("gpus_needed")
            for row in data.get("rows", [])
            if row.get("model") == model and row.get("launcher") == launcher
        ),
        None,
    )
    return speed, gpus


def training_estimates(plan: Plan) -> list[TrainingEstimate]:
    config = plan.config
    estimates = []
    for step in plan.by_kind("train"):
        base = config["base_models"][step.labels["base_model"]]
        source = config["sources"][step.labels["dataset"]]
        rows = mixture_rows(step.labels["mixture"], int(source.get("train_rows_per_language", 0)))
        tokens = rows * float(source.get("mean_tokens_per_sample", 0))
        tokens *= float(source.get("expected_epochs", 1))
        figures = base.get("benchmark", {})
        speed, gpus = benchmark_figures(
            Path(str(figures.get("file", ""))),
            str(figures.get("model", "")),
            str(figures.get("launcher", "zero3")),
        )
        speed = (
            float(figures["tokens_per_s_per_gpu"]) if "tokens_per_s_per_gpu" in figures else speed
        )
        estimates.append(
            TrainingEstimate(
                step.labels["base_model"],
                step.labels["dataset"],
                step.labels["mixture"],
                tokens,
                speed,
                gpus,
            )
        )
    return estimates


_TOTAL_USD = re.compile(r"^total\s.*?([\d,]+\.\d+)\s*$", re.MULTILINE)


def translation_cost(plan: Plan) -> dict[str, str]:
    """Source -> USD (from ``lima-x build lima --dry-run``) or why it is not known."""
    costs: dict[str, str] = {}
    for name, source in plan.config["sources"].items():
        args = dict(source.get("args", {}))
        if source["build"] != "lima" or args.get("translator", "none") == "none":
            costs[name] = "0 (nothing translated)"
            continue
        args.setdefault("langs", ",".join(plan.config.get("languages", [])))
        command = ["lima-x", "build", "lima", *cli_flags(args), "--dry-run", "--no-progress"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        match = _TOTAL_USD.search(done.stdout)
        if done.returncode == 0 and match:
            costs[name] = f"{match.group(1)} USD (lima-x dry run)"
        else:
            reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            costs[name] = f"unknown: the dry run failed ({reason[0][:120]})"
    return costs


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def judge_calls_chars(data_dir: Path, lang: str, answer_chars: float) -> tuple[int, float]:
    """(calls, input characters) of judging one model on one language in single mode."""
    questions = _jsonl(layout.question_file(data_dir, lang))
    prompts = {p["name"]: p for p in _jsonl(layout.judge_prompts_file(data_dir, lang))}
    reference_file = layout.reference_answer_file(data_dir, lang, "gpt-4")
    references = {}
    if reference_file.is_file():
        for row in _jsonl(reference_file):
            references[row["question_id"]] = row["choices"][0]["turns"]
    calls, chars = 0, 0.0
    for question in questions:
        math = question["category"] in REFERENCE_CATEGORIES
        reference = references.get(question["question_id"], [])
        for turn in range(len(question["turns"])):
            name = ("single-math-v1" if math else "single-v1") + ("-multi-turn" if turn else "")
            prompt = prompts.get(name) or prompts.get("single-v1", {})
            text = float(len(prompt.get("system_prompt", "")))
            text += len(prompt.get("prompt_template", ""))
            text += sum(len(q) for q in question["turns"][: turn + 1])
            text += answer_chars * (turn + 1)
            if math:
                text += sum(len(r) for r in reference[: turn + 1])
            calls += 1
            chars += text
    return calls, chars


@dataclass
class JudgeEstimate:
    lang: str
    models: int
    runs: int
    calls: int
    input_tokens: float
    output_tokens: float
    usd: float


def judge_estimates(plan: Plan, benchmark_source: Path | None) -> list[JudgeEstimate]:
    """Per language, an estimate (labelled as such) of the judge calls and their price."""
    judge = plan.config["judge"]
    assumed: Mapping[str, float] = judge.get("assumed_answer_chars", {})
    output_per_call = float(judge.get("output_tokens_per_call", 300))
    input_price = float(judge.get("input_price", 2.5))
    output_price = float(judge.get("output_price", 10.0))
    runs = int(plan.config.get("runs", 1))
    models = len(plan.models)
    estimates = []
    for lang in [str(lang).upper() for lang in plan.config["eval_languages"]]:
        roots = [root for root in (benchmark_source, plan.data_dir) if root is not None]
        data_dir = next((r for r in roots if layout.question_file(r, lang).is_file()), None)
        if data_dir is None:
            continue
        first_n = judge.get("first_n")
        calls, chars = judge_calls_chars(data_dir, lang, float(assumed.get(lang, 1500)))
        if first_n:
            share = min(1.0, int(first_n) / 80)
            calls, chars = round(calls * share), chars * share
        total_calls = calls * models * runs
        input_tokens = chars / CHARS_PER_TOKEN * models * runs
        output_tokens = output_per_call * total_calls
        usd = (input_tokens * input_price + output_tokens * output_price) / 1e6
        estimates.append(
            JudgeEstimate(lang, models, runs, total_calls, input_tokens, output_tokens, usd)
        )
    return estimates
