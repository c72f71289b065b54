"""Real MT-Bench texts through the DeepL backend: placeholders and code survive."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lima_x.translate.base import TranslationOptions
from lima_x.translate.code_spans import with_placeholder_protection
from lima_x.translate.deepl_backend import DeepLTranslator
from tests.servers.deepl_server import DeepLCompatibleServer

PLACEHOLDER = re.compile(r"\{[a-z_0-9]+\}|\[\[[^\[\]\n]+\]\]")
TEMPLATE_LINE = re.compile(r"^\{[a-z_0-9]+\}$", re.M)
FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
COMMENT_MARKERS = ("#", "//", "/*", "*/", "--", " * ")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def code_lines(text: str) -> list[str]:
    """Lines of fenced code that hold no comment marker (those must come back unchanged)."""
    return [
        line
        for block in FENCE.findall(text)
        for line in block.splitlines()
        if not any(marker in line for marker in COMMENT_MARKERS)
    ]


def test_judge_prompt_placeholders_survive(shared_data: Path) -> None:
    prompts = read_jsonl(shared_data / "mt_bench" / "judge_prompts.jsonl")
    texts = [p[key] for p in prompts for key in ("system_prompt", "prompt_template")]
    options = with_placeholder_protection(TranslationOptions())
    with DeepLCompatibleServer() as server:
        translator = DeepLTranslator("k", server_url=server.url, show_progress=False)
        out = translator.translate(texts, source_lang="EN", target_lang="DE", options=options)
        unprotected = translator.translate(
            texts, source_lang="EN", target_lang="DE", options=TranslationOptions()
        )
    assert len(texts) == 16
    for original, translated in zip(texts, out, strict=True):
        assert translated != original  # the prose was translated
        assert PLACEHOLDER.findall(translated) == PLACEHOLDER.findall(original)
        assert TEMPLATE_LINE.findall(translated) == TEMPLATE_LINE.findall(original)
    # Without the option the template lines change: the check above can fail.
    assert sum(len(TEMPLATE_LINE.findall(t)) for t in texts) >= 16
    assert all(not TEMPLATE_LINE.findall(p) for p in unprotected)


def test_code_in_questions_and_references_survives(shared_data: Path) -> None:
    rows = read_jsonl(shared_data / "mt_bench" / "question.jsonl")
    rows += read_jsonl(shared_data / "mt_bench" / "reference_answer" / "gpt-4.jsonl")
    texts = []
    for row in rows:
        turns = row.get("turns") or [t for c in row.get("choices", []) for t in c["turns"]]
        texts.extend(turns)
    with_code = [t for t in texts if "```" in t]
    assert len(with_code) >= 10
    with DeepLCompatibleServer() as server:
        translator = DeepLTranslator("k", server_url=server.url, show_progress=False)
        out = translator.translate(
            with_code, source_lang="EN", target_lang="FR", options=TranslationOptions()
        )
    for original, translated in zip(with_code, out, strict=True):
        assert code_lines(translated) == code_lines(original)
        assert translated.count("```") == original.count("```")
        assert translated != original
