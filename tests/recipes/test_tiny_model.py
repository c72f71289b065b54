"""The tiny random Llama and its locally trained tokenizer load offline and round-trip text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recipes.tiny_model import BENCH_1B, count_parameters


@pytest.mark.parametrize(
    "text",
    [
        "Grüße aus München, schöne Größe!",
        "Où est la bibliothèque ? Être ou ne pas être.",
        "Perché è così difficile? Città, virtù.",
        "¿Dónde está la estación? ¡Mañana, señor!",
        "def f(x):\n    return x  # ok",
    ],
)
def test_tokenizer_round_trips_accents_and_umlauts(tiny_model: Path, text: str) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    assert tokenizer.is_fast
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert tokenizer.decode(ids) == text
    assert tokenizer.unk_token_id not in ids


def test_checkpoint_carries_a_chat_template_with_generation_markers(tiny_model: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    assert "{% generation %}" in (tiny_model / "chat_template.jinja").read_text(encoding="utf-8")
    messages = [
        {"role": "user", "content": "Wie geht's?"},
        {"role": "assistant", "content": "Gut, danke."},
    ]
    rendered = tokenizer.apply_chat_template(messages, tokenize=False)
    assert rendered == "<s><|user|>\nWie geht's?\n<|assistant|>\nGut, danke.</s>\n"
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert model.config.eos_token_id == tokenizer.eos_token_id
    assert model.config.pad_token_id == tokenizer.pad_token_id
    assert model.num_parameters() < 1_000_000


def test_bench_preset_writes_config_and_tokenizer_only(tmp_path: Path) -> None:
    from transformers import AutoConfig, AutoTokenizer

    out = tmp_path / "bench-1b"
    command = [sys.executable, "-m", "recipes.tiny_model", "--out", str(out)]
    done = subprocess.run(
        [*command, "--preset", "bench-1b"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not (out / "model.safetensors").exists()
    config = AutoConfig.from_pretrained(out)
    assert config.vocab_size == 250_000
    assert AutoTokenizer.from_pretrained(out).chat_template
    assert 1.0e9 < count_parameters(BENCH_1B, 250_000) < 1.3e9
