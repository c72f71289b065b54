"""Find the parts of a text that must not be translated, and put them back afterwards.

A text is cut into *gaps* (prose to translate) and *protected* pieces (kept byte for byte):

- fenced code blocks (```` ``` ```` or ``~~~``), Markdown indented code blocks and inline
  `` `code` `` are protected, except the text of comments inside code blocks, which is prose
  (``#``, ``//``, ``/* */`` and ``--`` comments, chosen by the fence's language or guessed);
- with :data:`PROTECT_PLACEHOLDERS` in :attr:`TranslationOptions.extra`, template placeholders
  (``{question}``) and verdict markers (``[[A]]``, ``[[rating]]``) are protected too;
- with ``("protect_regex", PATTERN)`` in ``extra``, every match of ``PATTERN`` is protected.

Whitespace at the edges of a gap goes to its protected neighbours, so a service that trims
whitespace cannot glue prose to a code fence. :func:`to_xml` / :func:`from_xml` carry a
:class:`ProtectedText` through DeepL's XML tag handling (protected pieces inside an ignore
tag, everything else XML-escaped); :func:`restore` rebuilds a text that came back from a
service that sees the text as it is (an LLM), after checking that the protected pieces
survived.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lima_x.translate.base import TranslationOptions
from lima_x.translate.errors import ProtectedTextError

#: The ``extra`` option that asks for placeholder protection: ``("protect_placeholders", "true")``.
PROTECT_PLACEHOLDERS = ("protect_placeholders", "true")
#: The ``extra`` key whose value is a regular expression to protect (may be given several times).
PROTECT_REGEX_KEY = "protect_regex"
#: The XML tags DeepL is told to ignore: one for pieces inside a line (inline code,
#: placeholders), which must not split the sentence around them, and one for pieces that
#: span lines (code blocks), which do.
INLINE_TAG = "lxcode"
BLOCK_TAG = "lxblock"
IGNORE_TAGS = (INLINE_TAG, BLOCK_TAG)

PLACEHOLDER_PATTERNS: tuple[str, ...] = (
    r"\{[A-Za-z_][A-Za-z0-9_]*\}",  # {question}, {answer_1}
    r"\[\[[^\[\]\n]{1,40}\]\]",  # [[A]], [[rating]], [[5]]
)


@dataclass(frozen=True)
class Protection:
    """What to protect in a text."""

    code: bool = True
    patterns: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, options: TranslationOptions) -> Protection:
        patterns: list[str] = []
        for key, value in options.extra:
            if (key, value.lower()) == PROTECT_PLACEHOLDERS:
                patterns.extend(PLACEHOLDER_PATTERNS)
            elif key == PROTECT_REGEX_KEY:
                patterns.append(value)
        return cls(code=options.preserve_code, patterns=tuple(patterns))


def with_placeholder_protection(options: TranslationOptions) -> TranslationOptions:
    """``options`` plus protection of ``{name}`` placeholders and ``[[...]]`` markers."""
    if PROTECT_PLACEHOLDERS in options.extra:
        return options
    return dataclasses.replace(options, extra=(*options.extra, PROTECT_PLACEHOLDERS))


@dataclass(frozen=True)
class ProtectedText:
    """A text as ``gaps[0] + protected[0] + gaps[1] + ... + gaps[-1]``."""

    gaps: tuple[str, ...]
    protected: tuple[str, ...]

    @property
    def text(self) -> str:
        return _interleave(self.gaps, self.protected)

    @property
    def has_prose(self) -> bool:
        """Whether any gap has something to translate (a letter)."""
        return any(_has_letter(gap) for gap in self.gaps)

    def prose_chars(self) -> int:
        return sum(len(gap) for gap in self.gaps)


def _interleave(gaps: Sequence[str], protected: Sequence[str]) -> str:
    parts = [gaps[0]]
    for piece, gap in zip(protected, gaps[1:], strict=True):
        parts.extend((piece, gap))
    return "".join(parts)


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


# --------------------------------------------------------------------------- splitting


def protect(text: str, protection: Protection) -> ProtectedText:
    """Cut ``text`` into gaps and protected pieces (see the module docstring)."""
    # Leading blank lines and trailing whitespace are protected; the first line keeps its
    # indentation (an indented code block may open the text).
    lead = re.match(r"(?:[ \t]*\r?\n)*", text)
    start = lead.end() if lead else 0
    body = text[start:].rstrip()
    pieces: list[tuple[str, bool]] = [(text[:start], True)]  # (text, protected)
    if protection.code:
        for chunk, is_code in _split_blocks(body):
            if is_code:
                pieces.extend(chunk)
            else:
                pieces.extend(_split_inline(chunk[0][0], protection.patterns, code=True))
    else:
        pieces.extend(_split_inline(body, protection.patterns, code=False))
    pieces.append((text[start + len(body) :], True))
    return _normalise(pieces)


def _normalise(pieces: Sequence[tuple[str, bool]]) -> ProtectedText:
    """Merge neighbours of one kind and move edge whitespace of gaps into protected pieces."""
    merged: list[list[object]] = []
    for piece, is_protected in pieces:
        if not piece:
            continue
        if merged and merged[-1][1] == is_protected:
            merged[-1][0] = str(merged[-1][0]) + piece
        else:
            merged.append([piece, is_protected])
    gaps: list[str] = [""]
    protected: list[str] = []
    for text_piece, protected_piece in merged:
        if protected_piece:
            protected.append(str(text_piece))
            gaps.append("")
        else:
            gaps[-1] = str(text_piece)
    first = gaps[0].lstrip()
    if first != gaps[0]:  # leading whitespace of the text is protected too
        protected.insert(0, gaps[0][: len(gaps[0]) - len(first)])
        gaps[0:1] = ["", first]
    # Whitespace at the edges of a gap that touches a protected piece moves into that piece;
    # a gap with nothing but whitespace between two protected pieces disappears into them.
    for i in range(len(gaps)):
        gap = gaps[i]
        if i > 0:
            stripped = gap.lstrip()
            protected[i - 1] += gap[: len(gap) - len(stripped)]
            gap = stripped
        if i < len(protected) and gap:
            stripped = gap.rstrip()
            protected[i] = gap[len(stripped) :] + protected[i]
            gap = stripped
        gaps[i] = gap
    return _merge_empty_gaps(gaps, protected)


def _merge_empty_gaps(gaps: list[str], protected: list[str]) -> ProtectedText:
    out_gaps = [gaps[0]]
    out_protected: list[str] = []
    for piece, gap in zip(protected, gaps[1:], strict=True):
        if out_protected and out_gaps[-1] == "":
            out_protected[-1] += piece
            out_gaps[-1] = gap
        else:
            out_protected.append(piece)
            out_gaps.append(gap)
    return ProtectedText(tuple(out_gaps), tuple(out_protected))


_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})([^\n]*)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _split_blocks(text: str) -> Iterator[tuple[list[tuple[str, bool]], bool]]:
    """Yield ``(pieces, True)`` for each code block and ``([(prose, False)], False)`` between."""
    lines = text.splitlines(keepends=True)
    prose: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line.rstrip("\r\n"))
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            end = _fence_end(lines, i, fence.group(2))
            if prose:
                yield [("".join(prose), False)], False
                prose = []
            language = fence.group(3).strip().split(" ")[0].lower() if fence.group(3) else ""
            body = lines[i + 1 : end]
            closing = lines[end] if end < len(lines) else ""
            pieces = [(line, True), *_code_pieces(body, language), (closing, True)]
            yield pieces, True
            i = end + 1
            continue
        if _starts_indented_block(lines, i, prose):
            end = _indented_end(lines, i)
            if prose:
                yield [("".join(prose), False)], False
                prose = []
            yield list(_code_pieces(lines[i:end], "")), True
            i = end
            continue
        prose.append(line)
        i += 1
    if prose:
        yield [("".join(prose), False)], False


def _fence_end(lines: Sequence[str], start: int, opening: str) -> int:
    """Index of the closing fence line, or ``len(lines)`` when the block is not closed."""
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped and set(stripped) == {opening[0]} and len(stripped) >= len(opening):
            return j
    return len(lines)


def _is_indented(line: str) -> bool:
    return line.startswith(("    ", "\t")) and bool(line.strip())


def _starts_indented_block(lines: Sequence[str], i: int, prose: Sequence[str]) -> bool:
    if not _is_indented(lines[i]):
        return False
    if i > 0 and lines[i - 1].strip():
        return False  # a lazy continuation of the paragraph above
    previous = next((p for p in reversed(prose) if p.strip()), None)
    return previous is None or not (_LIST_ITEM.match(previous) or _is_indented(previous))


def _indented_end(lines: Sequence[str], start: int) -> int:
    end = start
    j = start
    while j < len(lines):
        if _is_indented(lines[j]):
            end = j + 1
        elif lines[j].strip():
            break
        j += 1
    return end


# Characters XML 1.0 cannot carry, even escaped: always protected, sent as an empty tag.
_XML_INVALID = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_INLINE_CODE = r"(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)"


def _split_inline(text: str, patterns: Sequence[str], *, code: bool) -> Iterator[tuple[str, bool]]:
    alternatives = [
        *([_INLINE_CODE] if code else []),
        f"{_XML_INVALID}+",
        *(f"(?:{p})" for p in patterns),
    ]
    # The inline-code alternative uses a back-reference to group 1; keep it first.
    regex = re.compile("|".join(alternatives), re.S)
    position = 0
    for match in regex.finditer(text):
        yield text[position : match.start()], False
        yield match.group(0), True
        position = match.end()
    yield text[position:], False


# --------------------------------------------------------------------------- comments


@dataclass(frozen=True)
class _CommentSyntax:
    line: tuple[str, ...]
    block: tuple[str, str] | None
    quotes: str
    triple_quotes: bool = False
    hash_at_word_start: bool = False


_HASH = _CommentSyntax(("#",), None, "'\"", hash_at_word_start=True)
_PYTHON = _CommentSyntax(("#",), None, "'\"", triple_quotes=True, hash_at_word_start=True)
_C_LIKE = _CommentSyntax(("//",), ("/*", "*/"), "'\"`")
_RUST_GO = _CommentSyntax(("//",), ("/*", "*/"), '"`')
_PHP = _CommentSyntax(("//", "#"), ("/*", "*/"), "'\"")
_SQL = _CommentSyntax(("--",), ("/*", "*/"), "'\"")
_DASH = _CommentSyntax(("--",), None, "'\"")
_CSS = _CommentSyntax((), ("/*", "*/"), "'\"")

_LANGUAGE_NAMES: tuple[tuple[str, _CommentSyntax], ...] = (
    ("python py python3 ipython pycon sage", _PYTHON),
    (
        "bash sh shell zsh ksh ruby rb r perl pl yaml yml toml make makefile dockerfile "
        "powershell ps1 julia jl nim elixir ex coffeescript coffee tcl cmake conf",
        _HASH,
    ),
    (
        "c cpp c++ cc h hpp cs csharp c# java javascript js jsx mjs ts typescript tsx swift "
        "kotlin kt scala dart groovy objective-c objc objectivec solidity proto jsonc json5 "
        "glsl hlsl cuda verilog",
        _C_LIKE,
    ),
    ("go golang rust rs zig", _RUST_GO),
    ("php", _PHP),
    ("sql mysql postgresql postgres psql plsql tsql sqlite", _SQL),
    ("lua haskell hs ada vhdl elm", _DASH),
    ("css scss less", _CSS),
)
_LANGUAGES: dict[str, _CommentSyntax] = {
    name: syntax for names, syntax in _LANGUAGE_NAMES for name in names.split()
}


def _syntax_for(language: str, lines: Sequence[str]) -> _CommentSyntax | None:
    if language:
        return _LANGUAGES.get(language)
    starts = [line.lstrip() for line in lines]
    if any(s.startswith(("//", "/*", "#include", "#define", "#import")) for s in starts):
        return _C_LIKE
    if any(s.startswith("# ") or s.rstrip() == "#" for s in starts):
        return _HASH
    if any(s.startswith("-- ") for s in starts):
        return _DASH
    return None


def _code_pieces(lines: Sequence[str], language: str) -> Iterator[tuple[str, bool]]:
    """The lines of a code block as protected pieces, with comment text as prose."""
    syntax = _syntax_for(language, lines)
    if syntax is None:
        yield "".join(lines), True
        return
    state: str | None = None  # "block", or the open multi-line string delimiter
    for number, line in enumerate(lines):
        if number == 0 and line.startswith("#!"):
            yield line, True
            continue
        pieces, state = _scan_line(line, syntax, state)
        yield from pieces


def _scan_line(
    line: str, syntax: _CommentSyntax, state: str | None
) -> tuple[list[tuple[str, bool]], str | None]:
    body = line.rstrip("\r\n")
    newline = line[len(body) :]
    pieces: list[tuple[str, bool]] = []
    code_start = 0
    i = 0
    while i < len(body):
        if state == "block":
            assert syntax.block is not None
            close = body.find(syntax.block[1], i)
            end = len(body) if close < 0 else close
            pieces.extend(_comment_text(body[i:end], block=True))
            i = code_start = end
            if close >= 0:
                state = None
                i = close + len(syntax.block[1])
            continue
        if state is not None:  # inside a multi-line string; state is its delimiter
            close = _find_unescaped(body, state, i)
            if close < 0:
                break
            i = close + len(state)
            state = None
            continue
        ch = body[i]
        if syntax.triple_quotes and body.startswith(('"""', "'''"), i):
            delimiter = body[i : i + 3]
            close = body.find(delimiter, i + 3)
            if close < 0:
                state, i = delimiter, len(body)
                break
            i = close + 3
            continue
        if ch in syntax.quotes:
            close = _find_unescaped(body, ch, i + 1)
            if close < 0:
                if ch == "`":
                    state, i = "`", len(body)
                    break
                i = len(body)
                break
            i = close + 1
            continue
        marker = _line_marker_at(body, i, syntax)
        if marker:
            pieces.append((body[code_start : i + len(marker)], True))
            pieces.extend(_comment_text(body[i + len(marker) :], block=False))
            code_start = i = len(body)
            break
        if syntax.block and body.startswith(syntax.block[0], i):
            i += len(syntax.block[0])
            pieces.append((body[code_start:i], True))
            code_start = i
            state = "block"
            continue
        i += 1
    pieces.append((body[code_start:] + newline, True))
    return pieces, state


