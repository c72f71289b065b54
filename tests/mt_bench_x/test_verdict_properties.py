"""Properties of the verdict parser (``mt_bench_x.judge.verdict``), next to its table of cases
in ``test_verdict.py``: whatever a judge writes first, the last unquoted verdict decides; no
text makes the parser raise; a verdict out of range or not offered is no verdict."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mt_bench_x.judge.verdict import MAX_SCORE, MIN_SCORE, parse_pair, parse_rating

# Anything a judge may write before its verdict: quotes of the format, other brackets, other
# scripts. A newline separates it from the verdict (a token never spans lines).
ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("[]\"„“«»'")
)
SCORES = st.integers(MIN_SCORE, MAX_SCORE)
quick = settings(max_examples=150, deadline=None)


@quick
@given(ANY_TEXT)
def test_no_text_makes_the_parsers_raise(text: str) -> None:
    score = parse_rating(text)
    assert score is None or MIN_SCORE <= score <= MAX_SCORE
    assert parse_pair(text) in (None, "A", "B", "C", "D")


@quick
@given(ANY_TEXT, SCORES, st.sampled_from(["Rating: [[{}]]", "[[{}]]", "Bewertung: [[ {} ]]"]))
def test_the_last_unquoted_rating_decides(before: str, score: int, form: str) -> None:
    assert parse_rating(f"{before}\n{form.format(score)}") == score


@quick
@given(ANY_TEXT, SCORES, st.integers(0, 99).filter(lambda n: n > MAX_SCORE or n < MIN_SCORE))
def test_a_last_rating_out_of_range_is_no_verdict(before: str, good: int, bad: int) -> None:
    # an earlier valid rating does not rescue a final out-of-range one
    assert parse_rating(f"{before}\n[[{good}]]\nRating: [[{bad}]]") is None


@quick
@given(ANY_TEXT, st.sampled_from("ABCD"), st.booleans())
def test_the_last_pair_verdict_decides(before: str, verdict: str, both_bad: bool) -> None:
    parsed = parse_pair(f"{before}\nFinal verdict: [[{verdict}]]", allow_both_bad=both_bad)
    assert parsed == (None if verdict == "D" and not both_bad else verdict)


@quick
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="[]")))
def test_text_without_brackets_has_no_verdict(text: str) -> None:
    assert parse_rating(text) is None and parse_pair(text) is None


@quick
@given(SCORES, st.sampled_from(['"', "„", "«", "'"]))
def test_a_format_quoted_alone_is_read_but_an_unquoted_verdict_wins(score: int, quote: str) -> None:
    close = {"„": "“", "«": "»"}.get(quote, quote)
    quoted = f"Format: {quote}[[{score}]]{close}"
    assert parse_rating(quoted) == score
    other = MIN_SCORE + (score % MAX_SCORE)
    assert parse_rating(f"{quoted} ... [[{other}]]") == other
