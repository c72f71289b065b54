"""Supervised fine-tuning on a Lima-X / Bactrian-X mixture with TRL's ``SFTTrainer``.

    accelerate launch --config_file recipes/accelerate/deepspeed_zero3.yaml recipes/sft.py \
        --config recipes/teuken-7b/lima-x/ENDEFRITES.yaml [--any_field value ...]

Every field of the YAML can be overridden on the command line. The data is
``load_dataset(dataset_name, dataset_config)`` (a Hub id or a local folder written by
``lima-x``), conversational ``messages``; the loss covers assistant tokens only, through a
chat template with ``{% generation %}`` markers (the base model's own one when it has them,
else ``recipes/chat_templates/generation.jinja``). The template used is saved with every
checkpoint. Early stopping on validation loss keeps the best checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

CHAT_TEMPLATES_DIR = Path(__file__).resolve().parent / "chat_templates"
DEFAULT_TRAINING_TEMPLATE = CHAT_TEMPLATES_DIR / "generation.jinja"
# Shipped training templates by name: the paper authors' OpenGPT-X prompt format.
NAMED_TEMPLATES = {"opengptx": CHAT_TEMPLATES_DIR / "opengptx.jinja"}
NAMED_SYSTEM_MESSAGES = {"opengptx": CHAT_TEMPLATES_DIR / "opengptx_system_messages.json"}
SYSTEM_MESSAGES_FILE = "system_messages.json"
VALIDATION_ALIASES = ("validation", "val")


@dataclass
class LimaXScriptArguments:
    """Data and run options that are not part of ``SFTConfig`` / ``ModelConfig``."""

    dataset_name: str | None = field(
        default=None, metadata={"help": "Hub id or local folder of a lima_x dataset repo."}
    )
    dataset_config: str | None = field(
        default=None, metadata={"help": "Mixture config, e.g. EN, ENDEFRITES, DEFRITES-sampled."}
    )
    dataset_train_split: str = field(default="train", metadata={"help": "Training split."})
    dataset_test_split: str = field(
        default="validation",
        metadata={"help": "Validation split ('validation'; the alias 'val' is accepted too)."},
    )
    training_chat_template: str = field(
        default="auto",
        metadata={
            "help": "'auto': the model's template if it has {% generation %} markers, else the "
            "shipped recipes/chat_templates/generation.jinja; 'model': always the model's; "
            "'opengptx': the paper authors' format (recipes/chat_templates/opengptx.jinja, a "
            "system message in each sample's language); or a path to a .jinja file."
        },
    )
    system_messages: str = field(
        default="auto",
        metadata={
            "help": "JSON object language -> system message added to every sample without one "
            "(by its `lang` column or `_XX` id suffix; 'default' for other languages), saved "
            "with the model as system_messages.json. 'auto': the named template's own (opengptx) "
            "else none; 'none'; or a path."
        },
    )
    effective_batch_size: int | None = field(
        default=64,
        metadata={
            "help": "Keep per_device_train_batch_size x gradient_accumulation_steps x processes "
            "at this value by recomputing the accumulation steps for the actual process count "
            "(null: use gradient_accumulation_steps as given)."
        },
    )
    early_stopping_patience: int = field(
        default=3, metadata={"help": "Evaluations without improvement before stopping (0: off)."}
    )
    early_stopping_threshold: float = field(
        default=0.0, metadata={"help": "Minimum eval_loss improvement that counts."}
    )

    def __post_init__(self) -> None:
        if self.effective_batch_size is not None and self.effective_batch_size < 1:
            raise ValueError(f"effective_batch_size must be >= 1, got {self.effective_batch_size}")
        if self.early_stopping_patience < 0:
            raise ValueError(
                f"early_stopping_patience must be >= 0 (0 turns it off), got "
                f"{self.early_stopping_patience}"
            )


def accumulation_steps(effective: int, per_device: int, world_size: int) -> int:
    """Gradient accumulation steps so that ``per_device * steps * world_size == effective``."""
    denominator = per_device * world_size
    if effective % denominator:
        raise ValueError(
            f"effective_batch_size {effective} is not a multiple of per_device_train_batch_size "
            f"{per_device} x {world_size} processes; change per_device_train_batch_size"
        )
    return effective // denominator


def pick_chat_template(tokenizer, choice: str) -> str:
    """The training chat template for ``tokenizer`` according to ``choice`` (see the field help)."""
    from trl.chat_template_utils import has_generation_markers

    if choice in NAMED_TEMPLATES:
        return NAMED_TEMPLATES[choice].read_text(encoding="utf-8").rstrip("\n")
    own = tokenizer.chat_template
    if choice == "model" or (choice == "auto" and own and has_generation_markers(own)):
        if not own:
            raise ValueError("training_chat_template=model, but the tokenizer has no chat template")
        return own
    path = DEFAULT_TRAINING_TEMPLATE if choice == "auto" else Path(choice)
    if not path.is_file():
        raise FileNotFoundError(f"training_chat_template: no such file {path}")
    return path.read_text(encoding="utf-8").rstrip("\n")


def resolve_splits(dataset, train: str, test: str) -> tuple[str, str]:
    """Check the splits exist; accept ``val`` for ``validation`` and the other way round."""
    if train not in dataset:
        raise KeyError(f"split {train!r} not in the dataset (has {sorted(dataset)})")
    if test not in dataset and test in VALIDATION_ALIASES:
        test = next((alias for alias in VALIDATION_ALIASES if alias in dataset), test)
    if test not in dataset:
        raise KeyError(f"split {test!r} not in the dataset (has {sorted(dataset)})")
    return train, test


def _spelling(config: str) -> str:
    return config.upper().replace("_", "").replace("-", "")


def resolve_config(requested: str | None, available: Sequence[str]) -> str | None:
    """``requested`` if the dataset has it, else the same mixture in the other spelling.

    ``lima-x`` names mixtures ``ENDEFRITES`` / ``DEFRITES-sampled``; the published
    ``lamarr-org/Lima-X`` spells them ``EN_DE_FR_IT_ES`` / ``DE_FR_IT_ES_sampled``.
    """
    if requested is None or not available or requested in available:
        return requested
    same = [name for name in available if _spelling(name) == _spelling(requested)]
    if not same:
        raise ValueError(
            f"dataset_config {requested!r} is not a config of the dataset; it has: "
            f"{', '.join(available)}"
        )
    logger.info("dataset_config %s -> %s (the dataset's spelling)", requested, same[0])
    return same[0]


def dataset_config_names(dataset_name: str) -> list[str]:
    """Config names of ``dataset_name`` (empty when they cannot be listed, e.g. offline)."""
    from datasets import get_dataset_config_names

    try:
        return list(get_dataset_config_names(dataset_name))
    except (OSError, ValueError) as error:  # unreachable Hub, no card: load_dataset will say
        logger.warning("could not list the configs of %s: %s", dataset_name, error)
        return []


def local_dataset_cache_dir(dataset_name: str) -> str | None:
    """A ``datasets`` cache dir keyed by the files of a local dataset folder, else ``None``.

    ``datasets`` caches a local folder by its path and the files' relative names, not their
    content: retraining on a folder rebuilt in place would read the old rows. Keying the cache
    by every file's name, size and modification time makes a rebuilt folder a new dataset.
    """
    folder = Path(dataset_name)
    if not folder.is_dir():
        return None
    from datasets import config

    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return str(Path(config.HF_DATASETS_CACHE) / "local-folders" / digest.hexdigest()[:16])


def load_mixture(dataset_name: str, config: str | None):
    """``load_dataset(dataset_name, config)``; a local folder is read as it is now on disk."""
    from datasets import load_dataset

    return load_dataset(dataset_name, config, cache_dir=local_dataset_cache_dir(dataset_name))


def resolve_resume(value: str | None, output_dir: str) -> str | None:
    """The checkpoint to resume from: a path, or the last ``checkpoint-*`` of ``output_dir``.

    ``None`` (not given) resumes from the last checkpoint when ``output_dir`` has one, so a
    rerun of a killed job goes on where it stopped (a finished one is left alone: ``main``);
    ``true``/``last`` require one; ``false`` starts from scratch.
    """
    from transformers.trainer_utils import get_last_checkpoint

    choice = None if value is None else value.strip().lower()
    if choice in ("false", "no", "none"):
        return None
    if choice not in (None, "true", "last", "yes"):
        return value
    last = get_last_checkpoint(output_dir) if Path(output_dir).is_dir() else None
    if last is None and choice is not None:
        raise FileNotFoundError(
            f"resume_from_checkpoint={value}: no checkpoint-* folder in {output_dir}"
        )
    if last is not None:
        logger.info("resuming from %s (--resume_from_checkpoint false starts afresh)", last)
    return last


LOW_PRECISION = ("bfloat16", "float16")


def weights_dtype(dtype: str | None, training_args) -> str | None:
    """The dtype to load the weights in: float32 where mixed precision keeps no fp32 copy.

    DeepSpeed keeps fp32 master weights and accelerate's FSDP upcasts the shards, but on one
    GPU or under DDP ``dtype: bfloat16`` with ``bf16: true`` trains the bf16 weights themselves,
    and an AdamW step of ~1e-5 is below bf16's resolution for most weights: it rounds away.
    """
    mixed = training_args.bf16 or training_args.fp16
    sharded = (
        training_args.deepspeed
        or training_args.fsdp
        or any(
            os.environ.get(f"ACCELERATE_USE_{name}", "").lower() == "true"
            for name in ("DEEPSPEED", "FSDP")
        )
    )
    if dtype in LOW_PRECISION and mixed and not sharded:
        logger.warning(
            "dtype %s with mixed precision and no DeepSpeed/FSDP: loading the weights in float32 "
            "so the optimizer updates fp32 weights (--bf16 false keeps pure %s weights)",
            dtype,
            dtype,
        )
        return "float32"
    return dtype


def uses_fsdp(training_args) -> bool:
    return bool(training_args.fsdp) or os.environ.get("ACCELERATE_USE_FSDP", "").lower() == "true"


def build_trainer(script_args, training_args, model_args):
    """The ``SFTTrainer`` for the parsed arguments (tokenizer, template, data, callbacks)."""
    from transformers import AutoTokenizer, EarlyStoppingCallback
    from trl import SFTTrainer, get_peft_config

    training_args.model_init_kwargs = {
        "revision": model_args.model_revision,
        "trust_remote_code": training_args.trust_remote_code,
        "attn_implementation": model_args.attn_implementation,
        "dtype": weights_dtype(model_args.dtype, training_args),
        **(training_args.model_init_kwargs or {}),
    }
    if script_args.effective_batch_size is not None:
        steps = accumulation_steps(
            script_args.effective_batch_size,
            training_args.per_device_train_batch_size,
            training_args.world_size,
        )
        if steps != training_args.gradient_accumulation_steps:
            logger.warning(
                "gradient_accumulation_steps %d -> %d to keep the effective batch at %d on %d "
                "processes",
                training_args.gradient_accumulation_steps,
                steps,
                script_args.effective_batch_size,
                training_args.world_size,
            )
            training_args.gradient_accumulation_steps = steps

    tokenizer = AutoTokenizer.from_pretrained(
        model_args.model_name_or_path,
        revision=model_args.model_revision,
        trust_remote_code=training_args.trust_remote_code,
    )
    pretokenize = training_args.assistant_only_loss and not getattr(tokenizer, "is_fast", False)
    if pretokenize:
        logger.info(
            "%s is a slow tokenizer: assistant masks computed from the rendered turns by "
            "tokenising the prefix up to each assistant span (no character offsets needed)",
            type(tokenizer).__name__,
        )
    tokenizer.chat_template = pick_chat_template(tokenizer, script_args.training_chat_template)
    system_messages = system_messages_for(
        script_args.system_messages, script_args.training_chat_template
    )

    config = script_args.dataset_config
    if config is not None:
        config = resolve_config(config, dataset_config_names(script_args.dataset_name))
    dataset = load_mixture(script_args.dataset_name, config)
    train_split, test_split = resolve_splits(
        dataset, script_args.dataset_train_split, script_args.dataset_test_split
    )
    evaluate = training_args.eval_strategy != "no"
    callbacks = []
    if evaluate and script_args.early_stopping_patience:
        callbacks.append(
            EarlyStoppingCallback(
                script_args.early_stopping_patience, script_args.early_stopping_threshold
            )
        )
    if evaluate and training_args.save_strategy != "no" and uses_fsdp(training_args):
        logger.warning(
            "FSDP with evaluation and checkpoints: with TRL 1.16 and accelerate 1.15 the first "
            "training step after an evaluation that is followed by a checkpoint save fails "
            '("got mixed torch.Tensor and DTensor", seen on one H200 with FSDP2); use '
            "recipes/accelerate/deepspeed_zero3.yaml or fsdp1.yaml (see recipes/README.md)"
        )

    def prepare(split):
        return prepare_split(
            split, tokenizer, tokenizer.chat_template, system_messages, pretokenize=pretokenize
        )

    trainer = SFTTrainer(
        model=model_args.model_name_or_path,
        args=training_args,
        train_dataset=prepare(dataset[train_split]),
        eval_dataset=prepare(dataset[test_split]) if evaluate else None,
        processing_class=tokenizer,
        peft_config=get_peft_config(model_args),
        callbacks=callbacks,
    )
    logger.info("training chat template: %s", script_args.training_chat_template)
    trainer.system_messages = system_messages
    return trainer


def system_messages_for(choice: str, template_choice: str) -> dict[str, str]:
    """The per-language system messages named by ``--system_messages`` (empty: none)."""
    if choice == "none":
        return {}
    if choice == "auto":
        path = NAMED_SYSTEM_MESSAGES.get(template_choice)
        if path is None:
            return {}
    else:
        path = Path(choice)
    if not path.is_file():
        raise FileNotFoundError(f"system_messages: no such file {path}")
    messages = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(messages, dict) or not all(isinstance(v, str) for v in messages.values()):
        raise ValueError(f'system_messages: {path} is not a JSON object like {{"DE": "..."}}')
    return {key if key == "default" else key.upper(): value for key, value in messages.items()}


def sample_language(row: dict) -> str | None:
    """A row's language: its ``lang`` column, else the ``_XX`` suffix of its ``id``."""
    lang = row.get("lang")
    if lang:
        return str(lang).upper()
    row_id = str(row.get("id") or "")
    head, _, suffix = row_id.rpartition("_")
    return suffix.upper() if head and len(suffix) == 2 else None


