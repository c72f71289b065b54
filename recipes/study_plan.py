"""A study as steps: dataset builds -> trainings -> answers per language -> judgments -> report.

A study YAML (``recipes/study/paper.yaml``, ``recipes/study/tiny.yaml``) names the instruction
sources (``lima-x build`` commands), the mixtures, the base models (a recipe per source and
mixture, an accelerate launcher), the MT-Bench-X languages, the judge and the number of judge
runs. :func:`expand` turns it into :class:`Step` objects whose commands call the project's CLIs
(``lima-x``, ``mt-bench-x``) and ``accelerate launch recipes/sft.py``; nothing here imports the
toolkit's packages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recipes import fastchat_layout as layout

REPO_ROOT = Path(__file__).resolve().parent.parent
SFT_SCRIPT = "recipes/sft.py"
MULTINODE_SCRIPT = "recipes/slurm/sft_multinode.sh"
SYSTEM_MESSAGES_FILE = "system_messages.json"  # written by sft.py next to the model
KINDS = ("base", "dataset", "benchmark", "train", "answer", "judge", "report")
_ENV = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


class StudyError(ValueError):
    """The study YAML is not as expected (the message names the field)."""


@dataclass
class Step:
    """One unit of work: its commands, what it needs and what it writes."""

    id: str
    kind: str
    commands: list[list[str]]
    deps: list[str] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)  # fingerprinted (files or folders)
    config_files: list[Path] = field(default_factory=list)  # hashed with the commands
    outputs: list[Path] = field(default_factory=list)
    judged: tuple[Path, str] | None = None  # (judgment file, model id) for judge steps
    clean: list[Path] = field(default_factory=list)  # removed before a rerun with new inputs
    resources: dict[str, Any] = field(default_factory=dict)  # nodes, gpus_per_node, time
    slurm_script: list[str] | None = None  # submit this script with these arguments instead
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    name: str
    out: Path
    data_dir: Path
    steps: dict[str, Step]
    config: dict[str, Any]
    models: dict[str, dict[str, str]]  # model id -> base, dataset, mixture

    def by_kind(self, kind: str) -> list[Step]:
        return [step for step in self.steps.values() if step.kind == kind]


def expand_env(value: Any) -> Any:
    """``${VAR}`` and ``${VAR:-default}`` in every string of ``value``."""
    if isinstance(value, str):
        return _ENV.sub(lambda m: os.environ.get(m.group(1)) or (m.group(2) or ""), value)
    if isinstance(value, list):
        return [expand_env(v) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v) for k, v in value.items()}
    return value


def load_config(path: Path) -> dict[str, Any]:
    import yaml

    config = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        raise StudyError(f"{path}: expected a mapping at the top level")
    for key in ("name", "out", "sources", "mixtures", "base_models", "eval_languages", "judge"):
        if key not in config:
            raise StudyError(f"{path}: missing field {key!r}")
    expanded: dict[str, Any] = expand_env(config)
    return expanded


def flags(options: Mapping[str, Any] | None) -> list[str]:
    """``{"max_steps": 2, "packing": false}`` -> ``--max_steps 2 --packing false``."""
    out: list[str] = []
    for key, value in (options or {}).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        out += [f"--{key}", str(value)]
    return out


def cli_flags(options: Mapping[str, Any] | None) -> list[str]:
    """Typer-style flags: ``True`` -> ``--name``, ``False`` -> ``--no-name``, lists repeat."""
    out: list[str] = []
    for key, value in (options or {}).items():
        if value is True:
            out.append(f"--{key}")
        elif value is False:
            out.append(f"--no-{key}")
        elif isinstance(value, list):
            out += [f"--{key}", ",".join(str(v) for v in value)]
        elif value is not None:
            out += [f"--{key}", str(value)]
    return out


def mixture_overrides(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Mixture name -> recipe overrides (a list of names means no overrides)."""
    mixtures = config["mixtures"]
    if isinstance(mixtures, list):
        return {str(name): {} for name in mixtures}
    if isinstance(mixtures, dict):
        return {str(name): dict(value or {}) for name, value in mixtures.items()}
    raise StudyError("mixtures: expected a list of names or a mapping name -> overrides")


