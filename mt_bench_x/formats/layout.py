"""FastChat's ``llm_judge`` folder layout: the one place that knows MT-Bench-X file paths.

One benchmark per language lives in ``<data-dir>/mt_bench_<LANG>/``::

    question.jsonl
    judge_prompts.jsonl
    reference_answer/<model>.jsonl
    model_answer/<model_id>.jsonl
    model_judgment/<judge>_single.jsonl     (run 0)
    model_judgment/<judge>_pair.jsonl
    model_judgment/<judge>_single_run<K>.jsonl  (repeated judge runs, K >= 1)

FastChat's own ``show_result.py --bench-name mt_bench_DE`` reads these files. FastChat's own
English data folder (``fastchat/llm_judge/data/mt_bench/``) has the same files without a
language in its name: :class:`BenchFolder` names the files of any such folder.

This module is the only one that spells these names; a test greps the packages for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mt_bench_x.formats.errors import LanguageCodeError

JudgmentKind = Literal["single", "pair"]

BENCH_PREFIX = "mt_bench_"
#: The judge prompts' file name, also used to name the file in messages about prompts.
JUDGE_PROMPTS_NAME = "judge_prompts.jsonl"
_LANG_PATTERN = re.compile(r"^[A-Z]{2}(-[A-Z]{2,4})?$")


def normalize_lang(lang: str) -> str:
    """Upper-case a language code and check its shape (``de`` -> ``DE``, ``pt-br`` -> ``PT-BR``)."""
    code = lang.strip().upper()
    if not _LANG_PATTERN.match(code):
        raise LanguageCodeError(f"language code {lang!r}: expected a code like EN, DE or PT-BR")
    return code


def file_safe(name: str) -> str:
    """A model or judge name as used in a file name (``org/model`` -> ``org__model``)."""
    return name.replace("/", "__")


class _BenchFiles:
    """The files of one benchmark folder (``root``), FastChat's names."""

    @property
    def root(self) -> Path:
        raise NotImplementedError

    @property
    def question_file(self) -> Path:
        return self.root / "question.jsonl"

    @property
    def judge_prompts_file(self) -> Path:
        return self.root / JUDGE_PROMPTS_NAME

    @property
    def reference_answer_dir(self) -> Path:
        return self.root / "reference_answer"

    def reference_answer_file(self, reference_set: str) -> Path:
        return self.reference_answer_dir / f"{file_safe(reference_set)}.jsonl"

    def reference_answer_files(self) -> list[Path]:
        """Every ``reference_answer/<set>.jsonl``, sorted (the set is the file's stem)."""
        return sorted(self.reference_answer_dir.glob("*.jsonl"))

    @property
    def model_answer_dir(self) -> Path:
        return self.root / "model_answer"

    def model_answer_file(self, model_id: str) -> Path:
        return self.model_answer_dir / f"{file_safe(model_id)}.jsonl"

    def model_answer_files(self) -> list[Path]:
        """Every ``model_answer/<stem>.jsonl``, sorted (``org__model`` for ``org/model``)."""
        return sorted(self.model_answer_dir.glob("*.jsonl"))

    @property
    def judgment_dir(self) -> Path:
        return self.root / "model_judgment"

    def judges_with_judgments(self) -> list[str]:
        """The judges (as their files name them) with a run-0 single or pairwise file, sorted."""
        judges: set[str] = set()
        for kind in ("single", "pair"):
            suffix = f"_{kind}.jsonl"
            judges.update(p.name[: -len(suffix)] for p in self.judgment_dir.glob(f"*{suffix}"))
        return sorted(judges)

    def judgment_file(self, judge_model: str, kind: JudgmentKind, run: int = 0) -> Path:
        """Run 0 keeps FastChat's name; run K >= 1 gets ``_run<K>`` so runs never collide."""
        if run < 0:
            raise ValueError(f"run must be >= 0, got {run}")
        suffix = "" if run == 0 else f"_run{run}"
        return self.judgment_dir / f"{file_safe(judge_model)}_{kind}{suffix}.jsonl"


@dataclass(frozen=True)
class BenchFolder(_BenchFiles):
    """The files of a benchmark folder given directly (FastChat's ``data/mt_bench``)."""

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    @property
    def root(self) -> Path:
        return self.path

    @property
    def shared_judge_prompts_file(self) -> Path:
        """Where FastChat keeps the judge prompts: ``data/``, one level above ``data/mt_bench``."""
        return self.path.parent / JUDGE_PROMPTS_NAME


@dataclass(frozen=True)
class BenchPaths(_BenchFiles):
    """Paths of one language's benchmark under a FastChat-style data directory."""

    data_dir: Path
    lang: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        object.__setattr__(self, "lang", normalize_lang(self.lang))

    @property
    def bench_name(self) -> str:
        return bench_name(self.lang)

    @property
    def root(self) -> Path:
        return self.data_dir / self.bench_name


def bench_name(lang: str) -> str:
    """FastChat's ``--bench-name`` of a language: ``DE`` -> ``mt_bench_DE``."""
    return f"{BENCH_PREFIX}{normalize_lang(lang)}"


def available_languages(data_dir: Path) -> list[str]:
    """Languages with a ``mt_bench_<LANG>/question.jsonl`` under ``data_dir``, sorted."""
    langs = []
    for child in sorted(Path(data_dir).glob(f"{BENCH_PREFIX}*")):
        code = child.name[len(BENCH_PREFIX) :]
        if _LANG_PATTERN.match(code) and BenchPaths(data_dir, code).question_file.is_file():
            langs.append(code)
    return langs


def question_files_below(folder: Path) -> list[Path]:
    """Every ``mt_bench_<LANG>/question.jsonl`` directly below ``folder``, sorted."""
    return [BenchPaths(folder, lang).question_file for lang in available_languages(folder)]
