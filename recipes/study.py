"""The whole study from one YAML: plan it, then run what is not done yet (locally or on Slurm).

    python recipes/study.py plan recipes/study/paper.yaml
    python recipes/study.py run recipes/study/tiny.yaml --executor local
    python recipes/study.py run recipes/study/paper.yaml --executor slurm

``plan`` prints the steps (dataset builds -> trainings -> answers per language -> judgments ->
report), the training matrix, estimated GPU-hours and API cost. ``run`` calls ``lima-x``,
``mt-bench-x`` and ``accelerate launch recipes/sft.py`` for every step whose outputs are missing
or whose recorded inputs changed; see ``recipes/README.md`` ("The whole study").
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # `python recipes/study.py`: make `recipes` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recipes.study_estimate import judge_estimates, training_estimates, translation_cost
from recipes.study_plan import KINDS, Plan, StudyError, expand, load_config
from recipes.study_run import State, run_local, run_slurm


def print_plan(plan: Plan, *, estimate: bool = True) -> None:
    counts = Counter(step.kind for step in plan.steps.values())
    print(f"study {plan.name}: {len(plan.steps)} steps -> {plan.out}")
    print("  " + ", ".join(f"{counts[kind]} {kind}" for kind in KINDS if counts[kind]))
    state = State.load(plan.out)
    done = sum(state.is_done(step) for step in plan.steps.values())
    print(f"  done already: {done}")
    print()
    print("training matrix (base model x dataset: mixtures)")
    rows: dict[tuple[str, str], list[str]] = {}
    for step in plan.by_kind("train"):
        key = (step.labels["base_model"], step.labels["dataset"])
        rows.setdefault(key, []).append(step.labels["mixture"])
    for (base, source), mixtures in rows.items():
        print(f"  {base:<16} {source:<18} {len(mixtures):>2}: {' '.join(mixtures)}")
    langs = ",".join(str(lang).upper() for lang in plan.config["eval_languages"])
    runs = int(plan.config.get("runs", 1))
    print(
        f"  answers: {len(plan.models)} models x {langs} = {counts['answer']}; "
        f"judgments: x {runs} run(s) = {counts['judge']} (judge {plan.config['judge']['model']})"
    )
    if not estimate:
        return
    print()
    print("GPU-hours of training (estimate: rows x assumed tokens/sample x expected epochs")
    print("over the training benchmark's tokens/s per GPU; fewest GPUs from the memory formula)")
    total = 0.0
    by_group: dict[tuple[str, str], list] = {}
    for item in training_estimates(plan):
        by_group.setdefault((item.base_model, item.source), []).append(item)
    for (base, source), items in by_group.items():
        hours = [item.gpu_hours for item in items]
        known = [h for h in hours if h is not None]
        gpus = items[0].min_gpus
        tokens = sum(item.tokens for item in items)
        shown = f"{sum(known):,.1f}" if len(known) == len(hours) else "unknown"
        total += sum(known)
        print(
            f"  {base:<16} {source:<18} {tokens / 1e6:>10,.1f}M tokens  {shown:>9} GPU-h"
            f"  (>= {gpus if gpus else '?'} GPUs)"
        )
    print(f"  total {total:,.1f} GPU-hours (training only; answer generation not included)")
    print()
    print("API cost")
    for source, cost in translation_cost(plan).items():
        print(f"  translation {source:<18} {cost}")
    published = plan.config.get("benchmark", {}).get("published")
    estimates = judge_estimates(plan, Path(published) if published else None)
    judge_usd = sum(e.usd for e in estimates)
    for e in estimates:
        print(
            f"  judging {e.lang}: {e.calls:,} calls, ~{e.input_tokens / 1e6:,.2f}M input + "
            f"{e.output_tokens / 1e6:,.2f}M output tokens, ~{e.usd:,.2f} USD"
        )
    print(
        f"  judging total ~{judge_usd:,.2f} USD (ESTIMATE: no answers exist yet; assumed answer "
        "lengths per language from judge.assumed_answer_chars, 4 characters per token)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    plan_parser = sub.add_parser("plan", help="print the steps, the matrix, GPU-hours, API cost")
    plan_parser.add_argument("study", type=Path)
    plan_parser.add_argument("--steps", action="store_true", help="list every step")
    plan_parser.add_argument("--no-estimate", action="store_true", help="skip the cost estimate")
    run_parser = sub.add_parser("run", help="run every step that is not done")
    run_parser.add_argument("study", type=Path)
    run_parser.add_argument("--executor", choices=("local", "slurm"), default="local")
    args = parser.parse_args(argv)
    try:
        plan = expand(load_config(args.study))
    except (StudyError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.command == "plan":
        print_plan(plan, estimate=not args.no_estimate)
        if args.steps:
            print()
            for step in plan.steps.values():
                after = f"  <- {', '.join(step.deps)}" if step.deps else ""
                print(f"  {step.id}{after}")
        return 0
    runner = run_local if args.executor == "local" else run_slurm
    summary = runner(plan)
    print(
        f"ran {len(summary.ran)}, submitted {len(summary.submitted)}, in flight "
        f"{len(summary.in_flight)}, done already {len(summary.skipped)}, failed "
        f"{len(summary.failed)}, blocked {len(summary.blocked)}"
    )
    for step_id in summary.failed:
        print(f"failed: {step_id} (run again to retry)")
    return 1 if summary.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
