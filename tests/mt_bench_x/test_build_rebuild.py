"""Rebuild MT-Bench-X from FastChat's English MT-Bench through a local DeepL-compatible server.

The server answers with the published machine translation (``question_original.jsonl`` and the
published reference answers, looked up by the English text); the corrections file is derived
here from the published diff (``question.jsonl`` vs ``question_original.jsonl``). The rebuilt
``question.jsonl`` must equal the published one byte for byte, with 31/36/72/37 rows changed.

The published translation was made without code preservation, so the rebuild runs with
``--no-preserve-code``: every question then reaches the server as one piece of prose (the
lookup strips the ignore tags that carry edge whitespace). Texts the table does not know (the
judge prompts, whose placeholders travel in ignore tags) get the server's default marking, so
the test also sees that placeholders and verdict markers survive translation.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lima_x.translate.code_spans import IGNORE_TAGS
from mt_bench_x.formats.judge_prompts import load_judge_prompts
from mt_bench_x.formats.questions import load_questions
from tests.servers.deepl_server import DeepLCompatibleServer, mark_words, transform_xml

TARGETS = ["DE", "FR", "IT", "ES"]
CHANGED = {"DE": 31, "FR": 36, "IT": 72, "ES": 37}
_NAMES = "|".join(IGNORE_TAGS)
TAG = re.compile(rf"</?(?:{_NAMES})\b[^>]*>")
PIECE = re.compile(rf"<({_NAMES})\b[^>]*?(?:/>|>.*?</\1\s*>)", re.S)
REPO_ROOT = Path(__file__).resolve().parents[2]


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _published_table(shared: Path) -> dict[str, dict[str, str]]:
    """Target language -> English text -> published machine translation."""
    english = _read(shared / "mt_bench" / "question.jsonl")
    english_refs = _read(shared / "mt_bench" / "reference_answer" / "gpt-4.jsonl")
    tables: dict[str, dict[str, str]] = {}
    for lang in TARGETS:
        folder = shared / "mt_bench_x" / f"mt_bench_{lang}"
        table: dict[str, str] = {}
        for source, target in zip(english, _read(folder / "question_original.jsonl"), strict=True):
            pairs = zip(
                source["turns"] + source.get("reference", []),
                target["turns"] + target["reference"],
                strict=True,
            )
            table.update(pairs)
        published_refs = _read(folder / "reference_answer" / "gpt-4.jsonl")
        for source, target in zip(english_refs, published_refs, strict=True):
            table.update(
                zip(source["choices"][0]["turns"], target["choices"][0]["turns"], strict=True)
            )
        tables[lang] = table
    return tables


def published_translator(tables: dict[str, dict[str, str]]):
    """A server ``translate_fn``: the published MT where the table knows the text.

    The text arrives as the DeepL backend sends it: XML-escaped prose, protected pieces in
    ignore tags. The English text is the text without the tags; when it is known and all its
    prose is one piece (only edge whitespace protected), the prose is swapped for the
    published translation and the tags are sent back as they came.
    """

    def translate(text: str, source_lang: str | None, target_lang: str) -> str:
        table = tables[target_lang.upper()]
        english = html.unescape(TAG.sub("", text))
        prose = [part for part in PIECE.sub("\x00", text).split("\x00") if part]
        if english in table and len(prose) == 1:
            lead = len(english) - len(english.lstrip())
            trail = len(english) - len(english.rstrip())
            translated = table[english]
            core = translated[lead : len(translated) - trail]
            return text.replace(prose[0], html.escape(core, quote=False), 1)
        out, _ = transform_xml(text, set(IGNORE_TAGS), lambda s: mark_words(s, target_lang))
        return out

    return translate


def _derive_corrections(shared: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for lang in TARGETS:
        folder = shared / "mt_bench_x" / f"mt_bench_{lang}"
        corrected = (folder / "question.jsonl").read_text(encoding="utf-8").splitlines()
        machine = (folder / "question_original.jsonl").read_text(encoding="utf-8").splitlines()
        changed = [c for c, m in zip(corrected, machine, strict=True) if c != m]
        (out / f"{lang}.jsonl").write_text("".join(f"{line}\n" for line in changed), "utf-8")
    return out


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mt_bench_x.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def rebuilt(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("rebuild")
    corrections = _derive_corrections(shared_data, tmp / "corrections")
    env = {**os.environ, "DEEPL_AUTH_KEY": "test-key", "HF_DATASETS_OFFLINE": "1"}
    env.pop("DEEPL_SERVER_URL", None)
    args = [
        "build",
        "--from-fastchat",
        str(shared_data / "mt_bench"),
        "--langs",
        ",".join(TARGETS),
        "--translator",
        "deepl",
        "--no-preserve-code",
        "--corrections",
        str(corrections),
        "--cache",
        str(tmp / "cache.sqlite"),
        "--out",
        str(tmp / "repo"),
        "--data-dir",
        str(tmp / "data"),
    ]
    with DeepLCompatibleServer(published_translator(_published_table(shared_data))) as server:
        first = _cli(*args, "--translator-base-url", server.url, env=env)
        requests_first = len(server.requests)
        second = _cli(*args, "--translator-base-url", server.url, env=env)
        requests_second = len(server.requests) - requests_first
    assert first.returncode == 0, first.stderr
    exported = _cli(
        "export", "--repo", str(tmp / "repo"), "--data-dir", str(tmp / "exported"), env=env
    )
    assert exported.returncode == 0, exported.stderr
    return {
        "stdout": first.stdout,
        "data": tmp / "data",
        "exported": tmp / "exported",
        "requests_first": requests_first,
        "requests_second": requests_second,
        "second": second,
    }


@pytest.mark.slow
@pytest.mark.parametrize("lang", TARGETS)
def test_rebuild_reproduces_published_questions_byte_for_byte(
    rebuilt: dict, shared_data: Path, lang: str
) -> None:
    published = shared_data / "mt_bench_x" / f"mt_bench_{lang}"
    ours = rebuilt["data"] / f"mt_bench_{lang}"
    assert (ours / "question.jsonl").read_bytes() == (published / "question.jsonl").read_bytes()
    # The reference answers come out as published too (same MT, same ids and answer ids).
    ours_refs = (ours / "reference_answer" / "gpt-4.jsonl").read_bytes()
    assert ours_refs == (published / "reference_answer" / "gpt-4.jsonl").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("lang", TARGETS)
def test_export_from_the_rebuilt_repo_gives_the_same_records(
    rebuilt: dict, shared_data: Path, lang: str
) -> None:
    # Through parquet only the JSON survives, not a hand-written escape: a line whose editor
    # wrote `\u2019` for `’` comes back as canonical JSON with the same content.
    published = (shared_data / "mt_bench_x" / f"mt_bench_{lang}" / "question.jsonl").read_text(
        encoding="utf-8"
    )
    exported = (rebuilt["exported"] / f"mt_bench_{lang}" / "question.jsonl").read_text(
        encoding="utf-8"
    )
    assert [json.loads(line) for line in exported.splitlines()] == [
        json.loads(line) for line in published.splitlines()
    ]
    differing = [
        ours
        for ours, theirs in zip(exported.splitlines(), published.splitlines(), strict=True)
        if ours != theirs
    ]
    for line in differing:
        assert line == json.dumps(json.loads(line), ensure_ascii=False)
    assert len(differing) == {"DE": 0, "FR": 1, "IT": 1, "ES": 0}[lang]


@pytest.mark.slow
def test_rebuild_reports_rows_changed_by_corrections(rebuilt: dict) -> None:
    for lang, count in CHANGED.items():
        assert (
            f"{lang}: 80 questions, 30 reference answers, 12 judge prompts, " in rebuilt["stdout"]
        )
        assert f"corrections changed {count} rows" in rebuilt["stdout"].split(f"{lang}: 80")[1]


@pytest.mark.slow
def test_rebuild_marks_corrected_rows(rebuilt: dict, shared_data: Path) -> None:
    import datasets

    repo = rebuilt["data"].parent / "repo"
    for lang in TARGETS:
        rows = datasets.load_dataset(
            str(repo), lang, split="test", download_mode="force_redownload"
        )
        listed = _read(shared_data / "mt_bench_x" / f"mt_bench_{lang}" / "corrections.jsonl")
        corrected = {
            qid for qid, flag in zip(rows["question_id"], rows["corrected"], strict=True) if flag
        }
        assert corrected == {row["question_id"] for row in listed}


@pytest.mark.slow
def test_rebuild_keeps_placeholders_in_translated_judge_prompts(rebuilt: dict) -> None:
    english = {
        p.name: p
        for p in load_judge_prompts(rebuilt["data"] / "mt_bench_EN" / "judge_prompts.jsonl")
    }
    placeholder = re.compile(r"\{[a-z_0-9]+\}|\[\[[^\]]+\]\]")
    for lang in TARGETS:
        prompts = load_judge_prompts(rebuilt["data"] / f"mt_bench_{lang}" / "judge_prompts.jsonl")
        by_name = {p.name: p for p in prompts}
        assert set(by_name) == set(english)
        for name, source in english.items():
            translated = by_name[name]
            assert (
                translated.system_prompt.startswith(f"{lang.lower()}:") or not source.system_prompt
            )
            for field in ("system_prompt", "prompt_template"):
                assert sorted(placeholder.findall(getattr(translated, field))) == sorted(
                    placeholder.findall(getattr(source, field))
                ), (lang, name, field)
        assert "[[D]]" in by_name["pair-v2-both-bad"].system_prompt


@pytest.mark.slow
def test_rebuild_rerun_is_served_from_the_cache(rebuilt: dict) -> None:
    assert rebuilt["requests_first"] > 0
    assert rebuilt["second"].returncode == 0, rebuilt["second"].stderr
    assert rebuilt["requests_second"] == 0


@pytest.mark.slow
def test_english_source_keeps_fastchat_int_ids(rebuilt: dict) -> None:
    for folder in (rebuilt["data"], rebuilt["exported"]):
        questions = load_questions(folder / "mt_bench_EN" / "question.jsonl")
        assert [q.question_id for q in questions[:3]] == [81, 82, 83]


def test_rebuild_without_a_key_fails_cleanly(shared_data: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DEEPL_AUTH_KEY", "DEEPL_SERVER_URL")}
    done = _cli("build", "--from-fastchat", str(shared_data / "mt_bench"), "--langs", "DE",
                "--out", str(tmp_path / "repo"), env=env)  # fmt: skip
    assert done.returncode == 1
    assert "DEEPL_AUTH_KEY" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "repo").exists()


def test_build_needs_exactly_one_source(tmp_path: Path) -> None:
    done = _cli("build", "--out", str(tmp_path / "repo"), env=dict(os.environ))
    assert done.returncode == 2
    assert "exactly one of --from-published and --from-fastchat" in done.stderr
