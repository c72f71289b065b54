"""recipes/study.py: the paper's plan, the Slurm executor against stub commands, the tiny study."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from recipes.study_plan import expand, load_config

REPO_ROOT = Path(__file__).resolve().parents[2]
STUDY_DIR = REPO_ROOT / "recipes" / "study"
# The published MT-Bench-X data: ../shared/data next to the checkout (or a level further up
# for a worktree checkout).
MTBX_DATA = next(
    (
        root / "shared" / "data" / "mt_bench_x"
        for root in REPO_ROOT.parents
        if (root / "shared" / "data" / "mt_bench_x").is_dir()
    ),
    REPO_ROOT.parent / "shared" / "data" / "mt_bench_x",
)
pytestmark = pytest.mark.skipif(not MTBX_DATA.is_dir(), reason="no published MT-Bench-X data")

# The paper's facts (sections 3.3, 4.2, 5.1): five languages, the monolingual sets plus four
# mixtures; the 7B on Lima-X, Bactrian-X and Bactrian-X-small, Mixtral-8x7B without the full
# Bactrian-X; every model answers MT-Bench-X in all five languages; one GPT-4 judge run.
PAPER_LANGS = ["EN", "DE", "FR", "IT", "ES"]
PAPER_MIXTURES = [*PAPER_LANGS, "ENDEFRITES", "DEFRITES", "ENDEFRITES-sampled", "DEFRITES-sampled"]
PAPER_SOURCES = {"7b": 3, "mixtral": 2}


def _study_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "STUDY_OUT": str(tmp_path / "study"),
        "MTBX_DATA": str(MTBX_DATA),
        "PYTHONPATH": str(REPO_ROOT),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
        **extra,
    }


def _study(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "recipes" / "study.py"), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def test_the_paper_plan_has_the_papers_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTBX_DATA", str(MTBX_DATA))
    plan = expand(load_config(STUDY_DIR / "paper.yaml"))
    trainings = sum(PAPER_SOURCES.values()) * len(PAPER_MIXTURES)
    assert trainings == 45
    kinds = {kind: len(plan.by_kind(kind)) for kind in ("dataset", "train", "answer", "judge")}
    assert kinds == {
        "dataset": 3,
        "train": trainings,
        "answer": trainings * len(PAPER_LANGS),
        "judge": trainings * len(PAPER_LANGS) * 1,
    }
    # dependencies: dataset -> training -> answer per language -> judgment -> report
    for step in plan.by_kind("train"):
        assert step.deps[0] == f"dataset/{step.labels['dataset']}"
    for step in plan.by_kind("answer"):
        assert step.deps[0] in plan.steps and plan.steps[step.deps[0]].kind == "train"
    for step in plan.by_kind("judge"):
        assert [plan.steps[dep].kind for dep in step.deps] == ["answer"]
    assert sorted(plan.steps["report"].deps) == sorted(s.id for s in plan.by_kind("judge"))
    assert not any("bactrian-x/" in s.id for s in plan.by_kind("train") if "mixtral" in s.id)
    # a lima build is told its validation file explicitly
    lima = plan.steps["dataset/lima-x"].commands[0]
    assert lima[lima.index("--validation") + 1]
    # the report's grouping comes from the plan
    assert len(plan.models) == trainings
    assert {group["base"] for group in plan.models.values()} == {"teuken-7b", "mixtral-8x7b"}


def _recipe_trusts_remote_code(recipe_file: Path) -> bool:
    recipe = yaml.safe_load((REPO_ROOT / recipe_file).read_text(encoding="utf-8"))
    return recipe.get("trust_remote_code") is True


def test_answer_steps_trust_remote_code_exactly_when_the_training_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MTBX_DATA", str(MTBX_DATA))
    plan = expand(load_config(STUDY_DIR / "paper.yaml"))
    flagged: dict[str, set[bool]] = {}
    for step in plan.by_kind("answer"):
        (command,) = step.commands
        train = plan.steps[step.deps[0]]
        recipe = train.config_files[0]  # the recipe sft.py trains with
        assert command.count("--trust-remote-code") <= 1, step.id
        has_flag = "--trust-remote-code" in command
        assert has_flag == _recipe_trusts_remote_code(recipe), step.id
        flagged.setdefault(train.labels["base_model"], set()).add(has_flag)
    # Teuken's tokenizer is code in its repository; Mixtral loads without remote code.
    assert flagged == {"teuken-7b": {True}, "mixtral-8x7b": {False}}


def test_training_overrides_of_trust_remote_code_reach_the_answer_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MTBX_DATA", str(MTBX_DATA))
    config = load_config(STUDY_DIR / "paper.yaml")
    config["mixtures"] = {"EN": {}, "DE": {"trust_remote_code": False}}
    config["eval_languages"] = ["FR"]
    config["base_models"]["mixtral-8x7b"]["overrides"] = {"trust_remote_code": True}
    plan = expand(config)

    def answer(mid: str) -> list[str]:
        return plan.steps[f"answer/{mid}/FR"].commands[0]

    train = plan.steps["train/mixtral-8x7b/lima-x/EN"].commands[0]
    assert train[-2:] == ["--trust_remote_code", "true"]  # sft.py trains with it ...
    assert "--trust-remote-code" in answer("mixtral-8x7b__lima-x-EN")  # ... so answer loads with it
    # the mixture's override comes last and wins over the base model's
    assert "--trust-remote-code" not in answer("mixtral-8x7b__lima-x-DE")
    assert "--trust-remote-code" not in answer("teuken-7b__lima-x-DE")
    assert "--trust-remote-code" in answer("teuken-7b__lima-x-EN")


def test_plan_prints_matrix_gpu_hours_and_labelled_cost_estimate(tmp_path: Path) -> None:
    done = _study(["plan", str(STUDY_DIR / "paper.yaml")], _study_env(tmp_path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "45 train, 225 answer, 225 judge, 1 report" in out
    assert "GPU-h" in out and "(>= 16 GPUs)" in out  # Mixtral: two 8-GPU nodes by the formula
    assert "judging total ~" in out and "ESTIMATE" in out
    assert "translation lima-x" in out


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/usr/bin/env bash\nset -eu\n" + body, encoding="utf-8")
    path.chmod(0o755)


SBATCH = """\
n=$(( $(wc -l < "$STUB_LOG" 2>/dev/null || echo 0) + 1000 ))
echo "sbatch $*" >> "$STUB_LOG"
echo "$n"
"""
SQUEUE = """\
echo "squeue $*" >> "$STUB_CALLS"
if [[ -f "$STUB_QUEUE" ]]; then cat "$STUB_QUEUE"; fi
"""
SACCT = """\
echo "sacct $*" >> "$STUB_CALLS"
if [[ -f "$STUB_SACCT" ]]; then cat "$STUB_SACCT"; fi
"""


def _small_paper(tmp_path: Path) -> Path:
    """The paper's plan with one mixture and one language (20 submissions, not 500)."""
    config = yaml.safe_load((STUDY_DIR / "paper.yaml").read_text(encoding="utf-8"))
    config |= {"mixtures": ["EN"], "eval_languages": ["DE"]}
    path = tmp_path / "paper-small.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_slurm_executor_submits_with_afterok_dependencies_once(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("sbatch", SBATCH), ("squeue", SQUEUE), ("sacct", SACCT)):
        _stub(bin_dir, name, body)
    log, calls = tmp_path / "sbatch.log", tmp_path / "calls.log"
    env = _study_env(
        tmp_path,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        STUB_LOG=str(log),
        STUB_CALLS=str(calls),
        STUB_QUEUE=str(tmp_path / "queue.txt"),
        STUB_SACCT=str(tmp_path / "sacct.txt"),
    )
    study = _small_paper(tmp_path)
    done = _study(["run", str(study), "--executor", "slurm"], env)
    assert done.returncode == 0, done.stderr + done.stdout
    submissions = log.read_text().splitlines()
    assert len(submissions) == 1 + 3 + 5 + 5 + 5 + 1  # benchmark, datasets, 5 x train/answer/judge
    assert all("--kill-on-invalid-dep=yes" in line for line in submissions)

    state = json.loads((tmp_path / "study" / ".study" / "state.json").read_text())
    job = {step: entry["job"] for step, entry in state.items()}
    assert sorted(job.values()) == [str(1000 + i) for i in range(len(submissions))]
    by_job = {str(1000 + i): line for i, line in enumerate(submissions)}
    plan = expand(load_config(study))
    for step_id, step in plan.steps.items():
        line = by_job[job[step_id]]
        wanted = sorted(job[dep] for dep in step.deps)
        if wanted:
            assert f"--dependency=afterok:{':'.join(wanted)}" in line, step_id
            assert all(int(job[dep]) < int(job[step_id]) for dep in step.deps)  # submitted after
        else:
            assert "--dependency" not in line, step_id
    # Mixtral trains on two nodes through the multi-node script; the 7B through a job script
    # that runs the recipe's accelerate launch
    mixtral = by_job[job["train/mixtral-8x7b/lima-x/EN"]]
    assert "--nodes=2" in mixtral and "recipes/slurm/sft_multinode.sh" in mixtral
    assert "recipes/mixtral-8x7b/lima-x/EN.yaml recipes/accelerate/deepspeed_zero3.yaml" in mixtral
    script = Path(by_job[job["train/teuken-7b/lima-x/EN"]].split()[-1]).read_text()
    assert "#SBATCH --gpus-per-node=8" in script
    assert "accelerate launch --config_file recipes/accelerate/deepspeed_zero3.yaml" in script
    assert "recipes/sft.py --config recipes/teuken-7b/lima-x/EN.yaml" in script
    answer = Path(by_job[job["answer/teuken-7b__lima-x-EN/DE"]].split()[-1]).read_text()
    assert "--system-prompt-file" in answer  # the opengptx system messages saved by sft.py
    assert "--trust-remote-code" in answer  # Teuken's tokenizer is code in the checkpoint
    mixtral_answer = by_job[job["answer/mixtral-8x7b__lima-x-EN/DE"]].split()[-1]
    assert "--trust-remote-code" not in Path(mixtral_answer).read_text()

    # Queued or running jobs are not submitted again.
    (tmp_path / "queue.txt").write_text("".join(f"{j} PENDING\n" for j in job.values()))
    done = _study(["run", str(study), "--executor", "slurm"], env)
    assert done.returncode == 0, done.stderr
    assert len(log.read_text().splitlines()) == len(submissions)
    assert "squeue" in calls.read_text()

    # A job that failed (gone from the queue, FAILED in sacct) is reported and submitted
    # again, with the jobs still queued as its dependencies' stand-ins.
    failed = job["train/teuken-7b/bactrian-x/EN"]
    queued = [j for j in job.values() if j != failed]
    (tmp_path / "queue.txt").write_text("".join(f"{j} RUNNING\n" for j in queued))
    (tmp_path / "sacct.txt").write_text(f"{failed}|FAILED\n{failed}.batch|FAILED\n")
    done = _study(["run", str(study), "--executor", "slurm"], env)
    assert "FAILED   train/teuken-7b/bactrian-x/EN" in done.stdout
    again = log.read_text().splitlines()[len(submissions) :]
    assert len(again) == 1
    assert f"--dependency=afterok:{job['dataset/bactrian-x']}" in again[0]


