"""``mt-bench-x report`` on judgment files with known content (:mod:`report_fixtures`): every
expected number is computed by hand in the comments next to it."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mt_bench_x.cli import build_app
from mt_bench_x.results.report import ReportOptions, build_frames
from mt_bench_x.results.report.bootstrap import mean_interval
from tests.mt_bench_x.report_fixtures import DE, EN, JUDGE, MIX, make_report_data


def cli(*args: str) -> tuple[int, str]:
    """Exit code and output; an error the CLI's handler would print is part of the output."""
    result = CliRunner().invoke(build_app(), list(args))
    error = "" if result.exception is None else str(result.exception)
    return result.exit_code, result.output + error


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    data = make_report_data(root / "data")
    code, output = cli(
        "report", "--data-dir", str(data), "--judge-model", JUDGE, "--out", str(root / "out")
    )
    assert code == 0, output
    assert "relative_ratio_of_means = (mean of mixture / mean of monolingual - 1) * 100" in output
    return root / "out"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def score_row(out: Path, model: str, lang: str, category: str, turn: str) -> dict[str, str]:
    found = [
        r
        for r in rows(out / "scores.csv")
        if (r["model"], r["lang"], r["category"], r["turn"]) == (model, lang, category, turn)
    ]
    assert len(found) == 1, (model, lang, category, turn)
    assert found[0]["judge"] == JUDGE
    return found[0]


def test_scores_per_cell(report_dir: Path) -> None:
    # Lima-DE in DE: writing 4 (q1, q2, both turns), math 2 -> average 3 over 8 scores
    assert float(score_row(report_dir, DE, "DE", "writing", "all")["score"]) == 4
    assert float(score_row(report_dir, DE, "DE", "math", "1")["score"]) == 2
    overall = score_row(report_dir, DE, "DE", "all", "all")
    assert (float(overall["score"]), int(overall["n"]), int(overall["failed"])) == (3, 8, 0)
    # the interval of a mean of 4s and 2s lies in [2, 4] and is not a point
    assert 2 <= float(overall["ci_low"]) < 3 < float(overall["ci_high"]) <= 4
    # cross-lingual: mean of DE 3 and EN 2
    assert float(score_row(report_dir, DE, "all", "all", "all")["score"]) == 2.5
    # the mixture's one unreadable EN verdict is dropped (FastChat) and counted as failed
    mix = score_row(report_dir, MIX, "EN", "all", "all")
    assert (float(mix["score"]), int(mix["n"]), int(mix["failed"])) == (5, 7, 1)
    # Lima-EN in EN: run 0 all 6, run 1 all 8 -> 7 over 16 scores, run sd = sqrt(2)
    two_runs = score_row(report_dir, EN, "EN", "all", "all")
    assert (float(two_runs["score"]), int(two_runs["n"]), int(two_runs["runs"])) == (7, 16, 2)
    assert math.isclose(float(two_runs["run_sd"]), math.sqrt(2), rel_tol=1e-4)


def test_paper_scoring_counts_unreadable_verdicts_as_zero(tmp_path: Path) -> None:
    data = make_report_data(tmp_path / "data")
    options = ReportOptions(data, [JUDGE], ["DE", "EN"], scoring="paper", answer_language=False)
    table = build_frames(options).scores.table
    cell = table[(table["model"] == MIX) & (table["lang"] == "EN")]
    overall = cell[(cell["category"] == "all") & (cell["turn"] == "all")].iloc[0]
    assert (overall["score"], overall["n"]) == (35 / 8, 8)  # seven 5s and one 0


def test_runs_option_selects_runs(tmp_path: Path) -> None:
    data = make_report_data(tmp_path / "data")
    options = ReportOptions(data, [JUDGE], ["EN"], runs=[0], answer_language=False)
    table = build_frames(options).scores.table
    cell = table[(table["model"] == EN) & (table["category"] == "all") & (table["turn"] == "all")]
    assert cell.iloc[0]["score"] == 6


