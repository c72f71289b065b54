"""Scoring rules: which single judgments count, and as what.

* ``fastchat`` (default): a judgment whose verdict could not be read (score -1) is dropped, as
  FastChat's ``show_result`` does; every other score counts, 0 included.
* ``paper``: an unreadable verdict counts as 0. This is the project's reading of how the paper
  averaged (a French baseline cell of 0.68 on a 1-10 scale is only possible with zeros in it);
  the paper's cells cannot be reproduced exactly without its judgment files.

Failed API calls are not judgments and never count, under either rule; both rules report
them, with the unreadable verdicts, in the ``failed`` column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORING_RULES = ("fastchat", "paper")
DEFAULT_SCORING = "fastchat"


def scored_values(single: pd.DataFrame, rule: str) -> pd.Series:
    """The value each single judgment contributes under ``rule`` (NaN: left out)."""
    if rule not in SCORING_RULES:
        raise ValueError(f"scoring rule {rule!r}: expected one of {', '.join(SCORING_RULES)}")
    values = pd.to_numeric(single["score"], errors="coerce").astype(float)
    if rule == "paper":
        values = values.where(single["status"] != "parse_failure", 0.0)
    return values.where(single["status"] != "api_error", np.nan)
