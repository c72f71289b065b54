"""Writers of synthetic StackExchange dumps in the public dumps' format (``Posts.xml``,
``Users.xml``, 7z archives), and texts of exact word counts, for the curation tests and the
curation benchmark."""

from __future__ import annotations

import random
from pathlib import Path
from xml.sax.saxutils import quoteattr

# Function words first (so the language identifier sees English / German), then content words.
# None of them is a listed phrase ("my", "image", "figure", …).
_ENGLISH_WORDS = (
    "the and of to is in that it for with are was this be on not have as but which they can "
    "from by would there their will an or if how do does should we our at so all about just "
    "water heat light plant cell energy time day river stone metal root leaf seed protein "
    "enzyme gene salt sugar acid base layer surface pressure volume mass force wave field "
    "bread oven flour butter garlic onion pepper pan sauce dough yeast rice bean soup "
    "mountain valley forest desert coast island bridge road train ticket border visa city"
)
ENGLISH = _ENGLISH_WORDS.split()
_GERMAN_WORDS = (
    "der die das und ist nicht ich sie es ein eine einen dem den mit sich auf für von zu "
    "auch wie wird werden sind wir oder aber wenn kann dass nach bei noch über "
    "Wasser Wärme Licht Pflanze Zelle Energie Zeit Tag Fluss Stein Metall Wurzel Blatt Samen"
)
GERMAN = _GERMAN_WORDS.split()


def words(n: int, seed: int, vocabulary: list[str] = ENGLISH) -> str:
    """``n`` words drawn with ``seed``: two seeds give texts that share almost no shingles."""
    rng = random.Random(seed)
    return " ".join(rng.choice(vocabulary) for _ in range(n))


def post_row(**attributes: object) -> str:
    """One ``<row …/>`` line; attributes given as None are left out."""
    parts = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attributes.items() if v is not None)
    return f"  <row {parts} />\n"


def question(
    post_id: int,
    title: str,
    body: str,
    *,
    score: int = 10,
    accepted: int | None = None,
    owner: int | None = 1,
    created: str = "2020-01-01T10:00:00.000",
) -> str:
    return post_row(
        Id=post_id,
        PostTypeId=1,
        AcceptedAnswerId=accepted,
        CreationDate=created,
        Score=score,
        Body=f"<p>{body}</p>",
        OwnerUserId=owner,
        Title=title,
    )


def answer(
    post_id: int,
    parent: int,
    body: str,
    *,
    score: int = 5,
    owner: int | None = 2,
    owner_name: str | None = None,
    created: str = "2020-01-02T10:00:00.000",
    html: bool = False,
) -> str:
    return post_row(
        Id=post_id,
        PostTypeId=2,
        ParentId=parent,
        CreationDate=created,
        Score=score,
        Body=body if html else f"<p>{body}</p>",
        OwnerUserId=owner,
        OwnerDisplayName=owner_name,
    )


def write_posts(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n' + "".join(rows) + "</posts>\n",
        encoding="utf-8",
    )
    return path


def write_users(path: Path, users: dict[int, str]) -> Path:
    rows = "".join(post_row(Id=user_id, DisplayName=name) for user_id, name in users.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<users>\n{rows}</users>\n', encoding="utf-8"
    )
    return path


def write_7z(archive: Path, files: dict[str, Path]) -> Path:
    """A 7z archive holding ``files`` (name in the archive → file on disk)."""
    import py7zr

    with py7zr.SevenZipFile(archive, mode="w") as handle:
        for name, path in files.items():
            handle.write(path, arcname=name)
    return archive
