"""Judgment files with known content for the report tests: every expected number in the tests
is computed by hand from the tables below, not from the report's code.

Questions (both languages): 1, 2 writing; 3, 4 math. Models (base ``base``, dataset ``Lima``):
``base/Lima-DE`` and ``base/Lima-EN`` (monolingual), ``base/Lima-ENDEFRITES`` (a mixture).
"""

from __future__ import annotations

import json
from pathlib import Path

from mt_bench_x.formats.jsonl import write_jsonl

DE, EN, MIX = "base/Lima-DE", "base/Lima-EN", "base/Lima-ENDEFRITES"
JUDGE = "judge-x"
CATEGORIES = {1: "writing", 2: "writing", 3: "math", 4: "math"}

#: single scores, run 0: (model, lang) -> question -> (turn 1, turn 2); -1 = unreadable
SINGLE_RUN0 = {
    (DE, "DE"): {1: (4, 4), 2: (4, 4), 3: (2, 2), 4: (2, 2)},
    (DE, "EN"): {q: (2, 2) for q in CATEGORIES},
    (EN, "DE"): {q: (3, 3) for q in CATEGORIES},
    (EN, "EN"): {q: (6, 6) for q in CATEGORIES},
    (MIX, "DE"): {q: (5, 5) for q in CATEGORIES},
    (MIX, "EN"): {1: (5, 5), 2: (5, 5), 3: (5, 5), 4: (5, -1)},
}
#: run 1 exists for EN only, Lima-EN only
SINGLE_RUN1 = {(EN, "EN"): {q: (8, 8) for q in CATEGORIES}}

#: pairwise DE, 3-option prompts, DE vs MIX: (run, question, turn) -> (g1_winner, g2_winner);
#: games not listed: MIX wins in both orders
PAIR_DE_SPECIAL = {
    (0, 1, 1): ("model_1", "model_2"),
    (0, 2, 1): ("model_2", "tie"),
    (1, 2, 1): ("model_1", "tie"),
    (1, 3, 1): ("tie", "model_2"),
}
#: pairwise EN, pairwise-all order: MIX beats EN and DE, EN beats DE, in both orders
PAIR_EN_WINNER = {(EN, DE): EN, (MIX, DE): MIX, (MIX, EN): MIX}

ANSWER_TEXT = {
    "DE": "Das ist eine Antwort auf die Frage, und sie ist auf Deutsch geschrieben worden.",
    "EN": "This is an answer to the question, and it has been written in English for you.",
}


def _prompt(kind: str, number: int, turn: int, both_bad: bool = False) -> str:
    base = {"single": "single", "pair": "pair"}[kind]
    math = CATEGORIES[number] == "math"
    name = f"{base}-math-v1" if math else (f"{base}-v1" if kind == "single" else "pair-v2")
    if turn == 2:
        name += "-multi-turn"
    return name + ("-both-bad" if both_bad else "")


def _single(model: str, number: int, turn: int, score: int, run: int) -> dict:
    return {
        "question_id": number, "model": model, "judge": [JUDGE, _prompt("single", number, turn)],
        "user_prompt": "...", "judgment": f"Rating: [[{score}]]" if score > 0 else "no verdict",
        "score": score, "turn": turn, "tstamp": 0.0, "run": run,
    }  # fmt: skip


def _pair(m1: str, m2: str, number: int, turn: int, g1: str, g2: str, run: int,
          both_bad: bool = False) -> dict:  # fmt: skip
    record = {
        "question_id": number, "model_1": m1, "model_2": m2, "g1_winner": g1, "g2_winner": g2,
        "judge": [JUDGE, _prompt("pair", number, turn, both_bad)], "g1_user_prompt": "...",
        "g1_judgment": "...", "g2_user_prompt": "...", "g2_judgment": "...", "turn": turn,
        "tstamp": 0.0, "run": run,
    }  # fmt: skip
    verdict = {"model_1": "A", "model_2": "B", "tie": "C"}
    record["g1_verdict"] = verdict[g1]
    record["g2_verdict"] = {"model_1": "B", "model_2": "A", "tie": "C"}[g2]
    return record


def make_report_data(root: Path) -> Path:
    for lang in ("DE", "EN"):
        bench = root / f"mt_bench_{lang}"
        (bench / "model_judgment").mkdir(parents=True)
        (bench / "model_answer").mkdir()
        questions = [
            {"question_id": q, "category": c, "turns": ["q1", "q2"]} for q, c in CATEGORIES.items()
        ]
        (bench / "question.jsonl").write_text(
            "".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8"
        )
        for run, table in ((0, SINGLE_RUN0), (1, SINGLE_RUN1)):
            records = [
                _single(model, q, turn, scores[turn - 1], run)
                for (model, where), by_q in table.items()
                if where == lang
                for q, scores in by_q.items()
                for turn in (1, 2)
            ]
            if records:
                suffix = "" if run == 0 else f"_run{run}"
                write_jsonl(bench / "model_judgment" / f"{JUDGE}_single{suffix}.jsonl", records)
        # answers: every model answers in its training language (the mixture in the question's)
        for model, answer_lang in ((DE, "DE"), (EN, "EN"), (MIX, lang)):
            answers = [
                {"question_id": q, "model_id": model,
                 "choices": [{"index": 0, "turns": [ANSWER_TEXT[answer_lang]] * 2}]}
                for q in CATEGORIES
            ]  # fmt: skip
            write_jsonl(bench / "model_answer" / f"{model.replace('/', '__')}.jsonl", answers)
    _write_pairs(root)
    return root


def _write_pairs(root: Path) -> None:
    for run in (0, 1):
        records = []
        for q in CATEGORIES:
            for turn in (1, 2):
                g1, g2 = PAIR_DE_SPECIAL.get((run, q, turn), ("model_2", "model_2"))
                records.append(_pair(DE, MIX, q, turn, g1, g2, run))
        if run == 0:  # the same game judged with the [[D]] prompt: both bad in both orders
            both = _pair(DE, MIX, 1, 1, "tie", "tie", 0, both_bad=True)
            both["g1_verdict"] = both["g2_verdict"] = "D"
            records.append(both)
        suffix = "" if run == 0 else f"_run{run}"
        write_jsonl(
            root / "mt_bench_DE" / "model_judgment" / f"{JUDGE}_pair{suffix}.jsonl", records
        )
    records = []
    for (m1, m2), winner in PAIR_EN_WINNER.items():
        for q in CATEGORIES:
            for turn in (1, 2):
                side = "model_1" if winner == m1 else "model_2"
                records.append(_pair(m1, m2, q, turn, side, side, 0))
    write_jsonl(root / "mt_bench_EN" / "model_judgment" / f"{JUDGE}_pair.jsonl", records)
