"""Language codes as DeepL wants them, and language names for prompts."""

from __future__ import annotations

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
