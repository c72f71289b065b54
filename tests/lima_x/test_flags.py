"""Flag heuristics, the language identifier and the pipeline's counts (tables of input → flag)."""

from __future__ import annotations

import pytest

from lima_x.flags import (
    HasCode,
    MixedLanguage,
    NotSourceLanguage,
    Untranslatable,
    default_flag_steps,
    flag_steps,
    looks_like_verse,
    strip_code,
)
from lima_x.pipeline import FilterStep, RunStats, run_pipeline
from lima_x.records import ParallelSample
from polyglot_instruct.langid import evidence, guess

EN_PROSE = (
    "The best way to learn it is to practise a little every day, and you should not worry "
    "if it takes some time before you can see the results of the work."
)
DE_PROSE = (
    "Der beste Weg, es zu lernen, ist jeden Tag ein wenig zu üben, und du solltest dir keine "
    "Sorgen machen, wenn es eine Weile dauert, bis man die Ergebnisse sieht."
)
FR_PROSE = (
    "La meilleure façon de l'apprendre est de pratiquer un peu chaque jour, et il ne faut pas "
    "s'inquiéter si cela prend du temps avant que vous ne voyiez les résultats."
)
IT_PROSE = (
    "Il modo migliore per impararlo è esercitarsi un po' ogni giorno, e non devi preoccuparti "
    "se ci vuole del tempo prima di vedere i risultati del lavoro."
)
ES_PROSE = (
    "La mejor manera de aprenderlo es practicar un poco cada día, y no te preocupes si se "
    "tarda un tiempo antes de que puedas ver los resultados del trabajo."
)


def sample(user: str, answer: str, lang: str = "EN") -> ParallelSample:
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return ParallelSample("1", lang, messages, "test")


@pytest.mark.parametrize(
    ("text", "lang"),
    [(EN_PROSE, "EN"), (DE_PROSE, "DE"), (FR_PROSE, "FR"), (IT_PROSE, "IT"), (ES_PROSE, "ES")],
)
def test_guess_recognises_the_five_languages(text: str, lang: str) -> None:
    assert guess(text).lang == lang


def test_guess_is_unsure_on_short_text_and_names_other_scripts() -> None:
    assert guess("Hello there").lang is None
    assert guess("x = f(y) + 2").lang is None
    assert guess("Это предложение написано по-русски, а не по-английски.").lang == "CYRILLIC"


CODE_CASES = [
    ("Use this:\n\n```python\nprint('hi')\n```", True),
    ("def add(a, b):\n    return a + b", True),
    ("#include <stdio.h>\nint main() { return 0; }", True),
    ("Run `SELECT name FROM users WHERE id = 1` against the table.", True),
    ("Wrap it in <div class='x'>text</div>.", True),
    ("    x = compute(1);\n    y = compute(2);", True),
    ("$ pip install requests", True),
    ("Boil the water, add salt (a pinch) and wait ten minutes.", False),
    ("Follow these steps: 1. open the door; 2. close it.", False),
]


@pytest.mark.parametrize(("answer", "expected"), CODE_CASES)
def test_has_code(answer: str, expected: bool) -> None:
    assert HasCode().check(sample("How?", answer)) is expected


def test_strip_code_removes_blocks_inline_and_indented_code() -> None:
    text = "Intro words.\n\n```js\nconst a = 1;\n```\nUse `foo()` here.\n    bar(x);\nEnd."
    stripped = strip_code(text)
    assert "const" not in stripped and "foo" not in stripped and "bar" not in stripped
    assert "Intro words." in stripped and "End." in stripped


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (DE_PROSE, "EN", True),
        (EN_PROSE, "EN", False),
        (ES_PROSE, "IT", True),
        ("Short Spanish: hola amigo", "EN", False),  # too short to judge
        (EN_PROSE, "PT-BR", False),  # unprofiled language: only a different script counts
        ("Это предложение написано по-русски, а не по-английски совсем.", "PT-BR", True),
    ],
)
def test_not_source_language(text: str, lang: str, expected: bool) -> None:
    assert NotSourceLanguage().check(sample(text, text, lang)) is expected


