"""Assistant masks for slow tokenizers: from prefixes, equal to the offset-based fast mask."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from recipes.assistant_mask import tokenize_conversation
from recipes.sft import (
    CHAT_TEMPLATES_DIR,
    DEFAULT_TRAINING_TEMPLATE,
    build_trainer,
    make_parser,
    pick_chat_template,
)
from tests.recipes.sft_launch import cpu_recipe

TEMPLATES = {
    "generation": DEFAULT_TRAINING_TEMPLATE,
    "opengptx": CHAT_TEMPLATES_DIR / "opengptx.jinja",
}
SYSTEM_DE = json.loads((CHAT_TEMPLATES_DIR / "opengptx_system_messages.json").read_text())["DE"]
CONVERSATIONS = [
    [
        {"role": "user", "content": "What colour is the sky?"},
        {"role": "assistant", "content": "The sky is blue."},
    ],
    [
        {"role": "system", "content": SYSTEM_DE},
        {"role": "user", "content": "Welche Farbe hat der Himmel?"},
        {"role": "assistant", "content": "Der Himmel ist blau, grün wäre überraschend."},
        {"role": "user", "content": "Und nachts?"},
        {"role": "assistant", "content": "Nachts ist er schwarz."},
    ],
    [
        {"role": "user", "content": "¿De qué color es el cielo?\n\nResponde brevemente."},
        {"role": "assistant", "content": "Azul.\n- claro\n- oscuro"},
        {"role": "user", "content": "Di che colore è il cielo?"},
        {"role": "assistant", "content": "Il cielo è blu, così com'è."},
    ],
]
SPM_TEXTS = [
    "What colour is the sky? The sky is blue.",
    "Welche Farbe hat der Himmel? Der Himmel ist blau, grün wäre überraschend. Und nachts?",
    "De quelle couleur est le ciel ? Le ciel est bleu, à vrai dire.",
    "Di che colore è il cielo? Il cielo è blu, così com'è.",
    "¿De qué color es el cielo? El cielo es azul, señor. Responde brevemente. Azul claro oscuro",
    "System: User: Assistant: <|user|> <|assistant|> " + SYSTEM_DE,
    *(message["content"] for conversation in CONVERSATIONS for message in conversation),
]


def _fast_mask(tokenizer, conversation: list[dict], template: str) -> dict[str, list[int]]:
    output = tokenizer.apply_chat_template(
        conversation,
        chat_template=template,
        tokenize=True,
        return_dict=True,
        return_assistant_tokens_mask=True,
    )
    return {"input_ids": list(output["input_ids"]), "assistant_masks": output["assistant_masks"]}


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
@pytest.mark.parametrize("index", range(len(CONVERSATIONS)))
def test_prefix_mask_equals_the_offset_mask_of_a_fast_tokenizer(
    tiny_model: Path, template_name: str, index: int
) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    assert tokenizer.is_fast
    template = TEMPLATES[template_name].read_text(encoding="utf-8")
    conversation = CONVERSATIONS[index]
    expected = _fast_mask(tokenizer, conversation, template)
    assert 1 in expected["assistant_masks"]
    assert tokenize_conversation(tokenizer, conversation, template) == expected


@pytest.fixture(scope="module")
def spm_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny unigram SentencePiece model trained here (as the OpenGPT-X tokenizers are)."""
    spm = pytest.importorskip("sentencepiece")
    out = tmp_path_factory.mktemp("spm")
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(SPM_TEXTS * 10),
        model_prefix=str(out / "tokenizer"),
        vocab_size=200,
        model_type="unigram",
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=3,
        character_coverage=1.0,
        hard_vocab_limit=False,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        user_defined_symbols=["\n"],
        minloglevel=2,
    )
    return out / "tokenizer.model"


def _slow_spm(path: Path):
    from transformers.tokenization_utils_sentencepiece import SentencePieceBackend

    return SentencePieceBackend(
        vocab_file=str(path), bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )


def _fast_spm(slow):
    pytest.importorskip("google.protobuf")
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import SpmConverter

    return PreTrainedTokenizerFast(
        tokenizer_object=SpmConverter(slow).converted(),
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
    )


