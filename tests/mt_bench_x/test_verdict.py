"""Tables of judge replies and the verdict the parser must read from them."""

from __future__ import annotations

import pytest

from mt_bench_x.judge.verdict import parse_pair, parse_rating

RATING_TABLE = [
    # plain and localized forms
    ("Rating: [[5]]", 5),
    ("Bewertung: [[5]]", 5),
    ("Note : [[5]]", 5),
    ("Valutazione: [[5]]", 5),
    ("Puntuación: [[5]]", 5),
    ("**Bewertung: [[8]]**", 8),
    ("[[ 9 ]]", 9),
    ("[[10]]", 10),
    ("[[1]]", 1),
    # decimals
    ("Rating: [[7.5]]", 7.5),
    ("Bewertung: [[7,5]]", 7.5),
    ("Rating: [[7/10]]", 7),
    # the format is quoted first, the verdict comes last
    ('Please answer as "[[rating]]", for example: "Rating: [[5]]". ... Rating: [[8]]', 8),
    ('Format: "[[5]]". Meine Bewertung: [[3]]', 3),
    ("I first thought [[4]], but after checking the math: [[6]]", 6),
    # a quoted token alone counts when it is the only value
    ('My verdict: "[[6]]"', 6),
    # out of range: the last token decides, and it is invalid
    ("Rating: [[0]]", None),
    ("Rating: [[11]]", None),
    ("Rating: [[15]]", None),
    ("Rating: [[7]] ... on reflection [[12]]", None),
    ("Rating: [[10.5]]", None),
    # not a number / nothing there
    ("Rating: [[rating]]", None),
    ("The answer is fine. 8 out of 10.", None),
    ("", None),
    ("[[A]]", None),
    ("Rating: [[-3]]", None),
    ("Rating: [[8]] ... after the error in turn 2: [[-2]]", None),
    ("Rating: [[9]] ... revised: [[\u22121]]", None),
    ("Rating: [[+7]]", 7),
    # only the format quoted, with several values: no verdict
    ('Use "[[1]]" for bad and "[[10]]" for perfect.', None),
    # FastChat's single-bracket fallback, last one
    ("Rating: [6]", 6),
    ("Scores [2] then [7]", 7),
    ("Rating: [[rating]] and [11]", None),
]


@pytest.mark.parametrize(("reply", "expected"), RATING_TABLE)
def test_parse_rating(reply: str, expected: float | None) -> None:
    assert parse_rating(reply) == expected


PAIR_TABLE = [
    ("[[A]]", True, "A"),
    ("Final verdict: [[B]]", True, "B"),
    ("Endgültiges Urteil: [[C]]", True, "C"),
    ("Beide sind schlecht: [[D]]", True, "D"),
    ("[[D]]", False, None),
    ("[[ B ]]", True, "B"),
    # the format is quoted first: FastChat's first-match check would say A here
    (
        'Output "[[A]]" if A is better, "[[B]]" if B is better, "[[C]]" for a tie. Verdict: [[B]]',
        True,
        "B",
    ),
    ("[[A]] was my first thought, but the final verdict is [[C]]", True, "C"),
    # only the format, no verdict
    ('"[[A]]" if A is better, "[[B]]" if B is better, "[[C]]" for a tie.', True, None),
    # a quoted lone verdict
    ('Mein Urteil: "[[A]]"', True, "A"),
    # nothing well-formed
    ("Assistant A is better.", True, None),
    ("[A]", True, None),
    ("[[E]]", True, None),
    ("[[a]]", True, None),
    ("", True, None),
    ("Rating: [[7]]", True, None),
]


@pytest.mark.parametrize(("reply", "allow_both_bad", "expected"), PAIR_TABLE)
def test_parse_pair(reply: str, allow_both_bad: bool, expected: str | None) -> None:
    assert parse_pair(reply, allow_both_bad=allow_both_bad) == expected


def test_scores_keep_their_type() -> None:
    assert isinstance(parse_rating("[[7]]"), int)
    assert isinstance(parse_rating("[[7.5]]"), float)


FASTCHAT_RATING_TABLE = [
    # FastChat's regex: the first [[n]], no range check
    ("Rating: [[0]]", 0),
    ("Rating: [[5]]", 5),
    ("Rating: [[7.5]]", 7.5),
    ("I first thought [[4]], but after checking the math: [[6]]", 4),
    ("Rating: [[11]]", 11),
    ('Answer as "[[rating]]", for example: "Rating: [[5]]". Rating: [[8]]', 5),
    # its single-bracket fallback, also the first one
    ("Scores [2] then [7]", 2),
    # what its regex cannot read
    ("Rating: [[7,5]]", None),
    ("Rating: [[-3]]", None),
    ("Rating: [[rating]]", None),
    ("", None),
]


@pytest.mark.parametrize(("reply", "expected"), FASTCHAT_RATING_TABLE)
def test_parse_rating_fastchat_rule(reply: str, expected: float | None) -> None:
    assert parse_rating(reply, rule="fastchat") == expected


FASTCHAT_PAIR_TABLE = [
    ("[[B]]", True, "B"),
    # FastChat checks A, then B, then C anywhere in the reply
    ('Output "[[A]]" if A is better ... Verdict: [[B]]', True, "A"),
    ("[[C]] ... [[B]]", True, "B"),
    ("[[D]]", True, "D"),
    ("[[D]]", False, None),
    ("[[ B ]]", True, None),
]


@pytest.mark.parametrize(("reply", "allow_both_bad", "expected"), FASTCHAT_PAIR_TABLE)
def test_parse_pair_fastchat_rule(reply: str, allow_both_bad: bool, expected: str | None) -> None:
    assert parse_pair(reply, allow_both_bad=allow_both_bad, rule="fastchat") == expected


def test_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match="verdict rule 'lenient'"):
        parse_rating("[[5]]", rule="lenient")  # type: ignore[arg-type]
