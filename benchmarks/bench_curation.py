"""Benchmark: ``lima-x curate-validation`` over synthetic StackExchange sites of growing size.

Writes one site's ``Posts.xml`` and ``Users.xml`` in the dumps' format (seeded): ``questions``
questions with 0–4 answers each (2 on average), scores 0–12, bodies of 20–400 words in HTML
paragraphs with a code block in every fifth answer, and 1% long pairs (1,300–3,000 words of
answer) so that every step of the pipeline has work. A LIMA-shaped ``train.jsonl`` of 1,030
rows is the dedup reference. For each size it runs the command in a subprocess and reports
its wall time, CPU time and peak resident memory (``ru_maxrss`` of the child), plus the dump size.

The default sizes are the test's dump ×20 (360 questions), a mid-sized site (20,000) and a
large one (100,000 questions, about 300,000 posts). Peak memory that stays flat while the
dump grows is the point: pairing keeps bodies in SQLite, not in memory.

Usage::

    python benchmarks/bench_curation.py [--sizes 360,20000,100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

REPO_ROOT = Path(__file__).resolve().parents[1]
_WORDS = (
    "the and of to is in that it for with are was this be on not have as but which they can "
    "from by would there their will an or if how do does should we our at so all about just "
    "water heat light plant cell energy time day river stone metal root leaf seed protein "
    "enzyme gene salt sugar acid base layer surface pressure volume mass force wave field"
)
WORDS = _WORDS.split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, k=n))


def _row(**attributes: object) -> str:
    parts = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attributes.items() if v is not None)
    return f"  <row {parts} />\n"


def write_site(folder: Path, questions: int, seed: int = 7) -> int:
    """Posts.xml + Users.xml of one synthetic site; returns the number of posts."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    next_id, posts = 1, 0
    with (folder / "Posts.xml").open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        for _ in range(questions):
            qid, next_id = next_id, next_id + 1
            n_answers = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4, 2))
            answer_ids = list(range(next_id, next_id + n_answers))
            next_id += n_answers
            accepted = rng.choice(answer_ids) if answer_ids and rng.random() < 0.6 else None
            long_pair = rng.random() < 0.01
            out.write(
                _row(
                    Id=qid,
                    PostTypeId=1,
                    AcceptedAnswerId=accepted,
                    CreationDate="2019-05-01T10:00:00.000",
                    Score=rng.randint(0, 12),
                    Body=f"<p>{_text(rng, rng.randint(20, 200))}</p>",
                    OwnerUserId=rng.randint(1, 5000),
                    Title=_text(rng, 8),
                )
            )
            for aid in answer_ids:
                words = rng.randint(1300, 3000) if long_pair else rng.randint(20, 400)
                code = "<pre><code>x = 1\nprint(x)\n</code></pre>" if aid % 5 == 0 else ""
                out.write(
                    _row(
                        Id=aid,
                        PostTypeId=2,
                        ParentId=qid,
                        CreationDate="2019-05-02T10:00:00.000",
                        Score=rng.randint(0, 12),
                        Body=f"<p>{_text(rng, words)}</p>{code}",
                        OwnerUserId=rng.randint(1, 5000),
                    )
                )
            posts += 1 + n_answers
        out.write("</posts>\n")
    with (folder / "Users.xml").open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<users>\n')
        out.writelines(_row(Id=i, DisplayName=f"user{i}") for i in range(1, 5001))
        out.write("</users>\n")
    return posts


def write_lima(path: Path, rows: int = 1030) -> None:
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(rows):
            row = {"conversations": [_text(rng, 60), _text(rng, 500)], "source": "stackexchange"}
            out.write(json.dumps(row) + "\n")


def run_once(root: Path, questions: int) -> dict[str, object]:
    site = root / f"q{questions}" / "bench.stackexchange.com"
    posts = write_site(site, questions)
    lima = root / "train.jsonl"
    if not lima.exists():
        write_lima(lima)
    out = root / f"out{questions}"
    command = [sys.executable, "-m", "lima_x.cli", "curate-validation", "--input", str(site)]
    command += ["--against", str(lima), "--out", str(out), "--no-progress", "--overwrite"]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode:
        raise SystemExit(done.stderr)
    report = json.loads((out / "drop_report.json").read_text())
    return {
        "questions": questions,
        "posts": posts,
        "dump_mb": (site / "Posts.xml").stat().st_size / 1e6,
        "wall_s": wall,
        "cpu_s": cpu,
        # ru_maxrss of children is the largest child so far: sizes run smallest first.
        "peak_rss_mb": after.ru_maxrss / 1024,
        "candidates": report["candidates"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="360,20000,100000", help="questions per run")
    parser.add_argument("--keep", type=Path, help="keep the dumps and outputs in this folder")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-curation-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}"
        )
        print("| questions | posts | Posts.xml MB | wall s | CPU s | peak RSS MB | candidates |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for size in sizes:
            r = run_once(root, size)
            print(
                f"| {r['questions']} | {r['posts']} | {r['dump_mb']:.0f} | {r['wall_s']:.1f} "
                f"| {r['cpu_s']:.1f} "
                f"| {r['peak_rss_mb']:.0f} | {r['candidates']} |",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
