"""Agreement numbers against values worked out by hand, and against FastChat's own script.

The hand example (models ``m1`` < ``m2``; outcomes written 1 = m1 wins, 2 = m2 wins, T = tie
or both bad; some votes show m2 on the left to check that sides do not matter):

turn 1     category  humans      judge
q101       writing   [1, 1, T]   1
q102       math      [2, 1, 2]   1
q103       coding    [T, T, 2]   T     (the first T is "tie (bothbad)")

Human–human, with ties (3 pairs per item): q101 (1,1) agrees, the two (1,T) pairs do not: 1/3;
q102 only (2,2): 1/3; q103 only (T,T): 1/3. Total 3/9.
Without ties: q101 keeps (1,1): 1/1; q102 all three pairs: 1/3; q103 none. Total 2/4.
Human–judge, with ties: q101 2/3, q102 1/3, q103 2/3. Total 5/9. Upper bound (majority count
per item): 2 + 2 + 2 = 6 of 9.
Without ties: q103 is dropped (the judge said tie); q101 [1, 1] vs 1: 2/2; q102 [2, 1, 2] vs 1:
1/3. Total 3/5. Upper bound: 2 + 2 = 4 of 5.
Rows: writing = q101; math = q102; coding = q103; RCEMR = q102 + q103:
judge with ties 1/3 + 2/3 = 3/6, upper 4/6, human 2/6.
Both-bad apart from tie: q103 becomes [BB, T, 2] against T: judge 1/3 (total 4/9), humans 0/3.

Fleiss' kappa, turn 1 (3 raters, categories 1, 2, T): counts per item (2,0,1), (1,2,0),
(0,1,2); every category 3 of 9 ratings, p_j = 1/3, P_e = 3/9 = 1/3; every item
P_i = (4 + 1 - 3) / 6 = 1/3, so P̄ = 1/3 and kappa = 0 (z = 0, p-value 1).

Fleiss' kappa, turn 2 (4 items × 3 raters): [1,1,1], [2,2,2], [1,1,2], [T,T,1]; q105 has only
two votes (left out) and q104 a fourth vote (only the first three count).
Counts (1,2,T): (3,0,0), (0,3,0), (2,1,0), (1,0,2); totals 6, 4, 2 of 12:
p = 1/2, 1/3, 1/6. P_i = 1, 1, (4+1-3)/6 = 1/3, (1+4-3)/6 = 1/3: P̄ = (8/3)/4 = 2/3.
P_e = 1/4 + 1/9 + 1/36 = 14/36 = 7/18. kappa = (2/3 - 7/18) / (11/18) = 5/11 = 0.4545.
Standard error under kappa = 0: Σ p q = 1/4 + 2/9 + 5/36 = 11/18;
Σ p q (q - p) = 0 + (2/9)(1/3) + (5/36)(2/3) = 2/27 + 5/54 = 1/6;
SE = sqrt(2) / ((11/18) sqrt(4·3·2)) · sqrt((11/18)² - 1/6) = sqrt(67/12) / 11,
so z = (5/11) / SE = 5 / sqrt(67/12) = 2.1160 and the two-sided p-value = 0.0343.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mt_bench_x.human_eval.agreement import (
    Agreement,
    PairVote,
    agreement_table,
    fleiss_kappa,
    human_human,
    human_judge,
    kappa_by_turn,
    outcomes_by_item,
    render_table,
)
from mt_bench_x.human_eval.vote_files import pair_line_winner, read_human_votes, read_judge_votes
from tests.mt_bench_x.human_eval_fixtures import cli

CATEGORY = {
    101: "writing",
    102: "math",
    103: "coding",
    **dict.fromkeys((104, 105, 106, 107, 108), "stem"),
}


def _human(question: int, turn: int, winner: str, voter: str, swap: bool = False) -> PairVote:
    """A vote; ``winner`` in m1/m2/tie/bothbad terms, shown with m2 left when ``swap``."""
    left, right = ("m2", "m1") if swap else ("m1", "m2")
    fastchat = {"tie": "tie", "bothbad": "tie (bothbad)"}.get(winner)
    if fastchat is None:
        fastchat = "model_a" if winner == left else "model_b"
    return PairVote(question, turn, left, right, fastchat, voter, CATEGORY[question])


HUMANS = [
    _human(101, 1, "m1", "expert_0"),
    _human(101, 1, "m1", "expert_1", swap=True),
    _human(101, 1, "tie", "expert_2"),
    _human(102, 1, "m2", "expert_0", swap=True),
    _human(102, 1, "m1", "expert_1"),
    _human(102, 1, "m2", "expert_2"),
    _human(103, 1, "bothbad", "expert_0"),
    _human(103, 1, "tie", "expert_1", swap=True),
    _human(103, 1, "m2", "expert_2"),
]
JUDGE = [
    PairVote(101, 1, "m1", "m2", "model_a", "gpt-4"),
    PairVote(102, 1, "m2", "m1", "model_b", "gpt-4"),  # m1 wins, shown on the right
    PairVote(103, 1, "m1", "m2", "tie", "gpt-4"),
]
TURN2 = [
    *(_human(104, 2, "m1", f"expert_{i}") for i in range(3)),
    _human(104, 2, "m2", "expert_3"),  # a fourth vote: not in kappa
    *(_human(106, 2, "m2", f"expert_{i}", swap=i == 1) for i in range(3)),
    _human(107, 2, "m1", "expert_0"),
    _human(107, 2, "m1", "expert_1", swap=True),
    _human(107, 2, "m2", "expert_2"),
    _human(108, 2, "tie", "expert_0"),
    _human(108, 2, "bothbad", "expert_1"),
    _human(108, 2, "m1", "expert_2"),
    _human(105, 2, "m1", "expert_0"),  # two votes only: not in kappa
    _human(105, 2, "m2", "expert_1"),
]


def _row(rows, group: str, turn: int = 1):
    return next(row for row in rows if row.group == group and row.turn == turn)


def test_human_human_and_human_judge_by_hand() -> None:
    items = outcomes_by_item(HUMANS, both_bad_is_tie=True)
    assert human_human(items, with_ties=True) == Agreement(3, 9)
    assert human_human(items, with_ties=False) == Agreement(2, 4)
    judge = {vote.key: vote.outcome() for vote in JUDGE}
    assert human_judge(items, judge, with_ties=True) == (Agreement(5, 9), Agreement(6, 9))
    assert human_judge(items, judge, with_ties=False) == (Agreement(3, 5), Agreement(4, 5))


def test_table_rows_by_category_and_rcemr() -> None:
    rows = agreement_table(HUMANS, JUDGE, with_ties=True)
    assert [r.group for r in rows if r.turn == 1] == ["all", "RCEMR", "writing", "math", "coding"]
    everything = _row(rows, "all")
    assert (everything.judge, everything.upper_bound, everything.human) == (
        Agreement(5, 9),
        Agreement(6, 9),
        Agreement(3, 9),
    )
    rcemr = _row(rows, "RCEMR")
    assert (rcemr.judge, rcemr.upper_bound, rcemr.human) == (
        Agreement(3, 6),
        Agreement(4, 6),
        Agreement(2, 6),
    )
    assert _row(rows, "math").judge == Agreement(1, 3)
    assert _row(rows, "all", turn=2).human == Agreement(0, 0)
    table = render_table(rows, judge_name="gpt-4")
    assert "| all | 56 (67) n=9 | 33 n=9 | – (–) n=0 | – n=0 |" in table
    separate = agreement_table(HUMANS, JUDGE, with_ties=True, both_bad_is_tie=False)
    assert _row(separate, "coding").judge == Agreement(1, 3)
    assert _row(separate, "all").judge == Agreement(4, 9)
    assert _row(separate, "coding").human == Agreement(0, 3)


def test_fleiss_kappa_by_hand() -> None:
    turn1 = kappa_by_turn(HUMANS, raters=3)[1]
    assert turn1.items == 3 and turn1.kappa == pytest.approx(0.0, abs=1e-12)
    assert turn1.p_value == pytest.approx(1.0)

    turn2 = kappa_by_turn(TURN2, raters=3)[2]
    assert (turn2.items, turn2.raters) == (4, 3)
    assert turn2.kappa == pytest.approx(5 / 11)
    assert turn2.z == pytest.approx(5 / math.sqrt(67 / 12))
    assert turn2.p_value == pytest.approx(0.0343, abs=5e-4)
    assert fleiss_kappa([["a", "a"], ["a", "a"]]).kappa is None  # one category: undefined
    with pytest.raises(ValueError):
        fleiss_kappa([["a", "b"], ["a"]])


@pytest.mark.parametrize(
    ("record", "inconsistent", "expected"),
    [
        ({"g1_winner": "model_1", "g2_winner": "model_1"}, "missing", "model_a"),
        ({"g1_winner": "model_2", "g2_winner": "model_2"}, "missing", "model_b"),
        ({"g1_winner": "model_1", "g2_winner": "model_2"}, "missing", None),
        ({"g1_winner": "model_1", "g2_winner": "model_2"}, "tie", "tie"),
        ({"g1_winner": "tie", "g2_winner": "tie"}, "missing", "tie"),
        (
            {"g1_winner": "tie", "g2_winner": "tie", "g1_verdict": "D", "g2_verdict": "D"},
            "missing",
            "tie (bothbad)",
        ),
        ({"g1_winner": "tie", "g2_winner": "tie", "g1_verdict": "D"}, "missing", "tie"),
        ({"g1_winner": "error", "g2_winner": "model_1"}, "tie", None),
    ],
)
def test_pair_line_winner(record, inconsistent, expected) -> None:
    assert pair_line_winner(record, inconsistent) == expected


def _pair_line(question: int, g1: str, g2: str, turn: int = 1) -> dict[str, object]:
    return {
        "question_id": f"{question}_DE",
        "model_1": "m1",
        "model_2": "m2",
        "g1_winner": g1,
        "g2_winner": g2,
        "judge": ["gpt-4", "pair-v2"],
        "turn": turn,
    }


def test_later_runs_fill_items_left_without_a_verdict(tmp_path: Path) -> None:
    run0 = tmp_path / "gpt-4_pair.jsonl"
    run1 = tmp_path / "gpt-4_pair_run1.jsonl"
    run0.write_text(
        "\n".join(
            json.dumps(line)
            for line in (
                _pair_line(101, "model_1", "model_1"),
                _pair_line(102, "model_1", "model_2"),  # position bias: no verdict
                _pair_line(103, "error", "tie"),  # failed, then retried below
                _pair_line(103, "tie", "tie"),
            )
        )
        + "\n"
    )
    run1.write_text(
        json.dumps(_pair_line(101, "model_2", "model_2"))
        + "\n"
        + json.dumps(_pair_line(102, "model_1", "model_1"))
        + "\n"
    )
    votes = {v.question: v.outcome() for v in read_judge_votes([run0, run1])}
    assert votes == {101: "model_1", 102: "model_1", 103: "tie"}
    assert {v.question for v in read_judge_votes([run0])} == {101, 103}


def _write_votes(path: Path, votes: list[PairVote], *, with_category: bool = True) -> None:
    records = [
        {
            "question_id": v.question,
            "model_a": v.model_a,
            "model_b": v.model_b,
            "winner": v.winner,
            "judge": v.voter,
            "turn": v.turn,
            **({"category": v.category} if with_category else {}),
        }
        for v in votes
    ]
    path.write_text(json.dumps(records), encoding="utf-8")


def test_same_numbers_as_fastchat_compute_agreement(tmp_path: Path) -> None:
    pytest.importorskip("fastchat")
    human = tmp_path / "human.json"
    _write_votes(human, HUMANS + TURN2)
    judge = tmp_path / "judge.json"
    judge.write_text(
        json.dumps(
            [
                {
                    "question_id": v.question,
                    "model_a": v.model_a,
                    "model_b": v.model_b,
                    "winner": v.winner,
                    "judge": ["gpt-4", "pair-v2"],
                    "turn": v.turn,
                }
                for v in [*JUDGE, PairVote(104, 2, "m1", "m2", "model_a", "gpt-4")]
            ]
        )
    )

    def fastchat(*args: str) -> list[tuple[int, int]]:
        printed = subprocess.run(
            [sys.executable, "-m", "fastchat.llm_judge.compute_agreement", *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [(int(a), int(t)) for t, a in re.findall(r"#total: (\d+), #agree: (\d+)", printed)]

    human_votes = read_human_votes(human)
    items = {
        turn: outcomes_by_item([v for v in human_votes if v.turn == turn], both_bad_is_tie=True)
        for turn in (1, 2)
    }
    ours = [
        (a.agree, a.total)
        for turn in (1, 2)
        for a in (
            human_human(items[turn], with_ties=True),
            human_human(items[turn], with_ties=False),
        )
    ]
    assert fastchat("--judges", "human", "human", "--votefiles", str(human)) == ours
    judge_items = {v.key: v.outcome() for v in read_judge_votes([judge])}
    ours_judge = [
        (a.agree, a.total)
        for turn in (1, 2)
        for with_ties in (True, False)
        for a in [human_judge(items[turn], judge_items, with_ties=with_ties)[0]]
    ]
    assert ours_judge[2:] == [(3, 4), (3, 4)]  # q104: [1, 1, 1, 2] against 1
    printed = fastchat("--judges", "gpt4-pair", "human", "--votefiles", str(human), str(judge))
    assert printed == ours_judge


def test_agreement_command_prints_table_2_and_kappa(tmp_path: Path, shared_data: Path) -> None:
    human = tmp_path / "human.json"
    _write_votes(human, HUMANS + TURN2, with_category=False)
    judge = tmp_path / "gpt-4_pair.jsonl"
    judge.write_text(
        "\n".join(
            json.dumps(line)
            for line in (
                _pair_line(101, "model_1", "model_1"),
                _pair_line(102, "model_1", "model_1"),
                _pair_line(103, "tie", "tie"),
            )
        )
        + "\n"
    )
    questions = tmp_path / "question.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps({"question_id": n, "category": c, "turns": ["a", "b"]})
            for n, c in CATEGORY.items()
        )
        + "\n"
    )
    result = cli(
        "agreement", "--human", str(human), "--judge", str(judge), "--questions", str(questions)
    )
    assert result.returncode == 0, result.stderr
    assert "| all | 56 (67) n=9 | 33 n=9 |" in result.stdout
    assert "| RCEMR | 50 (67) n=6 | 33 n=6 |" in result.stdout
    assert "turn 2: Fleiss' kappa 0.45 (p-value 3.4e-02) on 4 items with 3 raters each" in (
        result.stdout
    )
    as_json = cli("agreement", "--human", str(human), "--judge", str(judge), "--format", "json",
                  "--questions", str(questions))  # fmt: skip
    payload = json.loads(as_json.stdout)
    assert payload["fleiss_kappa"]["2"]["kappa"] == pytest.approx(5 / 11)
    missing = cli("agreement", "--human", str(tmp_path / "none.json"), "--judge", str(judge))
    assert missing.returncode == 1 and "none.json" in missing.stderr
