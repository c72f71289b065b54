"""Assistant-token masks without character offsets, for slow (Python / SentencePiece) tokenizers.

TRL's mask (``apply_chat_template(..., return_assistant_tokens_mask=True)``) maps the character
spans that the template's ``{% generation %}`` markers enclose to tokens through a fast
tokenizer's offsets. A slow tokenizer has none, so here the conversation is rendered once, the
whole text tokenised once, and each span boundary located by tokenising the text *up to* it:
the tokens the prefix shares with the whole text lie before the boundary; the first token where
they part straddles it. A token overlapping a span is masked, as TRL does with offsets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Message = Mapping[str, str]


def render_with_spans(
    tokenizer: Any, messages: Sequence[Message], chat_template: str
) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the character spans inside its generation markers."""
    from transformers.utils.chat_template_utils import render_jinja_template

    rendered, spans = render_jinja_template(
        conversations=[list(messages)],
        chat_template=chat_template,
        return_assistant_tokens_mask=True,
        **tokenizer.special_tokens_map,
    )
    return rendered[0], [tuple(span) for span in spans[0]]


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def token_boundary(tokenizer: Any, text: str, ids: Sequence[int], char: int) -> tuple[int, bool]:
    """(tokens of ``ids`` wholly before ``char``, whether the next one straddles ``char``)."""
    prefix = _ids(tokenizer, text[:char])
    shared = _shared_prefix(prefix, ids)
    return shared, shared < len(prefix)


def assistant_mask(
    tokenizer: Any, text: str, spans: Sequence[tuple[int, int]]
) -> tuple[list[int], list[int]]:
    """``input_ids`` of ``text`` and a 0/1 mask of the tokens overlapping any of ``spans``."""
    ids = _ids(tokenizer, text)
    mask = [0] * len(ids)
    for start, end in spans:
        if end <= start:
            continue
        first, _ = token_boundary(tokenizer, text, ids, start)
        last, straddles = token_boundary(tokenizer, text, ids, end)
        stop = min(len(ids), last + (1 if straddles else 0))
        for position in range(first, stop):
            mask[position] = 1
    return ids, mask


def tokenize_conversation(
    tokenizer: Any, messages: Sequence[Message], chat_template: str
) -> dict[str, list[int]]:
    """``{"input_ids", "assistant_masks"}`` of one conversation, as TRL's tokenisation gives."""
    text, spans = render_with_spans(tokenizer, messages, chat_template)
    ids, mask = assistant_mask(tokenizer, text, spans)
    return {"input_ids": ids, "assistant_masks": mask}
