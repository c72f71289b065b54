"""Running a study's steps: what is done, the local executor and the Slurm executor.

A step is done when its outputs exist and the inputs recorded when it finished match today's:
the *config hash* (its commands and the content of its config files) and the *data fingerprint*
(name, size and modification time of every file of its inputs). The record lives in
``<out>/.study/state.json``. A step whose record differs is rerun after its stale outputs are
removed (an old answer file would otherwise be skipped by ``mt-bench-x answer``'s resume); a
failed step keeps its record as failed and runs again on the next ``run``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recipes.study_plan import REPO_ROOT, Plan, Step, groups_yaml, topological

logger = logging.getLogger(__name__)

IN_FLIGHT = ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED")


# --------------------------------------------------------------------------- fingerprints


# Options that change how a step runs, not what it produces: left out of the config hash.
UNHASHED_OPTIONS = ("--judge-base-url", "--parallel", "--batch-size", "--device")


def _semantic(command: Sequence[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for part in command:
        if skip:
            skip = False
        elif part in UNHASHED_OPTIONS:
            skip = True
        elif part not in ("--no-progress", "--progress"):
            out.append(part)
    return out


def config_hash(step: Step) -> str:
    """The step's commands (less how-to-run options) and the content of its config files."""
    digest = hashlib.sha256(json.dumps([_semantic(c) for c in step.commands]).encode())
    for path in step.config_files:
        digest.update(f"\0{path}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()[:16]


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and ".study" not in p.parts)
    return []


def fingerprint(paths: Sequence[Path]) -> str:
    """Name, size and modification time of every file under ``paths``."""
    digest = hashlib.sha256()
    for root in paths:
        digest.update(f"{root}\0".encode())
        for path in _files(root):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def model_fingerprint_paths(step: Step) -> list[Path]:
    """A model folder counts by its top-level files (the final model), not its checkpoints."""
    out: list[Path] = []
    for path in step.inputs:
        if step.kind == "answer" and path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file())
        else:
            out.append(path)
    return out


def current_inputs(step: Step) -> dict[str, str]:
    return {"config": config_hash(step), "data": fingerprint(model_fingerprint_paths(step))}


def judged_records(path: Path, model: str) -> int:
    if not path.is_file():
        return 0
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            count += json.loads(line).get("model") == model
        except json.JSONDecodeError:
            continue
    return count


def outputs_exist(step: Step) -> bool:
    if step.judged:
        return judged_records(*step.judged) > 0
    return all(path.exists() for path in step.outputs)


# --------------------------------------------------------------------------- state


@dataclass
class State:
    path: Path
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> State:
        path = out / ".study" / "state.json"
        steps = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        return cls(path, steps)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.steps, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    def record(self, step: Step, status: str, **extra: Any) -> None:
        self.steps[step.id] = {"status": status, "time": time.time(), **extra}
        self.save()

    def is_done(self, step: Step) -> bool:
        entry = self.steps.get(step.id, {})
        return (
            entry.get("status") == "done"
            and entry.get("inputs") == current_inputs(step)
            and outputs_exist(step)
        )

    def is_stale(self, step: Step) -> bool:
        """Ran before with other inputs: its outputs must go before it runs again."""
        entry = self.steps.get(step.id)
        if not entry:
            return outputs_exist(step)  # outputs of an unknown run: not ours to trust
        # The same step failed with the same inputs: retry (training resumes from checkpoints).
        return not (entry.get("status") == "failed" and entry.get("inputs") == current_inputs(step))


def remove_stale_outputs(step: Step) -> None:
    for path in step.clean:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.is_file():
            path.unlink()
    if step.judged:
        judgment, model = step.judged
        if judgment.is_file():
            kept = [
                line
                for line in judgment.read_text(encoding="utf-8").splitlines()
                if line and json.loads(line).get("model") != model
            ]
            tmp = judgment.with_suffix(".tmp")
            tmp.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
            tmp.replace(judgment)


def write_groups(plan: Plan) -> None:
    """The report's grouping file, rewritten only when it changes (it is a config file)."""
    path = plan.out / "groups.yaml"
    text = groups_yaml(plan)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- local


@dataclass
class RunSummary:
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # done already
    failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # a dependency failed
    submitted: dict[str, str] = field(default_factory=dict)  # step -> Slurm job id
    in_flight: dict[str, str] = field(default_factory=dict)


def run_local(
    plan: Plan, *, echo: Callable[[str], None] = print, env: dict[str, str] | None = None
) -> RunSummary:
    """Run every step that is not done, in dependency order, one at a time."""
    state = State.load(plan.out)
    write_groups(plan)
    logs = plan.out / ".study" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    summary = RunSummary()
    bad: set[str] = set()
    for step in topological(plan.steps):
        if any(dep in bad for dep in step.deps):
            summary.blocked.append(step.id)
            bad.add(step.id)
            echo(f"blocked  {step.id} (a dependency failed)")
            continue
        if state.is_done(step):
            summary.skipped.append(step.id)
            continue
        if state.is_stale(step):
            remove_stale_outputs(step)
        log = logs / (step.id.replace("/", "__") + ".log")
        echo(f"running  {step.id}")
        ok = True
        with log.open("w", encoding="utf-8") as handle:
            for command in step.commands:
                handle.write(f"$ {' '.join(command)}\n")
                handle.flush()
                done = subprocess.run(
                    command,
                    cwd=REPO_ROOT,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    env=env or os.environ.copy(),
                    check=False,
                )
                if done.returncode != 0:
                    ok = False
                    break
        if ok and outputs_exist(step):
            state.record(step, "done", inputs=current_inputs(step), config=config_hash(step))
            summary.ran.append(step.id)
        else:
            state.record(step, "failed", inputs=current_inputs(step), log=str(log))
            summary.failed.append(step.id)
            bad.add(step.id)
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            echo(f"FAILED   {step.id} (log {log}): " + " | ".join(tail))
    return summary


