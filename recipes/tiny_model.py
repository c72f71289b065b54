"""Tiny random Llama checkpoints with a locally trained tokenizer, for tests, demos and benchmarks.

Nothing is downloaded: the byte-level BPE tokenizer is trained on a small built-in text in
English, German, French, Italian and Spanish (so umlauts and accents round-trip), wrapped in a
fast tokenizer with ``<s>``/``</s>``/``<pad>`` and the training chat template of
``recipes/chat_templates/generation.jinja`` (it has ``{% generation %}`` markers, so TRL's
assistant-only loss works). ``save_pretrained`` writes both, so
``AutoTokenizer.from_pretrained(out)`` and ``AutoModelForCausalLM.from_pretrained(out)`` work
offline and the checkpoint carries its ``chat_template``.

    python -m recipes.tiny_model --out /tmp/tiny-llama
    python -m recipes.tiny_model --out /tmp/bench-1b --preset bench-1b   # config + tokenizer only
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

CHAT_TEMPLATE_DIR = Path(__file__).resolve().parent / "chat_templates"
DEFAULT_CHAT_TEMPLATE = CHAT_TEMPLATE_DIR / "generation.jinja"

BOS, EOS, PAD, UNK = "<s>", "</s>", "<pad>", "<unk>"
ROLE_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>")

# A few sentences per language, written for this project; enough for a few hundred merges.
CORPUS: tuple[str, ...] = (
    "The quick brown fox jumps over the lazy dog. Please answer the question in English.",
    "Write a short poem about the sea, then explain what a metaphor is.",
    "How many apples are left if you eat three of seven? Four apples are left.",
    "Der schnelle braune Fuchs springt über den faulen Hund. Grüße aus München!",
    "Bitte beantworte die Frage auf Deutsch. Schöne Größe, süße Äpfel, Übung macht den Meister.",
    "Wie viele Äpfel bleiben übrig, wenn du drei von sieben isst? Es bleiben vier Äpfel.",
    "Le renard brun rapide saute par-dessus le chien paresseux. Où est la bibliothèque ?",
    "Réponds à la question en français, s'il te plaît. Être ou ne pas être, voilà la question.",
    "Combien de pommes reste-t-il si tu en manges trois sur sept ? Il en reste quatre.",
    "La volpe marrone veloce salta sopra il cane pigro. Perché è così difficile?",
    "Rispondi alla domanda in italiano, per favore. Così è la vita; città, virtù, più.",
    "Quante mele restano se ne mangi tre su sette? Ne restano quattro.",
    "El rápido zorro marrón salta sobre el perro perezoso. ¿Dónde está la estación?",
    "Responde a la pregunta en español, por favor. ¡Qué niño tan pequeño! Mañana, corazón.",
    "¿Cuántas manzanas quedan si comes tres de siete? Quedan cuatro manzanas.",
    "def add(a, b):\n    # add two numbers\n    return a + b\n",
    "1 2 3 4 5 6 7 8 9 10 100 1000 3.14 -42 (x + y) * z = 0",
)


@dataclass(frozen=True)
class LlamaShape:
    """The architecture knobs of a Llama config (Llama-2 layout: untied embeddings, MHA)."""

    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int = 2048


TINY = LlamaShape(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128)
# ~1.1B parameters with a 250k vocabulary: 2 x 250k x 1536 embedding/head + 12 x 28.3M blocks.
BENCH_1B = LlamaShape(
    hidden_size=1536,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=4096,
    max_position_embeddings=4096,
)
PRESETS = {"tiny": TINY, "bench-1b": BENCH_1B}


def load_chat_template(path: Path = DEFAULT_CHAT_TEMPLATE) -> str:
    """The Jinja chat template in ``path`` (trailing newline stripped)."""
    return Path(path).read_text(encoding="utf-8").rstrip("\n")


def build_tokenizer(vocab_size: int = 512, chat_template: str | None = None):
    """Train a byte-level BPE on :data:`CORPUS` and wrap it as a fast HF tokenizer.

    The trained vocabulary has at most ``vocab_size`` entries (a tiny corpus cannot fill a
    large one); the model's embedding size is set separately.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    special = [BOS, EOS, PAD, UNK, *ROLE_TOKENS]
    backend = Tokenizer(models.BPE(unk_token=None))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(list(CORPUS) * 4, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        unk_token=UNK,
        additional_special_tokens=list(ROLE_TOKENS),
    )
    tokenizer.chat_template = chat_template or load_chat_template()
    return tokenizer


def llama_config(tokenizer, shape: LlamaShape, vocab_size: int):
    """A Llama-2-layout config whose special token ids match ``tokenizer``."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=max(vocab_size, len(tokenizer)),
        hidden_size=shape.hidden_size,
        num_hidden_layers=shape.num_hidden_layers,
        num_attention_heads=shape.num_attention_heads,
        num_key_value_heads=shape.num_attention_heads,
        intermediate_size=shape.intermediate_size,
        max_position_embeddings=shape.max_position_embeddings,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )


def build_tiny_llama(
    out_dir: Path,
    *,
    seed: int = 0,
    vocab_size: int = 512,
    shape: LlamaShape = TINY,
    with_weights: bool = True,
    chat_template: str | None = None,
) -> Path:
    """Write a random Llama (weights unless ``with_weights=False``) + tokenizer to ``out_dir``.

    With ``with_weights=False`` only ``config.json`` and the tokenizer are written; load the
    model with ``AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(out_dir))``.
    """
    import torch
    from transformers import GenerationConfig, LlamaForCausalLM

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(min(vocab_size, 4096), chat_template=chat_template)
    config = llama_config(tokenizer, shape, vocab_size)
    generation = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        max_new_tokens=64,
    )
    if with_weights:
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
        model.generation_config = generation
        model.save_pretrained(out_dir)
    else:
        config.save_pretrained(out_dir)
        generation.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    logger.info("wrote %s (vocab %d, %s)", out_dir, config.vocab_size, shape)
    return out_dir


def build_bench_llama(out_dir: Path, *, vocab_size: int = 250_000) -> Path:
    """Config + tokenizer of a ~1.1B Llama with a 250k vocabulary (weights random at load time)."""
    return build_tiny_llama(out_dir, vocab_size=vocab_size, shape=BENCH_1B, with_weights=False)


def count_parameters(shape: LlamaShape, vocab_size: int) -> int:
    """Parameters of a Llama-2-layout model (untied embeddings, MHA, SwiGLU, RMSNorm)."""
    h, f = shape.hidden_size, shape.intermediate_size
    block = 4 * h * h + 3 * h * f + 2 * h
    return 2 * vocab_size * h + shape.num_hidden_layers * block + h


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vocab-size", type=int, default=None, help="embedding rows")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    parser.add_argument(
        "--config-only", action="store_true", help="write config + tokenizer, no weights"
    )
    args = parser.parse_args(argv)
    shape = PRESETS[args.preset]
    vocab = args.vocab_size or (250_000 if args.preset == "bench-1b" else 512)
    config_only = args.config_only or args.preset == "bench-1b"
    out = build_tiny_llama(
        args.out, seed=args.seed, vocab_size=vocab, shape=shape, with_weights=not config_only
    )
    print(
        f"{out}: {args.preset}, vocab {vocab}, ~{count_parameters(shape, vocab) / 1e6:.1f}M params"
    )


if __name__ == "__main__":
    main()
