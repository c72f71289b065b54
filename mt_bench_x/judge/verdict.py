"""Reading a judge's verdict out of its reply: pure functions, no I/O.

Judges usually restate the required format before they answer ("Rate on a scale of 1 to 10
by strictly following this format: "[[rating]]", for example: "Rating: [[5]]""), so the
verdict is the *last* well-formed token in the reply, not the first:

* a rating is ``[[n]]`` with ``n`` a number in 1-10 (``[[7.5]]``, ``[[7,5]]`` and
  ``[[7/10]]`` included); localized labels such as ``Bewertung: [[5]]`` or
  ``Puntuación: [[5]]`` need nothing special because only the brackets count;
* a pairwise verdict is ``[[A]]``, ``[[B]]``, ``[[C]]`` (tie) or ``[[D]]`` (both bad, only
  where the prompt offers it);
* a token inside quotation marks (``"[[A]]"``, ``„[[5]]“``) is a quote of the format and is
  used only when the reply has no unquoted token and quotes exactly one distinct value;
* the last token decides: if it is out of range the reply has no valid verdict, even when
  an earlier token was valid (FastChat takes the first match and never checks the range).

When no double-bracket rating exists, a single-bracket ``[n]`` is read the same way
(FastChat's fallback). Unparseable replies yield ``None``.

``rule="fastchat"`` reads replies exactly as FastChat's ``llm_judge`` does instead: the
*first* ``[[n]]`` (else the first ``[n]``) with ``n`` digits and an optional decimal part,
without a range check, so ``[[0]]`` is a score of 0; a pairwise verdict is the first of
``[[A]]``, ``[[B]]``, ``[[C]]`` (then ``[[D]]`` where allowed) found anywhere in the reply.
Use it to reproduce numbers computed with FastChat's own judge.
"""

from __future__ import annotations

import re
from typing import Literal

PairVerdict = Literal["A", "B", "C", "D"]
VerdictRule = Literal["strict", "fastchat"]
VERDICT_RULES: tuple[str, ...] = ("strict", "fastchat")

MIN_SCORE = 1
MAX_SCORE = 10

_OPEN_QUOTES = "\"'`„“”«»‚‘’「『"
_CLOSE_QUOTES = "\"'`“”«»‘’」』"

_DOUBLE = re.compile(r"\[\[\s*([^\[\]\n]{1,20}?)\s*\]\]")
_SINGLE = re.compile(r"(?<!\[)\[\s*(\d{1,3}(?:[.,]\d+)?)\s*\](?!\])")
#: A signed number is a token too, so that a last ``[[-2]]`` is out of range, not skipped.
_NUMBER = re.compile(r"^([-+\u2212]?\d{1,3}(?:[.,]\d+)?)(?:\s*/\s*10)?$")
_PAIR = re.compile(r"\[\[\s*([ABCD])\s*\]\]")
_PAIR_VERDICTS: dict[str, PairVerdict] = {"A": "A", "B": "B", "C": "C", "D": "D"}
_FASTCHAT_DOUBLE = re.compile(r"\[\[(\d+\.?\d*)\]\]")
_FASTCHAT_SINGLE = re.compile(r"\[(\d+\.?\d*)\]")


def _is_quoted(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return bool(before) and before in _OPEN_QUOTES and bool(after) and after in _CLOSE_QUOTES


def _pick_last(tokens: list[tuple[str, bool]]) -> str | None:
    """The last unquoted token; else the single distinct quoted value; else ``None``."""
    unquoted = [value for value, quoted in tokens if not quoted]
    if unquoted:
        return unquoted[-1]
    distinct = {value for value, _ in tokens}
    if len(distinct) == 1:
        return tokens[-1][0]
    return None


def _to_score(token: str) -> int | float | None:
    match = _NUMBER.match(token.strip())
    if match is None:
        return None
    number = float(match.group(1).replace(",", ".").replace("\u2212", "-"))
    if not MIN_SCORE <= number <= MAX_SCORE:
        return None
    return int(number) if number.is_integer() else number


def _numeric_tokens(text: str, pattern: re.Pattern[str]) -> list[tuple[str, bool]]:
    tokens = []
    for match in pattern.finditer(text):
        token = match.group(1)
        if _NUMBER.match(token.strip()):
            tokens.append((token, _is_quoted(text, match.start(), match.end())))
    return tokens


def _fastchat_rating(text: str) -> int | float | None:
    match = _FASTCHAT_DOUBLE.search(text) or _FASTCHAT_SINGLE.search(text)
    if match is None:
        return None
    number = float(match.group(1))
    return int(number) if number.is_integer() and "." not in match.group(1) else number


def _fastchat_pair(text: str, allow_both_bad: bool) -> PairVerdict | None:
    letters = ("A", "B", "C", "D") if allow_both_bad else ("A", "B", "C")
    for letter in letters:
        if f"[[{letter}]]" in text:
            return letter  # type: ignore[return-value]
    return None


def _check_rule(rule: str) -> None:
    if rule not in VERDICT_RULES:
        raise ValueError(f"verdict rule {rule!r}: expected one of {', '.join(VERDICT_RULES)}")


def parse_rating(text: str, *, rule: VerdictRule = "strict") -> int | float | None:
    """The 1-10 score of a single-answer judgment, or ``None`` when there is no valid one
    (``rule="fastchat"``: FastChat's first-match reading, any non-negative number)."""
    _check_rule(rule)
    if not text:
        return None
    if rule == "fastchat":
        return _fastchat_rating(text)
    tokens = _numeric_tokens(text, _DOUBLE)
    if not tokens:
        tokens = _numeric_tokens(text, _SINGLE)
    chosen = _pick_last(tokens)
    return None if chosen is None else _to_score(chosen)


def parse_pair(
    text: str, *, allow_both_bad: bool = True, rule: VerdictRule = "strict"
) -> PairVerdict | None:
    """The pairwise verdict ``A``/``B``/``C``/``D`` of a reply, or ``None``.

    ``D`` ("both are equally bad") counts only when ``allow_both_bad``; a prompt without that
    option that receives ``[[D]]`` has no valid verdict.
    """
    _check_rule(rule)
    if not text:
        return None
    if rule == "fastchat":
        return _fastchat_pair(text, allow_both_bad)
    tokens = [
        (match.group(1), _is_quoted(text, match.start(), match.end()))
        for match in _PAIR.finditer(text)
    ]
    chosen = _pick_last(tokens)
    if chosen is None or (chosen == "D" and not allow_both_bad):
        return None
    return _PAIR_VERDICTS[chosen]
