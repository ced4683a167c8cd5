"""Split an article's text into paragraphs, headings and sentences, with their offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from verbatim.corpus.sentences import sentence_spans


class UnitKind(IntEnum):
    """What a unit of text is; the selector uses it as a prior, never as a filter."""

    TEXT = 0
    HEADING = 1
    BOILERPLATE = 2
    CODE = 3
    ITEM = 4  # a list item
    DEFINITION = 5  # a term with its description, read as one
    ROW = 6  # a table row, its cells in order
    HEADER_ROW = 7  # a table's header row: it names the columns and holds no row's facts


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence (or heading, or code line) of an article: the words as the reader sees
    them, and where they are in the source file (offsets, line counted from 1)."""

    text: str
    start: int
    end: int
    paragraph: int
    sentence: int
    kind: UnitKind
    line: int = 0
    # A heading's depth, 1 for the top; 0 for other units, and for the headings of a plain
    # text's masthead (headline, byline, dateline), which head no section.
    level: int = 0


# A manual page's NAME line: the names it documents, a dash, what they are ("accept, accept4 -
# accept a connection on a socket").
_NAME_LINE = re.compile(r"(?P<names>[^\s,]+(?:,\s*[^\s,]+)*)\s+[-\u2010\u2212\u2013\u2014]\s+\S")


def name_line_names(text: str) -> str | None:
    """The names a manual page's NAME line documents ("accept, accept4"), None for other text."""
    found = _NAME_LINE.match(text.strip())
    return found["names"] if found else None


# Bump when a change to this module, to corpus/sentences.py or to a format's reader cuts
# some text into other units: saved indexes made before are then rebuilt.
SEGMENTER_VERSION = 7

# Headings among the first paragraphs of a plain text are its masthead: headline, byline, date.
MASTHEAD_PARAGRAPHS = 3

# Headings are short; a line this long is prose even when it lacks a final stop.
HEADING_MAX_CHARS = 120
HEADING_MAX_WORDS = 16
# Hard-wrapped text (e-mail, Project Gutenberg, reStructuredText) keeps lines under this.
WRAP_MAX_CHARS = 100
# The longest unit. Real sentences stay well under it (the Python reference's longest is
# under 3,000 characters); a longer run without a sentence end (a minified page, a log line)
# is cut at white space into pieces, each still quoted exactly, so no single candidate costs
# the selector more than a few milliseconds to read.
MAX_UNIT_CHARS = 4000

