"""The real ``recipes/sft.py`` under ``accelerate launch --cpu`` on a tiny random Llama."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from recipes.sft import (
    DEFAULT_TRAINING_TEMPLATE,
    accumulation_steps,
    build_trainer,
    make_parser,
    pick_chat_template,
    resolve_config,
    resolve_resume,
    resolve_splits,
    weights_dtype,
)
from tests.recipes.hub_folder import write_hub_folder
from tests.recipes.sft_launch import cpu_recipe, launch

pytestmark = pytest.mark.slow


def _losses(state: dict, key: str) -> list[tuple[int, float]]:
    return [(entry["step"], entry[key]) for entry in state["log_history"] if key in entry]


def _weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def test_sft_trains_logs_validation_and_saves_a_generating_model(
    tiny_model: Path, mixture_repo: Path, tmp_path: Path
) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "sft"
    state, _ = launch(cpu_recipe(tiny_model, mixture_repo, "ENDEFRITES", out), tmp_path)

    train = _losses(state, "loss")
    evals = _losses(state, "eval_loss")
    assert len(train) >= 10 and len(evals) == 3
    assert sum(v for _, v in train[-3:]) / 3 < sum(v for _, v in train[:3]) / 3
    assert evals[-1][1] < evals[0][1]

    template = DEFAULT_TRAINING_TEMPLATE.read_text(encoding="utf-8").rstrip("\n")
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert tokenizer.chat_template == template
    best = Path(state["best_model_checkpoint"])
    assert AutoTokenizer.from_pretrained(best).chat_template == template

    model = AutoModelForCausalLM.from_pretrained(out)
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Welche Farbe hat der Himmel?"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        generated = model.generate(**prompt, max_new_tokens=8, do_sample=False)
    assert generated.shape[1] > prompt["input_ids"].shape[1]


def test_early_stopping_keeps_the_lowest_validation_loss(
    tiny_model: Path, contradicting_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sft"
    recipe = cpu_recipe(
        tiny_model,
        contradicting_repo,
        "ENDEFRITES",
        out,
        learning_rate=1.0e-2,
        max_steps=80,
        eval_steps=2,
        save_steps=2,
        early_stopping_patience=3,
    )
    state, _ = launch(recipe, tmp_path)

    evals = _losses(state, "eval_loss")
    best_step, best_loss = min(evals, key=lambda item: item[1])
    assert evals[-1][1] > best_loss, "validation loss never rose: the data does not test stopping"
    assert state["global_step"] < 80
    assert len(evals) - 1 - [step for step, _ in evals].index(best_step) == 3  # the patience
    assert state["best_model_checkpoint"].endswith(f"checkpoint-{best_step}")
    final, best = _weights(out), _weights(Path(state["best_model_checkpoint"]))
    assert final.keys() == best.keys()
    assert all(final[name].equal(best[name]) for name in final)


def _independent_assistant_mask(tokenizer, messages: list[dict], input_ids: list[int]) -> list[int]:
    """1 for tokens inside an assistant turn's content (+ its eos), from character spans."""
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    spans, cursor = [], 0
    for message in messages:
        start = text.index(message["content"], cursor)
        end = start + len(message["content"])
        cursor = end
        if message["role"] == "assistant":
            assert text.startswith(tokenizer.eos_token, end)
            spans.append((start, end + len(tokenizer.eos_token)))
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    assert encoded["input_ids"] == input_ids, "the trainer tokenized something else"
    return [
        int(any(s <= a and b <= e for s, e in spans) and b > a)
        for a, b in encoded["offset_mapping"]
    ]


def test_assistant_only_loss_matches_character_spans(
    tiny_model: Path, mixture_repo: Path, tmp_path: Path
) -> None:
    config = tmp_path / "recipe.yaml"
    recipe = cpu_recipe(tiny_model, mixture_repo, "ENDEFRITES", tmp_path / "out")
    config.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    args = make_parser().parse_args_and_config(["--config", str(config)])
    trainer = build_trainer(*args)
    tokenizer = trainer.processing_class
    batch = next(iter(trainer.get_train_dataloader()))
    checked = 0
    for ids, labels, attention in zip(
        batch["input_ids"].tolist(),
        batch["labels"].tolist(),
        batch["attention_mask"].tolist(),
        strict=True,
    ):
        length = sum(attention)
        ids, labels = ids[:length], labels[:length]
        text = tokenizer.decode(ids, skip_special_tokens=False)
        messages = _messages_from_rendered(text)
        expected = _independent_assistant_mask(tokenizer, messages, ids)
        assert [int(label != -100) for label in labels] == expected
        assert 0 < sum(expected) < length
        checked += 1
    assert checked == recipe["per_device_train_batch_size"]


