"""Chat generation backends for ``mt-bench-x answer``: transformers, vLLM, OpenAI-compatible.

Each backend turns a batch of conversations (lists of ``{"role", "content"}``) into one reply
each, at one temperature; a temperature below :data:`GREEDY_BELOW` means greedy decoding.
Prompts come from the chat template saved with the checkpoint; a checkpoint without one is
refused unless a FastChat conversation template is named (``--conv-template``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, cast

from mt_bench_x.answer.engine_options import EngineOptions, visible_gpus
from mt_bench_x.formats.errors import MTBenchXError

logger = logging.getLogger(__name__)

Conversation = list[dict[str, str]]
GREEDY_BELOW = 1e-4
BACKENDS: tuple[str, ...] = ("transformers", "vllm", "openai")


class AnswerBackendError(MTBenchXError):
    """A model cannot be loaded or asked as requested."""


class ChatBackend(Protocol):
    def generate(
        self, conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int
    ) -> list[str]:
        """One reply per conversation, in order."""
        ...


# --------------------------------------------------------------------------- prompts


class PromptFormatter:
    """Conversation -> prompt text, from the checkpoint's chat template or a FastChat one."""

    def __init__(self, tokenizer: Any, model_path: str, conv_template: str | None) -> None:
        self.tokenizer = tokenizer
        self.conv_template = conv_template
        self.stop_str: str | list[str] | None = None
        if conv_template is not None:
            from fastchat.conversation import get_conv_template

            try:
                self.stop_str = get_conv_template(conv_template).stop_str
            except KeyError:
                raise AnswerBackendError(
                    f"unknown FastChat conversation template {conv_template!r}"
                ) from None
        elif not getattr(tokenizer, "chat_template", None):
            raise AnswerBackendError(
                f"{model_path} has no chat template (tokenizer_config.json / "
                "chat_template.jinja): save the one the model was trained with, or name a "
                "FastChat template with --conv-template (e.g. vicuna_v1.1)"
            )

    def __call__(self, conversation: Conversation) -> str:
        if self.conv_template is None:
            text: str = self.tokenizer.apply_chat_template(
                conversation, tokenize=False, add_generation_prompt=True
            )
            return text
        from fastchat.conversation import get_conv_template

        conv = get_conv_template(self.conv_template)
        for message in conversation:
            if message["role"] == "system":
                conv.set_system_message(message["content"])
            else:
                role = conv.roles[0] if message["role"] == "user" else conv.roles[1]
                conv.append_message(role, message["content"])
        conv.append_message(conv.roles[1], None)
        prompt: str = conv.get_prompt()
        return prompt

    @property
    def add_special_tokens(self) -> bool:
        """Whether tokenizing a prompt adds the tokenizer's special tokens (BOS).

        A chat template writes them into the text itself, so adding them again would double
        the BOS; a FastChat template does not, so they are added (as ``gen_model_answer``
        does with ``tokenizer([prompt])``).
        """
        return self.conv_template is not None

    def token_ids(self, conversation: Conversation) -> list[int]:
        """The prompt of a conversation as token ids, special tokens as above."""
        ids = self.tokenizer(self(conversation), add_special_tokens=self.add_special_tokens)
        return list(ids["input_ids"])

    def clean(self, text: str) -> str:
        """Cut at the template's stop string(s) and strip, as FastChat does."""
        stops = [self.stop_str] if isinstance(self.stop_str, str) else list(self.stop_str or [])
        for stop in stops:
            if stop and stop in text:
                text = text[: text.index(stop)]
        return text.strip()


# --------------------------------------------------------------------------- checkpoints


def check_model_path(model_path: str) -> None:
    """A ``--model-path`` that names a local path (absolute, ``./``, ``~``) must exist; a
    Hub id (``org/name``) is left to the loader."""
    path = Path(model_path).expanduser()
    local = model_path.startswith((os.sep, ".", "~")) or path.exists()
    if local and not path.is_dir():
        found = "a file" if path.exists() else "nothing"
        raise AnswerBackendError(
            f"--model-path {model_path}: expected a checkpoint folder (config.json, "
            f"tokenizer and weights), found {found} there"
        )


