"""A small MT-Bench-DE folder for the human-eval tests and the app as a real subprocess.

Questions and reference answers are the real German ones (one per category); the answers of
the two models carry a marker (``[P|81|1]`` / ``[Q|81|1]``) that does not name the model, so a
test can tell which model a page shows on which side while checking that no model name
appears.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from mt_bench_x.formats.jsonl import read_jsonl, write_jsonl

MODELS = {"bactrian-de": "P", "bactrian-endefrites": "Q"}
REPO_ROOT = Path(__file__).resolve().parents[2]


def answer_text(model: str, number: int, turn: int) -> str:
    return f"Antwort [{MODELS[model]}|{number}|{turn}]: Das ist eine Beispielantwort."


def make_bench(root: Path, shared_data: Path, *, per_category: int = 1) -> Path:
    source = shared_data / "mt_bench_x" / "mt_bench_DE"
    target = root / "mt_bench_DE"
    taken: Counter[str] = Counter()
    questions = []
    for question in read_jsonl(source / "question.jsonl"):
        if taken[question["category"]] < per_category:
            taken[question["category"]] += 1
            questions.append(question)
    write_jsonl(target / "question.jsonl", questions)
    reference = target / "reference_answer" / "gpt-4.jsonl"
    write_jsonl(reference, read_jsonl(source / "reference_answer" / "gpt-4.jsonl"))
    for model in MODELS:
        records = [
            {
                "question_id": q["question_id"],
                "answer_id": f"{model}-{q['question_id']}",
                "model_id": model,
                "choices": [
                    {
                        "index": 0,
                        "turns": [
                            answer_text(model, int(q["question_id"].split("_")[0]), t)
                            for t in (1, 2)
                        ],
                    }
                ],
                "tstamp": 0.0,
            }
            for q in questions
        ]
        write_jsonl(target / "model_answer" / f"{model}.jsonl", records)
    return root


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mt_bench_x.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


def add_annotator(db: Path, name: str, port: int, role: str = "annotator") -> str:
    result = cli(
        "human-eval", "add-annotator", name, "--db", str(db), "--role", role,
        "--base-url", f"http://127.0.0.1:{port}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """``mt-bench-x human-eval serve`` as a subprocess; ``restart`` kills it hard first."""

    def __init__(self, data_dir: Path, db: Path, port: int, log: Path, k: int = 3) -> None:
        self.args = [
            sys.executable, "-m", "mt_bench_x.cli", "human-eval", "serve",
            "--data-dir", str(data_dir), "--lang", "DE",
            "--models", "bactrian-de", "bactrian-endefrites",
            "--db", str(db), "--port", str(port), "--k", str(k),
        ]  # fmt: skip
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=REPO_ROOT,
                env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                urllib.request.urlopen(f"{self.url}/static/style.css", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def restart(self) -> None:
        self.kill()
        self.start()


def http(url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    """Status and body of a GET (or a form POST), without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    body = None if data is None else urllib.parse.urlencode(data).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, data=body, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def votes_in(db: Path) -> list[dict[str, object]]:
    import sqlite3

    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute("SELECT * FROM votes ORDER BY id")]
    finally:
        connection.close()


def dump(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text(json.dumps(records), encoding="utf-8")