def _find_unescaped(text: str, delimiter: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(delimiter, i):
            return i
        i += 1
    return -1


def _line_marker_at(body: str, i: int, syntax: _CommentSyntax) -> str:
    for marker in syntax.line:
        if not body.startswith(marker, i):
            continue
        if marker == "#" and syntax.hash_at_word_start and i > 0 and not body[i - 1].isspace():
            continue
        return marker
    return ""


def _comment_text(text: str, *, block: bool) -> list[tuple[str, bool]]:
    """Split comment text into protected decoration/whitespace and translatable words."""
    lead = re.match(r"[\s*]*" if block else r"[\s#/!-]*", text)
    start = lead.end() if lead else 0
    core = text[start:].rstrip()
    if not _has_letter(core):
        return [(text, True)]
    return [(text[:start], True), (core, False), (text[start + len(core) :], True)]


# --------------------------------------------------------------------------- XML (DeepL)

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_TAG = re.compile(
    rf"<({INLINE_TAG}|{BLOCK_TAG})\s+i\s*=\s*[\"'](\d+)[\"']\s*(?:/>|>(.*?)</\1\s*>)",
    re.S,
)


def xml_escape(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def xml_unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(replace, text)


def to_xml(text: ProtectedText) -> str:
    """The text as DeepL XML: gaps escaped, protected pieces inside the ignore tag."""
    parts = [xml_escape(text.gaps[0])]
    for index, (piece, gap) in enumerate(zip(text.protected, text.gaps[1:], strict=True)):
        tag = BLOCK_TAG if "\n" in piece else INLINE_TAG
        if re.search(_XML_INVALID, piece):
            parts.append(f'<{tag} i="{index}"/>')  # from_xml puts the original back
        else:
            parts.append(f'<{tag} i="{index}">{xml_escape(piece)}</{tag}>')
        parts.append(xml_escape(gap))
    return "".join(parts)


def from_xml(translated: str, original: ProtectedText) -> str:
    """Rebuild the translation: translated gaps, the ORIGINAL protected pieces.

    Raises :class:`ProtectedTextError` when a protected piece is missing or doubled.
    """
    parts: list[str] = []
    seen: list[int] = []
    position = 0
    for match in _TAG.finditer(translated):
        index = int(match.group(2))
        if index >= len(original.protected):
            raise ProtectedTextError(f"the translation has an unknown protected piece #{index}")
        parts.append(xml_unescape(translated[position : match.start()]))
        parts.append(original.protected[index])
        seen.append(index)
        position = match.end()
    parts.append(xml_unescape(translated[position:]))
    if sorted(seen) != list(range(len(original.protected))):
        raise ProtectedTextError(
            f"expected {len(original.protected)} protected pieces back, found indices {seen}"
        )
    return "".join(parts)


# --------------------------------------------------------------------------- plain (LLM)


def _squash(text: str) -> str:
    return " ".join(text.split())


def restore(translated: str, original: str, protection: Protection) -> str:
    """Rebuild a translation made on the plain text (an LLM's answer).

    The answer is cut the same way as the original; its protected pieces must equal the
    original's up to whitespace. The result has the answer's gaps, the original's pieces and
    the original's leading and trailing whitespace.
    """
    body = original.strip()
    lead = original[: original.find(body)] if body else original
    trail = original[len(lead) + len(body) :]
    want = protect(body, protection)
    got = protect(translated.strip(), protection)
    if len(got.protected) != len(want.protected):
        raise ProtectedTextError(
            f"expected {len(want.protected)} protected pieces (code, placeholders), "
            f"the translation has {len(got.protected)}"
        )
    for index, (mine, theirs) in enumerate(zip(want.protected, got.protected, strict=True)):
        if _squash(mine) != _squash(theirs):
            raise ProtectedTextError(
                f"protected piece #{index} changed: expected {mine.strip()[:80]!r}, "
                f"got {theirs.strip()[:80]!r}"
            )
    return lead + _interleave(got.gaps, want.protected) + trail
