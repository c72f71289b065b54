"""Translation backends (DeepL, OpenAI-compatible LLMs) behind one protocol, with a cache."""

from lima_x.translate.base import TranslationOptions, Translator
from lima_x.translate.cache import CachedTranslator
from lima_x.translate.code_spans import PROTECT_PLACEHOLDERS, with_placeholder_protection
from lima_x.translate.cost import CostEstimate, estimate_cost
from lima_x.translate.factory import BACKENDS, create_translator

__all__ = [
    "BACKENDS",
    "PROTECT_PLACEHOLDERS",
    "CachedTranslator",
    "CostEstimate",
    "TranslationOptions",
    "Translator",
    "create_translator",
    "estimate_cost",
    "with_placeholder_protection",
]