_TERMINAL = ".!?…:;,"
# Words a title does not end on; a short line ending on one is a sentence cut short.
_TRAILING_GLUE = frozenset(
    "a an the and or but of to in on at by for from with as is are was were that than".split()
)
_CLOSERS = "\"'”’»)]}*_"
_LIST_ITEM = re.compile(r"^\s*(?:[-*•▪‣◦]|\d{1,3}[.)]|[a-zA-Z][.)])\s+\S")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*([=\-*~^#+_])\1{2,}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_BOILERPLATE = re.compile(
    r"""^\W*(?:
        copyright\b | ©|\(c\)\s*\d{4} | all\ rights\ reserved
      | more\ stories | related\ (?:stories|articles|posts|coverage|content)\b
      | you\ may\ also\ like | recommended\ for\ you | read\ more\b | continue\ reading
      | leave\ a\ (?:comment|reply) | \d*\s*comments?\s*$ | share\ (?:this|on|via)\b
      | follow\ us\b | sign\ up\b | subscribe\b | click\ here\b | advertisement\s*$
      | sponsored\ content | tags?\s*: | filed\ under
      | (?:source|photo|image|picture|credit)s?\s*:
      | (?:https?://|www\.)\S+\W*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def normalize_space(text: str) -> str:
    """Collapse runs of white space to one space: how a unit's text is shown and compared."""
    return " ".join(text.split())


def is_boilerplate(text: str) -> bool:
    """True for the furniture of a web page: copyright lines, share prompts, credits."""
    return bool(_BOILERPLATE.match(text))


def _ends_open(line: str) -> bool:
    """True when a line stops without sentence-final punctuation."""
    stripped = line.rstrip().rstrip(_CLOSERS)
    return not stripped or stripped[-1] not in _TERMINAL


def _looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > HEADING_MAX_CHARS:
        return False
    words = stripped.split()
    if len(words) > HEADING_MAX_WORDS or not any(c.isalpha() for c in stripped):
        return False
    if words[-1] in _TRAILING_GLUE:
        return False  # "was translated to": a sentence broken off ("... Diving In" is a title)
    if _ends_open(stripped):
        return True
    # A title-case question ("Valuation vs. Reality: Is $20 Billion Justified?").
    if stripped.endswith("?"):
        capitalised = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
        return capitalised >= 0.6 * len(words)
    return False


@dataclass(slots=True)
class _Paragraph:
    start: int
    end: int
    kind: UnitKind
    single: bool = False  # one unit, not split into sentences


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of every line in text[start:end], end excluding the line break."""
    spans = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        line_end = stop - 1 if stop > pos and text[stop - 1] == "\r" else stop
        spans.append((pos, line_end))
        pos = stop + 1
    return spans


def _blocks(text: str) -> list[list[tuple[int, int]]]:
    """Runs of non-blank lines; a blank line always ends a paragraph."""
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for start, end in _lines(text, 0, len(text)):
        if text[start:end].strip():
            current.append((start, end))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_wrapped(text: str, lines: list[tuple[int, int]]) -> bool:
    """True when a block's line breaks are soft wraps rather than paragraph ends."""
    if len(lines) < 2:
        return False
    lengths = [len(text[s:e].rstrip()) for s, e in lines]
    longest = max(lengths)
    if longest > WRAP_MAX_CHARS:
        return False
    body = lengths[:-1]
    return sum(1 for n in body if n >= 0.6 * longest) >= 0.5 * len(body)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _is_code(text: str, lines: list[tuple[int, int]]) -> bool:
    """An indented block that does not read as prose (grammar rules, examples, sessions)."""
    raw = [text[s:e] for s, e in lines]
    if not all(_indent(line) >= 3 for line in raw) or _LIST_ITEM.match(raw[0]):
        return False
    joined = normalize_space(" ".join(raw))
    return not (joined[-1:] in ".!?" and len(joined.split()) >= 6)


def _paragraphs_of_block(text: str, lines: list[tuple[int, int]]) -> list[_Paragraph]:
    if _is_code(text, lines):
        return [_Paragraph(s + _indent(text[s:e]), e, UnitKind.CODE, True) for s, e in lines]
    wrapped = _is_wrapped(text, lines)
    width = max(len(text[s:e].rstrip()) for s, e in lines)
    out: list[_Paragraph] = []
    current: list[tuple[int, int]] = []

    def flush() -> None:
        if current:
            out.append(_Paragraph(current[0][0], current[-1][1], UnitKind.TEXT))
            current.clear()

    i = 0
    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        following = text[lines[i + 1][0] : lines[i + 1][1]] if i + 1 < len(lines) else ""
        md = _MD_HEADING.match(line)
        if md and md.group(2):
            flush()
            out.append(_Paragraph(start + md.start(2), start + md.end(2), UnitKind.HEADING, True))
            i += 1
            continue
        if following and _UNDERLINE.match(following) and line.strip():
            flush()
            lead = start + _indent(line)
            out.append(_Paragraph(lead, start + len(line.rstrip()), UnitKind.HEADING, True))
            i += 2
            continue
        if _UNDERLINE.match(line) or _FENCE.match(line):
            flush()
            i += 1
            continue
        starts_item = bool(_LIST_ITEM.match(line))
        heading = not starts_item and _looks_like_heading(line) and (
            not wrapped
            or (not current and len(line.strip()) < 0.6 * width and following[:1].isupper())
        )
        if heading:
            flush()
            lead = start + _indent(line)
            out.append(_Paragraph(lead, start + len(line.rstrip()), UnitKind.HEADING, True))
            i += 1
            continue
        if starts_item:
            flush()
        if not current:
            start += _indent(line)
        current.append((start, end))
        if not wrapped and not _ends_open(line):
            flush()
        i += 1
    flush()
    return out


def bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] as pieces of at most MAX_UNIT_CHARS, cut at white space where the
    second half of a piece has some, else at the limit."""
    pieces = []
    while end - start > MAX_UNIT_CHARS:
        limit = start + MAX_UNIT_CHARS
        cut = max(text.rfind(" ", start, limit), text.rfind("\n", start, limit))
        if cut < start + MAX_UNIT_CHARS // 2:
            cut = limit
        stop = cut
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        pieces.append((start, stop))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def segment(text: str) -> list[Unit]:
    """Split an article into units: headings stand alone, prose splits into sentences."""
    units: list[Unit] = []
    number = 0
    line, counted = 1, 0  # the line at offset ``counted``; units come in order
    for block in _blocks(text):
        for para in _paragraphs_of_block(text, block):
            body = text[para.start : para.end]
            if not body.strip():
                continue
            number += 1
            kind = para.kind
            if kind is UnitKind.TEXT and is_boilerplate(body):
                kind = UnitKind.BOILERPLATE
            if para.single:
                spans = [(0, len(body.rstrip()))]
            else:
                spans = sentence_spans(body)
            spans = [piece for span in spans for piece in bounded(body, *span)]
            for position, (s, e) in enumerate(spans, start=1):
                sentence = normalize_space(body[s:e])
                unit_kind = kind
                if unit_kind is UnitKind.TEXT and is_boilerplate(sentence):
                    unit_kind = UnitKind.BOILERPLATE
                if unit_kind is UnitKind.HEADING and is_boilerplate(sentence):
                    unit_kind = UnitKind.BOILERPLATE
                begin = para.start + s
                line += text.count("\n", counted, begin)
                counted = begin
                sectioning = unit_kind is UnitKind.HEADING and number > MASTHEAD_PARAGRAPHS
                units.append(Unit(sentence, begin, para.start + e, number, position, unit_kind, line,
                                  1 if sectioning else 0))
    return units
