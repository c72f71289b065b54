"""StackExchange dumps → question–answer pairs, with memory bounded for dumps of any size.

Inputs, as the public dumps ship them (found under a folder, sorted by name):

* ``<host>/Posts.xml`` (a 7z-extracted site folder, ``Users.xml`` next to it for author names);
* ``<host>.7z`` or ``<host>-Posts.7z`` archives (read with ``py7zr``: ``Posts.xml`` and
  ``Users.xml`` are extracted to a work folder, one site at a time, and deleted after);
* ``*.jsonl`` files of QA pairs (see :func:`read_jsonl_pairs` for the fields).

Pairing: ``Posts.xml`` is read once with ``iterparse`` (one row in memory at a time); questions
and the answers that pass the score threshold go to an SQLite file in the work folder; one query
then pairs each question with its accepted answer, else its best-scored answer (ties: the older
answer). Memory stays bounded by SQLite's page cache, not by the dump.

Rows that cannot be read (missing or non-numeric ids and scores, answers without a question)
are dropped and counted (``malformed_row``), as are questions with no answer at the threshold
(``no_qualifying_answer``) and questions below the question threshold
(``question_score_below_min``). XML that is not well-formed stops the run with the file and line.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lima_x.curation.config import CurationConfig
from lima_x.curation.records import Author, QAPair
from lima_x.errors import InputFormatError, require_module
from lima_x.pipeline import RunStats

MALFORMED = "malformed_row"
NO_ANSWER = "no_qualifying_answer"
LOW_QUESTION = "question_score_below_min"
PAIRING_REASONS: tuple[str, ...] = (MALFORMED, LOW_QUESTION, NO_ANSWER)

_QUESTION, _ANSWER = "1", "2"
_BATCH = 2000


class MissingMemberError(InputFormatError):
    """An archive does not hold the file asked for."""


@dataclass(frozen=True)
class DumpSource:
    """One site's posts: an XML file, a 7z archive or a JSONL file of pairs."""

    path: Path
    kind: str  # "xml" | "7z" | "jsonl"
    site: str
    host: str
    users: Path | None = None  # Users.xml or the archive that holds it


def site_names(name: str) -> tuple[str, str]:
    """``(site, host)`` of a dump named ``biology.stackexchange.com`` (archive suffixes cut).

    ``stackoverflow.com-Posts.7z`` → ``("stackoverflow", "stackoverflow.com")``; a bare name
    (``biology``) is taken as ``<name>.stackexchange.com``.
    """
    for suffix in (".7z", "-Posts", "-posts"):
        name = name.removesuffix(suffix)
    if "." not in name:
        return name, f"{name}.stackexchange.com"
    return name.split(".stackexchange.com")[0].removesuffix(".com"), name


def find_sources(path: Path) -> list[DumpSource]:
    """Every dump under ``path`` (a file or a folder), in name order."""
    path = Path(path)
    if not path.exists():
        raise InputFormatError(str(path), "file or folder not found")
    sources = [_file_source(path)] if path.is_file() else _sources_in(path)
    if not sources:
        raise InputFormatError(
            str(path), "expected Posts.xml, site folders, .7z archives or .jsonl files, found none"
        )
    return sources


def _sources_in(folder: Path) -> list[DumpSource]:
    posts = folder / "Posts.xml"
    if posts.is_file():
        return [_file_source(posts)]
    sources: list[DumpSource] = []
    for child in sorted(folder.iterdir()):
        name = child.name.lower()
        if child.is_dir():
            sources.extend(_sources_in(child))
        elif name.endswith((".7z", ".jsonl", ".jsonl.gz")) and not name.endswith("-users.7z"):
            sources.append(_file_source(child))
    return sources


def _file_source(path: Path) -> DumpSource:
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        stem = path.name.split(".jsonl")[0]
        return DumpSource(path, "jsonl", stem, "")
    if name.endswith(".7z"):
        site, host = site_names(path.name)
        # A site archive holds Users.xml itself; Stack Overflow ships it as <host>-Users.7z.
        users = path.with_name(path.name.replace("-Posts.7z", "-Users.7z"))
        return DumpSource(path, "7z", site, host, users)
    if name.endswith(".xml"):
        site, host = site_names(path.resolve().parent.name)
        users = path.with_name("Users.xml")
        return DumpSource(path, "xml", site, host, users if users.is_file() else None)
    raise InputFormatError(str(path), "expected Posts.xml, a .7z archive or a .jsonl file")


# --------------------------------------------------------------------------- Posts.xml → pairs


