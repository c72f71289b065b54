"""``polyglot_instruct.langid.identify``: function-word profiles first, py3langid for the rest."""

from __future__ import annotations

import pytest

from polyglot_instruct.langid import guess, identify

pytest.importorskip("py3langid")

CASES = [
    # decided by the function-word profiles
    ("Das ist eine Antwort auf die Frage, und sie ist auf Deutsch geschrieben.", None, "DE"),
    ("This is an answer to the question, and it is written in English for you.", None, "EN"),
    # an unprofiled expected language goes straight to the detector
    ("To jest odpowiedź na pytanie, napisana po polsku dla ciebie i dla nich.", "PL", "PL"),
    # too few words for the profiles: the detector decides
    ("Bonjour, merci beaucoup pour votre aide précieuse", None, "FR"),
    # too short for either
    ("Ja.", None, None),
]


@pytest.mark.parametrize(("text", "expected", "found"), CASES)
def test_identify(text: str, expected: str | None, found: str | None) -> None:
    assert identify(text, expected) == found


def test_the_detector_is_used_only_when_the_profiles_are_undecided() -> None:
    text = "Bonjour, merci beaucoup pour votre aide précieuse"
    assert guess(text).lang is None  # fewer than MIN_WORDS words
    assert identify(text) == "FR"
