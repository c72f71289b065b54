"""Vote file reading, kept where the human evaluation looks for it.

It lives in :mod:`mt_bench_x.results.vote_files` (pure reading, below the report that uses
it); this module only names it for the human evaluation side.
"""

from mt_bench_x.results.vote_files import (
    INCONSISTENT_POLICIES,
    pair_line_winner,
    read_human_votes,
    read_judge_votes,
)

__all__ = ["INCONSISTENT_POLICIES", "pair_line_winner", "read_human_votes", "read_judge_votes"]
