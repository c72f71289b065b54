"""`lima-x build bactrian-x` end to end: configs, shares, determinism, loading, bad input."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lima_x.cli import build_app
from lima_x.flag_run import PARALLEL_MIN_ROWS
from tests.lima_x.sources import LANGS, card_header, parquet_bytes

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "examples" / "bactrian_x_sample"


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["build", "bactrian-x", *args, "--no-progress"])
    return result.exit_code, result.output


def read_split(folder: Path, paths: list[str] | str) -> list[dict]:
    rows: list[dict] = []
    for path in [paths] if isinstance(paths, str) else paths:
        rows += pq.read_table(folder / path).to_pylist()
    return rows


def configs_by_name(folder: Path) -> dict[str, dict]:
    return {c["config_name"]: c for c in card_header(folder)["configs"]}


def split_files(config: dict) -> dict[str, list[str]]:
    return {
        e["split"]: e["path"] if isinstance(e["path"], list) else [e["path"]]
        for e in config["data_files"]
    }


@pytest.fixture
def built(make_bactrian_dir: Callable[..., Path], tmp_path: Path) -> Path:
    source = make_bactrian_dir(83, missing={"IT": ["row-0005"]})
    out = tmp_path / "repo"
    code, output = build(
        "--source-dir", str(source), "--langs", "EN,DE,FR,IT,ES", "--out", str(out),
        "--seed", "7", "--mixtures", "ENDE,DEFR-sampled",
    )  # fmt: skip
    assert code == 0, output
    return out


def test_configs_rows_and_language_shares(built: Path) -> None:
    configs = configs_by_name(built)
    expected = {
        *LANGS, "ENDEFRITES", "ENDEFRITES-sampled", "DEFRITES", "DEFRITES-sampled", "ENDE",
        "DEFR-sampled", "EN_DE_FR_IT_ES", "EN_DE_FR_IT_ES_sampled", "DE_FR_IT_ES",
        "DE_FR_IT_ES_sampled", "EN_DE", "DE_FR_sampled",
    }  # fmt: skip
    assert set(configs) == expected
    assert [name for name, c in configs.items() if c.get("default")] == ["ENDEFRITES"]

    # 83 ids, one missing in IT → 82 parallel ids; 5 % validation = 4 (round(4.1)).
    mono = {
        lang: {s: read_split(built, p) for s, p in split_files(configs[lang]).items()}
        for lang in LANGS
    }
    for lang in LANGS:
        assert len(mono[lang]["train"]) == 78 and len(mono[lang]["validation"]) == 4
        assert {r["lang"] for r in mono[lang]["train"]} == {lang}
        assert all(r["id"] == f"{r['source_id']}_{lang}" for r in mono[lang]["train"])
    for split in ("train", "validation"):
        ids = [[r["source_id"] for r in mono[lang][split]] for lang in LANGS]
        assert all(i == ids[0] for i in ids), "every language has the same ids in the same order"
    assert "row-0005" not in {
        r["source_id"] for lang in LANGS for s in mono[lang].values() for r in s
    }
    train_ids = {r["source_id"] for r in mono["EN"]["train"]}
    assert not train_ids & {r["source_id"] for r in mono["EN"]["validation"]}

    full = read_split(built, split_files(configs["ENDEFRITES"])["train"])
    assert Counter(r["lang"] for r in full) == dict.fromkeys(LANGS, 78)
    assert Counter(r["lang"] for r in read_split(built, split_files(configs["ENDE"])["train"])) == {
        "EN": 78,
        "DE": 78,
    }
    for name, langs in [
        ("ENDEFRITES-sampled", LANGS),
        ("DEFRITES-sampled", LANGS[1:]),
        ("DEFR-sampled", ["DE", "FR"]),
    ]:
        for split, n in [("train", 78), ("validation", 4)]:
            rows = read_split(built, split_files(configs[name])[split])
            assert sorted(r["source_id"] for r in rows) == sorted(
                r["source_id"] for r in mono["EN"][split]
            )
            shares = Counter(r["lang"] for r in rows)
            assert set(shares) <= set(langs) and sum(shares.values()) == n
            assert max(shares.values()) - min(shares.get(lang, 0) for lang in langs) <= 1
            # a sampled row is the row of its language, unchanged
            by_id = {(r["source_id"], r["lang"]): r for lang in langs for r in mono[lang][split]}
            assert all(by_id[(r["source_id"], r["lang"])] == r for r in rows)


def test_full_mixtures_and_aliases_reuse_files(built: Path) -> None:
    configs = configs_by_name(built)
    full = split_files(configs["ENDEFRITES"])
    assert full["train"] == [split_files(configs[lang])["train"][0] for lang in LANGS]
    alias = split_files(configs["EN_DE_FR_IT_ES"])
    assert alias == {"train": full["train"], "val": full["validation"]}
    sampled = split_files(configs["DEFRITES-sampled"])
    assert split_files(configs["DE_FR_IT_ES_sampled"]) == {
        "train": sampled["train"],
        "val": sampled["validation"],
    }
    stored = sorted(str(p.relative_to(built)) for p in built.rglob("*.parquet"))
    referenced = sorted({p for c in configs.values() for ps in split_files(c).values() for p in ps})
    assert stored == referenced, "every stored file is used and nothing is stored twice"
    assert sorted({p.parent.name for p in built.rglob("*.parquet")}) == sorted(
        [*LANGS, "ENDEFRITES-sampled", "DEFRITES-sampled", "DEFR-sampled"]
    )


def test_every_config_and_alias_loads_with_datasets(built: Path, tmp_path: Path) -> None:
    configs = configs_by_name(built)
    for name, config in configs.items():
        loaded = datasets.load_dataset(str(built), name, cache_dir=str(tmp_path / "hf-cache"))
        assert set(loaded) == set(split_files(config)), name
        for split, paths in split_files(config).items():
            assert loaded[split].num_rows == len(read_split(built, paths)), (name, split)
        first = loaded["train"][0]
        assert (
            first["messages"][0]["role"] == "user" and first["messages"][-1]["role"] == "assistant"
        )
        assert set(first) >= {"id", "source_id", "lang", "messages", "source", "origin", "has_code"}


def test_card_lists_configs_report_license_and_citation(built: Path) -> None:
    header = card_header(built)
    assert header["license"] == "cc-by-nc-4.0"
    assert header["language"] == ["en", "de", "fr", "it", "es"]
    assert header["source_datasets"] == ["MBZUAI/Bactrian-X"]
    assert header["task_categories"] == ["text-generation"]
    assert header["size_categories"] == ["n<1K"]
    text = (built / "README.md").read_text(encoding="utf-8")
    assert "arXiv" in text and "2402.13703" in text and "Weber" in text
    for name in configs_by_name(built):
        assert f"`{name}`" in text
    report = json.loads((built / "build_report.json").read_text(encoding="utf-8"))
    assert report["seed"] == 7 and report["rows"]["ENDEFRITES"] == {"train": 390, "validation": 20}
    assert report["dropped"] == {
        f"{lang}: id not in every language": 1 for lang in LANGS if lang != "IT"
    }
    assert set(report["flags"]) == set(LANGS)
    assert report["flags"]["EN"]["rows"] == 82
    assert "| ENDEFRITES | 390 | 20 |" in text


def test_same_seed_same_bytes_other_seed_other_assignment(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(60)
    outs = {}
    for name, seed in [("a", "3"), ("b", "3"), ("c", "4")]:
        outs[name] = tmp_path / name
        code, output = build(
            "--source-dir",
            str(source),
            "--langs",
            "EN,DE,FR",
            "--out",
            str(outs[name]),
            "--seed",
            seed,
        )
        assert code == 0, output
    assert parquet_bytes(outs["a"]) == parquet_bytes(outs["b"])
    a, c = parquet_bytes(outs["a"]), parquet_bytes(outs["c"])
    assert a.keys() == c.keys()
    assert (
        a["data/ENDEFR-sampled/train-00000-of-00001.parquet"]
        != c["data/ENDEFR-sampled/train-00000-of-00001.parquet"]
    )


def test_sampled_shares_over_both_splits_differ_by_at_most_one(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    """45 ids: 43 train (one extra row) and 2 validation (two extra rows) over 3 languages;
    the validation split continues the train split's rotation, so every language gets 15."""
    source = make_bactrian_dir(45, langs=["EN", "DE", "FR"])
    for seed in range(4):
        out = tmp_path / f"seed-{seed}"
        code, output = build(
            "--source-dir", str(source), "--langs", "EN,DE,FR", "--out", str(out),
            "--seed", str(seed), "--no-default-mixtures", "--mixtures", "ENDEFR-sampled",
        )  # fmt: skip
        assert code == 0, output
        files = split_files(configs_by_name(out)["ENDEFR-sampled"])
        per_split = {s: Counter(r["lang"] for r in read_split(out, files[s])) for s in files}
        assert sorted(per_split["train"].values()) == [14, 14, 15]
        assert sorted(per_split["validation"].values()) == [1, 1]
        total = per_split["train"] + per_split["validation"]
        assert total == {"EN": 15, "DE": 15, "FR": 15}, (seed, per_split)


