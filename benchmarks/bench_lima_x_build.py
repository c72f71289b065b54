"""Benchmark: build the Bactrian-X configs from 5 × 67,017 synthetic rows.

Writes synthetic ``data/<lang>.json.gz`` files in Bactrian-X's format (seeded, realistic
lengths: ~90-character instructions, a third with an input, ~600-character answers), then
times

* ``build``: ``lima_x.bactrian_x.build_bactrian_x`` end to end (read + parse, parallel-id check,
  95/5 split, the two language flags on every row of every language and the two source flags
  on the English rows, default mixtures, parquet, card; ``--workers`` flagging processes,
  default: the number of CPUs) and
* two baselines that use no lima_x code:
  ``pyarrow``: writing the same output rows (5 monolingual + 2 sampled configs, two splits)
  with ``pyarrow.Table.from_pylist`` + ``pyarrow.parquet.write_table``;
  ``json+pyarrow``: the same, plus reading the json.gz sources with ``json``.

It prints the wall times, the ratios build / baseline and the load average (the machine may
be shared). Usage::

    python benchmarks/bench_lima_x_build.py [--rows 67017] [--repeat 1] [--workers N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import shutil
import tempfile
import time
from pathlib import Path

LANGS = ["EN", "DE", "FR", "IT", "ES"]
CONTENT = ("data", "model", "water", "city", "system", "music", "energy", "garden", "planet")


def function_words(lang: str) -> list[str]:
    from polyglot_instruct.langid import PROFILES

    return sorted(PROFILES[lang])


def synthetic_text(rng: random.Random, words: list[str], n_chars: int) -> str:
    out, size = [], 0
    while size < n_chars:
        word = rng.choice(CONTENT) if rng.random() < 0.4 else rng.choice(words)
        out.append(word)
        size += len(word) + 1
    return " ".join(out).capitalize() + "."


def write_sources(root: Path, n_rows: int) -> None:
    for lang in LANGS:
        rng = random.Random(f"bench:{lang}")
        words = function_words(lang)
        rows = [
            {
                "instruction": synthetic_text(rng, words, rng.randint(40, 140)),
                "input": synthetic_text(rng, words, 80) if i % 3 == 0 else "",
                "output": synthetic_text(rng, words, rng.randint(200, 1000)),
                "id": f"bench-{i}",
            }
            for i in range(n_rows)
        ]
        (root / "data").mkdir(parents=True, exist_ok=True)
        with gzip.open(root / "data" / f"{lang.lower()}.json.gz", "wt", encoding="utf-8") as handle:
            json.dump(rows, handle, ensure_ascii=False)


def time_build(
    source: Path, out: Path, workers: int | None
) -> tuple[float, dict[str, dict[str, int]]]:
    from lima_x.bactrian_x import build_bactrian_x
    from lima_x.mixtures import resolve_mixtures

    start = time.perf_counter()
    result = build_bactrian_x(
        source,
        LANGS,
        out,
        mixtures=resolve_mixtures(LANGS),
        seed=42,
        progress=False,
        workers=workers,
    )
    return time.perf_counter() - start, result.report.rows


def read_output_rows(out: Path) -> dict[str, list[dict]]:
    """The rows the build wrote, per stored parquet file (the baselines write the same)."""
    import pyarrow.parquet as pq

    return {
        str(p.relative_to(out)): pq.read_table(p).to_pylist()
        for p in sorted(out.rglob("*.parquet"))
    }


def time_pyarrow(rows_by_file: dict[str, list[dict]], out: Path, source: Path | None) -> float:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lima_x.records import arrow_schema

    schema = arrow_schema()
    start = time.perf_counter()
    if source is not None:
        for lang in LANGS:
            with gzip.open(
                source / "data" / f"{lang.lower()}.json.gz", "rt", encoding="utf-8"
            ) as f:
                json.load(f)
    for name, rows in rows_by_file.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, compression="snappy")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=67_017, help="rows per language")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    parser.add_argument("--keep", type=Path, default=None, help="work folder to keep")
    parser.add_argument("--workers", type=int, default=None, help="flagging processes")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-lima-x-"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    source = work / "source"
    if not (source / "data" / "es.json.gz").exists():
        print(f"writing {len(LANGS)} x {args.rows:,} synthetic rows to {source} ...")
        write_sources(source, args.rows)
    build_times, arrow_times, json_arrow_times = [], [], []
    rows_by_file: dict[str, list[dict]] = {}
    for run in range(args.repeat):
        out = work / f"build-{run}"
        shutil.rmtree(out, ignore_errors=True)
        seconds, report_rows = time_build(source, out, args.workers)
        build_times.append(seconds)
        if not rows_by_file:
            rows_by_file = read_output_rows(out)
        for name, target, with_source in (
            ("arrow", arrow_times, None),
            ("json", json_arrow_times, source),
        ):
            base = work / f"{name}-{run}"
            shutil.rmtree(base, ignore_errors=True)
            target.append(time_pyarrow(rows_by_file, base, with_source))
    stored = sum(len(rows) for rows in rows_by_file.values())
    build, arrow, json_arrow = min(build_times), min(arrow_times), min(json_arrow_times)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average after the runs: {load}; "
          f"workers: {args.workers or os.cpu_count()}")  # fmt: skip
    print(f"input: {len(LANGS)} x {args.rows:,} rows; output: {stored:,} stored rows in "
          f"{len(rows_by_file)} parquet files, {len(report_rows)} configs (+ aliases)")  # fmt: skip
    print(f"lima-x build bactrian-x         : {build:7.2f} s")
    print(f"pyarrow write only              : {arrow:7.2f} s   ratio {build / arrow:5.2f}x")
    print(
        f"json read + pyarrow write       : {json_arrow:7.2f} s   ratio {build / json_arrow:5.2f}x"
    )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
