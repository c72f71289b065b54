"""FastChat's ``llm_judge`` file names, as the study recipes need them.

The one module under ``recipes/`` that spells these names. It mirrors
:class:`mt_bench_x.formats.layout.BenchPaths` (the toolkit's single owner of the layout) because
``recipes/`` imports no toolkit package: it calls the CLIs, and only needs to know where their
files land. ``tests/recipes/test_fastchat_layout.py`` checks that both give the same paths.

One benchmark per language lives in ``<data-dir>/mt_bench_<LANG>/``: ``question.jsonl``,
``judge_prompts.jsonl``, ``reference_answer/<set>.jsonl``, ``model_answer/<model>.jsonl`` and
``model_judgment/<judge>_<single|pair>[_run<K>].jsonl``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

JudgmentKind = Literal["single", "pair"]


def file_safe(name: str) -> str:
    """A model or judge name as used in a file name (``org/model`` -> ``org__model``)."""
    return name.replace("/", "__")


def bench_dir(data_dir: Path, lang: str) -> Path:
    """One language's benchmark folder: ``<data-dir>/mt_bench_<LANG>``."""
    return Path(data_dir) / f"mt_bench_{lang.strip().upper()}"


def question_file(data_dir: Path, lang: str) -> Path:
    return bench_dir(data_dir, lang) / "question.jsonl"


def judge_prompts_file(data_dir: Path, lang: str) -> Path:
    return bench_dir(data_dir, lang) / "judge_prompts.jsonl"


def reference_answer_dir(data_dir: Path, lang: str) -> Path:
    return bench_dir(data_dir, lang) / "reference_answer"


def reference_answer_file(data_dir: Path, lang: str, reference_set: str) -> Path:
    return reference_answer_dir(data_dir, lang) / f"{file_safe(reference_set)}.jsonl"


def answer_file(data_dir: Path, lang: str, model_id: str) -> Path:
    return bench_dir(data_dir, lang) / "model_answer" / f"{file_safe(model_id)}.jsonl"


def judgment_file(
    data_dir: Path, lang: str, judge_model: str, kind: JudgmentKind, run: int = 0
) -> Path:
    """Run 0 keeps FastChat's name; run K >= 1 gets ``_run<K>`` (as ``mt-bench-x judge --run``)."""
    if run < 0:
        raise ValueError(f"run must be >= 0, got {run}")
    suffix = "" if run == 0 else f"_run{run}"
    name = f"{file_safe(judge_model)}_{kind}{suffix}.jsonl"
    return bench_dir(data_dir, lang) / "model_judgment" / name
