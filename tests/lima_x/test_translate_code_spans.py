"""Finding code, comments and placeholders in a text, and carrying them through XML."""

from __future__ import annotations

import pytest

from lima_x.errors import ProtectedTextError
from lima_x.translate.base import TranslationOptions
from lima_x.translate.code_spans import (
    PLACEHOLDER_PATTERNS,
    PROTECT_PLACEHOLDERS,
    Protection,
    from_xml,
    protect,
    restore,
    to_xml,
    with_placeholder_protection,
    xml_escape,
    xml_unescape,
)

CODE = Protection()


def prose(text: str, protection: Protection = CODE) -> list[str]:
    return [gap for gap in protect(text, protection).gaps if gap]


@pytest.mark.parametrize(
    ("text", "expected_prose"),
    [
        ("Just a sentence.", ["Just a sentence."]),
        (
            "Run this:\n\n```python\nx = 1  # set x\ny = '# not a comment'\n```\nDone.",
            ["Run this:", "set x", "Done."],
        ),
        (
            "```js\n// add them\nconst url = 'http://a.b//c'; /* a block */\n```",
            ["add them", "a block"],
        ),
        ("```c\n#include <stdio.h>\nint x; // counter\n```", ["counter"]),
        ("```sql\nSELECT 1; -- one row\n```", ["one row"]),
        ("```bash\n#!/bin/bash\necho ${#arr[@]}  # length\n```", ["length"]),
        ('```python\ns = """\n# inside a string\n"""  # real\n```', ["real"]),
        ("```python\nx = 1  # ----\n```", []),
        ("```\nplain code block\n```", []),
        ("Call `len(x)` here.", ["Call", "here."]),
        ("Use ``a ` b`` and go.", ["Use", "and go."]),
        (
            "Text:\n\n    # a note\n    indented_code()  # more\n\nAfter.",
            ["Text:", "a note", "more", "After."],
        ),
        ("\n    # at the start\n    run()\n\nThen this.", ["at the start", "Then this."]),
        ("- item\n\n    continued item text", ["- item\n\n    continued item text"]),
        ("~~~rust\nlet x = 1; // one\n~~~", ["one"]),
        ("```python\nunclosed = True  # still code", ["still code"]),
    ],
)
def test_prose_pieces(text: str, expected_prose: list[str]) -> None:
    assert prose(text) == expected_prose
    assert protect(text, CODE).text == text


def test_multiline_block_comment_lines_are_prose() -> None:
    text = (
        "```java\n/*\n * Adds two numbers.\n * Returns the sum.\n */\nint add(int a, int b);\n```"
    )
    assert prose(text) == ["Adds two numbers.", "Returns the sum."]


def test_no_protection_keeps_text_whole() -> None:
    text = "Call `len(x)` now."
    assert prose(text, Protection(code=False)) == [text]


def test_placeholders_are_protected_only_when_asked() -> None:
    text = "[Question]\n{question}\n\nVerdict: [[A]] or [[B]], rating [[rating]]."
    assert "{question}" in prose(text)[0]
    protected = protect(text, Protection(patterns=PLACEHOLDER_PATTERNS)).protected
    joined = "".join(protected)
    for marker in ("{question}", "[[A]]", "[[B]]", "[[rating]]"):
        assert marker in joined


def test_placeholder_option_in_extra() -> None:
    options = with_placeholder_protection(TranslationOptions())
    assert PROTECT_PLACEHOLDERS in options.extra
    assert with_placeholder_protection(options) == options
    assert Protection.from_options(options).patterns == PLACEHOLDER_PATTERNS
    custom = TranslationOptions(extra=(("protect_regex", r"<<\w+>>"),))
    assert prose("keep <<NAME>> here", Protection.from_options(custom)) == ["keep", "here"]


def test_edge_whitespace_moves_into_protected_pieces() -> None:
    text = "  Intro.\n\n```\ncode\n```\n\nOutro.\n"
    protected = protect(text, CODE)
    assert protected.gaps == ("", "Intro.", "Outro.", "")
    assert protected.text == text


@pytest.mark.parametrize("raw", ["a < b && c > d", "&amp; is literal", "<tag attr='x'>", "plain"])
def test_xml_escape_round_trip(raw: str) -> None:
    escaped = xml_escape(raw)
    assert "<" not in escaped
    assert xml_unescape(escaped) == raw


def test_xml_round_trip_restores_original_code_even_if_the_service_touches_it() -> None:
    text = "If a < b & c:\n\n```python\nif a < b:  # compare\n    pass\n```\n"
    protected = protect(text, CODE)
    xml = to_xml(protected)
    assert "a &lt; b &amp; c" in xml
    assert from_xml(xml, protected) == text
    # A service that reflows the ignored content still gives the original code back.
    mangled = xml.replace("    pass", "pass")
    assert from_xml(mangled, protected) == text


def test_from_xml_rejects_a_lost_piece() -> None:
    protected = protect("See `x` and `y`.", CODE)
    xml = to_xml(protected)
    broken = xml[: xml.index("<lxcode")] + "gone."
    with pytest.raises(ProtectedTextError, match="expected 2 protected pieces"):
        from_xml(broken, protected)


def test_restore_accepts_whitespace_changes_and_rejects_code_changes() -> None:
    original = "Use it:\n\n```python\nx = compute()  # the value\n```\n"
    answer = "Benutze es:\n```python\nx = compute()    # der Wert\n```"
    restored = restore(answer, original, CODE)
    assert restored == "Benutze es:\n\n```python\nx = compute()  # der Wert\n```\n"
    with pytest.raises(ProtectedTextError, match="changed"):
        restore(answer.replace("compute", "berechne"), original, CODE)
    with pytest.raises(ProtectedTextError, match="expected 2 protected pieces"):
        restore("Benutze es.", original, CODE)


FRAGMENTS = [
    "Prose & more < text.",
    "\n",
    "\n\n",
    "    indented()\n",
    "```python\n",
    "```\n",
    "x = 1  # note\n",
    "// c comment\n",
    "/* open\n",
    " * middle\n",
    " */\n",
    '"""doc\n',
    "`inline`",
    "``",
    "{question}",
    "[[A]]",
    "  ",
    "\t",
    "- item\n",
    "~~~\n",
    "'quote",
    "\r\n",
]


@pytest.mark.parametrize("seed", range(40))
def test_random_texts_round_trip(seed: int) -> None:
    import random

    rng = random.Random(seed)
    text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 30)))
    protection = Protection(patterns=PLACEHOLDER_PATTERNS)
    protected = protect(text, protection)
    assert protected.text == text
    assert len(protected.gaps) == len(protected.protected) + 1
    assert all(piece for piece in protected.protected)
    assert from_xml(to_xml(protected), protected) == text
    assert restore(text, text, protection) == text
