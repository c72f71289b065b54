"""`mt-bench-x answer`: two-turn answers with a tiny random model on CPU, an OpenAI-compatible
server over real HTTP, FastChat's temperatures, resume after a kill, and refused checkpoints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mt_bench_x.answer.backends import AnswerBackendError, OpenAIBackend, TransformersBackend
from mt_bench_x.answer.run import (
    CATEGORY_TEMPERATURE,
    AnswerSettings,
    answer_languages,
    load_system_prompts,
    temperature_for,
)
from mt_bench_x.formats.errors import InputFileError
from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import load_answer_records, load_questions
from tests.servers.openai_server import OpenAICompatibleServer

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from recipes.tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny") / "model", seed=0)


@pytest.fixture
def data_dir(shared_data: Path, tmp_path: Path) -> Path:
    """Published DE and FastChat's EN questions in the FastChat layout."""
    for lang, source in (
        ("DE", shared_data / "mt_bench_x" / "mt_bench_DE" / "question.jsonl"),
        ("EN", shared_data / "mt_bench" / "question.jsonl"),
    ):
        paths = BenchPaths(tmp_path / "data", lang)
        paths.root.mkdir(parents=True)
        shutil.copyfile(source, paths.question_file)
    return tmp_path / "data"


@pytest.mark.parametrize(
    ("category", "expected"),
    [("writing", 0.7), ("roleplay", 0.7), ("extraction", 0.0), ("math", 0.0), ("coding", 0.0),
     ("reasoning", 0.0), ("stem", 0.1), ("humanities", 0.1), ("unlisted", 0.7)],
)  # fmt: skip
def test_fastchat_temperatures(category: str, expected: float) -> None:
    assert temperature_for(category) == expected
    assert temperature_for(category, 1.3) == 1.3
    assert len(CATEGORY_TEMPERATURE) == 8


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    return subprocess.run(
        [sys.executable, "-m", "mt_bench_x.cli", "answer", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_answer_cli_with_tiny_model_resumes(tiny_model: Path, data_dir: Path) -> None:
    common = ["--model-path", str(tiny_model), "--model-id", "tiny", "--data-dir", str(data_dir)]
    common += ["--max-new-tokens", "6", "--batch-size", "2", "--device", "cpu", "--no-progress"]
    first = _cli(*common, "--lang", "DE,EN", "--limit", "3")
    assert first.returncode == 0, first.stderr
    assert "DE: answered 3, already done 0" in first.stdout
    de_file = BenchPaths(data_dir, "DE").model_answer_file("tiny")
    answers = load_answer_records(de_file)
    questions = load_questions(BenchPaths(data_dir, "DE").question_file)
    assert [a.question_id for a in answers] == [q.question_id for q in questions[:3]]
    assert all(a.model_id == "tiny" and len(a.turns) == 2 for a in answers)
    en_ids = [
        a.question_id
        for a in load_answer_records(BenchPaths(data_dir, "EN").model_answer_file("tiny"))
    ]
    assert en_ids == [81, 82, 83]  # FastChat's int ids stay ints

    # A run killed while writing leaves a torn line; the rerun cuts it and goes on.
    with de_file.open("a", encoding="utf-8") as handle:
        handle.write('{"question_id": "84_DE", "answer_id": "x", "choi')
    second = _cli(*common, "--lang", "DE", "--limit", "5")
    assert second.returncode == 0, second.stderr
    assert "DE: answered 2, already done 3" in second.stdout
    again = load_answer_records(de_file)
    assert [a.question_id for a in again] == [q.question_id for q in questions[:5]]
    assert [a.answer_id for a in again[:3]] == [a.answer_id for a in answers]
    # Nothing left to do: no model call at all (this backend's server does not exist).
    unreachable = OpenAIBackend("tiny", base_url="http://127.0.0.1:9")
    settings = AnswerSettings("tiny", limit=5)
    (third,) = answer_languages(unreachable, data_dir, ["DE"], settings, show_progress=False)
    assert (third.answered, third.skipped) == (0, 5)
    assert len(load_answer_records(de_file)) == 5


@pytest.mark.slow
def test_greedy_categories_are_deterministic(tiny_model: Path, data_dir: Path) -> None:
    backend = TransformersBackend(str(tiny_model), device="cpu")
    math = [str(n) for n in range(111, 114)]  # temperature 0 -> greedy
    for model_id, batch_size in (("one", 1), ("three", 3)):
        settings = AnswerSettings(model_id, max_new_tokens=5, batch_size=batch_size)
        settings.question_ids = math
        answer_languages(backend, data_dir, ["DE"], settings, show_progress=False)
    paths = BenchPaths(data_dir, "DE")
    one = load_answer_records(paths.model_answer_file("one"))
    three = load_answer_records(paths.model_answer_file("three"))
    assert [a.question_id for a in one] == ["111_DE", "112_DE", "113_DE"]
    # Left padding in a batch of three gives the same greedy tokens as one at a time.
    assert [a.turns for a in one] == [a.turns for a in three]


def _strip_chat_template(model: Path, target: Path) -> Path:
    shutil.copytree(model, target)
    (target / "chat_template.jinja").unlink(missing_ok=True)
    config_file = target / "tokenizer_config.json"
    config = json.loads(config_file.read_text())
    config.pop("chat_template", None)
    config_file.write_text(json.dumps(config))
    return target


@pytest.mark.slow
def test_checkpoint_without_chat_template(tiny_model: Path, data_dir: Path, tmp_path: Path) -> None:
    bare = _strip_chat_template(tiny_model, tmp_path / "bare")
    with pytest.raises(AnswerBackendError, match="no chat template"):
        TransformersBackend(str(bare), device="cpu")
    refused = _cli("--model-path", str(bare), "--model-id", "bare", "--lang", "DE",
                   "--data-dir", str(data_dir), "--limit", "1", "--device", "cpu")  # fmt: skip
    assert refused.returncode == 1
    assert "no chat template" in refused.stderr and "--conv-template" in refused.stderr
    assert not BenchPaths(data_dir, "DE").model_answer_file("bare").exists()
    backend = TransformersBackend(str(bare), device="cpu", conv_template="vicuna_v1.1")
    prompt = backend.format([{"role": "user", "content": "Hallo"}])
    assert "USER: Hallo" in prompt and prompt.endswith("ASSISTANT:")
    settings = AnswerSettings("bare", max_new_tokens=4, limit=1)
    (report,) = answer_languages(backend, data_dir, ["DE"], settings, show_progress=False)
    assert report.answered == 1


def _add_bos(target: Path) -> Path:
    """The model at ``target``, its tokenizer changed to put BOS before every text it encodes."""
    from tokenizers.processors import TemplateProcessing
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(target)
    bos = (tokenizer.bos_token, tokenizer.bos_token_id)
    tokenizer.backend_tokenizer.post_processor = TemplateProcessing(
        single=f"{bos[0]} $A", pair=f"{bos[0]} $A $B", special_tokens=[bos]
    )
    tokenizer.save_pretrained(target)
    return target


@pytest.mark.parametrize("conv_template", [None, "vicuna_v1.1"])
def test_prompts_start_with_exactly_one_bos(
    tiny_model: Path, tmp_path: Path, conv_template: str | None
) -> None:
    model = tmp_path / "bos"
    if conv_template is None:
        shutil.copytree(tiny_model, model)
    else:
        _strip_chat_template(tiny_model, model)
    _add_bos(model)
    backend = TransformersBackend(str(model), device="cpu", conv_template=conv_template)
    bos = backend.tokenizer.bos_token_id
    conversation = [{"role": "user", "content": "Hallo"}]
    assert backend.tokenizer("x").input_ids[0] == bos  # the tokenizer adds BOS to plain text
    for ids in (backend.encode([conversation])["input_ids"][0].tolist(),
                backend.format.token_ids(conversation)):  # fmt: skip
        assert ids[0] == bos and ids.count(bos) == 1


def test_openai_backend_two_turns_temperatures_and_system_prompts(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    prompts_file = tmp_path / "system.json"
    prompts_file.write_text(
        json.dumps({"de": "Antworte auf Deutsch.", "default": "Answer in English."})
    )
    settings = AnswerSettings(
        "served",
        max_new_tokens=32,
        batch_size=4,
        system_prompts=load_system_prompts(prompts_file),
        question_ids=["81", "101", "111_DE"],
    )

    def respond(body: dict) -> str:
        return f"reply {len(body['messages'])} to {body['messages'][-1]['content'][:20].strip()}"

    with OpenAICompatibleServer(respond) as server:
        backend = OpenAIBackend("tiny-served", base_url=server.base_url, parallel=4)
        reports = answer_languages(backend, data_dir, ["DE", "EN"], settings, show_progress=False)
        requests = list(server.requests)
    assert [r.answered for r in reports] == [3, 3]
    assert len(requests) == 12  # 3 questions x 2 turns x 2 languages
    questions = {q.question_id: q for q in load_questions(BenchPaths(data_dir, "DE").question_file)}
    for body in requests:
        assert body["model"] == "tiny-served"
        assert body["max_tokens"] == 32
        system = body["messages"][0]
        assert system["role"] == "system"
        german = "81_DE" in json.dumps(body) or any(
            m["content"] in {t for q in questions.values() for t in q.turns}
            for m in body["messages"]
        )
        assert system["content"] == ("Antworte auf Deutsch." if german else "Answer in English.")
    by_first_turn = {}
    for body in requests:
        if len(body["messages"]) == 2:
            by_first_turn[body["messages"][1]["content"]] = body["temperature"]
    assert by_first_turn[questions["81_DE"].turns[0]] == 0.7  # writing
    assert by_first_turn[questions["101_DE"].turns[0]] == 0.0  # reasoning
    second_turns = [b for b in requests if len(b["messages"]) == 4]
    assert len(second_turns) == 6
    for body in second_turns:
        user_1, reply_1, user_2 = body["messages"][1:]
        assert reply_1 == {
            "role": "assistant",
            "content": f"reply 2 to {user_1['content'][:20].strip()}",
        }
        assert user_2["role"] == "user"
    records = load_answer_records(BenchPaths(data_dir, "DE").model_answer_file("served"))
    assert [r.question_id for r in records] == ["81_DE", "101_DE", "111_DE"]
    assert records[0].turns[1].startswith("reply 4 to ")


def test_openai_backend_failure_is_a_clear_error_and_keeps_finished_answers(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-answer-secret")
    questions = {q.number: q for q in load_questions(BenchPaths(data_dir, "DE").question_file)}
    failing = questions[82].turns[0]

    def respond(body: dict) -> str:
        if any(m["content"] == failing for m in body["messages"]):
            raise RuntimeError("the server fails on question 82")
        return "ok"

    settings = AnswerSettings("served", batch_size=1, question_ids=["81", "82"])
    with OpenAICompatibleServer(respond) as server:
        backend = OpenAIBackend("tiny-served", base_url=server.base_url, max_retries=0)
        with pytest.raises(AnswerBackendError, match="HTTP 500") as caught:
            answer_languages(backend, data_dir, ["DE"], settings, show_progress=False)
    assert "sk-answer-secret" not in str(caught.value)
    records = load_answer_records(BenchPaths(data_dir, "DE").model_answer_file("served"))
    assert [r.question_id for r in records] == ["81_DE"]


def test_unknown_question_ids_are_refused(data_dir: Path) -> None:
    settings = AnswerSettings("x", question_ids=["81", "999"])
    with pytest.raises(ValueError, match="999"):
        answer_languages(OpenAIBackend("m", base_url="http://127.0.0.1:9"), data_dir, ["DE"],
                         settings, show_progress=False)  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"DE": 1}', "expected a JSON object"), ("{", "not valid JSON"), ('["x"]', "JSON object")],
)
def test_bad_system_prompt_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "system.json"
    path.write_text(content)
    with pytest.raises(InputFileError, match=message) as caught:
        load_system_prompts(path)
    assert str(path) in str(caught.value)


def test_bad_question_file_stops_before_any_answer(data_dir: Path) -> None:
    paths = BenchPaths(data_dir, "DE")
    lines = paths.question_file.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace('"turns"', '"turnz"')
    paths.question_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with OpenAICompatibleServer() as server:
        backend = OpenAIBackend("m", base_url=server.base_url)
        with pytest.raises(InputFileError, match=r"question\.jsonl:5: missing field 'turns'"):
            answer_languages(backend, data_dir, ["DE"], AnswerSettings("m"), show_progress=False)
        assert server.requests == []
    assert not paths.model_answer_file("m").exists()