def with_system_message(row: dict, messages_by_lang: dict[str, str]) -> dict:
    """``row``'s messages led by the system message of its language (unless it has one)."""
    messages = list(row["messages"])
    if messages and messages[0]["role"] == "system":
        return {"messages": messages}
    lang = sample_language(row)
    text = messages_by_lang.get(lang or "", messages_by_lang.get("default"))
    if text is None:
        raise ValueError(
            f"system_messages has no {lang!r} entry and no 'default' (row {row.get('id')!r})"
        )
    return {"messages": [{"role": "system", "content": text}, *messages]}


def prepare_split(
    split, tokenizer, chat_template: str, system_messages: dict[str, str], *, pretokenize: bool
):
    """The ``messages`` column (with system messages) or, for slow tokenizers, its tokens."""
    if system_messages:
        split = split.map(with_system_message, fn_kwargs={"messages_by_lang": system_messages})
    split = split.select_columns(["messages"])
    if not pretokenize:
        return split
    from recipes.assistant_mask import tokenize_conversation

    def tokenize(row: dict) -> dict:
        output = tokenize_conversation(tokenizer, row["messages"], chat_template)
        if 1 not in output["assistant_masks"]:
            raise ValueError(f"no assistant tokens in a sample: {row['messages'][:1]}")
        return output

    return split.map(tokenize, desc="assistant masks from prefixes (slow tokenizer)")


