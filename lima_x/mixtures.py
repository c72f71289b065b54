"""Language mixtures and the seeded choices behind them (splits, downsampling, sampled shares).

Names follow the paper: the language codes concatenated in the given order (``ENDEFRITES``),
``-sampled`` for the variant that keeps every source id exactly once, assigned to the languages
in equal shares (differing by at most one; which languages get the extra rows follows from the
seed). Monolingual configs are the language code. The published ``lamarr-org/Lima-X`` names
mixtures with underscores (``EN_DE_FR_IT_ES``, ``DE_FR_IT_ES_sampled``): :attr:`Mixture.alias`.

Every random choice uses ``random.Random`` seeded with a string built from ``--seed`` and what
is being chosen, so the same seed always gives the same ids, on any machine.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from lima_x.errors import BuildSettingError, MixtureSpecError

SAMPLED_SUFFIXES = ("-sampled", "_sampled")


@dataclass(frozen=True)
class Mixture:
    """Two or more languages, either all rows of each (full) or each source id once (sampled)."""

    langs: tuple[str, ...]
    sampled: bool = False

    @property
    def name(self) -> str:
        return "".join(self.langs) + ("-sampled" if self.sampled else "")

    @property
    def alias(self) -> str:
        """The published repo's spelling: ``EN_DE_FR_IT_ES`` / ``DE_FR_IT_ES_sampled``."""
        return "_".join(self.langs) + ("_sampled" if self.sampled else "")


def parse_mixture(spec: str, langs: Sequence[str]) -> Mixture:
    """``ENDE``, ``DEFR-sampled``, ``EN_DE_sampled`` … against the languages being built."""
    text = spec.strip().upper()
    sampled = False
    for suffix in SAMPLED_SUFFIXES:
        if text.endswith(suffix.upper()):
            text, sampled = text[: -len(suffix)], True
    known = sorted({lang.upper() for lang in langs}, key=len, reverse=True)
    parts: list[str] = []
    rest = text.replace("_", "")
    while rest:
        match = next((lang for lang in known if rest.startswith(lang.replace("_", ""))), None)
        if match is None:
            raise MixtureSpecError(
                f"mixture {spec!r}: {rest!r} does not start with one of the built languages "
                f"{', '.join(langs)}"
            )
        parts.append(match)
        rest = rest[len(match.replace("_", "")) :]
    if len(parts) < 2:
        raise MixtureSpecError(f"mixture {spec!r}: a mixture needs two or more languages")
    if len(set(parts)) != len(parts):
        raise MixtureSpecError(f"mixture {spec!r} names a language twice")
    return Mixture(tuple(parts), sampled)


def default_mixtures(langs: Sequence[str]) -> list[Mixture]:
    """All languages and all but the first (the base model's dominant one), full and sampled."""
    langs = tuple(lang.upper() for lang in langs)
    groups = [langs] + ([langs[1:]] if len(langs) > 2 else [])
    return [
        Mixture(group, sampled) for group in groups if len(group) > 1 for sampled in (False, True)
    ]


def resolve_mixtures(
    langs: Sequence[str], extra: Sequence[str] = (), *, include_defaults: bool = True
) -> list[Mixture]:
    """Default mixtures (unless switched off) followed by ``extra`` ones, without repeats."""
    mixtures = default_mixtures(langs) if include_defaults else []
    for spec in extra:
        mixture = parse_mixture(spec, langs)
        if mixture not in mixtures:
            mixtures.append(mixture)
    return mixtures


def _rng(seed: int, *what: str) -> random.Random:
    return random.Random(":".join([str(seed), *what]))


def shuffled(ids: Sequence[str], seed: int, *what: str) -> list[str]:
    """``ids`` (sorted first, so input order does not matter) in a seeded random order."""
    order = sorted(ids)
    _rng(seed, *what).shuffle(order)
    return order


def split_train_validation(
    ids: Sequence[str], *, seed: int, validation_fraction: float = 0.05
) -> tuple[set[str], set[str]]:
    """Seeded ``(train ids, validation ids)``; validation gets ``round(n * fraction)``, ≥ 1."""
    if not 0 < validation_fraction < 1:
        raise BuildSettingError(f"validation_fraction must be in (0, 1), got {validation_fraction}")
    order = shuffled(ids, seed, "validation-split")
    n_validation = max(1, round(len(order) * validation_fraction)) if len(order) > 1 else 0
    return set(order[n_validation:]), set(order[:n_validation])


def downsample(ids: Sequence[str], size: int, *, seed: int, what: str) -> set[str]:
    """A seeded subset of ``size`` ids (all of them when there are fewer)."""
    return set(shuffled(ids, seed, "downsample", what)[:size])


def assign_languages(
    ids: Sequence[str],
    langs: Sequence[str],
    *,
    seed: int,
    what: str,
    split: str = "train",
    offset: int = 0,
) -> dict[str, str]:
    """Each id to one language; shares differ by at most one and the extras follow the seed.

    The ids are dealt round-robin, in a seeded order, over the languages in a seeded order that
    depends on ``what`` (the mixture) only. ``offset``: how many ids earlier splits of the same
    mixture dealt, so that a split continues where the previous one stopped and the shares over
    all splits together also differ by at most one.
    """
    order = shuffled(ids, seed, "sampled", what, split)
    lang_order = list(langs)
    _rng(seed, "sampled", what, "languages").shuffle(lang_order)
    n = len(lang_order)
    return {source_id: lang_order[(offset + i) % n] for i, source_id in enumerate(order)}
