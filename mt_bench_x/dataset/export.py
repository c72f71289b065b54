"""Write the benchmark in FastChat's ``llm_judge`` layout, so the judge and FastChat's tools run.

Per language ``<data-dir>/mt_bench_<LANG>/``: ``question.jsonl`` (ids as the source had them),
``reference_answer/<set>.jsonl`` and ``judge_prompts.jsonl`` (the input's prompts, then the
derived ``<name>-both-bad`` ones). Model answers and judgments already in the folder are left
alone; each file is replaced atomically.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mt_bench_x.dataset.benchmark import Benchmark
from mt_bench_x.formats.judge_prompts import write_judge_prompts
from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import write_answers, write_questions

logger = logging.getLogger(__name__)


def export_benchmark(benchmark: Benchmark, data_dir: Path) -> list[BenchPaths]:
    """Write every language of ``benchmark`` under ``data_dir``; returns the paths written."""
    written = []
    for lang, bench in benchmark.languages.items():
        paths = BenchPaths(Path(data_dir), lang)
        write_questions(paths.question_file, bench.questions)
        for set_name, answers in bench.references.items():
            write_answers(paths.reference_answer_file(set_name), answers)
        if bench.judge_prompts:
            write_judge_prompts(paths.judge_prompts_file, bench.judge_prompts)
        logger.info(
            "%s: %d questions, reference sets %s, %d judge prompts -> %s",
            lang,
            len(bench.questions),
            sorted(bench.references) or "none",
            len(bench.judge_prompts),
            paths.root,
        )
        written.append(paths)
    return written
