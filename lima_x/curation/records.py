"""The record of the curation pipeline: one question paired with one answer, with attribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Stack Exchange content licences by post creation date (UTC): before 2011-04-08 CC BY-SA 2.5,
#: before 2018-05-02 CC BY-SA 3.0, since then CC BY-SA 4.0.
_LICENCE_CHANGES: tuple[tuple[str, str], ...] = (
    ("2011-04-08", "CC BY-SA 2.5"),
    ("2018-05-02", "CC BY-SA 3.0"),
)
LATEST_LICENCE = "CC BY-SA 4.0"


def licence_for(created: str) -> str:
    """The CC BY-SA version a post created at ``created`` (ISO date) is published under."""
    for change, licence in _LICENCE_CHANGES:
        if created and created[:10] < change:
            return licence
    return LATEST_LICENCE


@dataclass
class Author:
    """A post's author as the dump names them (``user_id`` is None for deleted accounts)."""

    name: str
    user_id: int | None = None
    profile: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "user_id": self.user_id, "profile": self.profile}


@dataclass
class Post:
    """The fields of one post the pairing keeps (``body`` is HTML in the dumps)."""

    post_id: int
    score: int
    body: str
    created: str = ""
    title: str = ""
    owner_id: int | None = None
    owner_name: str = ""


@dataclass
class QAPair:
    """A question and the answer chosen for it, from one site.

    ``question`` is the title and the body; both texts are HTML until the HTML step turns them
    into text (``is_html`` False). ``drop_detail`` says why a filter dropped the pair (the drop
    report shows it next to the reason).
    """

    site: str
    host: str
    question_id: int
    answer_id: int
    question_score: int
    answer_score: int
    title: str
    question: str
    answer: str
    accepted: bool = False
    is_html: bool = True
    question_created: str = ""
    answer_created: str = ""
    question_owner: int | None = None
    answer_owner: int | None = None
    authors: dict[str, Author] = field(default_factory=dict)
    drop_detail: str = ""

    @property
    def id(self) -> str:
        """``<site>-<question id>`` (unique across sites; the candidate row's ``id``)."""
        return f"{self.site}-{self.question_id}"

    @property
    def question_link(self) -> str:
        return f"https://{self.host}/q/{self.question_id}" if self.host else ""

    @property
    def answer_link(self) -> str:
        return f"https://{self.host}/a/{self.answer_id}" if self.host else ""

    @property
    def licence(self) -> str:
        """The most recent licence of the two posts (a pair is shared under both)."""
        licences = sorted({licence_for(self.question_created), licence_for(self.answer_created)})
        return licences[-1]

    def pair_text(self) -> str:
        return f"{self.question}\n\n{self.answer}"

    def to_candidate(self) -> dict[str, Any]:
        """One row of the candidates file: ``lima-x build lima --validation`` reads it as is.

        ``conversations`` and ``source`` are what the build reads; the other fields are kept
        for the manual curation and for the attribution the licence asks for.
        """
        return {
            "id": self.id,
            "conversations": [self.question, self.answer],
            "source": f"stackexchange/{self.site}",
            "site": self.site,
            "question_id": self.question_id,
            "answer_id": self.answer_id,
            "question_score": self.question_score,
            "answer_score": self.answer_score,
            "accepted_answer": self.accepted,
            "title": self.title,
            "question_link": self.question_link,
            "answer_link": self.answer_link,
            "question_author": self._author("question").to_dict(),
            "answer_author": self._author("answer").to_dict(),
            "license": self.licence,
        }

    def _author(self, role: str) -> Author:
        owner = self.question_owner if role == "question" else self.answer_owner
        return self.authors.get(role) or Author(name="", user_id=owner)