def test_small_variant_is_parallel_and_cut(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(400)
    out = tmp_path / "small"
    code, output = build(
        "--source-dir", str(source), "--langs", "EN,DE,FR,IT,ES", "--out", str(out),
        "--small-size", "103",
    )  # fmt: skip
    assert code == 0, output
    configs = configs_by_name(out)
    ids = {}
    for lang in LANGS:
        files = split_files(configs[lang])
        ids[lang] = {s: [r["source_id"] for r in read_split(out, p)] for s, p in files.items()}
        assert len(ids[lang]["train"]) == 103
        assert len(ids[lang]["validation"]) == 5  # round(103 * 52 / 1030)
    assert all(ids[lang] == ids["EN"] for lang in LANGS)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "- small variant: 103 training ids, the same in every language" in card
    sampled = read_split(out, split_files(configs["ENDEFRITES-sampled"])["train"])
    assert sorted(Counter(r["lang"] for r in sampled).values()) == [20, 20, 21, 21, 21]
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["small_size"] == 103


def test_small_size_above_the_source_keeps_all_and_says_so(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = make_bactrian_dir(40, langs=["EN", "DE"])
    out = tmp_path / "small"
    code, output = build(
        "--source-dir", str(source), "--langs", "EN,DE", "--out", str(out), "--small-size", "1030",
    )  # fmt: skip
    assert code == 0, output
    assert "only 38 train ids exist" in caplog.text
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "- small variant: 38 training ids (asked for 1030; the source has no more)" in card


def test_shipped_sample_builds(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    code, output = build(
        "--source-dir", str(SAMPLE), "--langs", "EN,DE,FR,IT,ES", "--out", str(out)
    )
    assert code == 0, output
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["rows"]["ENDEFRITES-sampled"] == {"train": 38, "validation": 2}
    # the sample has two code answers and two poem/joke requests in every language
    assert all(report["flags"][lang]["has_code"] == 2 for lang in LANGS)
    assert all(report["flags"][lang]["untranslatable"] == 2 for lang in LANGS)
    assert all(report["flags"][lang]["not_source_language"] == 0 for lang in LANGS)


def test_bad_row_fails_cleanly_without_output(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(20)
    path = source / "data" / "fr.json.gz"
    broken = json.loads(gzip.decompress(path.read_bytes()))
    del broken[7]["output"]
    path.write_bytes(gzip.compress(json.dumps(broken).encode("utf-8")))
    out = tmp_path / "out"
    code, output = build("--source-dir", str(source), "--langs", "EN,FR", "--out", str(out))
    assert code == 1
    assert "fr.json.gz, row 8: expected 'output'" in output
    assert not out.exists()
    assert list(tmp_path.glob(".out*")) == []


def test_missing_language_file_and_bad_mixture(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(10, langs=["EN", "DE"])
    code, output = build(
        "--source-dir", str(source), "--langs", "EN,DE,PT", "--out", str(tmp_path / "o")
    )
    assert code == 1 and "data/pt.json.gz" in output
    code, output = build(
        "--source-dir",
        str(source),
        "--langs",
        "EN,DE",
        "--out",
        str(tmp_path / "o"),
        "--mixtures",
        "ENFR",
    )
    assert code == 1 and "mixture 'ENFR'" in output
    assert not (tmp_path / "o").exists()


def test_existing_output_needs_overwrite(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(10, langs=["EN", "DE"])
    out = tmp_path / "out"
    assert build("--source-dir", str(source), "--langs", "EN,DE", "--out", str(out))[0] == 0
    marker = out / "data" / "EN" / "train-00000-of-00001.parquet"
    before = marker.read_bytes()
    code, output = build("--source-dir", str(source), "--langs", "EN,DE", "--out", str(out))
    assert code == 1 and "--overwrite" in output
    code, output = build(
        "--source-dir",
        str(source),
        "--langs",
        "EN,DE",
        "--out",
        str(out),
        "--overwrite",
        "--seed",
        "9",
    )
    assert code == 0, output
    assert marker.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bactrian", "out"]


def test_flags_come_from_the_english_rows_unless_every_language_is_asked(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(30, langs=["EN", "DE"])
    path = source / "data" / "en.json.gz"
    rows = json.loads(gzip.decompress(path.read_bytes()))
    for row in rows:
        row["output"] = "Like this:\n\n```python\nprint('x')\n```"
    path.write_bytes(gzip.compress(json.dumps(rows).encode("utf-8")))
    for extra, expected in [((), True), (("--flag-every-language",), False)]:
        out = tmp_path / f"out{len(extra)}"
        code, output = build(
            "--source-dir", str(source), "--langs", "EN,DE", "--out", str(out), *extra
        )
        assert code == 0, output
        de = read_split(out, "data/DE/train-00000-of-00001.parquet")
        assert {r["has_code"] for r in de} == {expected}
        report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
        assert report["flags"]["DE"]["has_code"] == (30 if expected else 0)
        assert ("copied" in report["flags_rule"]) is expected


EN_ANSWER = (
    "The best way to learn it is to practise a little every day, and you should not worry "
    "if it takes some time before you can see the results of the work."
)
FR_ANSWER = (
    "La meilleure façon de l'apprendre est de pratiquer un peu chaque jour, et il ne faut pas "
    "s'inquiéter si cela prend du temps avant que vous ne voyiez les résultats."
)


def edit_row(source: Path, lang: str, row_id: str, fields: dict[str, str]) -> None:
    path = source / "data" / f"{lang.lower()}.json.gz"
    rows = json.loads(gzip.decompress(path.read_bytes()))
    next(r for r in rows if r["id"] == row_id).update(fields)
    path.write_bytes(gzip.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8")))


def test_language_flags_are_computed_on_each_languages_own_rows(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(40, langs=["EN", "DE", "FR"])
    edits = {
        # a failed machine translation: the German row is English
        "de": ("row-0003", {"instruction": "How can I learn it quickly?", "output": EN_ANSWER}),
        # a French row with one French and one English paragraph
        "fr": ("row-0005", {"output": f"{FR_ANSWER}\n\n{EN_ANSWER}"}),
    }
    for name, (row_id, fields) in edits.items():
        edit_row(source, name, row_id, fields)
    out = tmp_path / "out"
    code, output = build("--source-dir", str(source), "--langs", "EN,DE,FR", "--out", str(out))
    assert code == 0, output
    rows = [
        r
        for lang in ("EN", "DE", "FR")
        for split in ("train", "validation")
        for r in read_split(out, f"data/{lang}/{split}-00000-of-00001.parquet")
    ]
    assert len(rows) == 120
    assert [r["id"] for r in rows if r["not_source_language"]] == ["row-0003_DE"]
    assert [r["id"] for r in rows if r["mixed_language"]] == ["row-0005_FR"]
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["flags"]["DE"]["not_source_language"] == 1
    assert report["flags"]["FR"]["mixed_language"] == 1
    assert report["flags"]["EN"]["not_source_language"] == 0
    assert report["flags"]["EN"]["mixed_language"] == 0
    assert "own language" in report["flags_rule"] and "copied" in report["flags_rule"]


def test_one_or_two_workers_write_the_same_bytes(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    n_rows = PARALLEL_MIN_ROWS  # each language file is flagged by the workers while read
    source = make_bactrian_dir(n_rows, langs=["EN", "DE", "FR"])
    for i in range(0, n_rows, 197):
        edit_row(source, "DE", f"row-{i:04d}", {"output": EN_ANSWER})
        edit_row(source, "FR", f"row-{i + 1:04d}", {"output": f"{FR_ANSWER}\n\n{EN_ANSWER}"})
        edit_row(source, "EN", f"row-{i + 2:04d}", {"output": "```python\nprint(1)\n```"})
    outs = {}
    for workers in ("1", "2"):
        outs[workers] = tmp_path / f"w{workers}"
        code, output = build(
            "--source-dir", str(source), "--langs", "EN,DE,FR", "--out", str(outs[workers]),
            "--workers", workers,
        )  # fmt: skip
        assert code == 0, output
    assert parquet_bytes(outs["1"]) == parquet_bytes(outs["2"])
    report = json.loads((outs["2"] / "build_report.json").read_text(encoding="utf-8"))
    expected = len(range(0, n_rows, 197))
    assert report["flags"]["DE"]["not_source_language"] == expected
    assert report["flags"]["FR"]["mixed_language"] == expected
    assert all(report["flags"][lang]["has_code"] == expected for lang in ("EN", "DE", "FR"))
    # The pipeline's counts per reason reach the report (the same for any worker count) and
    # the card: every row checked once; the language flags on every row, the source flags
    # (has_code) on the EN rows only, then copied.
    assert (outs["1"] / "build_report.json").read_bytes() == (
        outs["2"] / "build_report.json"
    ).read_bytes()
    assert report["rows_checked"] == 3 * n_rows
    for name in ("not_source_language", "mixed_language"):
        assert report["flagged"].get(name, 0) == sum(
            report["flags"][lang][name] for lang in ("EN", "DE", "FR")
        )
    assert report["flagged"]["has_code"] == report["flags"]["EN"]["has_code"] == expected
    card = (outs["2"] / "README.md").read_text(encoding="utf-8")
    assert f"The flag steps checked {3 * n_rows} rows and set `has_code` {expected}," in card


def test_overwrite_never_deletes_the_source(
    make_bactrian_dir: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_bactrian_dir(12, langs=["EN", "DE"])
    before = parquet_bytes(source)
    for out in (source, source.parent):
        code, output = build(
            "--source-dir", str(source), "--langs", "EN,DE", "--out", str(out), "--overwrite"
        )
        assert code == 1
        assert output.strip().splitlines() == [
            f"error: --out {out} holds the source {source}; replacing it would delete the "
            "source: write to another folder"
        ]
        assert parquet_bytes(source) == before
