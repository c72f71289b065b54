"""Small FastChat-layout data folders for the judge tests, built from the shared MT-Bench-X data.

Each language gets a subset of the real questions (``per_category`` per category), the real
judge prompts and reference answers, the ``-both-bad`` pairwise prompts (the real pairwise
prompts with a ``[[D]]`` clause appended), and model answers written here. Every answer
carries a marker ``<<model|number|turn>>`` so that a test server can tell what it judges.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

from mt_bench_x.formats.jsonl import read_jsonl, write_jsonl

ANSWER_MARK = re.compile(r"<<([\w.-]+)\|(\d+)\|(\d)>>")
BOTH_BAD_CLAUSE = ' Output "[[D]]" if both assistants are equally bad.'


def answer_text(model: str, number: int, turn: int) -> str:
    return f"Answer of {model} to question {number}, turn {turn}. <<{model}|{number}|{turn}>>"


def question_number(question_id: object) -> int:
    return int(str(question_id).split("_")[0])


def make_data_dir(
    root: Path,
    shared_data: Path,
    *,
    langs: tuple[str, ...] = ("DE",),
    models: tuple[str, ...] = ("model-a", "model-b"),
    per_category: int = 2,
    both_bad: bool = True,
) -> Path:
    """Write ``root/mt_bench_<LANG>/...`` for every language; returns ``root``."""
    for lang in langs:
        source = shared_data / "mt_bench_x" / f"mt_bench_{lang}"
        target = root / f"mt_bench_{lang}"
        (target / "reference_answer").mkdir(parents=True, exist_ok=True)
        taken: Counter[str] = Counter()
        questions = []
        for question in read_jsonl(source / "question.jsonl"):
            if taken[question["category"]] < per_category:
                taken[question["category"]] += 1
                questions.append(question)
        write_jsonl(target / "question.jsonl", questions)
        prompts = read_jsonl(source / "judge_prompts.jsonl")
        if both_bad:
            prompts += [
                {
                    **prompt,
                    "name": prompt["name"] + "-both-bad",
                    "system_prompt": prompt["system_prompt"] + BOTH_BAD_CLAUSE,
                }
                for prompt in prompts
                if prompt["type"] == "pairwise"
            ]
        write_jsonl(target / "judge_prompts.jsonl", prompts)
        shutil.copy(
            source / "reference_answer" / "gpt-4.jsonl",
            target / "reference_answer" / "gpt-4.jsonl",
        )
        for model in models:
            write_model_answers(target, model, questions)
    return root


def write_model_answers(bench_dir: Path, model: str, questions: list[dict]) -> Path:
    records = [
        {
            "question_id": q["question_id"],
            "answer_id": f"{model}-{q['question_id']}",
            "model_id": model,
            "choices": [
                {
                    "index": 0,
                    "turns": [
                        answer_text(model, question_number(q["question_id"]), t) for t in (1, 2)
                    ],
                }
            ],
            "tstamp": 0.0,
        }
        for q in questions
    ]
    path = bench_dir / "model_answer" / f"{model}.jsonl"
    write_jsonl(path, records)
    return path


#: Per-model factors chosen so that the fixture questions get every pairwise outcome.
_FACTORS = {"model-a": 4, "model-b": 9}


def score_for(model: str, number: int, turn: int) -> int:
    """The score the test judge gives an answer: a fixed function of model, question, turn."""
    factor = _FACTORS.get(model, 1 + sum(map(ord, model)) % 9)
    return 1 + (number * factor + 3 * turn) % 10


def last_marks(text: str) -> list[tuple[str, int, int]]:
    """Answer markers in a prompt, in order of appearance."""
    return [(m, int(n), int(t)) for m, n, t in ANSWER_MARK.findall(text)]


def judge_reply(body: dict) -> str:
    """A well-behaved judge: quotes the format first, then gives its verdict.

    Single: the score of the answer being judged (its last marker). Pairwise: the answer
    with the higher score wins; equal scores give ``[[C]]``; both scores below 3 ``[[D]]``
    when the prompt offers it.
    """
    system = body["messages"][0]["content"]
    user = body["messages"][-1]["content"]
    marks = last_marks(user)
    if "[[A]]" not in system:
        model, number, turn = marks[-1]
        score = score_for(model, number, turn)
        return f'Format: "[[rating]]", e.g. "Rating: [[5]]". Bewertung: [[{score}]]'
    # pairwise: the answers of assistant A come before those of assistant B
    half = len(marks) // 2
    a, b = marks[half - 1], marks[-1]
    sa, sb = score_for(*a), score_for(*b)
    if "[[D]]" in system and sa < 3 and sb < 3:
        verdict = "D"
    elif sa == sb:
        verdict = "C"
    else:
        verdict = "A" if sa > sb else "B"
    return f'Options: "[[A]]", "[[B]]", "[[C]]". My final verdict: [[{verdict}]]'


def dump(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