def _messages_from_rendered(text: str) -> list[dict]:
    """Split the tiny template's rendering back into messages (role markers are unambiguous)."""
    messages = []
    body = text.removeprefix("<s>")
    for chunk in body.split("<|")[1:]:
        role, _, content = chunk.partition("|>\n")
        content = content.removesuffix("\n").removesuffix("</s>")
        messages.append({"role": role, "content": content})
    return messages


def test_two_process_gloo_launch_with_packing(
    tiny_model: Path, mixture_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sft"
    recipe = cpu_recipe(
        tiny_model,
        mixture_repo,
        "DE",
        out,
        per_device_train_batch_size=4,
        gradient_accumulation_steps=1,
        max_steps=3,
        eval_steps=3,
        save_steps=3,
        packing=True,
    )
    state, output = launch(recipe, tmp_path, num_processes=2)
    assert state["global_step"] == 3
    # 16 = 4 per device x 2 accumulation x 2 processes: the script recomputed the accumulation.
    assert (
        "gradient_accumulation_steps 1 -> 2 to keep the effective batch at 16 on 2 processes"
        in output
    )
    assert (out / "model.safetensors").is_file()
    assert (out / "chat_template.jinja").is_file()


@pytest.mark.parametrize(
    ("effective", "per_device", "world", "expected"),
    [(64, 8, 1, 8), (64, 4, 8, 2), (64, 1, 16, 4), (64, 2, 32, 1)],
)
def test_accumulation_steps_keep_the_effective_batch(effective, per_device, world, expected):
    assert accumulation_steps(effective, per_device, world) == expected


def test_accumulation_steps_refuse_an_uneven_split() -> None:
    with pytest.raises(ValueError, match="not a multiple"):
        accumulation_steps(64, 3, 8)


def test_validation_split_alias_is_accepted() -> None:
    assert resolve_splits({"train": 1, "val": 2}, "train", "validation") == ("train", "val")
    assert resolve_splits({"train": 1, "validation": 2}, "train", "val") == ("train", "validation")
    with pytest.raises(KeyError, match="has"):
        resolve_splits({"train": 1}, "train", "validation")


def test_training_template_replaces_one_without_generation_markers(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    own = tokenizer.chat_template
    assert pick_chat_template(tokenizer, "auto") == own  # the tiny template has markers
    tokenizer.chat_template = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    shipped = DEFAULT_TRAINING_TEMPLATE.read_text(encoding="utf-8").rstrip("\n")
    assert pick_chat_template(tokenizer, "auto") == shipped
    assert pick_chat_template(tokenizer, "model") == tokenizer.chat_template
    tokenizer.chat_template = None
    assert pick_chat_template(tokenizer, "auto") == shipped


def test_a_committed_paper_recipe_runs_with_only_size_and_hardware_overrides(
    tiny_model: Path, mixture_repo: Path, tmp_path: Path
) -> None:
    committed = Path(__file__).resolve().parents[2] / "recipes" / "teuken-7b" / "bactrian-x-small"
    recipe = yaml.safe_load((committed / "ENDEFRITES-sampled.yaml").read_text(encoding="utf-8"))
    recipe |= {
        "model_name_or_path": str(tiny_model),
        "dataset_name": str(mixture_repo),
        "output_dir": str(tmp_path / "sft"),
        "use_cpu": True,
        "bf16": False,
        "dtype": "float32",
        "activation_checkpointing": False,
        "per_device_train_batch_size": 8,
        "max_steps": 2,
    }
    state, output = launch(recipe, tmp_path)
    assert state["global_step"] == 2
    assert "gradient_accumulation_steps 4 -> 8 to keep the effective batch at 64" in output
    assert any("eval_loss" in entry for entry in state["log_history"])


CHAR_TOKENIZER = '''
from transformers import PreTrainedTokenizer


class CharTokenizer(PreTrainedTokenizer):
    """A Python-only (slow) tokenizer shipped as remote code: one id per Latin-1 character."""

    model_input_names = ["input_ids", "attention_mask"]

    def __init__(self, **kwargs):
        self._vocab = {chr(i): i for i in range(256)}
        super().__init__(**kwargs)

    @property
    def vocab_size(self):
        return 256

    def get_vocab(self):
        return {**self._vocab, **self.added_tokens_encoder}

    def _tokenize(self, text, **kwargs):
        return list(text)

    def _convert_token_to_id(self, token):
        return self._vocab.get(token, 0)

    def _convert_id_to_token(self, index):
        return chr(index)

    def convert_tokens_to_string(self, tokens):
        return "".join(tokens)

    def save_vocabulary(self, save_directory, filename_prefix=None):
        return ()
'''


def test_slow_remote_code_tokenizer_gets_assistant_masks_from_prefixes(
    tiny_model: Path, mixture_repo: Path, tmp_path: Path
) -> None:
    import json
    import shutil

    model = tmp_path / "remote-code-model"
    model.mkdir()
    for name in ("config.json", "generation_config.json", "model.safetensors"):
        shutil.copy(tiny_model / name, model / name)
    (model / "char_tokenizer.py").write_text(CHAR_TOKENIZER, encoding="utf-8")
    tokenizer_config = {
        "tokenizer_class": "CharTokenizer",
        "auto_map": {"AutoTokenizer": ["char_tokenizer.CharTokenizer", None]},
        "bos_token": "<s>",
        "eos_token": "</s>",
        "pad_token": "<pad>",
    }
    (model / "tokenizer_config.json").write_text(json.dumps(tokenizer_config), encoding="utf-8")
    config = tmp_path / "recipe.yaml"
    recipe = cpu_recipe(model, mixture_repo, "EN", tmp_path / "out", trust_remote_code=True)
    config.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    trainer = build_trainer(*make_parser().parse_args_and_config(["--config", str(config)]))
    row = trainer.train_dataset[0]
    labelled = [
        t for t, label in zip(row["input_ids"], row["labels"], strict=False) if label != -100
    ]
    eos = trainer.processing_class.eos_token_id
    assert labelled[-1] == eos  # the answer's characters (one id each), then eos
    assert "".join(chr(t) for t in labelled[:-1]) == row["messages"][-1]["content"]

    # Training on the whole sequence still works with the slow tokenizer.
    args = make_parser().parse_args_and_config(
        ["--config", str(config), "--assistant_only_loss", "false"]
    )
    trainer = build_trainer(*args)
    assert not trainer.processing_class.is_fast
    first = trainer.train_dataset[0]["input_ids"]
    assert trainer.processing_class.decode(first).startswith("<s><|user|>\n")


BUILT = ["EN", "ENDEFRITES", "ENDEFRITES-sampled", "EN_DE_FR_IT_ES", "EN_DE_FR_IT_ES_sampled"]
PUBLISHED = ["EN", "DE", "EN_DE_FR_IT_ES", "DE_FR_IT_ES", "EN_DE_FR_IT_ES_sampled"]


@pytest.mark.parametrize(
    ("requested", "available", "expected"),
    [
        ("ENDEFRITES", BUILT, "ENDEFRITES"),
        ("ENDEFRITES-sampled", BUILT, "ENDEFRITES-sampled"),
        ("ENDEFRITES", PUBLISHED, "EN_DE_FR_IT_ES"),
        ("DEFRITES", PUBLISHED, "DE_FR_IT_ES"),
        ("ENDEFRITES-sampled", PUBLISHED, "EN_DE_FR_IT_ES_sampled"),
        ("EN", PUBLISHED, "EN"),
        ("ENDEFRITES", [], "ENDEFRITES"),  # configs not listable: load_dataset decides
    ],
)
def test_mixture_config_is_found_in_either_spelling(requested, available, expected) -> None:
    assert resolve_config(requested, available) == expected


def test_unknown_mixture_config_names_the_ones_there_are() -> None:
    with pytest.raises(ValueError, match=r"'DEFRITES-sampled'.*has: EN, DE, EN_DE_FR_IT_ES"):
        resolve_config("DEFRITES-sampled", PUBLISHED)


def test_committed_lima_x_recipe_loads_the_published_repo_layout(
    tiny_model: Path, tmp_path: Path
) -> None:
    """lamarr-org/Lima-X spells mixtures EN_DE_FR_IT_ES and names its validation split val."""
    rows = [
        {
            "id": f"{i}_{lang}",
            "messages": [
                {"role": "user", "content": f"question {i} {lang}"},
                {"role": "assistant", "content": f"answer {i} {lang}"},
            ],
        }
        for lang in ("EN", "DE", "FR", "IT", "ES")
        for i in range(4)
    ]
    repo = write_hub_folder(
        tmp_path / "Lima-X",
        {
            "EN": {"train": rows[:4], "val": rows[:2]},
            "EN_DE_FR_IT_ES": {"train": rows, "val": rows[:5]},
        },
    )
    committed = Path(__file__).resolve().parents[2] / "recipes" / "teuken-7b" / "lima-x"
    overrides = {
        "model_name_or_path": str(tiny_model),
        "dataset_name": str(repo),
        "output_dir": str(tmp_path / "out"),
        "use_cpu": "true",
        "bf16": "false",
        "dtype": "float32",
        "activation_checkpointing": "false",
        "per_device_train_batch_size": "8",
    }
    argv = ["--config", str(committed / "ENDEFRITES.yaml")]
    for key, value in overrides.items():
        argv += [f"--{key}", value]
    trainer = build_trainer(*make_parser().parse_args_and_config(argv))
    assert len(trainer.train_dataset) == len(rows)
    assert len(trainer.eval_dataset) == 5

    argv[1] = str(committed / "DEFRITES.yaml")
    with pytest.raises(ValueError, match="'DEFRITES' is not a config of the dataset; it has: EN"):
        build_trainer(*make_parser().parse_args_and_config(argv))


def test_resume_choice_finds_the_last_checkpoint(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert resolve_resume(None, str(out)) is None  # a fresh run
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        resolve_resume("true", str(out))
    for step in (4, 12, 8):
        (out / f"checkpoint-{step}").mkdir(parents=True)
    last = str(out / "checkpoint-12")
    assert resolve_resume("true", str(out)) == last
    assert resolve_resume("last", str(out)) == last
    assert resolve_resume(None, str(out)) == last  # a rerun goes on where it stopped
    assert resolve_resume("false", str(out)) is None
    assert resolve_resume(str(out / "checkpoint-4"), str(out)) == str(out / "checkpoint-4")


def test_resume_from_checkpoint_true_goes_on_from_the_last_checkpoint(
    tiny_model: Path, mixture_repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The script's ``main`` in this process (a launch costs ~10 s of imports per run)."""
    import json
    import logging

    from recipes.sft import main

    out = tmp_path / "sft"
    recipe = cpu_recipe(
        tiny_model,
        mixture_repo,
        "EN",
        out,
        gradient_accumulation_steps=1,
        effective_batch_size=8,
        max_steps=2,
        eval_steps=2,
        save_steps=2,
    )
    config = tmp_path / "recipe.yaml"
    config.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    main(*make_parser().parse_args_and_config(["--config", str(config)]))
    argv = ["--config", str(config), "--max_steps", "4", "--resume_from_checkpoint", "true"]
    with caplog.at_level(logging.INFO, logger="recipes.sft"):
        main(*make_parser().parse_args_and_config(argv))
    assert f"resuming from {out / 'checkpoint-2'}" in caplog.text
    state = json.loads((out / "trainer_state.json").read_text(encoding="utf-8"))
    assert state["global_step"] == 4
    steps = [entry["step"] for entry in state["log_history"] if "loss" in entry]
    assert steps == [1, 2, 3, 4]  # the first run's log kept, steps 1-2 not trained again

    # The same command again: the run is finished, nothing is trained or overwritten.
    weights = (out / "model.safetensors").stat().st_mtime_ns
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="recipes.sft"):
        main(*make_parser().parse_args_and_config(["--config", str(config)]))
    assert "holds a finished run; nothing to do" in caplog.text
    assert (out / "model.safetensors").stat().st_mtime_ns == weights
    assert json.loads((out / "trainer_state.json").read_text(encoding="utf-8")) == state


def test_bf16_mixed_precision_without_sharding_updates_fp32_weights(
    tiny_model: Path, mixture_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On one device an AdamW step of 1e-5 is below bf16's resolution for most weights."""
    import torch

    for name in ("ACCELERATE_USE_DEEPSPEED", "ACCELERATE_USE_FSDP"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "recipe.yaml"
    recipe = cpu_recipe(tiny_model, mixture_repo, "EN", tmp_path / "out", bf16=True)
    config.write_text(yaml.safe_dump(recipe | {"dtype": "bfloat16"}), encoding="utf-8")
    args = make_parser().parse_args_and_config(["--config", str(config)])
    trainer = build_trainer(*args)
    assert {p.dtype for p in trainer.model.parameters()} == {torch.float32}

    training = args[1]
    monkeypatch.setenv("ACCELERATE_USE_FSDP", "true")  # accelerate's FSDP upcasts the shards
    assert weights_dtype("bfloat16", training) == "bfloat16"
    monkeypatch.delenv("ACCELERATE_USE_FSDP")
    monkeypatch.setenv("ACCELERATE_USE_DEEPSPEED", "true")  # DeepSpeed keeps fp32 masters
    assert weights_dtype("bfloat16", training) == "bfloat16"
    monkeypatch.delenv("ACCELERATE_USE_DEEPSPEED")
    assert weights_dtype("bfloat16", training) == "float32"
    training.bf16 = False  # pure bf16 weights, asked for
    assert weights_dtype("bfloat16", training) == "bfloat16"