def model_id(base: str, source: str, mixture: str) -> str:
    """``tiny__bactrian-x-EN``: the base model before ``__``, the mixture after the last ``-``."""
    return f"{base}__{source}-{mixture}"


def _path(value: str, out: Path) -> Path:
    return Path(value.replace("{out}", str(out)))


def expand(config: dict[str, Any]) -> Plan:
    """Every step of the study, keyed by id, in dependency order."""
    out = Path(config["out"])
    data_dir = out / "mt_bench_data"
    langs = [str(lang).upper() for lang in config["eval_languages"]]
    judge = config["judge"]
    judge_model = str(judge["model"])
    runs = int(config.get("runs", 1))
    steps: dict[str, Step] = {}
    models: dict[str, dict[str, str]] = {}

    def add(step: Step) -> None:
        steps[step.id] = step

    # --- benchmark: the MT-Bench-X repo folder and its FastChat export
    bench = config.get("benchmark", {})
    repo = out / "mt-bench-x"
    if "published" in bench:
        build = ["mt-bench-x", "build", "--from-published", str(bench["published"])]
        build += ["--out", str(repo)]
        export = ["mt-bench-x", "export", "--repo", str(repo), "--data-dir", str(data_dir)]
        commands = [build, [*export, "--langs", ",".join(langs)]]
        bench_inputs = [Path(bench["published"])]
    elif "repo" in bench:
        commands = [
            [
                "mt-bench-x",
                "export",
                "--repo",
                str(bench["repo"]),
                "--data-dir",
                str(data_dir),
                "--langs",
                ",".join(langs),
            ]
        ]
        bench_inputs = [Path(bench["repo"])] if Path(bench["repo"]).exists() else []
    else:
        raise StudyError("benchmark: give 'published' (a folder) or 'repo' (folder or Hub id)")
    question_files = {lang: layout.question_file(data_dir, lang) for lang in langs}
    add(
        Step(
            "benchmark",
            "benchmark",
            commands,
            inputs=bench_inputs,
            outputs=list(question_files.values()),
        )
    )

    # --- dataset builds
    sources = config["sources"]
    for name, source in sources.items():
        target = out / "datasets" / name
        args = dict(source.get("args", {}))
        command = ["lima-x", "build", str(source["build"])]
        if "langs" not in args:
            args["langs"] = ",".join(config.get("languages", ["EN", "DE", "FR", "IT", "ES"]))
        if source["build"] == "lima" and "validation" not in args:
            raise StudyError(
                f"sources.{name}: a 'lima' build needs args.validation (the validation file)"
            )
        command += [*cli_flags(args), "--out", str(target), "--overwrite", "--no-progress"]
        local = [
            Path(str(v))
            for k, v in args.items()
            if k in ("source", "source-dir", "validation") and Path(str(v)).exists()
        ]
        add(Step(f"dataset/{name}", "dataset", [command], inputs=local, outputs=[target]))

    # --- base models built by a command (the tiny demo model)
    bases = config["base_models"]
    mixtures = mixture_overrides(config)
    for base_name, base in bases.items():
        if "build" in base:
            path = _path(str(base["path"]), out)
            command = [str(part).replace("{path}", str(path)) for part in base["build"]]
            add(Step(f"base/{base_name}", "base", [command], outputs=[path / "config.json"]))

    # --- trainings, answers, judgments
    for base_name, base in bases.items():
        for source in base.get("sources", list(sources)):
            if source not in sources:
                raise StudyError(f"base_models.{base_name}.sources: unknown source {source!r}")
            for mixture, overrides in mixtures.items():
                mid = model_id(base_name, source, mixture)
                models[mid] = {"base": base_name, "dataset": source, "mixture": mixture}
                model_dir = out / "models" / base_name / source / mixture
                add(training_step(config, base_name, base, source, mixture, overrides, model_dir))
                remote = trusts_remote_code(base, source, mixture, overrides)
                for lang in langs:
                    questions = question_files[lang]
                    add(answer_step(base, mid, lang, model_dir, data_dir, questions, remote))
                    for run in range(runs):
                        add(judge_step(judge, judge_model, mid, lang, run, data_dir))

    # --- report
    report_dir = out / "report"
    groups = out / "groups.yaml"
    judgments = [step.judged[0] for step in steps.values() if step.judged]
    command = ["mt-bench-x", "report", "--data-dir", str(data_dir)]
    command += ["--judge-model", judge_model, "--out", str(report_dir), "--groups", str(groups)]
    add(
        Step(
            "report",
            "report",
            [command],
            deps=[s.id for s in steps.values() if s.kind == "judge"],
            inputs=sorted(set(judgments)),
            config_files=[groups],
            outputs=[report_dir],
            clean=[report_dir],
        )
    )
    return Plan(str(config["name"]), out, data_dir, steps, config, models)


