"""Which base model, training dataset and language mixture each evaluated model belongs to.

``--groups groups.yaml`` names them explicitly, a naming pattern fills in the rest::

    pattern: '^(?P<base>[^/]+)/(?P<dataset>.+)-(?P<mixture>[A-Z]+(?:-sampled)?)$'
    models:
      my-model-7b: {base: 24EU-7B, dataset: Lima-X, mixture: DE}

Without a file, :data:`DEFAULT_PATTERN` reads names such as ``24EU-7B/Bactrian-ENDEFRITES``
or ``Lima-X-DE`` (base model before the last ``/`` or ``__``, mixture after the last ``-``
that starts an upper-case code, ``-sampled`` included). A mixture of exactly two upper-case
letters is a monolingual run in that language; anything else is a language mixture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from mt_bench_x.formats.errors import InputFileError

DEFAULT_PATTERN = (
    r"^(?:(?P<base>.+)(?:/|__))?(?P<dataset>[^/]+?)-(?P<mixture>[A-Z]{2,}(?:-sampled)?)$"
)
UNKNOWN = "-"
_MONOLINGUAL = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class ModelGroup:
    base: str
    dataset: str
    mixture: str

    @property
    def monolingual(self) -> str | None:
        """The training language of a monolingual run, else ``None``."""
        return self.mixture if _MONOLINGUAL.match(self.mixture) else None


def _from_pattern(model: str, pattern: re.Pattern[str]) -> ModelGroup | None:
    match = pattern.match(model)
    if match is None:
        return None
    found = match.groupdict()
    return ModelGroup(
        base=found.get("base") or UNKNOWN,
        dataset=found.get("dataset") or UNKNOWN,
        mixture=found.get("mixture") or UNKNOWN,
    )


def load_groups(path: Path | None, models: list[str]) -> dict[str, ModelGroup]:
    """The group of every model that has one (from ``path``, else the naming pattern)."""
    pattern_text = DEFAULT_PATTERN
    explicit: dict[str, ModelGroup] = {}
    if path is not None:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            pattern_text = data.get("pattern", DEFAULT_PATTERN)
            for model, fields in (data.get("models") or {}).items():
                explicit[str(model)] = ModelGroup(
                    base=str(fields.get("base", UNKNOWN)),
                    dataset=str(fields["dataset"]),
                    mixture=str(fields["mixture"]),
                )
        except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError) as error:
            raise InputFileError(
                str(path),
                "expected YAML with an optional 'pattern' (a regex with named groups base, "
                "dataset, mixture) and 'models: {name: {base, dataset, mixture}}' "
                f"({type(error).__name__}: {error})",
            ) from None
    try:
        pattern = re.compile(pattern_text)
    except re.error as error:
        raise InputFileError(str(path), f"pattern {pattern_text!r}: {error}") from None
    groups = {}
    for model in models:
        group = explicit.get(model) or _from_pattern(model, pattern)
        if group is not None:
            groups[model] = group
    return groups
