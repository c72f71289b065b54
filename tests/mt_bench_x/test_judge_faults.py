"""Faults of a judge or answer server that answers, but not with a completion: malformed 200
replies (retried), empty or choice-less replies (retried, never final verdicts), and refused
keys (the run stops after the first refusal, in one line). Real HTTP against the test server's
fault modes (``tests/servers/openai_server.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mt_bench_x.answer.backends import AnswerBackendError, OpenAIBackend
from mt_bench_x.answer.run import AnswerSettings, answer_languages
from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import load_answer_records
from tests.mt_bench_x.judge_fixtures import dump, judge_reply, last_marks, make_data_dir, score_for
from tests.mt_bench_x.test_judge_http import MODELS, judge_cli, single_file
from tests.servers.openai_server import OpenAICompatibleServer


@pytest.fixture
def data_dir(tmp_path: Path, shared_data: Path) -> Path:
    return make_data_dir(tmp_path / "data", shared_data, models=MODELS)


MALFORMED = ("html", "not-json", "empty-content", "null-content", "no-choices")
SECRET = "sk-test-secret"  # the key judge_cli sends


@pytest.mark.parametrize("mode", MALFORMED)
def test_malformed_200_replies_are_retried_and_nothing_in_flight_is_lost(
    data_dir: Path, mode: str
) -> None:
    with OpenAICompatibleServer(judge_reply, fault_mode=mode, fault_count=5) as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
    assert code == 0, output
    assert server.mode_faults == 5
    assert len(server.requests) == 32 + 5  # each malformed reply asked once more, nothing else
    records = dump(single_file(data_dir))
    assert len(records) == 32
    for record in records:  # every judgment is a real verdict, none "unparseable"
        assert "error" not in record
        assert record["score"] == score_for(*last_marks(record["user_prompt"])[-1])
    assert "0 unparseable" in output and "0 API error(s)" in output
    for leak in ("AttributeError", "Expecting value", "Traceback"):
        assert leak not in output


@pytest.mark.parametrize("mode", MALFORMED)
def test_replies_that_stay_malformed_are_api_errors_asked_again_next_run(
    data_dir: Path, mode: str
) -> None:
    with OpenAICompatibleServer(judge_reply, fault_mode=mode) as server:
        code, output = judge_cli(
            data_dir, server.base_url, "--model-list", "model-a", "--max-retries", "1"
        )
    assert code == 1, output
    assert len(server.requests) == 64  # one try and one retry per judgment
    failed = dump(single_file(data_dir))
    assert len(failed) == 32
    assert all(r["judgment"] == "$ERROR$" and "a 200 reply" in r["error"] for r in failed)
    assert "run the same command again" in output
    with OpenAICompatibleServer(judge_reply) as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "model-a")
    assert code == 0, output
    assert len(server.requests) == 32  # an empty reply was not a final "unparseable" verdict
    assert all(r["score"] > 0 for r in dump(single_file(data_dir))[32:])


@pytest.mark.parametrize(("mode", "status"), [("unauthorized", 401), ("forbidden", 403)])
def test_a_refused_key_stops_the_run_after_the_first_refusal(
    data_dir: Path, mode: str, status: int
) -> None:
    with OpenAICompatibleServer(judge_reply, fault_mode=mode) as server:
        for _ in range(2):  # a rerun with the same wrong key writes nothing either
            code, output = judge_cli(
                data_dir, server.base_url, "--model-list", *("model-a", "model-b"),
                "--parallel", "4",
            )  # fmt: skip
            assert code == 1, output
            lines = output.strip().splitlines()
            assert len(lines) == 1, output
            assert lines[0].startswith("error: ") and f"HTTP {status}" in lines[0]
            assert "OPENAI_API_KEY" in lines[0]
            assert SECRET not in output
    # only what was in flight when the first refusal came back: at most --parallel per run
    assert len(server.requests) <= 2 * 4
    path = single_file(data_dir)
    assert not path.exists() or path.read_text() == ""  # no error line per game


def test_a_slow_judge_is_waited_for(data_dir: Path) -> None:
    with OpenAICompatibleServer(judge_reply, fault_mode="slow", fault_count=2, slow_s=1.0) as s:
        code, output = judge_cli(data_dir, s.base_url, "--model-list", "model-a")
    assert code == 0, output
    assert len(s.requests) == 32 and len(dump(single_file(data_dir))) == 32


@pytest.fixture
def answer_dir(shared_data: Path, tmp_path: Path) -> Path:
    paths = BenchPaths(tmp_path / "data", "DE")
    paths.root.mkdir(parents=True)
    shutil.copyfile(
        shared_data / "mt_bench_x" / "mt_bench_DE" / "question.jsonl", paths.question_file
    )
    return tmp_path / "data"


@pytest.mark.parametrize("mode", MALFORMED)
def test_answer_backend_retries_malformed_replies(
    answer_dir: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    settings = AnswerSettings("served", batch_size=4, question_ids=["81", "82", "83"])
    with OpenAICompatibleServer(lambda body: "fine", fault_mode=mode, fault_count=2) as server:
        backend = OpenAIBackend("m", base_url=server.base_url, max_retries=2)
        reports = answer_languages(backend, answer_dir, ["DE"], settings, show_progress=False)
    assert reports[0].answered == 3
    assert len(server.requests) == 3 * 2 + 2
    records = load_answer_records(BenchPaths(answer_dir, "DE").model_answer_file("served"))
    assert [r.turns for r in records] == [["fine", "fine"]] * 3


def test_answer_backend_names_the_malformed_reply_when_retries_run_out(
    answer_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    settings = AnswerSettings("served", batch_size=1, question_ids=["81"])
    with OpenAICompatibleServer(fault_mode="html") as server:
        backend = OpenAIBackend("m", base_url=server.base_url, max_retries=1)
        with pytest.raises(AnswerBackendError, match="HTML page") as caught:
            answer_languages(backend, answer_dir, ["DE"], settings, show_progress=False)
    assert len(server.requests) == 2
    assert SECRET not in str(caught.value)


def test_answer_backend_refused_key_names_the_variable(
    answer_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    settings = AnswerSettings("served", batch_size=1, question_ids=["81", "82"])
    with OpenAICompatibleServer(fault_mode="unauthorized") as server:
        backend = OpenAIBackend("m", base_url=server.base_url)
        with pytest.raises(AnswerBackendError, match="OPENAI_API_KEY") as caught:
            answer_languages(backend, answer_dir, ["DE"], settings, show_progress=False)
    assert len(server.requests) == 1  # no SDK retry of a 401, no second question
    assert SECRET not in str(caught.value)
