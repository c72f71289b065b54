"""Properties of the mixtures over generated ids and languages: every id exactly once in a
sampled mixture, shares within one, splits disjoint and complete, the same seed the same ids."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lima_x.mixtures import (
    Mixture,
    assign_languages,
    downsample,
    parse_mixture,
    split_train_validation,
)
from tests.lima_x.strategies import id_lists, language_lists

SETTINGS = settings(max_examples=150, deadline=None)
seeds = st.integers(min_value=0, max_value=2**31)


@SETTINGS
@given(ids=id_lists, langs=language_lists, seed=seeds)
def test_sampled_assignment_uses_each_id_once_in_shares_within_one(
    ids: list[str], langs: list[str], seed: int
) -> None:
    assignment = assign_languages(ids, langs, seed=seed, what="m")
    assert sorted(assignment) == sorted(ids)  # each id exactly once
    assert set(assignment.values()) <= set(langs)
    shares = Counter(assignment.values())
    counts = [shares.get(lang, 0) for lang in langs]
    assert max(counts) - min(counts) <= 1
    assert assign_languages(list(reversed(ids)), langs, seed=seed, what="m") == assignment


@SETTINGS
@given(ids=id_lists, langs=language_lists, seed=seeds, cut=st.floats(0, 1))
def test_shares_stay_within_one_over_train_and_validation_together(
    ids: list[str], langs: list[str], seed: int, cut: float
) -> None:
    at = int(len(ids) * cut)
    train, validation = ids[:at], ids[at:]
    first = assign_languages(train, langs, seed=seed, what="m", split="train")
    second = assign_languages(
        validation, langs, seed=seed, what="m", split="validation", offset=len(train)
    )
    shares = Counter([*first.values(), *second.values()])
    counts = [shares.get(lang, 0) for lang in langs]
    assert max(counts) - min(counts) <= 1


@SETTINGS
@given(ids=id_lists, seed=seeds, fraction=st.floats(0.01, 0.99))
def test_train_and_validation_split_every_id_once(
    ids: list[str], seed: int, fraction: float
) -> None:
    train, validation = split_train_validation(ids, seed=seed, validation_fraction=fraction)
    assert train.isdisjoint(validation)
    assert train | validation == set(ids)
    if len(ids) > 1:
        assert len(validation) == max(1, round(len(ids) * fraction))
    assert split_train_validation(list(reversed(ids)), seed=seed, validation_fraction=fraction) == (
        train,
        validation,
    )


@SETTINGS
@given(ids=id_lists, seed=seeds, size=st.integers(0, 80))
def test_downsampling_is_a_seeded_subset_of_the_asked_size(
    ids: list[str], seed: int, size: int
) -> None:
    chosen = downsample(ids, size, seed=seed, what="train")
    assert chosen <= set(ids) and len(chosen) == min(size, len(ids))
    assert downsample(sorted(ids), size, seed=seed, what="train") == chosen


@SETTINGS
@given(langs=language_lists, data=st.data())
def test_a_mixture_name_parses_back_to_the_mixture(langs: list[str], data: st.DataObject) -> None:
    chosen = data.draw(st.lists(st.sampled_from(langs), min_size=2, unique=True))
    mixture = Mixture(tuple(chosen), data.draw(st.booleans()))
    assert parse_mixture(mixture.name, langs) == mixture
    assert parse_mixture(mixture.alias, langs) == mixture


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n_ids=st.integers(min_value=1, max_value=40),
    langs=language_lists,
    seed=seeds,
    cut=st.floats(0.1, 0.9),
)
def test_a_written_sampled_config_holds_each_id_once_in_shares_within_one(
    tmp_path_factory, n_ids: int, langs: list[str], seed: int, cut: float
) -> None:
    import pyarrow.parquet as pq

    from lima_x.records import ParallelSample, to_table
    from lima_x.repo import assemble_configs

    ids = [str(i) for i in range(n_ids)]
    at = max(1, int(n_ids * cut)) if n_ids > 1 else 1
    split_ids = {"train": ids[:at], "validation": ids[at:]}
    tables = {
        split: {
            lang: to_table(
                ParallelSample(
                    i,
                    lang,
                    [
                        {"role": "user", "content": f"{lang} {i}"},
                        {"role": "assistant", "content": "a"},
                    ],
                    "test",
                )
                for i in chosen
            )
            for lang in langs
        }
        for split, chosen in split_ids.items()
    }
    mixture = Mixture(tuple(langs), sampled=True)
    root = tmp_path_factory.mktemp("repo")
    configs = assemble_configs(root, tables, langs, [mixture], seed, progress=False)
    entry = next(c for c in configs if c.name == mixture.name)
    shares: Counter[str] = Counter()
    for split, chosen in split_ids.items():
        rows = [
            row
            for path in entry.data_files[split]
            for row in pq.read_table(root / path).to_pylist()
        ]
        assert sorted(r["source_id"] for r in rows) == sorted(chosen)  # each id exactly once
        assert all(r["messages"][0]["content"] == f"{r['lang']} {r['source_id']}" for r in rows)
        shares.update(r["lang"] for r in rows)
    counts = [shares.get(lang, 0) for lang in langs]
    assert max(counts) - min(counts) <= 1