# `mt-bench-x` as a wrapper that records its arguments and lets `report` fail once (while the
# REPORT_FAIL file exists). Every call runs the real command, except `report` where this
# checkout's mt-bench-x has none yet (it comes with the report work): then the wrapper writes a
# placeholder report and the test checks the arguments it was called with.
MT_BENCH_X_WRAPPER = """\
printf '%s\\n' "$*" >> "$REPORT_CALLS"
if [[ "${{1:-}}" == report ]]; then
  if [[ -f "$REPORT_FAIL" ]]; then echo "report: failing once (test)" >&2; exit 1; fi
  if [[ "{emulate}" == yes ]]; then
    out=""; prev=""
    for arg in "$@"; do [[ "$prev" == --out ]] && out="$arg"; prev="$arg"; done
    mkdir -p "$out" && echo placeholder > "$out/report.html"
    exit 0
  fi
fi
exec {real} "$@"
"""


def _has_report_command(real: str) -> bool:
    done = subprocess.run([real, "report", "--help"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.slow
def test_tiny_study_runs_end_to_end_reruns_nothing_and_only_what_a_mixture_change_touches(
    tmp_path: Path,
) -> None:
    from tests.servers.openai_server import RESPONDERS, OpenAICompatibleServer

    real = shutil.which("mt-bench-x")
    assert real
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real_report = _has_report_command(real)
    emulate = "no" if real_report else "yes"
    _stub(bin_dir, "mt-bench-x", MT_BENCH_X_WRAPPER.format(real=real, emulate=emulate))
    # The shipped tiny plan with one MT-Bench-X language instead of two (CPU time).
    config = yaml.safe_load((STUDY_DIR / "tiny.yaml").read_text(encoding="utf-8"))
    config["eval_languages"] = ["DE"]
    study = tmp_path / "tiny.yaml"
    study.write_text(yaml.safe_dump(config), encoding="utf-8")
    calls, fail = tmp_path / "report_calls.txt", tmp_path / "report_fail"
    fail.touch()
    out = tmp_path / "study"
    state_file = out / ".study" / "state.json"

    with OpenAICompatibleServer(RESPONDERS["judge"]()) as server:
        env = _study_env(
            tmp_path,
            PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            JUDGE_BASE_URL=server.base_url,
            REPORT_CALLS=str(calls),
            REPORT_FAIL=str(fail),
        )
        env.pop("OPENAI_API_KEY", None)
        first = _study(["run", str(study)], env)
        # everything ran; the report failed (the wrapper's one failure) and is reported
        assert first.returncode == 1, first.stderr
        assert "FAILED   report" in first.stdout and "failed: report" in first.stdout
        judgment = out / "mt_bench_data" / "mt_bench_DE" / "model_judgment"
        records = [
            json.loads(line)
            for line in (judgment / "test-model_single.jsonl").read_text().splitlines()
        ]
        assert {r["model"] for r in records} == {
            "tiny__bactrian-x-EN",
            "tiny__bactrian-x-ENDEFRITES-sampled",
        }
        groups = yaml.safe_load((out / "groups.yaml").read_text())["models"]
        assert groups["tiny__bactrian-x-ENDEFRITES-sampled"] == {
            "base": "tiny",
            "dataset": "bactrian-x",
            "mixture": "ENDEFRITES-sampled",
        }
        assert (out / "models" / "tiny" / "bactrian-x" / "EN" / "trainer_state.json").is_file()

        # the failed step is retried, nothing else runs
        fail.unlink()
        second = _study(["run", str(study)], env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert [line for line in second.stdout.splitlines() if line.startswith("running")] == [
            "running  report"
        ]
        report_calls = [c.split() for c in calls.read_text().splitlines() if c.startswith("report")]
        assert len(report_calls) == 2  # the failed call and its retry
        assert report_calls[-1] == [
            "report",
            "--data-dir",
            str(out / "mt_bench_data"),
            "--judge-model",
            "test-model",
            "--out",
            str(out / "report"),
            "--groups",
            str(out / "groups.yaml"),
        ]
        assert (out / "report" / "report.html").is_file()
        if real_report:  # the real report groups the models as the plan says
            improvement = (out / "report" / "improvement.csv").read_text()
            assert "tiny,bactrian-x,ENDEFRITES-sampled,EN" in improvement

        # a rerun does nothing
        before = state_file.read_text()
        third = _study(["run", str(study)], env)
        assert third.returncode == 0
        assert "ran 0," in third.stdout and "running" not in third.stdout
        assert state_file.read_text() == before

        # a changed mixture reruns exactly its training, answers, judgments and the report
        config["mixtures"] = {"EN": {}, "ENDEFRITES-sampled": {"learning_rate": 1.0e-3}}
        study.write_text(yaml.safe_dump(config), encoding="utf-8")
        fourth = _study(["run", str(study)], env)
        assert fourth.returncode == 0, fourth.stdout + fourth.stderr
        ran = [line.split()[1] for line in fourth.stdout.splitlines() if line.startswith("running")]
        assert ran == [
            "train/tiny/bactrian-x/ENDEFRITES-sampled",
            "answer/tiny__bactrian-x-ENDEFRITES-sampled/DE",
            "judge/tiny__bactrian-x-ENDEFRITES-sampled/DE",
            "report",
        ]
        records = [
            json.loads(line)
            for line in (judgment / "test-model_single.jsonl").read_text().splitlines()
        ]
        per_model = {m: sum(r["model"] == m for r in records) for m in groups}
        assert per_model["tiny__bactrian-x-EN"] == per_model["tiny__bactrian-x-ENDEFRITES-sampled"]