# --------------------------------------------------------------------------- Slurm


def _run_command(command: Sequence[str]) -> str:
    done = subprocess.run(list(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def job_states(job_ids: Sequence[str]) -> dict[str, str]:
    """Job id -> Slurm state, from ``squeue`` (queued/running) then ``sacct`` (finished)."""
    if not job_ids:
        return {}
    ids = ",".join(job_ids)
    states: dict[str, str] = {}
    for line in _run_command(
        ["squeue", "--noheader", "--format=%i %T", "--jobs", ids]
    ).splitlines():
        parts = line.split()
        if len(parts) >= 2:
            states[parts[0]] = parts[1]
    missing = [job for job in job_ids if job not in states]
    if missing:
        command = ["sacct", "--noheader", "--parsable2", "--format=JobID,State", "--jobs"]
        for line in _run_command([*command, ",".join(missing)]).splitlines():
            parts = line.split("|")
            if len(parts) >= 2 and "." not in parts[0]:
                states[parts[0]] = parts[1].split()[0] if parts[1] else "UNKNOWN"
    return states


def job_script(step: Step, slurm: dict[str, Any], log: Path) -> str:
    """A batch script that runs the step's commands in the repository."""
    lines = ["#!/usr/bin/env bash", f"#SBATCH --job-name={step.id.replace('/', '-')}"]
    lines.append(f"#SBATCH --output={log}")
    resources = step.resources
    if resources.get("nodes", 1):
        lines.append(f"#SBATCH --nodes={resources.get('nodes', 1)}")
        lines.append(f"#SBATCH --gpus-per-node={resources.get('gpus_per_node', 1)}")
    if resources.get("time"):
        lines.append(f"#SBATCH --time={resources['time']}")
    for option in slurm.get("sbatch_options", []):
        lines.append(f"#SBATCH {option}")
    lines += ["set -euo pipefail", f"cd {REPO_ROOT}"]
    lines += list(slurm.get("setup", []))
    lines += [shlex.join(command) for command in step.commands]
    return "\n".join(lines) + "\n"


def run_slurm(plan: Plan, *, echo: Callable[[str], None] = print) -> RunSummary:
    """Submit every step that is not done with ``sbatch``, dependencies as ``afterok``.

    A step whose recorded job is queued or running is not submitted again (its job id serves
    as the dependency of later steps); a recorded job that completed and left the outputs is
    recorded as done; one that failed is reported and submitted again.
    """
    slurm = dict(plan.config.get("slurm", {}))
    state = State.load(plan.out)
    write_groups(plan)
    scripts = plan.out / ".study" / "slurm"
    scripts.mkdir(parents=True, exist_ok=True)
    summary = RunSummary()
    recorded = {
        step_id: entry["job"]
        for step_id, entry in state.steps.items()
        if entry.get("status") == "submitted" and step_id in plan.steps
    }
    states = job_states(sorted(set(recorded.values())))
    jobs: dict[str, str] = {}  # step -> job id that later steps depend on
    bad: set[str] = set()
    for step in topological(plan.steps):
        entry = state.steps.get(step.id, {})
        if step.id in recorded:
            job = recorded[step.id]
            job_state = states.get(job, "UNKNOWN")
            same = entry.get("config") == config_hash(step)
            if job_state in IN_FLIGHT and same:
                jobs[step.id] = job
                summary.in_flight[step.id] = job
                echo(f"in flight {step.id} (job {job}, {job_state})")
                continue
            if job_state == "COMPLETED" and outputs_exist(step) and same:
                state.record(step, "done", inputs=current_inputs(step), config=config_hash(step))
            elif job_state not in IN_FLIGHT:
                state.record(step, "failed", config=entry.get("config"), job=job)
                if same:
                    state.steps[step.id]["inputs"] = current_inputs(step)
                summary.failed.append(step.id)
                echo(f"FAILED   {step.id} (job {job}, {job_state}): submitting again")
        if any(dep in bad for dep in step.deps):
            summary.blocked.append(step.id)
            bad.add(step.id)
            continue
        if state.is_done(step):
            summary.skipped.append(step.id)
            continue
        if state.is_stale(step):
            remove_stale_outputs(step)
        after = sorted({jobs[dep] for dep in step.deps if dep in jobs})
        command = ["sbatch", "--parsable", "--kill-on-invalid-dep=yes"]
        if after:
            command.append("--dependency=afterok:" + ":".join(after))
        name = step.id.replace("/", "__")
        log = scripts / f"{name}-%j.out"
        if step.slurm_script:
            resources = step.resources
            command += [f"--job-name={step.id.replace('/', '-')}", f"--output={log}"]
            command += [f"--nodes={resources['nodes']}", f"--time={resources['time']}"]
            command += slurm.get("sbatch_args", [])
            command += step.slurm_script
        else:
            script = scripts / f"{name}.sh"
            script.write_text(job_script(step, slurm, log), encoding="utf-8")
            command += slurm.get("sbatch_args", [])
            command.append(str(script))
        try:
            job = _run_command(command).strip().split(";")[0]
        except RuntimeError as error:
            summary.failed.append(step.id)
            bad.add(step.id)
            echo(f"FAILED   {step.id}: {error}")
            continue
        jobs[step.id] = job
        summary.submitted[step.id] = job
        state.record(step, "submitted", job=job, config=config_hash(step))
        echo(f"submitted {step.id} (job {job}" + (f", after {','.join(after)})" if after else ")"))
    return summary
