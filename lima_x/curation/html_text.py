"""StackExchange post bodies (HTML) → plain text, code blocks kept as Markdown fences.

``<pre>`` blocks become fenced code blocks with their whitespace intact, inline ``<code>``
becomes backticks, paragraphs and list items become lines, images are dropped and links keep
their text. Everything else is the text between the tags, whitespace collapsed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "table", "tr"}
    | {"hr", "dl", "dt", "dd", "section"}
)
_BLANK_LINES = re.compile(r"\n{3,}")
_EMPTY_QUOTE = re.compile(r"^[> ]+$")
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")


def _collapse_spaces(data: str) -> str:
    """Runs of whitespace as one space (``str.split`` in C, faster than a regex here)."""
    inner = " ".join(data.split())
    if not inner:
        return " " if data else ""
    head = " " if data[0].isspace() else ""
    tail = " " if data[-1].isspace() else ""
    return head + inner + tail


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.code_blocks: list[str] = []
        self._pre_depth = 0
        self._pre_parts: list[str] = []
        self._lists: list[list[int]] = []  # one counter per open list; [0] marks <ul>
        self._quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self._pre_depth += 1
            if self._pre_depth == 1:
                self._pre_parts = []
            return
        if self._pre_depth:
            return
        if tag in ("ul", "ol"):
            self._lists.append([0 if tag == "ul" else 1])
        if tag == "blockquote":
            self._quote_depth += 1
        if tag == "li":
            self._new_line()
            indent = "  " * max(0, len(self._lists) - 1)
            marker = "- "
            if self._lists and self._lists[-1][0]:
                marker = f"{self._lists[-1][0]}. "
                self._lists[-1][0] += 1
            self.parts.append(indent + marker)
        elif tag == "br":
            self._new_line()
        elif tag in _BLOCK_TAGS:
            self._new_block()
        elif tag == "code":
            self.parts.append("`")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
            if not self._pre_depth:
                self._close_code_block()
            return
        if self._pre_depth:
            return
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        if tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
        if tag in _BLOCK_TAGS:
            self._new_block()
        elif tag == "code":
            self.parts.append("`")

    def handle_data(self, data: str) -> None:
        if self._pre_depth:
            self._pre_parts.append(data)
        else:
            self.parts.append(_collapse_spaces(data))

    def _new_line(self) -> None:
        self.parts.append("\n" + "> " * self._quote_depth)

    def _new_block(self) -> None:
        self.parts.append("\n\n" + "> " * self._quote_depth)

    def _close_code_block(self) -> None:
        code = "".join(self._pre_parts).strip("\n")
        self.code_blocks.append(f"```\n{code}\n```")
        self._new_block()
        self.parts.append(_PLACEHOLDER.format(len(self.code_blocks) - 1))
        self._new_block()

    def text(self) -> str:
        if self._pre_depth:  # an unclosed <pre>: keep what it held
            self._pre_depth = 0
            self._close_code_block()
        raw = "".join(self.parts)
        lines = [_EMPTY_QUOTE.sub("", line.strip()) for line in raw.split("\n")]
        joined = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
        return _PLACEHOLDER_RE.sub(lambda m: self.code_blocks[int(m.group(1))], joined)


def html_to_text(html: str) -> str:
    """Plain text of an HTML body; ``<pre>`` blocks come back as fenced code, untouched."""
    collector = _TextCollector()
    collector.feed(html.replace("\x00", ""))
    collector.close()
    return collector.text()
