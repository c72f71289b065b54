"""Table 1: position bias, and the paper's mitigation by the next run.

A pairwise game is judged twice, once in each order. It is *inconsistent* when the two
verdicts differ once read in the match's model order (``model_1`` wins, ``model_2`` wins,
tie, both bad). ``rate`` is the share of inconsistent games over every judge run; games with
an unreadable verdict or a failed call are left out.

Mitigation (Section 6.1): an inconsistent game takes the verdict of the next run in which the
same game is consistent (run order), where there is one; ``rate_mitigated`` is the share
still inconsistent after that, ``reduction`` the difference in percentage points.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

ALL = "all"
GAME = ["judge", "prompts", "lang", "model_1", "model_2", "question", "category", "turn"]
BIAS_COLUMNS = [
    "judge", "prompts", "lang", "category", "games", "inconsistent", "rate",
    "inconsistent_mitigated", "rate_mitigated", "reduction",
]  # fmt: skip


def judged_games(pair: pd.DataFrame) -> pd.DataFrame:
    """Readable games with ``consistent`` and ``mitigated`` (consistent now or in a later run)."""
    games = pair[pair["status"] == "ok"].copy()
    games["consistent"] = games["g1"] == games["g2"]
    games = games.sort_values([*GAME, "run"])
    # consistent in this run or any later run of the same game
    later = games.iloc[::-1].groupby(GAME, sort=False)["consistent"].cummax().iloc[::-1]
    games["mitigated"] = later.astype(bool)
    return games


def _row(keys: dict[str, Any], cell: pd.DataFrame) -> dict[str, Any]:
    games = len(cell)
    inconsistent = int((~cell["consistent"]).sum())
    remaining = int((~cell["mitigated"]).sum())
    rate = inconsistent / games * 100 if games else None
    rate_after = remaining / games * 100 if games else None
    return keys | {
        "games": games,
        "inconsistent": inconsistent,
        "rate": rate,
        "inconsistent_mitigated": remaining,
        "rate_mitigated": rate_after,
        "reduction": None if rate is None else rate - rate_after,  # type: ignore[operator]
    }


def position_bias_frame(pair: pd.DataFrame) -> pd.DataFrame:
    """Rates (percent) per judge x prompt set x language x category, with ``all`` rows."""
    games = judged_games(pair)
    rows: list[dict[str, Any]] = []
    if games.empty:
        return pd.DataFrame(columns=BIAS_COLUMNS)
    for (judge, prompts, lang), cell in games.groupby(["judge", "prompts", "lang"]):
        keys = {"judge": judge, "prompts": prompts, "lang": lang}
        for category, part in sorted(cell.groupby("category"), key=lambda kv: str(kv[0])):
            rows.append(_row(keys | {"category": category}, part))
        rows.append(_row(keys | {"category": ALL}, cell))
    return pd.DataFrame(rows, columns=BIAS_COLUMNS)