@pytest.mark.parametrize(
    ("monolingual", "turn", "expected"),
    [
        # vs Lima-DE, turn 1: mixture DE 5, EN 5; Lima-DE DE 3, EN 2
        # points ((5-3)+(5-2))/2 = 2.5; scale 25%; ratios (2/3 + 3/2)/2 = 108.33%;
        # ratio of means 5/2.5 - 1 = 100%
        ("DE", "1", (2.5, 25.0, 108.3333, 100.0)),
        # vs Lima-EN, turn 1: Lima-EN DE 3, EN (6+8)/2 = 7 -> points 0; ratios (2/3 - 2/7)/2
        ("EN", "1", (0.0, 0.0, 19.0476, 0.0)),
    ],
)
def test_improvement_under_every_formula(
    report_dir: Path, monolingual: str, turn: str, expected: tuple[float, ...]
) -> None:
    found = [
        r
        for r in rows(report_dir / "improvement.csv")
        if r["monolingual"] == monolingual and r["turn"] == turn and r["mixture"] == "ENDEFRITES"
    ]
    assert len(found) == 1
    row = found[0]
    assert (row["base"], row["dataset"], row["langs"]) == ("base", "Lima", "DE,EN")
    formulas = ("points", "scale_percent", "relative_mean_of_ratios", "relative_ratio_of_means")
    for name, value in zip(formulas, expected, strict=True):
        assert math.isclose(float(row[name]), value, abs_tol=1e-3), name


def test_position_bias_before_and_after_mitigation(report_dir: Path) -> None:
    bias = {
        (r["prompts"], r["lang"], r["category"]): r for r in rows(report_dir / "position_bias.csv")
    }
    # DE, 3-option, 2 runs x 8 games: run 0 q1t1, q2t1 and run 1 q2t1, q3t1 inconsistent (4/16);
    # run 0 q1t1 is consistent in run 1 (mitigated), the other three are not (3/16)
    every = bias[("3-option", "DE", "all")]
    assert (int(every["games"]), int(every["inconsistent"])) == (16, 4)
    assert (float(every["rate"]), float(every["rate_mitigated"])) == (25.0, 18.75)
    assert float(every["reduction"]) == 6.25
    writing = bias[("3-option", "DE", "writing")]  # 3/8 -> 2/8
    assert (float(writing["rate"]), float(writing["rate_mitigated"])) == (37.5, 25.0)
    math_row = bias[("3-option", "DE", "math")]  # 1/8, nothing later to take
    assert (float(math_row["rate"]), float(math_row["rate_mitigated"])) == (12.5, 12.5)
    # the [[D]] judgment of the same game is its own experiment, never mixed in
    assert int(bias[("both-bad", "DE", "all")]["games"]) == 1


def test_pairwise_shares_averaged_over_runs(report_dir: Path) -> None:
    shares = {
        (r["prompts"], r["lang"], r["model"], r["opponent"], r["category"]): r
        for r in rows(report_dir / "pairwise.csv")
    }
    # each run: 6 of 8 matches won by the mixture in both orders, 2 inconsistent (ties)
    every = shares[("3-option", "DE", DE, MIX, "all")]
    assert (float(every["loss"]), float(every["tie"]), float(every["win"])) == (0.75, 0.25, 0.0)
    assert (int(every["runs"]), int(every["games"])) == (2, 16)
    both = shares[("both-bad", "DE", DE, MIX, "all")]
    assert float(both["both_bad"]) == 1.0


def test_bradley_terry_order(report_dir: Path) -> None:
    ranked = [r for r in rows(report_dir / "ranking.csv") if r["prompts"] == "3-option"]
    # EN: the mixture beats both, Lima-EN beats Lima-DE, in every game
    assert [r["model"] for r in sorted(ranked, key=lambda r: int(r["rank"]))] == [MIX, EN, DE]
    strengths = [float(r["strength"]) for r in sorted(ranked, key=lambda r: int(r["rank"]))]
    assert strengths[0] > strengths[1] > strengths[2]


def test_answer_language_share(report_dir: Path) -> None:
    answers = {(r["model"], r["lang"]): r for r in rows(report_dir / "answers.csv")}
    assert float(answers[(EN, "DE")]["off_language"]) == 1.0  # English answers to German
    assert float(answers[(DE, "DE")]["off_language"]) == 0.0
    assert float(answers[(MIX, "EN")]["off_language"]) == 0.0