def recipe_path(base: Mapping[str, Any], source: str, mixture: str) -> Path:
    """The recipe YAML a base model trains ``source``/``mixture`` with (as the plan names it)."""
    return Path(str(base["recipe"]).format(source=source, mixture=mixture))


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def trusts_remote_code(
    base: Mapping[str, Any], source: str, mixture: str, overrides: Mapping[str, Any]
) -> bool:
    """Whether the training runs with ``trust_remote_code`` (and so its checkpoint needs it).

    As ``sft.py`` sees it: the recipe YAML's ``trust_remote_code`` (false when the recipe does
    not say, or is not there yet), overridden by the base model's ``overrides`` and then the
    mixture's. Relative recipe paths are read from the repository root, where steps run.
    """
    value: Any = False
    recipe = recipe_path(base, source, mixture)
    recipe = recipe if recipe.is_absolute() else REPO_ROOT / recipe
    if recipe.is_file():
        import yaml

        loaded = yaml.safe_load(recipe.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            value = loaded.get("trust_remote_code", False)
    for options in (base.get("overrides") or {}, overrides):
        if "trust_remote_code" in options:
            value = options["trust_remote_code"]
    return _truthy(value)


def training_step(
    config: Mapping[str, Any],
    base_name: str,
    base: Mapping[str, Any],
    source: str,
    mixture: str,
    overrides: Mapping[str, Any],
    model_dir: Path,
) -> Step:
    out = Path(config["out"])
    recipe = recipe_path(base, source, mixture)
    dataset = out / "datasets" / source
    args = ["--config", str(recipe), "--dataset_name", str(dataset)]
    args += ["--dataset_config", mixture, "--output_dir", str(model_dir)]
    deps = [f"dataset/{source}"]
    inputs = [dataset / "data" / mixture]
    if "path" in base:
        path = _path(str(base["path"]), out)
        args += ["--model_name_or_path", str(path)]
        if "build" in base:
            deps.append(f"base/{base_name}")
            inputs.append(path)
    args += flags(base.get("overrides")) + flags(overrides)
    launcher = str(base.get("launcher", "recipes/accelerate/single_gpu.yaml"))
    nodes = int(base.get("nodes", 1))
    launch = ["accelerate", "launch", "--config_file", launcher, *base.get("launch_args", [])]
    command = [*launch, SFT_SCRIPT, *args]
    resources = {
        "nodes": nodes,
        "gpus_per_node": int(base.get("gpus_per_node", 8)),
        "time": base.get("time", "2-00:00:00"),
    }
    multinode = [MULTINODE_SCRIPT, str(recipe), launcher, *args[2:]] if nodes > 1 else None
    return Step(
        f"train/{base_name}/{source}/{mixture}",
        "train",
        [command],
        deps=deps,
        inputs=inputs,
        config_files=[recipe, Path(launcher)],
        outputs=[model_dir / "trainer_state.json", model_dir / "config.json"],
        clean=[model_dir],
        resources=resources,
        slurm_script=multinode,
        labels={"base_model": base_name, "dataset": source, "mixture": mixture},
    )


def answer_step(
    base: Mapping[str, Any],
    mid: str,
    lang: str,
    model_dir: Path,
    data_dir: Path,
    question_file: Path,
    trust_remote_code: bool = False,
) -> Step:
    answer_file = layout.answer_file(data_dir, lang, mid)
    command = ["mt-bench-x", "answer", "--model-path", str(model_dir), "--model-id", mid]
    command += ["--lang", lang, "--data-dir", str(data_dir), "--no-progress"]
    if trust_remote_code:
        # Trained with trust_remote_code (Teuken's tokenizer is code in the checkpoint): the
        # saved model needs it to load; `answer` leaves it off unless told.
        command.append("--trust-remote-code")
    if base.get("system_messages", False):
        # The per-language system messages sft.py saved with the model (opengptx format).
        command += ["--system-prompt-file", str(model_dir / SYSTEM_MESSAGES_FILE)]
    command += cli_flags(base.get("answer"))
    train = f"train/{'/'.join(model_dir.parts[-3:])}"
    return Step(
        f"answer/{mid}/{lang}",
        "answer",
        [command],
        deps=[train, "benchmark"],
        inputs=[model_dir, question_file],
        outputs=[answer_file],
        clean=[answer_file],
        resources={"nodes": 1, "gpus_per_node": 1, "time": base.get("answer_time", "04:00:00")},
    )


def judge_step(
    judge: Mapping[str, Any], judge_model: str, mid: str, lang: str, run: int, data_dir: Path
) -> Step:
    mode = str(judge.get("mode", "single"))
    kind: layout.JudgmentKind = "single" if mode == "single" else "pair"
    judgment = layout.judgment_file(data_dir, lang, judge_model, kind, run)
    command = ["mt-bench-x", "judge", "--lang", lang, "--data-dir", str(data_dir)]
    command += ["--mode", mode, "--judge-model", judge_model, "--model-list", mid]
    command += ["--run", str(run), "--no-progress"]
    for key in ("base_url", "parallel", "first_n", "max_tokens", "reference_set"):
        if judge.get(key) not in (None, ""):
            name = "judge-base-url" if key == "base_url" else key.replace("_", "-")
            command += [f"--{name}", str(judge[key])]
    answer = layout.answer_file(data_dir, lang, mid)
    return Step(
        f"judge/{mid}/{lang}" + (f"/run{run}" if run else ""),
        "judge",
        [command],
        deps=[f"answer/{mid}/{lang}"],
        inputs=[answer],
        outputs=[judgment],
        judged=(judgment, mid),
        resources={"nodes": 0},
    )


def groups_yaml(plan: Plan) -> str:
    """The model grouping of ``mt-bench-x report --groups``: id -> base, dataset, mixture."""
    import yaml

    return yaml.safe_dump({"models": plan.models}, sort_keys=False)


def topological(steps: Mapping[str, Step]) -> list[Step]:
    """``steps`` with every step after its dependencies (plan order otherwise)."""
    done: set[str] = set()
    order: list[Step] = []

    def visit(step_id: str, path: Sequence[str]) -> None:
        if step_id in done:
            return
        if step_id in path:
            raise StudyError(f"dependency cycle: {' -> '.join([*path, step_id])}")
        if step_id not in steps:
            raise StudyError(f"{path[-1] if path else '?'} depends on unknown step {step_id}")
        for dep in steps[step_id].deps:
            visit(dep, [*path, step_id])
        done.add(step_id)
        order.append(steps[step_id])

    for step_id in steps:
        visit(step_id, [])
    return order
