"""Mixture names, seeded splits, downsampling and the sampled language shares."""

from __future__ import annotations

from collections import Counter

import pytest

from lima_x.errors import MixtureSpecError
from lima_x.mixtures import (
    Mixture,
    assign_languages,
    default_mixtures,
    downsample,
    parse_mixture,
    resolve_mixtures,
    split_train_validation,
)

LANGS = ["EN", "DE", "FR", "IT", "ES"]


def test_default_mixtures_for_five_languages() -> None:
    names = [m.name for m in default_mixtures(LANGS)]
    assert names == ["ENDEFRITES", "ENDEFRITES-sampled", "DEFRITES", "DEFRITES-sampled"]
    aliases = [m.alias for m in default_mixtures(LANGS)]
    assert aliases == [
        "EN_DE_FR_IT_ES",
        "EN_DE_FR_IT_ES_sampled",
        "DE_FR_IT_ES",
        "DE_FR_IT_ES_sampled",
    ]


def test_default_mixtures_for_two_and_one_languages() -> None:
    assert [m.name for m in default_mixtures(["EN", "DE"])] == ["ENDE", "ENDE-sampled"]
    assert default_mixtures(["EN"]) == []


@pytest.mark.parametrize(
    ("spec", "langs", "sampled"),
    [
        ("ENDE", ("EN", "DE"), False),
        ("DEFR-sampled", ("DE", "FR"), True),
        ("de_fr_it_es_sampled", ("DE", "FR", "IT", "ES"), True),
        ("EN_DE", ("EN", "DE"), False),
        ("ESEN", ("ES", "EN"), False),
    ],
)
def test_parse_mixture(spec: str, langs: tuple[str, ...], sampled: bool) -> None:
    assert parse_mixture(spec, LANGS) == Mixture(langs, sampled)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("ENPT", "does not start with"),
        ("EN", "two or more"),
        ("ENEN", "twice"),
        ("", "two or more"),
    ],
)
def test_bad_mixture_names(spec: str, message: str) -> None:
    with pytest.raises(MixtureSpecError, match=message):
        parse_mixture(spec, LANGS)


def test_codes_longer_than_two_letters() -> None:
    assert parse_mixture("ENPT-BR", ["EN", "PT-BR"]).langs == ("EN", "PT-BR")


def test_resolve_mixtures_adds_extras_once() -> None:
    names = [m.name for m in resolve_mixtures(LANGS, ["ENDE", "ENDEFRITES", "DEFR-sampled"])]
    assert names == [*(m.name for m in default_mixtures(LANGS)), "ENDE", "DEFR-sampled"]
    only = resolve_mixtures(LANGS, ["ENDE"], include_defaults=False)
    assert [m.name for m in only] == ["ENDE"]


@pytest.mark.parametrize("n", [1030, 52, 1031, 7])
def test_sampled_shares_differ_by_at_most_one(n: int) -> None:
    ids = [str(i) for i in range(n)]
    assignment = assign_languages(ids, LANGS, seed=42, what="ENDEFRITES-sampled:train")
    assert sorted(assignment) == sorted(ids)
    shares = Counter(assignment.values())
    assert max(shares.values()) - min(shares.get(lang, 0) for lang in LANGS) <= 1
    if n == 1030:
        assert set(shares.values()) == {206}


def test_which_languages_get_the_extra_rows_follows_the_seed() -> None:
    ids = [str(i) for i in range(1031 + 1)]  # 1032 = 5 * 206 + 2 extra rows
    winners = set()
    for seed in range(12):
        shares = Counter(assign_languages(ids, LANGS, seed=seed, what="x").values())
        winners.add(tuple(sorted(lang for lang, count in shares.items() if count == 207)))
    assert len(winners) > 1
    again = assign_languages(ids, LANGS, seed=3, what="x")
    assert again == assign_languages(list(reversed(ids)), LANGS, seed=3, what="x")


def test_split_is_seeded_disjoint_and_95_5() -> None:
    ids = [f"id-{i}" for i in range(67017)]
    train, validation = split_train_validation(ids, seed=42)
    assert len(validation) == 3351 and len(train) == 67017 - 3351
    assert not train & validation
    assert split_train_validation(ids[::-1], seed=42) == (train, validation)
    assert split_train_validation(ids, seed=43)[1] != validation


def test_downsample_is_a_seeded_subset() -> None:
    ids = [str(i) for i in range(5000)]
    small = downsample(ids, 1030, seed=1, what="train")
    assert len(small) == 1030 and small <= set(ids)
    assert downsample(ids, 1030, seed=1, what="train") == small
    assert downsample(ids, 1030, seed=2, what="train") != small
    assert downsample(ids[:10], 1030, seed=1, what="train") == set(ids[:10])
