"""Counting the tokens of judge prompts for the dry run: a real tokenizer file, else an estimate.

Nothing is downloaded: ``--tokenizer-file`` names a local Hugging Face ``tokenizer.json``
(read with ``tokenizers``; the Hub has one for the OpenAI encodings, e.g. ``Xenova/gpt-4o``
for ``o200k_base``). tiktoken's own ``*.tiktoken`` files are not read. Without one, tokens
are estimated as UTF-8 bytes / 3 (:func:`~mt_bench_x.judge.truncation.estimate_tokens`), and
the dry run says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mt_bench_x.formats.errors import JudgeOptionError
from mt_bench_x.judge.truncation import BYTES_PER_TOKEN, estimate_tokens

#: Tokens a chat message costs besides its content (role and separators).
PER_MESSAGE_TOKENS = 4


@dataclass(frozen=True)
class TokenCounter:
    """Counts the tokens of a text; ``description`` says how, for the dry run's output."""

    count: Callable[[str], int]
    description: str
    exact: bool

    def messages(self, messages: list[dict[str, str]]) -> int:
        return sum(self.count(m["content"]) + PER_MESSAGE_TOKENS for m in messages)


ESTIMATE = TokenCounter(
    estimate_tokens, f"estimated as UTF-8 bytes / {BYTES_PER_TOKEN}, no tokenizer", exact=False
)


def load_counter(path: Path | None) -> TokenCounter:
    """The counter of a ``tokenizer.json`` at ``path``, else :data:`ESTIMATE`."""
    if path is None:
        return ESTIMATE
    path = Path(path)
    if not path.is_file():
        raise JudgeOptionError(f"--tokenizer-file {path}: no such file")
    if path.suffix == ".tiktoken":
        raise JudgeOptionError(
            f"--tokenizer-file {path.name}: .tiktoken files are not read; pass the encoding's "
            "tokenizer.json instead (e.g. the one of Xenova/gpt-4o for o200k_base)"
        )
    try:
        from tokenizers import Tokenizer
    except ImportError:  # pragma: no cover - tokenizers comes with transformers
        raise JudgeOptionError("--tokenizer-file needs the `tokenizers` package") from None
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as error:  # the library raises a bare Exception for a bad file
        raise JudgeOptionError(
            f"--tokenizer-file {path}: not a Hugging Face tokenizer.json ({error})"
        ) from None

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return TokenCounter(count, f"counted with the tokenizer {path.name}", exact=True)