@contextmanager
def _loading(model_path: str) -> Iterator[None]:
    """Loader errors (no config.json, no weights, an id the Hub does not know, no network)
    as one line naming the checkpoint, instead of the loaders' chained tracebacks."""
    try:
        yield
    except (OSError, ValueError) as error:
        reason = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        if "trust_remote_code" in str(error):
            reason = "it ships its own code; pass --trust-remote-code to run that code"
        raise AnswerBackendError(
            f"cannot load the checkpoint {model_path!r}: {type(error).__name__}"
            + (f" ({reason})" if reason else "")
        ) from None


# --------------------------------------------------------------------------- transformers


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class TransformersBackend:
    """Batched ``generate`` with left padding on CPU or GPU."""

    def __init__(
        self,
        model_path: str,
        *,
        device: str = "auto",
        conv_template: str | None = None,
        dtype: str = "auto",
        seed: int = 0,
        engine: EngineOptions | None = None,
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        remote = (engine or EngineOptions()).hf_kwargs()
        check_model_path(model_path)
        self.device = resolve_device(device)
        with _loading(model_path):
            self.tokenizer = AutoTokenizer.from_pretrained(model_path, **remote)
        self.format = PromptFormatter(self.tokenizer, model_path, conv_template)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if dtype == "auto":
            torch_dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        else:
            torch_dtype = getattr(torch, dtype)
        with _loading(model_path):
            # Any: transformers' decorated ``.to()`` hides its ``self`` from type checkers.
            self.model = cast(
                Any, AutoModelForCausalLM.from_pretrained(model_path, dtype=torch_dtype, **remote)
            )
        self.model.to(self.device)
        self.model.eval()
        self.seed = seed
        torch.manual_seed(seed)

    def encode(self, conversations: Sequence[Conversation]) -> Any:
        """The batch's prompts as left-padded tensors on the model's device."""
        prompts = [self.format(conversation) for conversation in conversations]
        return self.tokenizer(
            prompts,
            return_tensors="pt",
            padding=True,
            add_special_tokens=self.format.add_special_tokens,
        ).to(self.device)

    def generate(
        self, conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int
    ) -> list[str]:
        import torch

        inputs = self.encode(conversations)
        sampling: dict[str, Any] = (
            {"do_sample": False}
            if temperature < GREEDY_BELOW
            else {"do_sample": True, "temperature": temperature}
        )
        if not sampling["do_sample"]:
            # Neutralize sampling defaults a checkpoint's generation_config may carry.
            sampling.update(temperature=None, top_p=None, top_k=None)
        with torch.inference_mode():
            output = self.model.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                pad_token_id=self.tokenizer.pad_token_id,
                **sampling,
            )
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        return [self.format.clean(text) for text in texts]


# --------------------------------------------------------------------------- vLLM


class VLLMBackend:
    """vLLM's offline engine; conversations go through the same prompt formatter."""

    def __init__(
        self,
        model_path: str,
        *,
        conv_template: str | None = None,
        seed: int = 0,
        engine: EngineOptions | None = None,
    ) -> None:
        check_model_path(model_path)
        try:
            from vllm import LLM
        except ImportError:
            raise AnswerBackendError(
                "--backend vllm needs vLLM: pip install vllm (on a machine with a GPU)"
            ) from None
        self.llm = LLM(model=model_path, seed=seed, **(engine or EngineOptions()).vllm_kwargs())
        self.format = PromptFormatter(self.llm.get_tokenizer(), model_path, conv_template)

    def generate(
        self, conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int
    ) -> list[str]:
        from vllm import SamplingParams

        params = SamplingParams(
            temperature=0.0 if temperature < GREEDY_BELOW else temperature,
            max_tokens=max_new_tokens,
        )
        # Token ids, not text: vLLM would add a BOS to text that a chat template already opened.
        prompts = [
            {"prompt_token_ids": self.format.token_ids(conversation)}
            for conversation in conversations
        ]
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        return [self.format.clean(output.outputs[0].text) for output in outputs]


# --------------------------------------------------------------------------- OpenAI-compatible


