"""Finished games of unfinished pairwise matches, kept so that a killed run does not pay twice.

A pairwise judgment line needs both games (both answer orders). When a run is killed after
one game of a match has its reply but before the other, that reply would be lost; it is
kept in ``model_judgment/.<judgment file stem>.games.jsonl``, one line per finished game,
and the next run reuses it when the game's prompt is byte for byte the same (same prompt
hash). The file is deleted when a run ends with every match written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mt_bench_x.formats.judgments import iter_judgments
from mt_bench_x.judge.client import JudgeReply
from mt_bench_x.judge.matches import ResumeKey


def journal_path(output: Path) -> Path:
    return output.with_name(f".{output.stem}.games.jsonl")


def game_id(key: ResumeKey, game: int, prompt_hash: str) -> str:
    """One game of one match, for one exact prompt."""
    question_id, models, turn, prompt, run = key
    return json.dumps([question_id, list(models), turn, prompt, run, game, prompt_hash])


def game_record(game: str, reply: JudgeReply) -> dict[str, Any]:
    return {"game": game, "text": reply.text, "model": reply.model, "usage": reply.usage}


def load_games(path: Path) -> dict[str, JudgeReply]:
    """The finished games in a journal (none when it does not exist)."""
    if not path.is_file():
        return {}
    games: dict[str, JudgeReply] = {}
    for _, record in iter_judgments(path):
        games[str(record["game"])] = JudgeReply(
            text=str(record["text"]),
            model=str(record.get("model", "")),
            usage=dict(record.get("usage", {})),
            attempts=0,
        )
    return games
