"""The import arrows the README's "Architecture" section allows, checked on every module.

Every ``import`` / ``from ... import`` of every module is read with ``ast`` (imports inside
functions and under ``TYPE_CHECKING`` included; relative imports resolved), and an arrow the
section forbids is a failure that names the file, the line and the rule:

* ``polyglot_instruct`` imports none of the other packages;
* ``lima_x/translate`` imports nothing from ``lima_x`` outside it and nothing from ``mt_bench_x``;
* ``lima_x`` never imports ``mt_bench_x``; ``mt_bench_x`` takes only ``lima_x.translate``;
* ``hub_cards`` imports only ``polyglot_instruct``;
* inside ``mt_bench_x``: formats → dataset → answer → judge → results (``results/report*``
  too) → human_eval → cli; a layer imports only its own and lower ones;
* ``recipes/`` imports none of the packages (it calls their command lines);
* the judge path (``mt_bench_x.judge``, ``mt_bench_x.formats``, ``mt_bench_x.cli.judge`` and
  every project module they import) never imports ``torch`` or ``fastchat.llm_judge``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("polyglot_instruct", "lima_x", "mt_bench_x", "hub_cards")
SCANNED = (*PACKAGES, "recipes")

#: mt_bench_x's layers, lowest first; a module may import its own layer and lower ones.
MT_BENCH_X_LAYERS: dict[str, int] = {
    "formats": 0,
    "dataset": 1,
    "answer": 2,
    "judge": 3,
    "results": 4,
    "human_eval": 5,
    "cli": 6,
}
JUDGE_PATH = ("mt_bench_x.judge", "mt_bench_x.formats", "mt_bench_x.cli.judge")
NEVER_ON_JUDGE_PATH = ("torch", "fastchat.llm_judge")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted (``from a import b`` gives ``a.b`` and ``a``)
    file: Path
    line: int


def module_name(root: Path, file: Path) -> str:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(root: Path, file: Path) -> list[Import]:
    """Every import in ``file`` (at any depth of the syntax tree)."""
    module = module_name(root, file)
    is_package = file.name == "__init__.py"
    found: list[Import] = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), filename=str(file))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, file, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.append(Import(module, prefix, file, node.lineno))
            found += [
                Import(module, f"{prefix}.{alias.name}", file, node.lineno)
                for alias in node.names
                if alias.name != "*"
            ]
    return found


def all_imports(root: Path) -> list[Import]:
    found: list[Import] = []
    for package in SCANNED:
        for file in sorted((root / package).rglob("*.py")):
            found += imports_of(root, file)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "mt_bench_x" or len(parts) < 2:
        return None
    return MT_BENCH_X_LAYERS.get(parts[1])


def arrow_rule_broken(module: str, target: str) -> str | None:
    """The rule the arrow ``module -> target`` breaks, or None."""
    top, target_top = module.split(".")[0], target.split(".")[0]
    if target_top not in PACKAGES or top == "":
        return None
    if top == "polyglot_instruct" and target_top != "polyglot_instruct":
        return "polyglot_instruct imports none of the other packages"
    if top == "recipes":
        return "recipes/ imports none of the packages (it calls their command lines)"
    if top == "hub_cards" and target_top not in ("hub_cards", "polyglot_instruct"):
        return "hub_cards imports only polyglot_instruct"
    outside_translate = not _within(target, "lima_x.translate") and target != "lima_x"
    if _within(module, "lima_x.translate") and target_top == "lima_x" and outside_translate:
        return "lima_x/translate imports nothing from lima_x outside it"
    if top == "lima_x" and target_top == "mt_bench_x":
        return "lima_x never imports mt_bench_x"
    if top == "mt_bench_x" and target_top == "lima_x" and outside_translate:
        return "mt_bench_x takes only the translation layer (lima_x.translate) from lima_x"
    source_layer, target_layer = _layer(module), _layer(target)
    if source_layer is not None and target_layer is not None and target_layer > source_layer:
        return (
            f"mt_bench_x.{module.split('.')[1]} is below mt_bench_x.{target.split('.')[1]} "
            "(formats → dataset → answer → judge → results → human_eval → cli)"
        )
    return None


def _on_judge_path(root: Path, imports: list[Import]) -> set[str]:
    """The judge path's modules and every project module they import, transitively."""
    graph: dict[str, set[str]] = {}
    for item in imports:
        graph.setdefault(item.module, set()).add(item.target)
    modules = set(graph)
    reached = {m for m in modules if any(_within(m, start) for start in JUDGE_PATH)}
    todo = list(reached)
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target in modules and target not in reached:
                reached.add(target)
                todo.append(target)
    return reached