def iter_rows(path: Path) -> Iterator[dict[str, str]]:
    """The attributes of every ``<row>`` of a dump file, one element in memory at a time."""
    root: ET.Element | None = None
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if root is None:
                root = element
            elif event == "end" and element.tag == "row":
                yield dict(element.attrib)
                root.clear()
    except ET.ParseError as exc:
        raise InputFormatError(
            str(path), f"expected well-formed XML, found an error at line {exc.position[0]}: {exc}"
        ) from exc


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class _PairStore:
    """Questions and qualifying answers of one site in SQLite; pairs come out by one query."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE question (id INTEGER PRIMARY KEY, accepted INTEGER, score INTEGER,
                title TEXT, body TEXT, created TEXT, owner INTEGER, owner_name TEXT);
            CREATE TABLE answer (id INTEGER PRIMARY KEY, parent INTEGER, score INTEGER,
                body TEXT, created TEXT, owner INTEGER, owner_name TEXT);
            """
        )
        self.questions: list[tuple[Any, ...]] = []
        self.answers: list[tuple[Any, ...]] = []

    def add_question(self, row: tuple[Any, ...]) -> None:
        self.questions.append(row)
        if len(self.questions) >= _BATCH:
            self.flush()

    def add_answer(self, row: tuple[Any, ...]) -> None:
        self.answers.append(row)
        if len(self.answers) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO question VALUES (?,?,?,?,?,?,?,?)", self.questions
        )
        self.db.executemany("INSERT OR IGNORE INTO answer VALUES (?,?,?,?,?,?,?)", self.answers)
        self.questions, self.answers = [], []

    def close(self) -> None:
        self.db.close()

    def orphans(self) -> Iterator[int]:
        """Answers (at the score threshold) whose question is not in the dump."""
        self.flush()
        query = "SELECT id FROM answer WHERE parent NOT IN (SELECT id FROM question) ORDER BY id"
        for (answer_id,) in self.db.execute(query):
            yield answer_id

    def pairs(self) -> Iterator[tuple[Any, ...]]:
        """Each question (by id) with its chosen answer's columns, or NULLs when none."""
        self.flush()
        self.db.execute("CREATE INDEX answer_by_parent ON answer (parent, score DESC, id)")
        query = """
            SELECT q.id, q.score, q.title, q.body, q.created, q.owner, q.owner_name,
                   a.id, a.score, a.body, a.created, a.owner, a.owner_name, a.id = q.accepted
            FROM question AS q LEFT JOIN answer AS a ON a.id = COALESCE(
                (SELECT id FROM answer WHERE id = q.accepted AND parent = q.id),
                (SELECT id FROM answer WHERE parent = q.id ORDER BY score DESC, id LIMIT 1))
            ORDER BY q.id
        """
        yield from self.db.execute(query)


def pair_posts(
    source: DumpSource,
    posts: Path,
    config: CurationConfig,
    stats: RunStats,
    workdir: Path,
    *,
    progress: bool = False,
) -> Iterator[QAPair]:
    """Pairs of one site's ``Posts.xml`` (see the module doc for the rules)."""
    db_path = workdir / f"{source.site}.pairs.sqlite"
    db_path.unlink(missing_ok=True)
    rows: Iterable[dict[str, str]] = iter_rows(posts)
    if progress:
        from tqdm import tqdm

        rows = tqdm(rows, desc=f"{source.site}: posts read", unit=" posts")
    with closing(_PairStore(db_path)) as store:
        for number, row in enumerate(rows):
            _store_row(store, row, f"{posts.name} of {source.host}, row {number}", config, stats)
        for answer_id in store.orphans():
            stats.drop(MALFORMED, f"{source.host}: answer {answer_id} has no question in the dump")
        for columns in store.pairs():
            pair = _pair_from_row(source, columns)
            if pair is None:
                stats.seen += 1
                stats.drop(NO_ANSWER, f"{source.host} question {columns[0]}: {columns[2]}")
                continue
            yield pair
    db_path.unlink(missing_ok=True)


