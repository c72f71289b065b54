"""FastChat's file and folder names are spelled in one module, ``mt_bench_x/formats/layout.py``
(:class:`~mt_bench_x.formats.layout.BenchPaths`); every other module asks it for paths. The one
exception is ``recipes/fastchat_layout.py``, the same names for ``recipes/``, which imports no
toolkit package (``tests/recipes/test_fastchat_layout.py`` checks that it agrees with
``BenchPaths``).

The check reads string literals (f-string pieces included) that look like paths: no
whitespace. Docstrings, help texts and messages (sentences) may name the files."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("polyglot_instruct", "lima_x", "mt_bench_x", "hub_cards", "recipes", "benchmarks")
OWNER = REPO_ROOT / "mt_bench_x" / "formats" / "layout.py"
# recipes/ calls the CLIs and imports no toolkit package (tests/test_architecture.py), so it
# cannot ask BenchPaths; its one mirror of the layout is the second and last allowed owner.
RECIPES_OWNER = REPO_ROOT / "recipes" / "fastchat_layout.py"
OWNERS = (OWNER, RECIPES_OWNER)

FOLDER_NAMES = {"model_answer", "model_judgment", "reference_answer"}
FILE_NAMES = {"question.jsonl", "judge_prompts.jsonl"}
FILE_SUFFIXES = ("_single.jsonl", "_pair.jsonl")
BENCH_FOLDER = re.compile(r"^mt_bench_(?![a-z])")  # mt_bench_DE, mt_bench_ (not mt_bench_x)


def is_fastchat_path(text: str) -> bool:
    """Whether a whitespace-free literal spells one of FastChat's names as a path part."""
    if not text or any(char.isspace() for char in text):
        return False
    for part in re.split(r"[/\\]", text):
        if part in FOLDER_NAMES or part in FILE_NAMES or part.endswith(FILE_SUFFIXES):
            return True
        if BENCH_FOLDER.match(part):
            return True
    return False


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def path_literals(source: str) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of every string literal in ``source`` that spells a FastChat path."""
    tree = ast.parse(source)
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and is_fastchat_path(node.value)
        ):
            yield node.lineno, node.value


@pytest.mark.parametrize(
    ("literal", "is_path"),
    [
        ("question.jsonl", True),
        ("*/question.jsonl", True),
        ("model_answer", True),
        ("_single.jsonl", True),
        ("gpt-4_pair.jsonl", True),
        ("mt_bench_DE", True),
        ("mt_bench_", True),
        ("mt_bench_x", False),
        ("mt_bench_x.cli", False),
        ("reference_answers", False),
        ("model_answers", False),
        ("no mt_bench_<LANG>/question.jsonl found", False),  # a sentence
    ],
)
def test_what_counts_as_a_fastchat_path(literal: str, is_path: bool) -> None:
    assert is_fastchat_path(literal) is is_path


def test_a_planted_path_is_found() -> None:
    source = 'def f(root):\n    """Reads question.jsonl."""\n    return root / "model_answer"\n'
    assert list(path_literals(source)) == [(3, "model_answer")]
    assert list(path_literals('x = f"{judge}_pair.jsonl"\n')) == [(1, "_pair.jsonl")]


def test_fastchat_paths_are_spelled_only_in_layout() -> None:
    for owner in OWNERS:  # the owners do spell them (so the scan would see them elsewhere)
        assert list(path_literals(owner.read_text(encoding="utf-8"))), owner
    found = []
    for package in SCANNED:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            if path in OWNERS:
                continue
            for line, text in path_literals(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(REPO_ROOT)}:{line}: {text!r}")
    assert found == [], (
        "FastChat paths outside the owners (BenchPaths; recipes.fastchat_layout):\n"
        + "\n".join(found)
    )
