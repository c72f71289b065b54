"""Two model ids that map to one answer file (``org/model`` and ``org__model`` both become
``org__model.jsonl``) are refused with both ids named, never mixed up; other files still read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mt_bench_x.answer.backends import OpenAIBackend
from mt_bench_x.answer.run import AnswerSettings, answer_languages
from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import load_model_answers
from tests.mt_bench_x.judge_fixtures import dump, make_data_dir
from tests.mt_bench_x.test_judge_http import judge_cli
from tests.servers.openai_server import OpenAICompatibleServer


@pytest.fixture
def data_dir(shared_data: Path, tmp_path: Path) -> Path:
    paths = BenchPaths(tmp_path / "data", "DE")
    paths.root.mkdir(parents=True)
    source = shared_data / "mt_bench_x" / "mt_bench_DE" / "question.jsonl"
    shutil.copyfile(source, paths.question_file)
    return tmp_path / "data"


def answer(data_dir: Path, model_id: str, server: OpenAICompatibleServer) -> None:
    settings = AnswerSettings(model_id, question_ids=["81", "82"])
    backend = OpenAIBackend("served", base_url=server.base_url)
    answer_languages(backend, data_dir, ["DE"], settings, show_progress=False)


def test_a_second_id_mapping_to_the_same_file_is_refused(data_dir: Path) -> None:
    file = BenchPaths(data_dir, "DE").model_answer_file("org/model")
    with OpenAICompatibleServer(lambda body: "answer of org/model") as server:
        answer(data_dir, "org/model", server)
        before, asked = file.read_bytes(), len(server.requests)
        assert file.name == "org__model.jsonl" and asked == 4
        with pytest.raises(InputFileError) as caught:
            answer(data_dir, "org__model", server)
        assert len(server.requests) == asked  # nothing was asked, nothing "already done"
    message = str(caught.value)
    assert "'org/model'" in message and "'org__model'" in message and str(file) in message
    assert file.read_bytes() == before
    # the first model's file stays readable under its own id, and is refused under the other
    paths = BenchPaths(data_dir, "DE")
    assert set(load_model_answers(paths, ["org/model"])["org/model"]) == {81, 82}
    with pytest.raises(InputFileError, match="'org__model'"):
        load_model_answers(paths, ["org__model"])


def test_the_same_id_resumes_and_files_under_another_name_still_read(data_dir: Path) -> None:
    with OpenAICompatibleServer(lambda body: "ok") as server:
        answer(data_dir, "org/model", server)
        answer(data_dir, "org/model", server)  # a rerun of the same id: nothing to do
        assert len(server.requests) == 4
    paths = BenchPaths(data_dir, "DE")
    # a file copied under a new name keeps its records' model id: not a collision
    shutil.copyfile(paths.model_answer_file("org/model"), paths.model_answer_file("renamed"))
    assert set(load_model_answers(paths, ["renamed"])["renamed"]) == {81, 82}


def test_the_judge_refuses_the_other_id(tmp_path: Path, shared_data: Path) -> None:
    data_dir = make_data_dir(tmp_path / "data", shared_data, models=("org/model",))
    answers = data_dir / "mt_bench_DE" / "model_answer"
    (answers / "org").rename(tmp_path / "nested")  # written by the fixture as org/model.jsonl
    records = dump(tmp_path / "nested" / "model.jsonl")
    (answers / "org__model.jsonl").write_text((tmp_path / "nested" / "model.jsonl").read_text())
    assert {r["model_id"] for r in records} == {"org/model"}
    with OpenAICompatibleServer(lambda body: "Rating: [[5]]") as server:
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "org__model")
        assert code == 1
        assert "'org/model'" in output and "'org__model'" in output
        assert server.requests == []
        code, output = judge_cli(data_dir, server.base_url, "--model-list", "org/model")
    assert code == 0, output
    assert "32 judged" in output
