"""The validation-set curation on a synthetic StackExchange dump built here: every drop reason,
the exact survivors, the chosen answers, attribution, and the candidates read back as a
``--validation`` file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hub_cards.errors import OutputExistsError
from lima_x.curation.config import CurationConfig, default_phrases
from lima_x.curation.filters import phrase_pattern
from lima_x.curation.html_text import html_to_text
from lima_x.curation.run import curate_validation
from lima_x.curation.stackexchange import find_sources, site_names
from lima_x.errors import CurationError, InputFormatError
from lima_x.readers import read_lima
from tests.lima_x.sources import lima_rows, write_jsonl
from tests.lima_x.stackexchange_dump import (
    GERMAN,
    answer,
    post_row,
    question,
    words,
    write_7z,
    write_posts,
    write_users,
)

CODE = "def mean(values):\n    total = sum(values)\n    return total / len(values)"


def title(seed: int) -> str:
    return words(5, 1000 + seed)


def body(seed: int) -> str:
    return words(95, 2000 + seed)  # with the 5-word title: 100 words of question


def biology_rows(lima_copy: str) -> list[str]:
    """Site 1 (an extracted folder). Question ``n`` has answers ``100 n + k``."""
    rows = [
        # 1: the accepted answer wins over a better-scored one; 100 + 1150 words.
        question(1, title(1), body(1), accepted=101, created="2015-03-01T00:00:00.000"),
        answer(101, 1, words(1150, 101), score=4, created="2016-01-01T00:00:00.000"),
        answer(102, 1, words(1150, 102), score=9),
        # 2: exactly 1200 words → too short; 3: 1201 → kept (best-scored, nothing accepted).
        question(2, title(2), body(2), accepted=201),
        answer(201, 2, words(1100, 201)),
        question(3, title(3), body(3)),
        answer(301, 3, words(1101, 301), score=4),
        answer(302, 3, words(1101, 302), score=7),
        # 4: exactly 4096 words → kept; the accepted answer is below the score threshold.
        question(4, title(4), body(4), accepted=401),
        answer(401, 4, words(3996, 401), score=1),
        answer(402, 4, words(3996, 402), score=3, owner=None, owner_name="Former User"),
        # 5: 4097 words → too long.
        question(5, title(5), body(5), accepted=501),
        answer(501, 5, words(3997, 501)),
        # 6: no answer at all; 7: only an answer below the threshold.
        question(6, title(6), body(6)),
        question(7, title(7), body(7)),
        answer(701, 7, words(1150, 701), score=2),
        # 8: a listed phrase in the answer; 9: only look-alikes in the answer, "my" in the
        # question (phrases are searched in answers only) → kept.
        question(8, title(8), body(8), accepted=801),
        answer(801, 8, words(600, 801) + " My experience says so. " + words(550, 802)),
        question(9, title(9), "my " + words(94, 2009), accepted=901),
        answer(901, 9, "mythology Jimmy Myanmar dummy " + words(1146, 901)),
        # 10: an English question with a German answer; 11: both German.
        question(10, title(10), body(10), accepted=1001),
        answer(1001, 10, words(1150, 1001, GERMAN)),
        question(11, words(5, 11, GERMAN), words(95, 12, GERMAN), accepted=1101),
        answer(1101, 11, words(1150, 1101, GERMAN)),
        # 12: nearly a LIMA train row.
        question(12, title(12), body(12), accepted=1201),
        answer(1201, 12, lima_copy),
        # Malformed rows: a non-numeric Id, no Score, no ParentId, no PostTypeId, an answer to
        # a question that is not in the dump. A tag wiki (PostTypeId 4) is no QA post.
        post_row(Id="x13", PostTypeId=1, Score=3, Body="<p>b</p>", Title="t"),
        post_row(Id=14, PostTypeId=1, Body="<p>b</p>", Title="t"),
        post_row(Id=1401, PostTypeId=2, Score=5, Body="<p>b</p>"),
        post_row(Id=15, Score=5, Body="<p>b</p>"),
        answer(1601, 999, words(1150, 1601)),
        post_row(Id=17, PostTypeId=4, Score=0, Body="<p>wiki</p>"),
    ]
    return rows


def cooking_rows() -> list[str]:
    """Site 2 (a .7z archive): a code block, a near-duplicate of biology 1, a phrase."""
    code_answer = (
        f"<p>{words(600, 3101)}</p>\n<pre><code>{CODE}</code></pre>\n<p>{words(550, 3102)}</p>"
    )
    near_copy = words(1150, 101).split()
    near_copy[10:13] = ["salt", "pepper", "onion"]
    return [
        question(1, title(31), body(31), accepted=11),
        answer(11, 1, code_answer, html=True, owner=7),
        question(2, title(1), body(1), accepted=21),
        answer(21, 2, " ".join(near_copy)),
        question(3, title(33), body(33), accepted=31),
        answer(31, 3, words(600, 3301) + " as\nmentioned above " + words(550, 3302)),
    ]


def travel_rows() -> list[str]:
    """QA pairs in JSONL: one good, two malformed, one below the score, one empty answer."""
    good = {
        "site": "travel",
        "question_id": 5,
        "answer_id": 6,
        "title": title(41),
        "question": body(41),
        "answer": words(1150, 4101),
        "format": "text",
        "question_score": 4,
        "answer_score": 8,
        "question_author": "Lin",
        "answer_author": {"name": "Ola", "user_id": 66},
    }
    rows = [
        json.dumps(good),
        "{not json",
        json.dumps({"question": "what?"}),
        json.dumps({**good, "question_id": 7, "answer_score": 1}),
        json.dumps({**good, "question_id": 8, "answer": '<img src="x.png">', "format": "html"}),
    ]
    return [row + "\n" for row in rows]


@pytest.fixture
def dump(tmp_path: Path) -> tuple[Path, Path]:
    """``(dumps folder, LIMA train.jsonl)``."""
    lima_answer = words(1150, 1201).split()
    lima_answer[20:24] = ["river", "stone", "metal", "root"]
    copied = {
        "conversations": [f"{title(12)}\n\n{body(12)}", " ".join(lima_answer)],
        "source": "stackexchange",
    }
    lima = [*lima_rows(20), copied]
    train = write_jsonl(tmp_path / "lima" / "train.jsonl", lima)
    dumps = tmp_path / "dumps"
    site = dumps / "biology.stackexchange.com"
    write_posts(site / "Posts.xml", biology_rows(words(1150, 1201)))
    write_users(site / "Users.xml", {1: "Ada", 2: "Grace"})
    staging = tmp_path / "staging"
    write_7z(
        dumps / "cooking.stackexchange.com.7z",
        {
            "Posts.xml": write_posts(staging / "Posts.xml", cooking_rows()),
            "Users.xml": write_users(staging / "Users.xml", {1: "Ada", 2: "Bo", 7: "Kim"}),
        },
    )
    (dumps / "travel-pairs.jsonl").write_text("".join(travel_rows()), encoding="utf-8")
    return dumps, train


EXPECTED_DROPS = {
    "malformed_row": 7,  # 5 in biology's Posts.xml, 2 JSONL lines
    "question_score_below_min": 0,
    "no_qualifying_answer": 3,  # biology 6 and 7, the JSONL pair scored 1
    "empty_after_html": 1,
    "banned_phrase": 2,  # biology 8, cooking 3
    "too_short": 1,
    "too_long": 1,
    "language_mismatch": 1,
    "not_expected_language": 1,
    "near_duplicate_of_lima": 1,
    "near_duplicate_within_set": 1,
}
SURVIVORS = {
    "biology-1": 101,
    "biology-3": 302,
    "biology-4": 402,
    "biology-9": 901,
    "cooking-1": 11,
    "travel-5": 6,
}


def test_pipeline_drops_each_planted_row_for_its_reason(dump: tuple[Path, Path], tmp_path: Path):
    dumps, train = dump
    out = tmp_path / "out"
    result = curate_validation([dumps], train, out)
    report = json.loads((out / "drop_report.json").read_text())
    found = {
        name: reason["count"]
        for step in report["steps"]
        for name, reason in step["reasons"].items()
    }
    assert found == EXPECTED_DROPS
    assert report["questions"] == 18  # 12 + 3 + 3 JSONL rows that are questions
    assert [step["step"] for step in report["steps"]] == [
        "pairing",
        "html_to_text",
        "phrase_filter",
        "length_filter",
        "same_language",
        "dedup_against_lima",
        "dedup_within_set",
    ]
    assert report["steps"][-1]["out"] == len(SURVIVORS) == result.candidates
    rows = [json.loads(line) for line in (out / "candidates.jsonl").read_text().splitlines()]
    assert {row["id"]: row["answer_id"] for row in rows} == SURVIVORS


def test_drop_report_names_examples(dump: tuple[Path, Path], tmp_path: Path):
    dumps, train = dump
    curate_validation([dumps], train, tmp_path / "out")
    report = json.loads((tmp_path / "out" / "drop_report.json").read_text())
    reasons = {name: r for step in report["steps"] for name, r in step["reasons"].items()}
    phrase = {e["id"]: e["detail"] for e in reasons["banned_phrase"]["examples"]}
    assert phrase == {
        "biology-8": "answer contains 'My'",
        "cooking-3": "answer contains 'as mentioned'",  # HTML whitespace is one space
    }
    assert reasons["too_short"]["examples"][0]["detail"] == "pair: 1200 words"
    assert reasons["too_long"]["examples"][0]["detail"] == "pair: 4097 words"
    assert reasons["near_duplicate_of_lima"]["examples"][0]["detail"].startswith(
        "LIMA train row 20 "
    )
    assert reasons["near_duplicate_within_set"]["examples"][0]["id"] == "cooking-2"
    assert reasons["near_duplicate_within_set"]["examples"][0]["detail"].startswith(
        "pair biology-1 "
    )
    assert reasons["language_mismatch"]["examples"][0]["id"] == "biology-10"
    assert reasons["not_expected_language"]["examples"][0]["id"] == "biology-11"
    assert reasons["banned_phrase"]["examples"][0]["link"] == (
        "https://biology.stackexchange.com/q/8"
    )
    malformed = " ".join(e["detail"] for e in reasons["malformed_row"]["examples"])
    assert "answer 1601 has no question" in malformed
    markdown = (tmp_path / "out" / "drop_report.md").read_text()
    assert "| length_filter | 12 | too_short 1, too_long 1 | 10 |" in markdown


def test_candidates_carry_attribution_and_read_back_as_validation(
    dump: tuple[Path, Path], tmp_path: Path
):
    dumps, train = dump
    out = tmp_path / "out"
    curate_validation([dumps], train, out)
    path = out / "candidates.jsonl"
    rows = {row["id"]: row for row in map(json.loads, path.read_text().splitlines())}
    first = rows["biology-1"]
    assert first["question_link"] == "https://biology.stackexchange.com/q/1"
    assert first["answer_link"] == "https://biology.stackexchange.com/a/101"
    assert first["question_author"] == {
        "name": "Ada",
        "user_id": 1,
        "profile": "https://biology.stackexchange.com/users/1",
    }
    assert first["answer_author"]["name"] == "Grace"
    assert first["license"] == "CC BY-SA 3.0"  # both posts from before 2018-05-02
    assert first["accepted_answer"] is True
    assert (first["question_score"], first["answer_score"]) == (10, 4)
    assert rows["biology-4"]["answer_author"] == {
        "name": "Former User",
        "user_id": None,
        "profile": "",
    }
    assert rows["biology-4"]["license"] == "CC BY-SA 4.0"
    assert rows["cooking-1"]["answer_author"]["name"] == "Kim"  # from the archive's Users.xml
    assert rows["travel-5"]["answer_author"]["name"] == "Ola"
    assert f"```\n{CODE}\n```" in rows["cooking-1"]["conversations"][1]
    assert first["conversations"][0] == f"{title(1)}\n\n{body(1)}"
    samples = read_lima(path, split="validation")
    assert [s.source_id for s in samples] == list(rows)
    assert samples[0].source == "stackexchange/biology"
    assert samples[0].messages[1]["content"] == words(1150, 101)


def test_thresholds_and_bounds_are_configurable(dump: tuple[Path, Path], tmp_path: Path):
    dumps, train = dump
    config = CurationConfig(
        min_answer_score=8, min_question_score=5, min_length=100, max_length=5000
    )
    curate_validation([dumps / "travel-pairs.jsonl"], train, tmp_path / "out", config)
    report = json.loads((tmp_path / "out" / "drop_report.json").read_text())
    pairing = report["steps"][0]["reasons"]
    assert pairing["question_score_below_min"]["count"] == 3  # JSONL questions scored 4
    assert report["candidates"] == 0


def test_broken_xml_stops_with_file_and_line(tmp_path: Path):
    posts = tmp_path / "site" / "Posts.xml"
    posts.parent.mkdir()
    posts.write_text('<posts>\n  <row Id="1" PostTypeId="1"\n</posts>\n', encoding="utf-8")
    train = write_jsonl(tmp_path / "train.jsonl", lima_rows(3))
    with pytest.raises(InputFormatError, match=r"Posts\.xml.*line 3"):
        curate_validation([posts.parent], train, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_existing_output_needs_overwrite(dump: tuple[Path, Path], tmp_path: Path):
    dumps, train = dump
    (tmp_path / "out").mkdir()
    with pytest.raises(OutputExistsError):
        curate_validation([dumps / "travel-pairs.jsonl"], train, tmp_path / "out")


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("My answer", "My"),
        ("in my view", "my"),
        ("greek mythology", None),
        ("Jimmy said", None),
        ("my_variable = 1", None),
        ("see the Figure.", "Figure"),
        ("figures", None),
        ("as\n  mentioned", "as\n  mentioned"),
        ("as mentioned", "as mentioned"),
        ("on Stack Exchange", "Stack Exchange"),
        ("stackexchanges", None),
        ("Edit: fixed", "Edit:"),
        ("unreferenced", None),
    ],
)
def test_phrases_match_whole_words_ignoring_case(text: str, hit: str | None):
    found = phrase_pattern(default_phrases()).search(text)
    assert (found.group(0) if found else None) == hit


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a &amp; b</p><p>c</p>", "a & b\n\nc"),
        ("<p>use <code>x &lt; y</code></p>", "use `x < y`"),
        ("<pre><code>if x:\n    y()\n</code></pre>", "```\nif x:\n    y()\n```"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"),
        ('<p>see <a href="https://x">the docs</a><img src="i.png"></p>', "see the docs"),
        ("<blockquote><p>said</p></blockquote>", "> said"),
        ("a\n\n  spaced   text", "a spaced text"),
    ],
)
def test_html_to_text(html: str, text: str):
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("name", "site", "host"),
    [
        ("biology.stackexchange.com", "biology", "biology.stackexchange.com"),
        ("biology.stackexchange.com.7z", "biology", "biology.stackexchange.com"),
        ("stackoverflow.com-Posts.7z", "stackoverflow", "stackoverflow.com"),
        ("superuser.com", "superuser", "superuser.com"),
        ("cooking", "cooking", "cooking.stackexchange.com"),
    ],
)
def test_site_names(name: str, site: str, host: str):
    assert site_names(name) == (site, host)


def test_find_sources_in_a_folder(dump: tuple[Path, Path]):
    dumps, _ = dump
    found = [(s.kind, s.site) for s in find_sources(dumps)]
    assert found == [("xml", "biology"), ("7z", "cooking"), ("jsonl", "travel-pairs")]
    (dumps / "empty").mkdir()
    with pytest.raises(InputFormatError, match="found none"):
        find_sources(dumps / "empty")
    with pytest.raises(InputFormatError, match="not found"):
        find_sources(dumps / "missing")


def test_bad_settings_say_what_was_expected():
    with pytest.raises(CurationError, match="length_unit one of"):
        CurationConfig(length_unit="tokens")
    with pytest.raises(CurationError, match="min_length < max_length"):
        CurationConfig(min_length=5000)


def test_command_line(dump: tuple[Path, Path], tmp_path: Path):
    dumps, train = dump
    command = [sys.executable, "-m", "lima_x.cli", "curate-validation", "--input", str(dumps)]
    command += ["--against", str(train), "--out", str(tmp_path / "out"), "--no-progress"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "18 questions → 6 candidates" in done.stdout
    again = subprocess.run(command, capture_output=True, text=True, check=False)
    assert again.returncode == 1
    assert again.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "--overwrite" in again.stderr