def test_paper_tables_markdown_and_latex(report_dir: Path) -> None:
    markdown = (report_dir / "tables.md").read_text(encoding="utf-8")
    assert "| model | writing | math | avg |" in markdown
    assert "| base/Lima-DE | 4.00 | 2.00 | 3.00 |" in markdown
    # group average in DE: writing (4+3+5)/3, math (2+3+5)/3, average (3+3+5)/3
    assert "| base Lima avg. | 4.00 | 3.33 | 3.67 |" in markdown
    latex = (report_dir / "tables.tex").read_text(encoding="utf-8")
    assert r"\begin{tabular}{lrrr}" in latex
    assert r"base/Lima-DE & 4.00 & 2.00 & 3.00 \\" in latex


def test_pngs_open_and_are_not_blank(report_dir: Path) -> None:
    from PIL import Image

    pngs = sorted(report_dir.glob("*.png"))
    names = {p.name.split("_")[0] for p in pngs}
    assert {"fig1", "fig2", "fig4", "fig5", "fig6", "fig7"} <= names
    for path in pngs:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L"))
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100, path.name
        assert (pixels < 250).mean() > 0.01, f"{path.name} is blank"


def test_report_html_loads_in_chromium(report_dir: Path, chromium) -> None:
    chromium.get((report_dir / "report.html").as_uri())
    assert chromium.title == "MT-Bench-X report"
    images = chromium.find_elements("tag name", "img")
    assert len(images) == len(list(report_dir.glob("*.png")))
    for image in images:
        assert chromium.execute_script("return arguments[0].naturalWidth", image) > 0
    errors = [entry for entry in chromium.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_out_folder_that_is_not_a_report_is_refused(tmp_path: Path) -> None:
    data = make_report_data(tmp_path / "data")
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine")
    code, output = cli(
        "report", "--data-dir", str(data), "--judge-model", JUDGE, "--out", str(keep)
    )
    assert code == 1 and "not a previous report" in output
    assert (keep / "notes.txt").read_text() == "mine"


def test_no_judgments_is_a_clear_error(tmp_path: Path) -> None:
    data = make_report_data(tmp_path / "data")
    code, output = cli("report", "--data-dir", str(data), "--judge-model", "nobody", "--out",
                       str(tmp_path / "out"))  # fmt: skip
    assert code == 1 and "no judgments of nobody" in output


def test_bootstrap_interval_coverage() -> None:
    """95% intervals of a mean of n = 80 scores from a known distribution cover the true mean
    in 93-97% of 1,000 seeded replicates."""
    values = np.arange(1, 11)
    probabilities = np.array([0.05, 0.1, 0.15, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05])
    true_mean = float(values @ probabilities)
    rng = np.random.default_rng(2024)
    covered = 0
    for replicate in range(1000):
        sample = rng.choice(values, size=80, p=probabilities)
        low, high = mean_interval(sample, resamples=1000, seed=replicate)
        covered += low <= true_mean <= high  # type: ignore[operator]
    assert 0.93 <= covered / 1000 <= 0.97


def test_stale_judgments_are_skipped_and_counted(tmp_path: Path, shared_data: Path) -> None:
    """A judgment made on an answer that changed since does not count in the report."""
    import json

    from tests.mt_bench_x.judge_fixtures import judge_reply, make_data_dir
    from tests.servers.openai_server import OpenAICompatibleServer

    data = make_data_dir(tmp_path / "data", shared_data, per_category=1)
    with OpenAICompatibleServer(judge_reply) as server:
        result = CliRunner().invoke(
            build_app(),
            ["judge", "--lang", "DE", "--data-dir", str(data), "--judge-base-url",
             server.base_url, "--no-progress", "--model-list", "model-a", "model-b"],
            env={"OPENAI_API_KEY": "test"},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    answers = data / "mt_bench_DE" / "model_answer" / "model-a.jsonl"
    lines = [json.loads(line) for line in answers.read_text().splitlines()]
    lines[0]["choices"][0]["turns"][0] = "An answer rewritten after it was judged."
    answers.write_text("".join(json.dumps(line) + "\n" for line in lines))

    code, output = cli("report", "--data-dir", str(data), "--judge-model", "gpt-4", "--lang",
                       "DE", "--out", str(tmp_path / "out"), "--no-answer-language")  # fmt: skip
    assert code == 0, output
    (files,) = rows(tmp_path / "out" / "judgment_files.csv")
    # both turns of the rewritten answer: turn 2's prompt holds turn 1's answer too
    assert (int(files["stale"]), int(files["unchecked"])) == (2, 0)
    assert "Skipped 2 stale judgment line(s)" in output
    n = {r["model"]: int(r["n"]) for r in rows(tmp_path / "out" / "scores.csv")
         if r["category"] == "all" and r["turn"] == "all"}  # fmt: skip
    assert n["model-a"] == n["model-b"] - 2


def test_length_bias(report_dir: Path) -> None:
    bias = {(r["prompts"], r["lang"]): r for r in rows(report_dir / "length_bias.csv")}
    # EN: Lima-DE answers in German (79 characters) and loses both its pairs to English
    # answers (78): 16 decisive matches of different lengths, the longer answer won none.
    # Lima-EN vs the mixture: equal lengths, not counted.
    en = bias[("3-option", "EN")]
    assert (int(en["matches"]), int(en["decisive"]), float(en["longer_won"])) == (24, 16, 0.0)
    # DE: every answer is the same German text, no length difference to judge by
    assert bias[("3-option", "DE")]["longer_won"] == ""


def test_report_folder_loads_as_a_dataset(report_dir: Path, tmp_path: Path) -> None:
    """The folder `--push` uploads: every CSV is a config of a dataset repo, read offline."""
    import datasets

    datasets.disable_progress_bars()
    names = datasets.get_dataset_config_names(str(report_dir))
    assert "scores" in names and "position_bias" in names
    bias = datasets.load_dataset(
        str(report_dir), "position_bias", split="train", cache_dir=str(tmp_path / "cache")
    )
    assert bias.num_rows == len(rows(report_dir / "position_bias.csv"))
    assert "judge-x" in (report_dir / "README.md").read_text(encoding="utf-8")


def test_push_without_a_token_fails_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no stored login either
    data = make_report_data(tmp_path / "data")
    out = tmp_path / "out"
    code, output = cli("report", "--data-dir", str(data), "--judge-model", JUDGE, "--out",
                       str(out), "--push", "org/report")  # fmt: skip
    assert code == 1 and "--push org/report: no Hugging Face token" in output
    assert not out.exists()


def _agreement_data(root: Path) -> tuple[Path, Path]:
    """The worked example of ``test_human_eval_agreement`` as a report folder: questions
    101-108 (categories as there), the judge's pairwise lines in two runs, the human votes as
    ``human-eval export`` writes them (no category: it comes from question.jsonl)."""
    from mt_bench_x.formats.jsonl import write_jsonl
    from tests.mt_bench_x.test_human_eval_agreement import CATEGORY, HUMANS, TURN2

    bench = root / "data" / "mt_bench_DE"
    (bench / "model_judgment").mkdir(parents=True)
    write_jsonl(
        bench / "question.jsonl",
        [{"question_id": q, "category": c, "turns": ["q1", "q2"]} for q, c in CATEGORY.items()],
    )

    def pair(question: int, m1: str, m2: str, g1: str, g2: str, run: int) -> dict:
        verdicts = ({"model_1": "A", "model_2": "B", "tie": "C"},
                    {"model_1": "B", "model_2": "A", "tie": "C"})  # fmt: skip
        return {
            "question_id": question, "model_1": m1, "model_2": m2, "g1_winner": g1,
            "g2_winner": g2, "g1_verdict": verdicts[0][g1], "g2_verdict": verdicts[1][g2],
            "judge": [JUDGE, "pair-v2"], "g1_user_prompt": "...", "g1_judgment": "...",
            "g2_user_prompt": "...", "g2_judgment": "...", "turn": 1, "tstamp": 0.0, "run": run,
        }  # fmt: skip

    # run 0: q101 m1 wins; q102 m1 wins, shown on the right; q103 the two orders disagree
    write_jsonl(
        bench / "model_judgment" / f"{JUDGE}_pair.jsonl",
        [
            pair(101, "m1", "m2", "model_1", "model_1", 0),
            pair(102, "m2", "m1", "model_2", "model_2", 0),
            pair(103, "m1", "m2", "model_1", "model_2", 0),
        ],
    )
    # run 1 fills q103 (a tie) and does not overrule run 0's verdict on q101
    write_jsonl(
        bench / "model_judgment" / f"{JUDGE}_pair_run1.jsonl",
        [pair(103, "m1", "m2", "tie", "tie", 1), pair(101, "m1", "m2", "model_2", "model_2", 1)],
    )
    human = root / "human.json"
    human.write_text(
        json.dumps(
            [
                {
                    "question_id": v.question,
                    "model_a": v.model_a,
                    "model_b": v.model_b,
                    "winner": v.winner,
                    "judge": v.voter,
                    "turn": v.turn,
                }
                for v in [*HUMANS, *TURN2]
            ]
        ),
        encoding="utf-8",
    )
    return root / "data", human


def test_human_agreement_table(tmp_path: Path) -> None:
    """Table 2 from the report's pairwise judgments equals the hand-computed example."""
    data, human = _agreement_data(tmp_path)
    out = tmp_path / "out"
    code, output = cli("report", "--data-dir", str(data), "--judge-model", JUDGE, "--out",
                       str(out), "--human", str(human), "--no-answer-language")  # fmt: skip
    assert code == 0, output
    found = {
        (r["ties"], r["group"], r["turn"]): r
        for r in rows(out / "agreement.csv")
        if (r["judge"], r["prompts"]) == (JUDGE, "3-option")
    }

    def counts(ties: str, group: str, turn: int = 1) -> tuple[tuple[int, int], ...]:
        r = found[(ties, group, str(turn))]
        return tuple(
            (int(r[f"{side}_agree"]), int(r[f"{side}_total"]))
            for side in ("judge", "upper", "human")
        )

    assert counts("with", "all") == ((5, 9), (6, 9), (3, 9))
    assert counts("without", "all") == ((3, 5), (4, 5), (2, 4))
    assert counts("with", "RCEMR") == ((3, 6), (4, 6), (2, 6))
    assert counts("with", "math") == ((1, 3), (2, 3), (1, 3))
    assert counts("with", "all", turn=2)[0] == (0, 0)  # the judge decided no turn-2 item
    assert float(found[("with", "all", "1")]["judge_percent"]) == pytest.approx(500 / 9, abs=1e-3)
    turn1, turn2 = found[("with", "all", "1")], found[("with", "all", "2")]
    assert float(turn1["fleiss_kappa"]) == pytest.approx(0.0, abs=1e-4)
    assert float(turn1["kappa_p_value"]) == pytest.approx(1.0, abs=1e-4)
    assert float(turn2["fleiss_kappa"]) == pytest.approx(5 / 11, abs=1e-4)
    assert float(turn2["kappa_p_value"]) == pytest.approx(0.0343, abs=5e-4)
    assert (turn2["kappa_items"], turn2["kappa_raters"]) == ("4", "3")
    markdown = (out / "agreement.md").read_text(encoding="utf-8")
    assert "| all | 55.56 | 66.67 | 33.33 |" in markdown
    assert r"\begin{tabular}" in (out / "agreement.tex").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Table 2: agreement with human votes" in page
    assert "<td>RCEMR</td><td>50.00</td><td>66.67</td><td>33.33</td>" in page
    assert "Fleiss&#x27; kappa 0.45 (p-value 3.4e-02" in page


def test_human_votes_need_a_report_of_one_language(tmp_path: Path) -> None:
    """A known failure (SelectionError) is one ``error:`` line and exit 1, not a usage error."""
    from tests.mt_bench_x.human_eval_fixtures import cli as run_cli

    data = make_report_data(tmp_path / "data")
    human = tmp_path / "human.json"
    human.write_text("[]", encoding="utf-8")
    result = run_cli("report", "--data-dir", str(data), "--judge-model", JUDGE, "--out",
                     str(tmp_path / "out"), "--human", str(human))  # fmt: skip
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --human")
    assert "expected a report of one language (--lang DE), found DE, EN" in lines[0]
    assert not (tmp_path / "out").exists()


def test_malformed_language_is_a_usage_error(tmp_path: Path) -> None:
    data = make_report_data(tmp_path / "data")
    code, output = cli("report", "--data-dir", str(data), "--judge-model", JUDGE, "--out",
                       str(tmp_path / "out"), "--lang", "D3")  # fmt: skip
    assert code == 2 and "--lang" in output
