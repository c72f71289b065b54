"""`lima-x build lima` through the real DeepL SDK against the local DeepL-compatible server."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lima_x.cli import build_app
from tests.lima_x.sources import (
    FILLER,
    LANGS,
    card_header,
    lima_rows,
    parquet_bytes,
    write_jsonl,
)
from tests.servers.deepl_server import DeepLCompatibleServer

CODE_ANSWER = (
    "Use a loop:\n\n```python\ndef total(values):\n    # add every value\n"
    "    result = 0\n    for value in values:\n        result += value\n    return result\n```"
)


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    rows = lima_rows(9)
    rows.append(
        {
            "conversations": ["How do I sum a list in Python?", CODE_ANSWER],
            "source": "stackexchange",
        }
    )
    rows.append({"conversations": ["Write a poem about tea.", "Tea in the pot."], "source": "nlp"})
    train = write_jsonl(tmp_path / "lima" / "train.jsonl", rows)
    validation = write_jsonl(tmp_path / "lima" / "validation.jsonl", lima_rows(3))
    return train, validation


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["build", "lima", *args, "--no-progress"])
    return result.exit_code, result.output


def deepl_args(train: Path, validation: Path, out: Path, cache: Path) -> list[str]:
    return [
        "--source", str(train), "--validation", str(validation), "--langs", "EN,DE,FR,IT,ES",
        "--translator", "deepl", "--out", str(out), "--cache", str(cache), "--seed", "5",
    ]  # fmt: skip


def rows_of(folder: Path, config: str, split: str) -> list[dict]:
    return pq.read_table(folder / f"data/{config}/{split}-00000-of-00001.parquet").to_pylist()


def test_deepl_build_translates_keeps_code_and_loads(
    sources: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train, validation = sources
    out, cache = tmp_path / "lima-x", tmp_path / "cache.sqlite"
    with DeepLCompatibleServer() as server:
        monkeypatch.setenv("DEEPL_AUTH_KEY", "test-key")
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        code, output = build(
            *deepl_args(train, validation, out, cache), "--formality", "prefer_less"
        )
        assert code == 0, output
        first_requests = len(server.requests)
        assert first_requests > 0
        assert {r["target_lang"] for r in server.requests} == {"DE", "FR", "IT", "ES"}
        assert all(r["options"].get("formality") == "prefer_less" for r in server.requests)

        # Second run: everything comes from the cache, byte-identical output.
        again = tmp_path / "again"
        code, output = build(
            *deepl_args(train, validation, again, cache), "--formality", "prefer_less"
        )
        assert code == 0, output
        assert len(server.requests) == first_requests
    assert parquet_bytes(out) == parquet_bytes(again)

    en, de = rows_of(out, "EN", "train"), rows_of(out, "DE", "train")
    assert [r["id"] for r in de] == [f"{i}_DE" for i in range(11)]
    assert [r["source_id"] for r in de] == [r["source_id"] for r in en]
    assert [r["id"] for r in rows_of(out, "FR", "validation")] == ["v0_FR", "v1_FR", "v2_FR"]
    assert {r["origin"] for r in en} == {"original"} and {r["origin"] for r in de} == {
        "machine_translation"
    }
    # The server marks every translated word with the target code.
    assert de[0]["messages"][0]["content"].startswith("de:")
    assert [m["role"] for m in de[3]["messages"]] == ["user", "assistant", "user", "assistant"]
    code_row = de[9]["messages"][1]["content"]
    for identifier in ("def total(values):", "result = 0", "for value in values:", "return result"):
        assert identifier in code_row
    assert "de:add" in code_row  # the comment is translated
    # Flags are set on the source and carried to every language.
    for lang in LANGS:
        rows = rows_of(out, lang, "train")
        assert rows[9]["has_code"] and rows[10]["untranslatable"]
        assert not rows[0]["has_code"]

    header = card_header(out)
    assert header["license"] == "cc-by-nc-sa-4.0" and header["source_datasets"] == ["GAIR/lima"]
    names = [c["config_name"] for c in header["configs"]]
    for name in names:
        loaded = datasets.load_dataset(str(out), name, cache_dir=str(tmp_path / "hf-cache"))
        assert loaded["train"].num_rows > 0 and len(loaded) == 2, name
    sampled = datasets.load_dataset(
        str(out), "EN_DE_FR_IT_ES_sampled", cache_dir=str(tmp_path / "hf")
    )
    assert sorted(Counter(sampled["train"]["lang"]).values()) == [2, 2, 2, 2, 3]
    assert sorted(sampled["val"]["source_id"]) == ["v0", "v1", "v2"]
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["translator"].startswith("deepl")
    assert report["translation_options"]["formality"] == "prefer_less"
    assert report["flags"]["DE"]["has_code"] == 1
    # The pipeline checked every source row and every translated row once; the source flags
    # were set on the source rows only (then copied), the language flags wherever they hold.
    assert report["rows_checked"] == sum(per["rows"] for per in report["flags"].values())
    assert report["flagged"]["has_code"] == report["flags"]["EN"]["has_code"] == 1
    assert report["flagged"]["untranslatable"] == report["flags"]["EN"]["untranslatable"]
    text = (out / "README.md").read_text(encoding="utf-8")
    assert f"The flag steps checked {report['rows_checked']} rows" in text
    assert "0-based line" in text and "v<line>" in text


def test_quota_stop_leaves_no_output_and_the_rerun_pays_only_the_rest(
    sources: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train, validation = sources
    out, cache = tmp_path / "out", tmp_path / "cache.sqlite"
    monkeypatch.setenv("DEEPL_AUTH_KEY", "test-key")
    with DeepLCompatibleServer(character_quota=2500) as server:
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        code, output = build(*deepl_args(train, validation, out, cache))
        paid_first = [t for r in server.requests if r["status"] == 200 for t in r["texts"]]
    assert code == 1
    assert "quota" in output.lower()
    assert not out.exists()
    assert paid_first, "part of the work was done before the quota ran out"
    with DeepLCompatibleServer() as server:
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        code, output = build(*deepl_args(train, validation, out, cache))
        paid_second = [(r["target_lang"], t) for r in server.requests for t in r["texts"]]
    assert code == 0, output
    unique_sources = {
        m for path in (train, validation) for row in map(json.loads, path.read_text().splitlines())
        for m in row["conversations"]
    }  # fmt: skip
    assert len(paid_first) + len(paid_second) == 4 * len(unique_sources)
    assert len(set(paid_second)) == len(paid_second), "nothing is sent twice"


def test_dry_run_estimates_per_language_and_calls_nothing(
    sources: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train, validation = sources
    monkeypatch.setenv("DEEPL_AUTH_KEY", "test-key")
    with DeepLCompatibleServer() as server:
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        out = tmp_path / "out"
        code, output = build(
            *deepl_args(train, validation, out, tmp_path / "c.sqlite"), "--dry-run"
        )
        assert server.requests == []
    assert code == 0, output
    assert not out.exists()
    lines = {line.split()[0]: line.split() for line in output.splitlines() if line.strip()}
    for lang in ("DE", "FR", "IT", "ES"):
        assert lang in lines and int(lines[lang][1]) > 0  # texts to send
    assert "USD" in output and "characters" in output


def test_dry_run_needs_no_out_but_a_build_does(sources: tuple[Path, Path], tmp_path: Path) -> None:
    train, validation = sources
    common = ["--source", str(train), "--validation", str(validation), "--langs", "EN,DE"]
    common += ["--cache", str(tmp_path / "c.sqlite")]
    code, output = build(*common, "--translator", "deepl", "--dry-run")
    assert code == 0, output
    assert "dry run:" in output and "DE" in output
    code, output = build(*common, "--translator", "none")
    assert code == 2
    assert "--out" in output and "--dry-run" in output
    assert list(tmp_path.iterdir()) == [tmp_path / "lima"]


def test_a_bare_hub_id_as_validation_asks_for_a_file(
    sources: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # never the network
    train, _ = sources
    code, output = build(
        "--source", str(train), "--validation", "GAIR/lima", "--langs", "EN",
        "--translator", "none", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 1
    assert output.strip().splitlines() == [
        "error: GAIR/lima names a dataset repo, not a file: give a local file or "
        "hf://datasets/GAIR/lima/<file> (GAIR/lima has no validation set; its test.jsonl holds "
        "prompts without answers)"
    ]
    assert not (tmp_path / "out").exists()


def test_translator_none_builds_the_source_language_only(
    sources: tuple[Path, Path], tmp_path: Path
) -> None:
    train, _ = sources
    out = tmp_path / "en-only"
    code, output = build(
        "--source", str(train), "--langs", "EN,DE", "--translator", "none", "--out", str(out),
        "--validation-fraction", "0.05",
    )  # fmt: skip
    assert code == 0, output
    names = [c["config_name"] for c in card_header(out)["configs"]]
    assert names == ["EN"]
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    # No validation file: 5 % of train (at least one row) is held out with the seed.
    assert report["rows"]["EN"] == {"train": 10, "validation": 1}
    assert "held out" in report["validation_rule"]
    assert (
        datasets.load_dataset(str(out), "EN", cache_dir=str(tmp_path / "hf"))["validation"].num_rows
        == 1
    )


def test_missing_key_and_bad_source_fail_clearly(
    sources: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train, validation = sources
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    out = tmp_path / "out"
    code, output = build(*deepl_args(train, validation, out, tmp_path / "c.sqlite"))
    assert code == 1 and "DEEPL_AUTH_KEY" in output
    bad = write_jsonl(tmp_path / "bad.jsonl", [*lima_rows(2), {"conversations": ["no answer"]}])
    code, output = build(
        "--source", str(bad), "--validation", str(validation), "--langs", "EN",
        "--translator", "none", "--out", str(out),
    )  # fmt: skip
    assert code == 1 and "bad.jsonl, row 3" in output and "user/assistant pairs" in output
    assert not out.exists()


def test_dry_run_request_count_matches_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 61 train rows (> 100 texts: several chunks of 50) and a validation file whose rows 1, 6, 11
    # are new, the others repeat train texts (sent once, with the train split).
    rows = lima_rows(61)
    rows.append({"conversations": ["Only code here?", "```\nx = 1\n```"], "source": "nlp"})
    train = write_jsonl(tmp_path / "lima" / "train.jsonl", rows)
    held_out = lima_rows(12)
    for row in held_out[1::5]:
        row["conversations"] = [f"Held out: {text}" for text in row["conversations"]]
    validation = write_jsonl(tmp_path / "lima" / "validation.jsonl", held_out)
    cache, out = tmp_path / "c.sqlite", tmp_path / "out"
    monkeypatch.setenv("DEEPL_AUTH_KEY", "test-key")
    with DeepLCompatibleServer() as server:
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        code, output = build(*deepl_args(train, validation, out, cache), "--dry-run")
        assert code == 0, output
        assert server.requests == []
        estimated = {
            parts[0]: int(parts[4])
            for parts in map(str.split, output.splitlines())
            if parts and parts[0] in ("DE", "FR", "IT", "ES", "total")
        }
        code, output = build(*deepl_args(train, validation, out, cache))
        assert code == 0, output
        sent = Counter(r["target_lang"] for r in server.requests if r["status"] == 200)
    assert all(r["status"] == 200 for r in server.requests)
    assert sent["DE"] > 2, "several requests per language (per split and chunk)"
    assert estimated == {**{lang: sent[lang] for lang in ("DE", "FR", "IT", "ES")},
                         "total": len(server.requests)}  # fmt: skip


def test_language_flags_are_computed_on_each_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A translation that came back in English is flagged in its own language only."""
    untranslated = "Tell me about the garden"
    rows = lima_rows(4)
    rows.append(
        {
            "conversations": [
                f"{untranslated}, please.",
                f"The garden is where you grow food, and {FILLER['EN']} in the spring.",
            ],
            "source": "wikihow",
        }
    )
    train = write_jsonl(tmp_path / "lima" / "train.jsonl", rows)
    validation = write_jsonl(tmp_path / "lima" / "validation.jsonl", lima_rows(2))

    def translate(text: str, source: str | None, target: str) -> str:
        if untranslated in text or "The garden" in text:
            return text  # the translation service left this sample in English
        return f"{FILLER[target]} {FILLER[target]}."

    out = tmp_path / "lima-x"
    with DeepLCompatibleServer(translate) as server:
        monkeypatch.setenv("DEEPL_AUTH_KEY", "test-key")
        monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
        code, output = build(*deepl_args(train, validation, out, tmp_path / "cache.sqlite"))
    assert code == 0, output

    garden_id = "4"
    for lang in LANGS:
        flagged = {
            row["source_id"]
            for split in ("train", "validation")
            for row in rows_of(out, lang, split)
            if row["not_source_language"]
        }
        assert flagged == (set() if lang == "EN" else {garden_id}), lang