def violations(root: Path) -> list[str]:
    """Every forbidden arrow under ``root``, as ``file:line: module -> target (rule)``."""
    imports = all_imports(root)
    judge_path = _on_judge_path(root, imports)
    found: dict[tuple[str, str], str] = {}  # (file:line, rule) -> the first target named
    for item in imports:
        rule = arrow_rule_broken(item.module, item.target)
        banned = any(_within(item.target, name) for name in NEVER_ON_JUDGE_PATH)
        if rule is None and banned and item.module in judge_path:
            rule = "the judge path never imports torch or fastchat.llm_judge"
        if rule is not None:
            where = f"{item.file.relative_to(root)}:{item.line}"
            found.setdefault((where, rule), f"{item.module} -> {item.target}")
    return sorted(f"{where}: {arrow} ({rule})" for (where, rule), arrow in found.items())


# --------------------------------------------------------------------------- the tests


def test_the_repository_keeps_its_layers() -> None:
    imports = all_imports(REPO_ROOT)
    assert len(imports) > 100  # the walk did see the packages
    assert violations(REPO_ROOT) == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in SCANNED:
        (root / package).mkdir(exist_ok=True)
    return root


GOOD_TREE = {
    "polyglot_instruct/__init__.py": "",
    "polyglot_instruct/errors.py": "class ToolkitError(Exception): ...\n",
    "lima_x/__init__.py": "",
    "lima_x/translate/__init__.py": "",
    "lima_x/translate/errors.py": "from polyglot_instruct.errors import ToolkitError\n",
    "lima_x/translate/deepl.py": "from .errors import ToolkitError\n",
    "lima_x/build.py": "from lima_x.translate import deepl\n",
    "hub_cards/__init__.py": "from polyglot_instruct import errors\n",
    "mt_bench_x/__init__.py": "",
    "mt_bench_x/formats/__init__.py": "",
    "mt_bench_x/formats/layout.py": "from polyglot_instruct.errors import ToolkitError\n",
    "mt_bench_x/dataset/__init__.py": "",
    "mt_bench_x/dataset/build.py": (
        "from mt_bench_x.formats import layout\nfrom lima_x.translate import deepl\n"
    ),
    "mt_bench_x/judge/__init__.py": "",
    "mt_bench_x/judge/plan.py": "from ..formats.layout import ToolkitError\n",
    "mt_bench_x/results/__init__.py": "",
    "mt_bench_x/results/report.py": "from mt_bench_x.judge import plan\n",
    "mt_bench_x/human_eval/__init__.py": "",
    "mt_bench_x/human_eval/app.py": "from mt_bench_x.results import report\n",
    "mt_bench_x/cli/__init__.py": "",
    "mt_bench_x/cli/judge.py": "def judge():\n    from mt_bench_x.judge import plan\n",
    "mt_bench_x/answer/__init__.py": "",
    "mt_bench_x/answer/backends.py": "def load():\n    import torch\n",
    "recipes/sft.py": "import subprocess\n",
}

PLANTED = [
    ("polyglot_instruct/langid.py", "from lima_x import build\n", "polyglot_instruct imports"),
    ("lima_x/translate/cache.py", "from lima_x.build import x\n", "lima_x/translate imports"),
    ("lima_x/translate/cache.py", "from .. import build\n", "lima_x/translate imports"),
    ("lima_x/translate/cache.py", "import mt_bench_x.formats\n", "lima_x never imports"),
    ("lima_x/mixtures.py", "def f():\n    import mt_bench_x.formats\n", "lima_x never imports"),
    ("hub_cards/push.py", "from lima_x import build\n", "hub_cards imports only"),
    ("mt_bench_x/formats/jsonl.py", "from mt_bench_x.dataset import build\n", "formats is below"),
    ("mt_bench_x/dataset/hub.py", "from ..judge.plan import x\n", "dataset is below"),
    ("mt_bench_x/judge/x.py", "from mt_bench_x.results import report\n", "judge is below"),
    ("mt_bench_x/results/show.py", "from mt_bench_x.human_eval import app\n", "results is below"),
    ("mt_bench_x/human_eval/votes.py", "from mt_bench_x.cli import judge\n", "human_eval is below"),
    ("mt_bench_x/dataset/x.py", "from lima_x.build import y\n", "mt_bench_x takes only"),
    ("recipes/study.py", "import mt_bench_x.cli\n", "recipes/ imports none"),
    ("mt_bench_x/judge/client.py", "def f():\n    import torch\n", "judge path never imports"),
    ("mt_bench_x/formats/x.py", "from fastchat.llm_judge import common\n", "judge path never"),
    # reached from the judge path through a project module: judge -> answer.backends -> torch
    ("mt_bench_x/judge/y.py", "from mt_bench_x.answer import backends\n", "judge path never"),
]


def test_a_tree_that_keeps_the_rules_passes(tmp_path: Path) -> None:
    assert violations(_tree(tmp_path, GOOD_TREE)) == []


@pytest.mark.parametrize(("name", "text", "rule"), PLANTED)
def test_a_planted_bad_import_is_found(tmp_path: Path, name: str, text: str, rule: str) -> None:
    found = violations(_tree(tmp_path, {**GOOD_TREE, name: text}))
    assert found, f"{name}: {text!r} was not found"
    assert any(rule in line for line in found), found