def finished_run(output_dir: str) -> bool:
    """Whether ``output_dir`` holds a completed run (``main`` writes its state there last)."""
    return (Path(output_dir) / "trainer_state.json").is_file()


def main(script_args, training_args, model_args) -> None:
    if training_args.resume_from_checkpoint is None and finished_run(training_args.output_dir):
        logger.warning(
            "%s holds a finished run; nothing to do (--resume_from_checkpoint true trains on "
            "from its last checkpoint, --resume_from_checkpoint false starts afresh)",
            training_args.output_dir,
        )
        return
    trainer = build_trainer(script_args, training_args, model_args)
    resume = resolve_resume(training_args.resume_from_checkpoint, training_args.output_dir)
    trainer.train(resume_from_checkpoint=resume)
    trainer.save_model(training_args.output_dir)
    trainer.save_state()
    if trainer.system_messages and trainer.is_world_process_zero():
        # `mt-bench-x answer --system-prompt-file` reads this format: answer as trained.
        path = Path(training_args.output_dir) / SYSTEM_MESSAGES_FILE
        path.write_text(
            json.dumps(trainer.system_messages, ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
    state = trainer.state
    trainer.accelerator.print(
        f"saved {training_args.output_dir} (steps {state.global_step}, best "
        f"{training_args.metric_for_best_model}={state.best_metric}, best checkpoint "
        f"{state.best_model_checkpoint})"
    )
    if training_args.push_to_hub:
        trainer.push_to_hub(dataset_name=script_args.dataset_name)


def make_parser():
    from trl import ModelConfig, SFTConfig, TrlParser

    return TrlParser((LimaXScriptArguments, SFTConfig, ModelConfig))


if __name__ == "__main__":
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    main(*make_parser().parse_args_and_config())
