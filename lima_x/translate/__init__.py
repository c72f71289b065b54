"""Translation backends (DeepL, OpenAI-compatible LLMs) behind one protocol, with a cache."""

from lima_x.translate.base import TranslationOptions, Translator

__all__ = ["TranslationOptions", "Translator"]
