"""Writers of small source files in the real formats (LIMA JSONL, Bactrian-X json.gz), and
readers of what the builder wrote, shared by the lima_x tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

LANGS = ["EN", "DE", "FR", "IT", "ES"]

# Words per language so the flag heuristics see each file in its own language.
FILLER = {
    "EN": "the answer is that it is not what you think and it can be done",
    "DE": "die Antwort ist, dass es nicht das ist, was du denkst, und es ist mit dir",
    "FR": "la réponse est que ce n'est pas ce que vous pensez et il est dans le jardin",
    "IT": "la risposta è che non è quello che pensi e si può fare con molto tempo",
    "ES": "la respuesta es que no es lo que piensas y se puede hacer con más tiempo",
}


def lima_rows(n: int) -> list[dict]:
    """LIMA-shaped rows: ``conversations`` + ``source``; every 7th row is multi-turn."""
    rows = []
    for i in range(n):
        conversation = [
            f"Question {i}: how does step {i} work?",
            f"Step {i} works like this: {FILLER['EN']}.",
        ]
        if i % 7 == 3:
            conversation += [
                f"And what about step {i + 1}?",
                f"Step {i + 1} is similar, {FILLER['EN']}.",
            ]
        rows.append(
            {"conversations": conversation, "source": "stackexchange" if i % 2 else "wikihow"}
        )
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    return path


def bactrian_rows(lang: str, ids: list[str]) -> list[dict]:
    """Bactrian-X-shaped rows; every 3rd row has a non-empty ``input``."""
    return [
        {
            "instruction": f"[{lang}] instruction {row_id}: {FILLER[lang]}",
            "input": f"input {row_id}" if i % 3 == 0 else "",
            "output": f"[{lang}] output {row_id}: {FILLER[lang]}.",
            "id": row_id,
        }
        for i, row_id in enumerate(ids)
    ]


def write_bactrian_file(path: Path, rows: list[dict], *, jsonl: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if jsonl:
        payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    else:
        payload = json.dumps(rows, ensure_ascii=False)
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write(payload)
    return path


def parquet_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a built folder by relative path (for byte-for-byte comparisons)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def card_header(folder: Path) -> dict:
    import yaml

    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4:].split("\n---\n", 1)[0])