def _store_row(
    store: _PairStore, row: dict[str, str], where: str, config: CurationConfig, stats: RunStats
) -> None:
    kind = row.get("PostTypeId")
    if kind not in (_QUESTION, _ANSWER):
        if kind is None:
            stats.drop(MALFORMED, f"{where}: no PostTypeId")
        return  # wikis, tag excerpts, moderator posts: not QA
    post_id, score, body = _int(row.get("Id")), _int(row.get("Score")), row.get("Body")
    owner = _int(row.get("OwnerUserId"))
    created, owner_name = row.get("CreationDate", ""), row.get("OwnerDisplayName", "")
    if post_id is None or score is None or body is None:
        found = {k: row.get(k) for k in ("Id", "Score")} | {"Body": body is not None}
        stats.drop(MALFORMED, f"{where}: expected numeric Id and Score and a Body, found {found}")
        return
    if kind == _QUESTION:
        if config.min_question_score is not None and score < config.min_question_score:
            stats.seen += 1
            stats.drop(LOW_QUESTION, f"question {post_id} (score {score})")
            return
        accepted = _int(row.get("AcceptedAnswerId"))
        title = row.get("Title", "")
        store.add_question((post_id, accepted, score, title, body, created, owner, owner_name))
        return
    parent = _int(row.get("ParentId"))
    if parent is None:
        stats.drop(MALFORMED, f"{where}: answer {post_id} without a numeric ParentId")
    elif score >= config.min_answer_score:
        store.add_answer((post_id, parent, score, body, created, owner, owner_name))


