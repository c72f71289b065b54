"""The one "translate these texts" function and the translation layer's independence."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

import pytest

from lima_x.translate.base import TranslationOptions
from lima_x.translate.cache import CachedTranslator
from lima_x.translate.errors import TranslationError
from lima_x.translate.run import CHUNK, text_chunks, translate_texts
from polyglot_instruct.errors import ToolkitError

TRANSLATE_DIR = Path(__file__).resolve().parents[2] / "lima_x" / "translate"


class UpperCaseTranslator:
    """A backend that upper-cases; records every call it gets."""

    def __init__(self, drop_last: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.drop_last = drop_last

    def cache_identity(self) -> str:
        return "upper"

    def translate(
        self,
        texts: Sequence[str],
        *,
        source_lang: str,
        target_lang: str,
        options: TranslationOptions,
    ) -> list[str]:
        self.calls.append(list(texts))
        out = [t.upper() for t in texts]
        return out[:-1] if self.drop_last else out


def test_each_distinct_text_is_sent_once_and_blanks_come_back_as_they_are() -> None:
    backend = UpperCaseTranslator()
    texts = ["a", "b", "a", "  ", "", "c", "b"]
    out = translate_texts(
        texts,
        backend,
        source_lang="EN",
        target_lang="DE",
        options=TranslationOptions(),
        progress=False,
    )
    assert out == ["A", "B", "A", "  ", "", "C", "B"]
    assert backend.calls == [["a", "b", "c"]]


def test_texts_go_in_chunks_and_the_cache_answers_a_rerun(tmp_path: Path) -> None:
    texts = [f"text {i}" for i in range(CHUNK + 7)]
    assert [len(c) for c in text_chunks(texts)] == [CHUNK, 7]
    backend = UpperCaseTranslator()
    args = {"source_lang": "EN", "target_lang": "DE", "options": TranslationOptions()}
    with CachedTranslator(backend, tmp_path / "c.sqlite", show_progress=False) as cached:
        first = translate_texts(texts, cached, progress=False, **args)
        again = translate_texts(texts, cached, progress=False, **args)
    assert first == again == [t.upper() for t in texts]
    assert [len(c) for c in backend.calls] == [CHUNK, 7]


def test_a_short_answer_is_a_translation_error_under_the_toolkit_root() -> None:
    with pytest.raises(TranslationError, match="upper returned 1 translations for 2 texts"):
        translate_texts(
            ["x", "y"],
            UpperCaseTranslator(drop_last=True),
            source_lang="EN",
            target_lang="DE",
            options=TranslationOptions(),
            progress=False,
        )
    assert issubclass(TranslationError, ToolkitError)


def test_the_translation_layer_imports_nothing_else_from_lima_x() -> None:
    outside = []
    for path in sorted(TRANSLATE_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("lima_x") and not name.startswith("lima_x.translate"):
                    outside.append(f"{path.name}: {name}")
    assert outside == []
