"""The one language-list parser of both command lines."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer
from typer.testing import CliRunner

from lima_x.cli import build_app as lima_x_app
from mt_bench_x.cli import build_app as mt_bench_x_app
from polyglot_instruct.errors import ToolkitError
from polyglot_instruct.languages import LanguageListError, parse_languages


@pytest.mark.parametrize(
    ("value", "allow_all", "expected"),
    [
        ("EN,DE,FR,IT,ES", False, ["EN", "DE", "FR", "IT", "ES"]),
        ("de, fr", False, ["DE", "FR"]),
        ("de fr\tit", False, ["DE", "FR", "IT"]),
        ("pt-br,zh-hans", False, ["PT-BR", "ZH-HANS"]),
        ("DE,", False, ["DE"]),
        ("all", True, None),
        ("ALL", True, None),
        ("", True, None),
        (None, True, None),
    ],
)
def test_language_lists(value: str | None, allow_all: bool, expected: list[str] | None) -> None:
    assert parse_languages(value, allow_all=allow_all) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "expected language codes"),
        (" , ", "expected language codes"),
        ("all", "language code 'all'"),
        ("EN,DE,de", r"listed twice \(DE\)"),
        ("EN,German", "language code 'German'"),
        ("E1", "language code 'E1'"),
    ],
)
def test_malformed_lists_are_refused(value: str, message: str) -> None:
    with pytest.raises(LanguageListError, match=message) as caught:
        parse_languages(value)
    assert isinstance(caught.value, ToolkitError)


def test_merge_repeats_keeps_a_language_named_twice_once_in_first_place() -> None:
    assert parse_languages("fr,DE,de,FR", merge_repeats=True) == ["FR", "DE"]
    with pytest.raises(LanguageListError, match="language code 'German'"):
        parse_languages("DE,German", merge_repeats=True)


@pytest.mark.parametrize(
    ("app", "args"),
    [
        (lima_x_app, ["build", "lima", "--source", "x.jsonl", "--translator", "none"]),
        (lima_x_app, ["build", "bactrian-x", "--source-dir", "x", "--out", "o"]),
        (mt_bench_x_app, ["build", "--from-published", "x", "--out", "o"]),
    ],
)
def test_both_command_lines_refuse_a_language_named_twice(
    app: Callable[[], typer.Typer], args: list[str]
) -> None:
    result = CliRunner().invoke(app(), [*args, "--langs", "EN,DE,en"])
    assert result.exit_code == 2
    assert "listed twice (EN)" in result.output