@pytest.mark.parametrize("template_name", sorted(TEMPLATES))
def test_slow_sentencepiece_mask_equals_its_fast_conversions_mask(
    spm_model: Path, template_name: str
) -> None:
    slow = _slow_spm(spm_model)
    fast = _fast_spm(slow)
    assert not slow.is_fast and fast.is_fast
    template = TEMPLATES[template_name].read_text(encoding="utf-8")
    for conversation in CONVERSATIONS:
        # The converted fast tokenizer: prefix mask and offset mask agree token for token.
        theirs = _fast_mask(fast, conversation, template)
        assert tokenize_conversation(fast, conversation, template) == theirs
        # The slow tokenizer (no offsets) tokenises around special tokens its own way; its
        # masked tokens read back as the fast mask's do: the assistant turns and their eos.
        mine = tokenize_conversation(slow, conversation, template)
        texts = [
            tokenizer.decode(
                [t for t, m in zip(out["input_ids"], out["assistant_masks"], strict=False) if m]
            ).replace(" ", "")
            for tokenizer, out in ((slow, mine), (fast, theirs))
        ]
        wanted = "".join(
            m["content"] + "</s>" for m in conversation if m["role"] == "assistant"
        ).replace(" ", "")
        assert texts == [wanted, wanted]


SPM_TOKENIZER_CODE = '''
from transformers.tokenization_utils_sentencepiece import SentencePieceBackend


class TinySentencePieceTokenizer(SentencePieceBackend):
    """A slow SentencePiece tokenizer shipped as remote code, as the OpenGPT-X models do."""

    vocab_files_names = {"vocab_file": "tokenizer.model"}
    model_input_names = ["input_ids", "attention_mask"]
'''


@pytest.mark.slow
def test_tiny_sentencepiece_model_trains_with_assistant_only_loss(
    spm_model: Path, mixture_repo: Path, tmp_path: Path
) -> None:
    from recipes.tiny_model import build_tiny_llama

    sentencepiece = pytest.importorskip("sentencepiece")
    vocab = sentencepiece.SentencePieceProcessor(model_file=str(spm_model)).vocab_size()
    base = build_tiny_llama(tmp_path / "base", seed=0)
    model = tmp_path / "spm-model"
    model.mkdir()
    config = json.loads((base / "config.json").read_text())
    config |= {"vocab_size": vocab, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 3}
    config.pop("tie_word_embeddings", None)
    (model / "config.json").write_text(json.dumps(config))
    shutil.copy(spm_model, model / "tokenizer.model")
    (model / "spm_tokenizer.py").write_text(SPM_TOKENIZER_CODE, encoding="utf-8")
    (model / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "TinySentencePieceTokenizer",
                "auto_map": {"AutoTokenizer": ["spm_tokenizer.TinySentencePieceTokenizer", None]},
                "bos_token": "<s>",
                "eos_token": "</s>",
                "unk_token": "<unk>",
                "pad_token": "<pad>",
            }
        )
    )
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model)).save_pretrained(model)

    recipe = cpu_recipe(
        model,
        mixture_repo,
        "ENDEFRITES-sampled",
        tmp_path / "out",
        trust_remote_code=True,
        training_chat_template="opengptx",
        max_steps=4,
        max_length=1024,
        eval_steps=2,
        save_steps=2,
    )
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    trainer = build_trainer(*make_parser().parse_args_and_config(["--config", str(path)]))
    tokenizer = trainer.processing_class
    assert not tokenizer.is_fast
    assert pick_chat_template(tokenizer, "opengptx") == tokenizer.chat_template
    row = trainer.train_dataset[0]
    labelled = [
        t for t, label in zip(row["input_ids"], row["labels"], strict=False) if label != -100
    ]
    assert 0 < len(labelled) < len(row["input_ids"])
    prompt = tokenizer.decode(row["input_ids"][: row["labels"].index(labelled[0])])
    system = row["messages"][0]
    assert system["role"] == "system" and system["content"] in prompt
    assert labelled[-1] == tokenizer.eos_token_id  # trained to stop
    result = trainer.train()
    assert result.global_step == 4
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    assert losses[-1] < losses[0]
