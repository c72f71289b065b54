"""Judge throughput, start-up, fault cost and kill cost of ``mt-bench-x judge``.

Against a local OpenAI-compatible server (``tests/servers/openai_server.py``, a process of its
own so that it does not share the judge's GIL) that answers every call after a fixed delay:

* throughput at ``--parallel`` 16 and 64 as a fraction of the limit ``parallel / delay``,
  over ``calls / (last judgment written - first request)``, median of 3 runs; each run judges
  8 models x 80 questions x 2 turns = 1280 calls (20 waves at 64 in flight);
* start-up: from the judge process's start to the server's first request;
* faults: the same run with 20% of the calls answered 429 (``Retry-After: 0.2``) / 500 / 503,
  against the fault-free run;
* kill: a run killed mid-way and rerun; the calls paid twice (asked before the kill but not
  on disk) and whether any line is duplicated;
* the SDK's default httpx transport at ``--parallel`` 64, once, for comparison.

Usage: ``python benchmarks/bench_judge.py [--data ../shared/data/mt_bench_x/mt_bench_DE]``.
Prints a Markdown table; takes about 4 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from mt_bench_x.formats.layout import BenchFolder, BenchPaths

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = BenchPaths(REPO_ROOT.parent / "shared" / "data" / "mt_bench_x", "DE").root
MODELS = [f"model-{i}" for i in range(8)]


def build_data(source: Path, root: Path) -> Path:
    """A one-language data dir: the real questions/prompts/references, 8 models' answers."""
    bench, given = BenchPaths(root, "DE"), BenchFolder(source)
    bench.reference_answer_dir.mkdir(parents=True)
    bench.model_answer_dir.mkdir()
    shutil.copy(given.question_file, bench.question_file)
    shutil.copy(given.judge_prompts_file, bench.judge_prompts_file)
    shutil.copy(given.reference_answer_file("gpt-4"), bench.reference_answer_file("gpt-4"))
    questions = [json.loads(line) for line in bench.question_file.open(encoding="utf-8")]
    for model in MODELS:
        with bench.model_answer_file(model).open("w", encoding="utf-8") as out:
            for q in questions:
                turns = [f"{model} answers turn {t} of {q['question_id']}. " * 20 for t in (1, 2)]
                record = {"question_id": q["question_id"], "model_id": model,
                          "choices": [{"index": 0, "turns": turns}], "tstamp": 0.0}  # fmt: skip
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return root


class Server:
    """The test server in a process of its own."""

    def __init__(self, delay: float, fault_rate: float = 0.0, retry_after: float | None = None):
        command = [sys.executable, "-m", "tests.servers.openai_server", "--delay", str(delay),
                   "--fault-rate", str(fault_rate), "--respond", "judge"]  # fmt: skip
        if retry_after is not None:
            command += ["--retry-after", str(retry_after)]
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line.startswith("READY "):
            raise RuntimeError(f"server did not start: {line!r}")
        self.base_url = line.split()[1]

    def stats(self) -> dict:
        with urllib.request.urlopen(self.base_url.removesuffix("/v1") + "/stats") as response:
            return json.loads(response.read())

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)


def judge_command(data_dir: Path, base_url: str, parallel: int, transport: str) -> list[str]:
    return [sys.executable, "-m", "mt_bench_x.cli", "judge", "--lang", "DE", "--data-dir",
            str(data_dir), "--judge-base-url", base_url, "--parallel", str(parallel),
            "--no-progress", "--http-transport", transport, "--max-retries", "20",
            "--model-list", *MODELS]  # fmt: skip


def judgment_file(data_dir: Path) -> Path:
    return BenchPaths(data_dir, "DE").judgment_file("gpt-4", "single")


def fastchat_command(python: str, data_dir: Path, parallel: int) -> list[str]:
    """FastChat's own judge (run from the folder above ``data_dir``, which it calls ``data``)."""
    bench = BenchPaths(data_dir, "DE")
    return [python, "-m", "fastchat.llm_judge.gen_judgment", "--bench-name", bench.bench_name,
            "--judge-file", str(bench.judge_prompts_file),
            "--judge-model", "gpt-4", "--mode", "single", "--parallel", str(parallel),
            "--model-list", *MODELS]  # fmt: skip