class OpenAIBackend:
    """Chat completions from any OpenAI-compatible server, ``parallel`` requests at a time.

    ``model`` is the name the server knows the model by. The key comes from
    ``OPENAI_API_KEY``; a local server that checks none gets a placeholder.
    """

    def __init__(
        self, model: str, *, base_url: str | None = None, parallel: int = 8, max_retries: int = 5
    ) -> None:
        from openai import OpenAI

        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            if base_url is None:
                raise AnswerBackendError(
                    "--backend openai needs OPENAI_API_KEY in the environment (or --base-url "
                    "for a local server that checks no key)"
                )
            key = "EMPTY"
        self.client = OpenAI(api_key=key, base_url=base_url, max_retries=max_retries)
        self.max_retries = max_retries
        self.model = model
        self.parallel = max(1, parallel)

    def _one(self, conversation: Conversation, temperature: float, max_new_tokens: int) -> str:
        """One reply. 429/5xx are the SDK's to retry; a malformed 200 (HTML page, body that is
        not JSON, no choices, empty or null content) is retried here; 401/403 stop at once."""
        import json

        import openai

        from polyglot_instruct.openai_reply import NOT_JSON, MalformedReplyError, completion_text

        for attempt in range(self.max_retries + 1):
            try:
                response = self.client.chat.completions.create(
                    model=self.model,
                    # openai types messages as a union of TypedDicts per role; ours are
                    # plain {"role", "content"} dicts of the same shape.
                    messages=conversation,  # type: ignore[arg-type]
                    temperature=0.0 if temperature < GREEDY_BELOW else temperature,
                    max_tokens=max_new_tokens,
                )
                return completion_text(response).strip()
            except openai.APIError as error:
                raise self._failed(error) from None
            except json.JSONDecodeError:
                problem = NOT_JSON
            except MalformedReplyError as error:
                problem = str(error)
            if attempt < self.max_retries:
                time.sleep(min(8.0, 0.25 * 2**attempt))
        raise AnswerBackendError(
            f"answer call to {self.client.base_url} for model {self.model!r} failed after "
            f"{self.max_retries + 1} attempt(s): {problem}; finished questions are saved, "
            "run again to continue"
        )

    def _failed(self, error: Exception) -> AnswerBackendError:
        """The status and type only: a server's message may quote the request or the key."""
        status = getattr(error, "status_code", None)
        described = f"HTTP {status} ({type(error).__name__})" if status else type(error).__name__
        if status in (401, 403):
            fix = (
                "set OPENAI_API_KEY to a valid key for this server"
                if status == 401
                else f"the key in OPENAI_API_KEY has no access to model {self.model!r}"
            )
            return AnswerBackendError(
                f"{self.client.base_url} refused the API key ({described}): {fix}; "
                "finished questions are saved"
            )
        return AnswerBackendError(
            f"answer call to {self.client.base_url} for model {self.model!r} failed: "
            f"{described}; finished questions are saved, run again to continue"
        )

    def generate(
        self, conversations: Sequence[Conversation], *, temperature: float, max_new_tokens: int
    ) -> list[str]:
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            return list(
                pool.map(lambda c: self._one(c, temperature, max_new_tokens), conversations)
            )


def create_backend(
    backend: str,
    model_path: str,
    *,
    device: str = "auto",
    conv_template: str | None = None,
    base_url: str | None = None,
    parallel: int = 8,
    seed: int = 0,
    engine: EngineOptions | None = None,
) -> ChatBackend:
    """The backend named on the command line (``engine`` checked first)."""
    engine = engine or EngineOptions()
    engine.validate(backend, model_path, visible_gpus() if backend == "vllm" else None)
    if backend == "transformers":
        return TransformersBackend(
            model_path, device=device, conv_template=conv_template, seed=seed, engine=engine
        )
    if backend == "vllm":
        return VLLMBackend(model_path, conv_template=conv_template, seed=seed, engine=engine)
    if backend == "openai":
        return OpenAIBackend(model_path, base_url=base_url, parallel=parallel)
    raise AnswerBackendError(f"unknown backend {backend!r}: expected one of {BACKENDS}")
