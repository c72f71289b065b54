"""Build a translator from a backend name, as the command line names it."""

from __future__ import annotations

from pathlib import Path

from lima_x.translate.base import Translator
from lima_x.translate.errors import TranslatorSettingError

BACKENDS = ("deepl", "openai", "none")


def create_translator(
    backend: str,
    *,
    cache_path: Path | None,
    model: str | None = None,
    base_url: str | None = None,
    show_progress: bool = True,
    max_retry_time_s: float | None = None,
) -> Translator | None:
    """``"deepl"``, ``"openai"`` or ``"none"`` (returns None), cached when ``cache_path`` is set.

    Keys come from ``DEEPL_AUTH_KEY`` / ``OPENAI_API_KEY``; a missing one raises
    :class:`lima_x.translate.errors.MissingCredentialError` naming the variable. ``base_url``
    overrides ``DEEPL_SERVER_URL`` / ``OPENAI_BASE_URL``. ``model`` is the chat model for
    ``openai`` (required) and DeepL's ``model_type`` for ``deepl`` (optional).
    ``max_retry_time_s``: how long DeepL retries one request at most (default 100 s).
    """
    name = backend.strip().lower()
    translator: Translator
    if name == "none":
        return None
    if name == "deepl":
        from lima_x.translate.deepl_backend import DeepLTranslator

        translator = DeepLTranslator(
            server_url=base_url,
            model_type=model,
            show_progress=show_progress,
            max_retry_time_s=100.0 if max_retry_time_s is None else max_retry_time_s,
        )
    elif name == "openai":
        from lima_x.translate.llm_backend import OpenAIChatTranslator

        if not model:
            raise TranslatorSettingError(
                "--translator openai needs --model (the chat model to translate with)"
            )
        translator = OpenAIChatTranslator(model, base_url=base_url, show_progress=show_progress)
    else:
        raise TranslatorSettingError(
            f"unknown translator {backend!r}: expected one of {', '.join(BACKENDS)}"
        )
    if cache_path is None:
        return translator
    from lima_x.translate.cache import CachedTranslator

    return CachedTranslator(translator, cache_path, show_progress=show_progress)
