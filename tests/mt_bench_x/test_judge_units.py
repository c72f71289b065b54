"""Prompt choice, matches, truncation and Retry-After parsing, on the real MT-Bench-X data."""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from pathlib import Path

import pytest

from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.questions import load_questions, load_reference_answers
from mt_bench_x.judge.client import CallSlots, retry_after_seconds
from mt_bench_x.judge.matches import MissingDataError, make_matches, model_pairs
from mt_bench_x.judge.prompts import load_prompts, prompt_name
from mt_bench_x.judge.runner import build_call
from mt_bench_x.judge.truncation import TRUNCATION_MARK, estimate_tokens, fit_answers

PROMPT_TABLE = [
    ("single", "writing", 1, False, "single-v1"),
    ("single", "math", 1, False, "single-math-v1"),
    ("single", "reasoning", 2, False, "single-math-v1-multi-turn"),
    ("single", "coding", 2, True, "single-math-v1-multi-turn"),
    ("single", "stem", 2, False, "single-v1-multi-turn"),
    ("pairwise", "humanities", 1, False, "pair-v2"),
    ("pairwise", "coding", 1, False, "pair-math-v1"),
    ("pairwise", "roleplay", 2, True, "pair-v2-multi-turn-both-bad"),
    ("pairwise", "math", 2, True, "pair-math-v1-multi-turn-both-bad"),
]


@pytest.mark.parametrize(("kind", "category", "turn", "both_bad", "expected"), PROMPT_TABLE)
def test_prompt_name(kind: str, category: str, turn: int, both_bad: bool, expected: str) -> None:
    assert prompt_name(kind, category, turn, both_bad=both_bad) == expected  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def de(shared_data: Path) -> dict:
    root = shared_data / "mt_bench_x" / "mt_bench_DE"
    questions = load_questions(root / "question.jsonl")
    answers = {
        model: {q.number: [f"{model} {q.number} t1", f"{model} {q.number} t2"] for q in questions}
        for model in ("a", "b", "c")
    }
    return {
        "questions": questions,
        "prompts": load_prompts(root / "judge_prompts.jsonl"),
        "references": load_reference_answers(root / "reference_answer" / "gpt-4.jsonl"),
        "answers": answers,
    }


@pytest.mark.parametrize(
    ("mode", "models", "baseline", "per_question_turn"),
    [
        ("single", ["a", "b", "c"], None, 3),
        ("pairwise-baseline", ["a", "b"], "c", 2),
        ("pairwise-baseline", ["a", "c"], "c", 1),
        ("pairwise-all", ["a", "b", "c"], None, 3),
    ],
)
def test_make_matches_counts(
    de: dict, mode: str, models: list[str], baseline: str | None, per_question_turn: int
) -> None:
    matches = make_matches(
        mode,  # type: ignore[arg-type]
        de["questions"],
        de["answers"],
        de["prompts"],
        models=models,
        references=de["references"],
        baseline=baseline,
    )
    assert len(matches) == 80 * 2 * per_question_turn
    assert len({m.key(0) for m in matches}) == len(matches)
    with_reference = [m for m in matches if m.reference is not None]
    assert {m.question.category for m in with_reference} == {"math", "reasoning", "coding"}
    assert len(with_reference) == 30 * 2 * per_question_turn


def test_pairwise_games_show_both_orders(de: dict) -> None:
    (match,) = [
        m
        for m in make_matches(
            "pairwise-all", de["questions"][:1], de["answers"], de["prompts"], models=["a", "b"]
        )
        if m.turn == 2
    ]
    first, second = (build_call(match, order).user_prompt for order in match.games())
    assert first.index("a 81 t2") < first.index("b 81 t2")
    assert second.index("b 81 t2") < second.index("a 81 t2")
    assert de["questions"][0].turns[1] in first


def test_reference_guided_prompt_fills_the_reference(de: dict) -> None:
    math = [q for q in de["questions"] if q.category == "math"][:1]
    (match, _) = make_matches(
        "single", math, de["answers"], de["prompts"], models=["a"], references=de["references"]
    )
    assert match.prompt.name == "single-math-v1"
    assert de["references"][math[0].number][0] in build_call(match, ("a",)).user_prompt


def test_missing_reference_and_answer_are_named(de: dict) -> None:
    math = [q for q in de["questions"] if q.category == "math"][:1]
    with pytest.raises(MissingDataError, match="reference answer"):
        make_matches("single", math, de["answers"], de["prompts"], models=["a"], references={})
    with pytest.raises(MissingDataError, match="'z' has no answer"):
        make_matches(
            "single", math, de["answers"], de["prompts"], models=["z"], references=de["references"]
        )


