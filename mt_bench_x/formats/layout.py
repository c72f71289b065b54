"""FastChat's ``llm_judge`` folder layout: the one place that knows MT-Bench-X file paths.

One benchmark per language lives in ``<data-dir>/mt_bench_<LANG>/``::

    question.jsonl
    judge_prompts.jsonl
    reference_answer/<model>.jsonl
    model_answer/<model_id>.jsonl
    model_judgment/<judge>_single.jsonl     (run 0)
    model_judgment/<judge>_pair.jsonl
    model_judgment/<judge>_single_run<K>.jsonl  (repeated judge runs, K >= 1)

FastChat's own ``show_result.py --bench-name mt_bench_DE`` reads these files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

JudgmentKind = Literal["single", "pair"]

BENCH_PREFIX = "mt_bench_"
_LANG_PATTERN = re.compile(r"^[A-Z]{2}(-[A-Z]{2,4})?$")


def normalize_lang(lang: str) -> str:
    """Upper-case a language code and check its shape (``de`` -> ``DE``, ``pt-br`` -> ``PT-BR``)."""
    code = lang.strip().upper()
    if not _LANG_PATTERN.match(code):
        raise ValueError(f"language code {lang!r}: expected a code like EN, DE or PT-BR")
    return code


def file_safe(name: str) -> str:
    """A model or judge name as used in a file name (``org/model`` -> ``org__model``)."""
    return name.replace("/", "__")


@dataclass(frozen=True)
class BenchPaths:
    """Paths of one language's benchmark under a FastChat-style data directory."""

    data_dir: Path
    lang: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        object.__setattr__(self, "lang", normalize_lang(self.lang))

    @property
    def bench_name(self) -> str:
        return f"{BENCH_PREFIX}{self.lang}"

    @property
    def root(self) -> Path:
        return self.data_dir / self.bench_name

    @property
    def question_file(self) -> Path:
        return self.root / "question.jsonl"

    @property
    def judge_prompts_file(self) -> Path:
        return self.root / "judge_prompts.jsonl"

    @property
    def reference_answer_dir(self) -> Path:
        return self.root / "reference_answer"

    def reference_answer_file(self, reference_set: str) -> Path:
        return self.reference_answer_dir / f"{file_safe(reference_set)}.jsonl"

    @property
    def model_answer_dir(self) -> Path:
        return self.root / "model_answer"

    def model_answer_file(self, model_id: str) -> Path:
        return self.model_answer_dir / f"{file_safe(model_id)}.jsonl"

    @property
    def judgment_dir(self) -> Path:
        return self.root / "model_judgment"

    def judgment_file(self, judge_model: str, kind: JudgmentKind, run: int = 0) -> Path:
        """Run 0 keeps FastChat's name; run K >= 1 gets ``_run<K>`` so runs never collide."""
        if run < 0:
            raise ValueError(f"run must be >= 0, got {run}")
        suffix = "" if run == 0 else f"_run{run}"
        return self.judgment_dir / f"{file_safe(judge_model)}_{kind}{suffix}.jsonl"


def available_languages(data_dir: Path) -> list[str]:
    """Languages with a ``mt_bench_<LANG>/question.jsonl`` under ``data_dir``, sorted."""
    langs = []
    for child in sorted(Path(data_dir).glob(f"{BENCH_PREFIX}*")):
        code = child.name[len(BENCH_PREFIX) :]
        if _LANG_PATTERN.match(code) and (child / "question.jsonl").is_file():
            langs.append(code)
    return langs