@pytest.mark.parametrize(
    ("user", "answer", "expected"),
    [
        (EN_PROSE, EN_PROSE, False),
        (EN_PROSE, DE_PROSE, True),
        (f"Translate this:\n\n{FR_PROSE}", EN_PROSE, True),
        (EN_PROSE, f"```python\n# {DE_PROSE}\n```", False),  # code is not prose
    ],
)
def test_mixed_language(user: str, answer: str, expected: bool) -> None:
    assert MixedLanguage().check(sample(user, answer)) is expected


RHYME = "The cat sat on the mat,\nit wore a little hat,\nit chased a tiny rat,\nand that was that."


@pytest.mark.parametrize(
    ("user", "answer", "expected"),
    [
        ("Write a haiku about spring.", "Blossoms everywhere.", True),
        ("Tell me a joke about physicists.", "Why did the atom ...", True),
        ("Schreibe ein Gedicht über den Herbst.", "...", True),
        ("Écris un poème sur la mer.", "...", True),
        ("Raccontami una barzelletta.", "...", True),
        ("Cuéntame un chiste.", "...", True),
        ("Can you explain this pun?", "...", True),
        ("Describe a cat.", RHYME, True),
        (
            "Describe a cat.",
            "A cat is a small animal.\nIt purrs.\nIt sleeps a lot.\nIt hunts.",
            False,
        ),
        ("How do I file my taxes?", EN_PROSE, False),
        ("How do I get my travel costs reimbursed?", "Ask your employer.", False),
        ("Which words rhyme with orange?", "Few do.", True),
        ("Connais-tu un bon jeu de mots ?", "...", True),
        ("List four fruits.", "- apple\n- pear\n- plum\n- fig", False),
    ],
)
def test_untranslatable(user: str, answer: str, expected: bool) -> None:
    assert Untranslatable().check(sample(user, answer)) is expected


def test_looks_like_verse_needs_rhymes() -> None:
    assert looks_like_verse(RHYME)
    assert not looks_like_verse("one line\nanother one\na third thing\nthe fourth bit")


def test_pipeline_counts_per_reason_and_filter_steps_drop() -> None:
    class DropShort(FilterStep):
        def reason(self, s: ParallelSample) -> str | None:
            return "too_short" if len(s.text()) < 20 else None

    samples = [
        sample("Write a poem.", RHYME),
        sample("Code?", "```\nx = 1\n```"),
        sample("Hi", "Yo"),
        sample(EN_PROSE, EN_PROSE),
    ]
    kept, stats = run_pipeline([DropShort(), *default_flag_steps()], samples, RunStats())
    assert len(kept) == 3
    assert stats.seen == 4
    assert stats.dropped == {"too_short": 1}
    assert stats.flagged["untranslatable"] == 1
    assert stats.flagged["has_code"] == 1
    assert kept[0].flags == {"untranslatable": True}
    assert kept[2].flags == {}
    assert kept[0].to_row()["untranslatable"] is True and kept[0].to_row()["has_code"] is False


def test_evidence_scores_weigh_shared_words_and_add_up() -> None:
    # "the", "and" are English only; "le" is in the FR, IT and ES profiles (1/3 each);
    # "ñ" points to ES; "für" counts as the DE word "für" and its letter "ü".
    first = evidence("The AND le")
    assert first.words == 3 and first.scores == pytest.approx(
        {"EN": 2.0, "FR": 1 / 3, "IT": 1 / 3, "ES": 1 / 3}
    )
    second = evidence("año für")
    assert second.scores == pytest.approx({"ES": 1.0, "DE": 2.0})
    total = first + second
    assert total.words == 5
    assert total.scores == pytest.approx(
        {"EN": 2.0, "FR": 1 / 3, "IT": 1 / 3, "ES": 4 / 3, "DE": 2.0}
    )
    assert total.scores == evidence("The AND le\naño für").scores


def test_flag_steps_by_name_in_column_order() -> None:
    assert [s.flag for s in flag_steps(["untranslatable", "has_code"])] == [
        "has_code",
        "untranslatable",
    ]
    with pytest.raises(ValueError, match="unknown flags"):
        flag_steps(["has_kode"])
