"""Answer language and length per model x language.

``off_language``: the share of a model's answers (first turn and second turn, each its own
text) whose identified language is not the question's language, from
:func:`polyglot_instruct.langid.identify` (function-word profiles first, ``py3langid`` for the
undecided and unprofiled cases); texts too short to tell are ``unknown`` and left out of the
share. ``mean_chars``: the mean answer length in characters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from mt_bench_x.formats.layout import BenchPaths
from mt_bench_x.formats.questions import load_model_answers
from polyglot_instruct.langid import identify

ANSWER_COLUMNS = ["model", "lang", "answers", "identified", "off_language", "mean_chars"]


def answer_frame(data_dir: Path, langs: list[str], models: set[str] | None) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for lang in langs:
        paths = BenchPaths(data_dir, lang)
        if not paths.model_answer_dir.is_dir():
            continue
        if models is None:
            answers = load_model_answers(paths)
        else:
            present = [m for m in sorted(models) if paths.model_answer_file(m).is_file()]
            answers = load_model_answers(paths, present)
        for model, turns_by_question in sorted(answers.items()):
            texts = [t for turns in turns_by_question.values() for t in turns if t is not None]
            found = [identify(text, paths.lang) for text in texts]
            known = [code for code in found if code is not None]
            off = sum(code != paths.lang for code in known)
            rows.append(
                {
                    "model": model,
                    "lang": paths.lang,
                    "answers": len(texts),
                    "identified": len(known),
                    "off_language": off / len(known) if known else None,
                    "mean_chars": sum(map(len, texts)) / len(texts) if texts else None,
                }
            )
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)
