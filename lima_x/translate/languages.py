"""Language codes as DeepL wants them, language names for prompts, and what each backend
supports (DeepL's languages are data: ``data/deepl_languages.json``)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources

from lima_x.translate.errors import UnsupportedLanguageError

_NAMES = {
    "AR": "Arabic",
    "BG": "Bulgarian",
    "CS": "Czech",
    "DA": "Danish",
    "DE": "German",
    "EL": "Greek",
    "EN": "English",
    "EN-GB": "British English",
    "EN-US": "American English",
    "ES": "Spanish",
    "ET": "Estonian",
    "FI": "Finnish",
    "FR": "French",
    "HU": "Hungarian",
    "ID": "Indonesian",
    "IT": "Italian",
    "JA": "Japanese",
    "KO": "Korean",
    "LT": "Lithuanian",
    "LV": "Latvian",
    "NB": "Norwegian Bokmål",
    "NL": "Dutch",
    "PL": "Polish",
    "PT": "Portuguese",
    "PT-BR": "Brazilian Portuguese",
    "PT-PT": "European Portuguese",
    "RO": "Romanian",
    "RU": "Russian",
    "SK": "Slovak",
    "SL": "Slovenian",
    "SV": "Swedish",
    "TR": "Turkish",
    "UK": "Ukrainian",
    "ZH": "Chinese",
}


def language_name(code: str) -> str:
    """``DE`` → ``German``; an unknown code is returned as it is."""
    return _NAMES.get(code.upper(), code)


def deepl_source(code: str) -> str:
    """DeepL source languages have no regional variant: ``EN-US`` → ``EN``."""
    return code.upper().split("-")[0]


def deepl_target(code: str, *, english: str = "EN-US", portuguese: str = "PT-PT") -> str:
    """DeepL refuses the bare targets ``EN`` and ``PT``: map them to the chosen variant."""
    upper = code.upper()
    if upper == "EN":
        return english.upper()
    if upper == "PT":
        return portuguese.upper()
    return upper


@functools.cache
def deepl_languages() -> dict[str, tuple[str, ...]]:
    """DeepL's ``source``, ``target`` and ``formality`` language lists and formality values."""
    text = (
        resources.files("lima_x.translate")
        .joinpath("data/deepl_languages.json")
        .read_text(encoding="utf-8")
    )
    data = json.loads(text)
    return {key: tuple(value) for key, value in data.items() if isinstance(value, list)}


def formality_values() -> tuple[str, ...]:
    """What ``--formality`` accepts."""
    return deepl_languages()["formality_values"]


def check_languages(
    backend: str, source_lang: str, targets: Sequence[str], formality: str | None = None
) -> None:
    """Refuse, before any request, languages (and a formality) the backend does not offer.

    DeepL: its source and target lists; ``more`` / ``less`` only for the targets that take
    them. OpenAI-compatible models: any language with a known name (the prompt names it).
    """
    name = backend.strip().lower()
    if formality is not None and formality not in formality_values():
        raise UnsupportedLanguageError(
            f"--formality {formality!r}: expected one of {', '.join(formality_values())}"
        )
    if name == "deepl":
        table = deepl_languages()
        if deepl_source(source_lang) not in table["source"]:
            raise UnsupportedLanguageError(
                f"DeepL does not translate from {source_lang}: source languages are "
                f"{', '.join(table['source'])}"
            )
        unknown = [t for t in targets if t.upper() not in table["target"]]
        if unknown:
            raise UnsupportedLanguageError(
                f"DeepL does not translate into {', '.join(unknown)}: target languages are "
                f"{', '.join(table['target'])}; nothing was sent"
            )
        if formality in ("more", "less"):
            plain = [t for t in targets if t.upper() not in table["formality"]]
            if plain:
                raise UnsupportedLanguageError(
                    f"DeepL offers --formality {formality} only for "
                    f"{', '.join(table['formality'])}, not for {', '.join(plain)}: use "
                    f"prefer_{formality} (falls back to the default where there is no choice)"
                )
    elif name == "openai":
        unknown = [code for code in [source_lang, *targets] if code.upper() not in _NAMES]
        if unknown:
            raise UnsupportedLanguageError(
                f"no language name for {', '.join(unknown)} (the translation prompt names the "
                f"languages): known codes are {', '.join(sorted(_NAMES))}"
            )