def test_model_pairs() -> None:
    assert model_pairs("pairwise-all", ["a", "b", "c"], None) == [
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
    ]
    assert model_pairs("pairwise-baseline", ["a", "b"], "b") == [("a", "b")]
    with pytest.raises(ValueError, match="mode"):
        model_pairs("pairs", ["a"], None)  # type: ignore[arg-type]


def test_bad_prompt_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "judge_prompts.jsonl"
    good = {"name": "x", "type": "single", "system_prompt": "", "prompt_template": "{question}"}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "name": "y", "type": "pair"}))
    with pytest.raises(InputFileError, match=r"judge_prompts.jsonl:2: type"):
        load_prompts(path)
    path.write_text(json.dumps({**good, "prompt_template": "{question"}) + "\n")
    with pytest.raises(InputFileError, match=r"judge_prompts.jsonl:1: prompt_template"):
        load_prompts(path)


def test_fit_answers_cuts_the_longest_first() -> None:
    answers = {"answer_a": "short answer", "answer_b": "x" * 30000}
    fitted, cut = fit_answers(
        "sys", "template", answers, max_context_tokens=3000, max_output_tokens=1000
    )
    assert cut == 1
    assert fitted["answer_a"] == "short answer"
    assert fitted["answer_b"].endswith(TRUNCATION_MARK)
    total = sum(estimate_tokens(t) for t in ("sys", "template", *fitted.values()))
    assert total + 1000 <= 3000
    unchanged, none_cut = fit_answers(
        "s", "t", answers, max_context_tokens=None, max_output_tokens=1
    )
    assert (unchanged, none_cut) == (answers, 0)
    with pytest.raises(ValueError, match="no room"):
        fit_answers("s" * 9000, "t", answers, max_context_tokens=3000, max_output_tokens=1000)


RETRY_AFTER_TABLE = [
    ({"retry-after": "0.2"}, 0.2),
    ({"retry-after": "3"}, 3.0),
    ({"retry-after-ms": "150"}, 0.15),
    ({"retry-after-ms": "150", "retry-after": "9"}, 0.15),
    ({"retry-after": "soon"}, None),
    ({}, None),
    (None, None),
]


@pytest.mark.parametrize(("headers", "expected"), RETRY_AFTER_TABLE)
def test_retry_after_seconds(headers: dict | None, expected: float | None) -> None:
    assert retry_after_seconds(headers) == expected


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after_seconds({"retry-after": when}) <= 30  # type: ignore[operator]


def test_call_slots_let_retries_go_first() -> None:
    async def scenario() -> list[str]:
        slots = CallSlots(1)
        order: list[str] = []
        await slots.acquire(retry=False)  # the one slot is taken

        async def call(name: str, retry: bool) -> None:
            await slots.acquire(retry=retry)
            order.append(name)
            await asyncio.sleep(0)
            slots.release()

        tasks = [
            asyncio.create_task(call("first-1", False)),
            asyncio.create_task(call("first-2", False)),
        ]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(call("retry", True)))
        await asyncio.sleep(0)
        slots.release()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(scenario()) == ["retry", "first-1", "first-2"]


def test_the_test_servers_judge_agrees_with_itself_across_orders() -> None:
    """`python -m tests.servers.openai_server --respond judge` must be able to report wins:
    the same pair in the other order gets the mirrored verdict."""
    from tests.servers.openai_server import JudgeResponder

    def body(first: str, second: str, system: str) -> dict:
        user = f"[A]\n{first}\n[/A]\n[B]\n{second}\n[/B]"
        return {
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]
        }

    mirror = {"A": "B", "B": "A", "C": "C", "D": "D"}
    seen = set()
    for system in ('Output "[[A]]", "[[B]]" or "[[C]]".', 'Also "[[D]]" (both bad) or "[[A]]".'):
        judge = JudgeResponder()
        for n in range(40):
            one, two = f"answer {n}", f"other answer {n * 7}"
            v1 = judge(body(one, two, system))[-3]
            v2 = judge(body(two, one, system))[-3]
            assert v2 == mirror[v1]
            seen.add(v1)
    assert seen == {"A", "B", "C", "D"}


def test_prompt_errors_name_the_file_line_not_the_index(tmp_path: Path) -> None:
    # A blank line before the bad prompt: the error names the line an editor shows (3), not
    # the prompt's position in the file (2).
    path = tmp_path / "judge_prompts.jsonl"
    good = {"name": "x", "type": "single", "system_prompt": "", "prompt_template": "{question}"}
    bad = {**good, "name": "y", "prompt_template": "{question"}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(bad) + "\n")
    with pytest.raises(InputFileError, match=r"judge_prompts.jsonl:3: prompt_template") as caught:
        load_prompts(path)
    assert caught.value.line == 3
