"""Figures 2b / 3: pairwise outcome shares per category, averaged over judge runs; and a
Bradley-Terry ranking of every model judged pairwise.

A match (both orders) is a win when both orders pick the same model, ``both_bad`` when both
say ``[[D]]``, else a tie (FastChat's rule, as in ``show``). Shares are computed per run and
then averaged, so each run weighs the same. Prompt sets (3-option, ``[[D]]``) stay apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

ALL = "all"
OUTCOMES = ("win", "loss", "tie", "both_bad")
SHARE_COLUMNS = [
    "judge", "prompts", "lang", "model", "opponent", "category", "runs", "games", *OUTCOMES,
]  # fmt: skip
RANKING_COLUMNS = ["judge", "prompts", "model", "strength", "ci_low", "ci_high", "rank"]


def oriented_matches(pair: pd.DataFrame) -> pd.DataFrame:
    """Each readable match from the side of its alphabetically first model."""
    ok = pair[pair["status"] == "ok"].copy()
    swap = ok["model_1"] > ok["model_2"]
    first = ok["model_1"].where(~swap, ok["model_2"])
    second = ok["model_2"].where(~swap, ok["model_1"])
    won_by = ok["outcome"].map({"model_1": 1, "model_2": 2})
    won_by = won_by.where(~swap, won_by.map({1: 2, 2: 1}))
    result = pd.Series("tie", index=ok.index)
    result[won_by == 1] = "win"
    result[won_by == 2] = "loss"
    result[ok["outcome"] == "both_bad"] = "both_bad"
    return ok.assign(model=first, opponent=second, result=result)


def outcome_shares(pair: pd.DataFrame) -> pd.DataFrame:
    """Shares of win / loss / tie / both bad per category (and ``all``), mean over runs."""
    games = oriented_matches(pair)
    if games.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    games = pd.concat([games, games.assign(category=ALL)], ignore_index=True)
    keys = ["judge", "prompts", "lang", "model", "opponent", "category"]
    rows: list[dict[str, Any]] = []
    for key, cell in games.groupby(keys, sort=True):
        per_run = pd.crosstab(cell["run"], cell["result"], normalize="index")
        shares = {o: float(per_run[o].mean()) if o in per_run else 0.0 for o in OUTCOMES}
        rows.append(
            dict(zip(keys, key, strict=True))
            | {"runs": int(cell["run"].nunique()), "games": len(cell)}
            | shares
        )
    frame = pd.DataFrame(rows, columns=SHARE_COLUMNS)
    order = frame["category"].map(lambda c: (c == ALL, c))
    return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def bradley_terry(
    models: list[str], first: np.ndarray, second: np.ndarray, score: np.ndarray, iters: int = 200
) -> np.ndarray:
    """Bradley-Terry log-strengths (mean 0) by minorise-maximise iterations; ``score`` is 1
    when ``first`` won, 0 when ``second`` won, 0.5 for a tie (ties split as half a win)."""
    k = len(models)
    wins = np.zeros(k)
    np.add.at(wins, first, score)
    np.add.at(wins, second, 1 - score)
    games = np.zeros((k, k))
    np.add.at(games, (first, second), 1)
    games = games + games.T
    strength = np.ones(k)
    for _ in range(iters):
        denom = (games / (strength[:, None] + strength[None, :])).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            updated = np.where(denom > 0, (wins + 0.01) / denom, strength)
        strength = updated / np.exp(np.log(updated).mean())
    log = np.log(strength)
    centred: np.ndarray = log - log.mean()
    return centred


def ranking(pair: pd.DataFrame, *, resamples: int = 200, seed: int = 0) -> pd.DataFrame:
    """Bradley-Terry strengths per judge and prompt set over every language and run, with
    95% bootstrap intervals over matches (``rank`` 1 = strongest)."""
    games = oriented_matches(pair)
    rows: list[dict[str, Any]] = []
    for (judge, prompts), cell in games.groupby(["judge", "prompts"], sort=True):
        models = sorted(set(cell["model"]) | set(cell["opponent"]))
        if len(models) < 2:
            continue
        index = {m: i for i, m in enumerate(models)}
        first = cell["model"].map(index).to_numpy()
        second = cell["opponent"].map(index).to_numpy()
        score = cell["result"].map({"win": 1.0, "loss": 0.0}).fillna(0.5).to_numpy()
        point = bradley_terry(models, first, second, score)
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, len(cell), size=(resamples, len(cell)))
        boot = np.array([bradley_terry(models, first[p], second[p], score[p]) for p in picks])
        low, high = np.percentile(boot, [2.5, 97.5], axis=0)
        order = np.argsort(-point)
        ranks = np.empty(len(models), dtype=int)
        ranks[order] = np.arange(1, len(models) + 1)
        for i, model in enumerate(models):
            rows.append(
                {
                    "judge": judge,
                    "prompts": prompts,
                    "model": model,
                    "strength": float(point[i]),
                    "ci_low": float(low[i]),
                    "ci_high": float(high[i]),
                    "rank": int(ranks[i]),
                }
            )
    return pd.DataFrame(rows, columns=RANKING_COLUMNS).sort_values(["judge", "prompts", "rank"])