def _pair_from_row(source: DumpSource, row: tuple[Any, ...]) -> QAPair | None:
    (qid, qscore, title, qbody, qcreated, qowner, qname) = row[:7]
    (aid, ascore, abody, acreated, aowner, aname, accepted) = row[7:]
    if aid is None:
        return None
    authors = {}
    if qname:
        authors["question"] = Author(qname, qowner)
    if aname:
        authors["answer"] = Author(aname, aowner)
    return QAPair(
        site=source.site,
        host=source.host,
        question_id=qid,
        answer_id=aid,
        question_score=qscore,
        answer_score=ascore,
        title=title or "",
        question=f"<h1>{_escape(title)}</h1>\n{qbody}" if title else qbody,
        answer=abody,
        accepted=bool(accepted),
        question_created=qcreated or "",
        answer_created=acreated or "",
        question_owner=qowner,
        answer_owner=aowner,
        authors=authors,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------- JSONL pairs


def read_jsonl_pairs(
    source: DumpSource, config: CurationConfig, stats: RunStats
) -> Iterator[QAPair]:
    """QA pairs from JSONL, one object per line.

    Needed: ``question`` and ``answer`` (HTML, or plain text with ``"format": "text"``).
    Optional: ``title``, ``site``, ``host``, ``question_id`` and ``answer_id`` (default: the
    line number), ``question_score`` / ``answer_score`` (the thresholds apply when present),
    ``accepted``, ``question_author`` / ``answer_author`` (a name or ``{name, user_id}``),
    ``question_created`` / ``answer_created`` (ISO dates, for the licence version).
    """
    opener = gzip.open if source.path.name.endswith(".gz") else open
    with opener(source.path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if not line.strip():
                continue
            where = f"{source.path}, row {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                stats.drop(MALFORMED, f"{where}: not JSON ({exc})")
                continue
            pair = _pair_from_json(source, row, number, where, stats)
            if pair is None:
                continue
            if config.min_question_score is not None and pair.question_score < (
                config.min_question_score
            ):
                stats.seen += 1
                stats.drop(LOW_QUESTION, f"{pair.id} (score {pair.question_score})")
            elif "answer_score" in row and pair.answer_score < config.min_answer_score:
                stats.seen += 1
                stats.drop(NO_ANSWER, f"{pair.id}: answer score {pair.answer_score}")
            else:
                yield pair


def _pair_from_json(
    source: DumpSource, row: Any, number: int, where: str, stats: RunStats
) -> QAPair | None:
    question, answer = (row.get("question"), row.get("answer")) if isinstance(row, dict) else (0, 0)
    if not (isinstance(question, str) and question.strip() and isinstance(answer, str)):
        stats.drop(MALFORMED, f"{where}: expected an object with 'question' and 'answer' strings")
        return None
    if not answer.strip():
        stats.seen += 1
        stats.drop(NO_ANSWER, f"{where}: empty answer")
        return None
    ints = {k: _int(str(row[k])) if k in row else None for k in _JSON_INTS}
    if any(k in row and ints[k] is None for k in _JSON_INTS):
        stats.drop(MALFORMED, f"{where}: expected integers in {', '.join(_JSON_INTS)}")
        return None
    site = str(row.get("site") or source.site)
    host = str(row.get("host") or (f"{site}.stackexchange.com" if row.get("site") else ""))
    title = str(row.get("title") or "")
    is_html = row.get("format", "html") != "text"
    if title:
        question = f"<h1>{_escape(title)}</h1>\n{question}" if is_html else f"{title}\n\n{question}"
    authors = {role: _author(row.get(f"{role}_author")) for role in ("question", "answer")}
    for author in authors.values():
        if author is not None and host and author.user_id is not None and not author.profile:
            author.profile = f"https://{host}/users/{author.user_id}"
    return QAPair(
        site=site,
        host=host,
        question_id=ints["question_id"] if ints["question_id"] is not None else number,
        answer_id=ints["answer_id"] if ints["answer_id"] is not None else number,
        question_score=ints["question_score"] or 0,
        answer_score=ints["answer_score"] or 0,
        title=title,
        question=question,
        answer=answer,
        accepted=bool(row.get("accepted", False)),
        is_html=is_html,
        question_created=str(row.get("question_created") or ""),
        answer_created=str(row.get("answer_created") or ""),
        authors={role: a for role, a in authors.items() if a is not None},
    )


_JSON_INTS = ("question_id", "answer_id", "question_score", "answer_score")


def _author(value: Any) -> Author | None:
    if isinstance(value, str) and value:
        return Author(value)
    if isinstance(value, dict) and value.get("name"):
        return Author(str(value["name"]), _int(str(value.get("user_id"))), value.get("profile", ""))
    return None


# --------------------------------------------------------------------------- sources, authors


def read_pairs(
    sources: list[DumpSource],
    config: CurationConfig,
    stats: RunStats,
    workdir: Path,
    *,
    progress: bool = False,
) -> Iterator[QAPair]:
    """Pairs of every source in turn (archives extracted one at a time into ``workdir``)."""
    for source in sources:
        if source.kind == "jsonl":
            yield from read_jsonl_pairs(source, config, stats)
        elif source.kind == "xml":
            yield from pair_posts(source, source.path, config, stats, workdir, progress=progress)
        else:
            folder = workdir / f"{source.site}.extracted"
            posts = extract_from_archive(source.path, "Posts.xml", folder)
            try:
                yield from pair_posts(source, posts, config, stats, workdir, progress=progress)
            finally:
                shutil.rmtree(folder, ignore_errors=True)


def extract_from_archive(archive: Path, member: str, folder: Path) -> Path:
    """Extract the file named ``member`` (at any depth) from a 7z archive into ``folder``."""
    require_module("py7zr", "curation")
    import py7zr

    try:
        with py7zr.SevenZipFile(archive, mode="r") as handle:
            names = [n for n in handle.getnames() if Path(n).name.lower() == member.lower()]
            if not names:
                raise MissingMemberError(str(archive), f"expected a {member} in the archive")
            handle.extract(path=folder, targets=[names[0]])
    except (py7zr.Bad7zFile, OSError) as exc:
        raise InputFormatError(str(archive), f"cannot read as a 7z archive: {exc}") from exc
    return Path(folder / str(names[0]))


def read_authors(source: DumpSource, user_ids: set[int], workdir: Path) -> dict[int, str]:
    """Display names of ``user_ids`` from the site's ``Users.xml`` (empty when there is none)."""
    if not user_ids or source.users is None or not source.users.is_file():
        return {}
    users, folder = source.users, None
    if users.suffix.lower() == ".7z":
        folder = workdir / f"{source.site}.users"
        try:
            users = extract_from_archive(users, "Users.xml", folder)
        except MissingMemberError:
            return {}  # authors keep their ids and profile links, without names
    names: dict[int, str] = {}
    try:
        for row in iter_rows(users):
            user_id = _int(row.get("Id"))
            if user_id in user_ids:
                names[user_id] = row.get("DisplayName", "")
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return names


def attach_authors(pairs: list[QAPair], sources: list[DumpSource], workdir: Path) -> None:
    """Give every pair its authors' names and profile links (CC BY-SA attribution)."""
    by_site = {s.site: s for s in sources if s.kind != "jsonl"}
    for site, source in by_site.items():
        site_pairs = [p for p in pairs if p.site == site]
        wanted = {
            owner
            for p in site_pairs
            for owner in (p.question_owner, p.answer_owner)
            if owner is not None
        }
        names = read_authors(source, wanted, workdir)
        for pair in site_pairs:
            for role, owner in (("question", pair.question_owner), ("answer", pair.answer_owner)):
                if owner is None:
                    continue
                author = pair.authors.get(role) or Author(names.get(owner, ""), owner)
                author.name = author.name or names.get(owner, "")
                author.profile = f"https://{pair.host}/users/{owner}"
                pair.authors[role] = author