def one_run(
    data_dir: Path,
    parallel: int,
    delay: float,
    *,
    fault_rate: float = 0.0,
    transport: str = "aiohttp",
    fastchat_python: str | None = None,
) -> dict:
    judgment_file(data_dir).unlink(missing_ok=True)
    env = {**os.environ, "OPENAI_API_KEY": "bench"}
    retry_after = 0.2 if fault_rate else None
    with Server(delay, fault_rate, retry_after) as server:
        if fastchat_python is None:
            command = judge_command(data_dir, server.base_url, parallel, transport)
            cwd = REPO_ROOT
        else:  # openai<1 reads OPENAI_API_BASE; FastChat asks for Enter before it starts
            command = fastchat_command(fastchat_python, data_dir, parallel)
            cwd = data_dir.parent
            env["OPENAI_API_BASE"] = server.base_url
        started = time.time()
        subprocess.run(
            command, cwd=cwd, env=env, check=True, input="\n", text=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        ended = time.time()
        stats = server.stats()
    records = [json.loads(line) for line in judgment_file(data_dir).open(encoding="utf-8")]
    calls = len(records)
    judging = max(r["tstamp"] for r in records) - stats["first_request_at"]
    return {
        "calls": calls,
        "requests": stats["requests"],
        "faults": stats["faults"],
        "startup_s": stats["first_request_at"] - started,
        "wall_s": ended - started,
        "fraction": calls / judging / (parallel / delay),
    }


def median_runs(runs: int, *args: object, **kwargs: object) -> dict:
    results = [one_run(*args, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def killed_run(data_dir: Path, parallel: int, delay: float, kill_at_lines: int) -> dict:
    output = judgment_file(data_dir)
    output.unlink(missing_ok=True)
    env = {**os.environ, "OPENAI_API_KEY": "bench"}
    with Server(delay) as server:
        command = judge_command(data_dir, server.base_url, parallel, "aiohttp")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, **quiet)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if output.is_file() and len(output.read_bytes().splitlines()) >= kill_at_lines:
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        asked = server.stats()["requests"]
        on_disk = len(output.read_bytes().splitlines())
        subprocess.run(command, cwd=REPO_ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        total = server.stats()["requests"]
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    keys = Counter((r["question_id"], r["model"], r["turn"]) for r in records)
    return {
        "asked_before_kill": asked,
        "on_disk_at_kill": on_disk,
        "paid_twice": total - len(records),
        "lines": len(records),
        "duplicated_lines": sum(count - 1 for count in keys.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument(
        "--fastchat-python",
        help="a Python with fschat and openai<1 (a venv of its own): also run FastChat's "
        "gen_judgment, fault-free, once per parallelism",
    )
    args = parser.parse_args()
    delay, runs = args.delay, args.runs
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = build_data(args.data, Path(tmp) / "data")
        rows = []
        results = {}
        for parallel in (16, 64):
            result = median_runs(runs, data_dir, parallel, delay)
            results[parallel] = result
            rows.append((f"fault-free, --parallel {parallel}, delay {delay} s", result))
        faulty = median_runs(runs, data_dir, 64, delay, fault_rate=0.2)
        rows.append((f"20% 429/5xx (Retry-After 0.2), --parallel 64, delay {delay} s", faulty))
        fast_free = median_runs(runs, data_dir, 8, 0.05)
        rows.append(("fault-free, --parallel 8, delay 0.05 s", fast_free))
        fast_faulty = median_runs(runs, data_dir, 8, 0.05, fault_rate=0.2)
        rows.append(("20% 429/5xx (Retry-After 0.2), --parallel 8, delay 0.05 s", fast_faulty))
        httpx = one_run(data_dir, 64, delay, transport="httpx")
        rows.append((f"httpx transport (1 run), --parallel 64, delay {delay} s", httpx))
        if args.fastchat_python:
            for parallel in (16, 64):
                result = one_run(data_dir, parallel, delay, fastchat_python=args.fastchat_python)
                rows.append((f"FastChat gen_judgment (1 run), --parallel {parallel}", result))
        killed = killed_run(data_dir, 64, delay, kill_at_lines=500)

    load_after = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, 1-min load average {load_before:.2f} before, "
          f"{load_after:.2f} after (other processes share the cores)")  # fmt: skip
    print(f"median of {runs} runs, 1280 calls per run (8 models x 80 questions x 2 turns)\n")
    print("| run | calls | requests | faults | start-up s | wall s | fraction of limit |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        print(f"| {name} | {r['calls']:.0f} | {r['requests']:.0f} | {r['faults']:.0f} | "
              f"{r['startup_s']:.2f} | {r['wall_s']:.2f} | {r['fraction']:.3f} |")  # fmt: skip
    print()
    ratio64 = faulty["wall_s"] / results[64]["wall_s"]
    ratio8 = fast_faulty["wall_s"] / fast_free["wall_s"]
    print(f"faults cost x{ratio64:.2f} wall time at --parallel 64 (delay {delay} s), "
          f"x{ratio8:.2f} at --parallel 8 (delay 0.05 s)")  # fmt: skip
    print(f"killed at >= 500 lines on disk at --parallel 64, then rerun: {killed}")


if __name__ == "__main__":
    main()
