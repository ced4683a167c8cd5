"""Manual pages rendered as text (``man wc | col -b``) read into the document model."""

from __future__ import annotations

import re

from verbatim.corpus.document import Block, Document, Rendered, line_starts
from verbatim.corpus.inline import Lines
from verbatim.corpus.segment import UnitKind, name_line_names

# The first line of a rendered page: "WC(1)   User Commands   WC(1)".
_HEADER = re.compile(r"^\s*(\S+)\(([0-9][\w]*)\)\s.*\s\1\(\2\)\s*$")
# How far into a file a page's first section must show for the file to read as a page.
SNIFF_CHARS = 2000
# A subsection heading is indented less than the body's text (3 spaces against 7).
SUBSECTION_MAX_INDENT = 4
# Sections whose lines are command forms, not prose.
_CODE_SECTIONS = frozenset({"SYNOPSIS"})
# An option's tag: options, each perhaps with its argument ("-f ARCHIVE, --file=ARCHIVE").
_TAG = re.compile(r"--?[\w-]+(?:[= ]?[A-Z][A-Z_]*)?(?:, --?[\w-]+(?:[= ]?[A-Z][A-Z_]*)?)*")
# A term and its description on one line are set apart by this much space.
_TAG_GAP = re.compile(r"\S( {2,}|\t+)(?=\S)")


# nroff's bold ("N\bN") and underline ("_\bN"), as a pager shows them: a character struck
# over by the one after the backspace, which is the one shown (what `col -b` keeps).
_STRUCK = re.compile("[^\n]\x08")


def without_overstrike(source: str) -> tuple[str, list[int]]:
    """``source`` as shown, each overstruck character the one left on top, and for each
    character of it, its offset in ``source``."""
    kept: list[int] = []
    at = 0
    for struck in _STRUCK.finditer(source):
        kept.extend(range(at, struck.start()))
        at = struck.end()
    kept.extend(range(at, len(source)))
    return "".join(source[i] for i in kept), kept


def is_man_page(text: str) -> bool:
    """True for a rendered manual page: its header line, or NAME then SYNOPSIS sections."""
    head = _STRUCK.sub("", text[:SNIFF_CHARS]).lstrip("\n")
    first = head.split("\n", 1)[0]
    if _HEADER.match(first):
        return True
    return first.strip() == "NAME" and "\nSYNOPSIS" in head


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _span(source: str, start: int, end: int) -> tuple[int, int]:
    """A line's span without its indentation and trailing space."""
    line = source[start:end]
    return start + _indent(line), start + len(line.rstrip())


def read_man(source: str) -> Document:
    """A rendered manual page as blocks: each section (NAME, SYNOPSIS, DESCRIPTION, ...) a
    heading, the subsections under it, an option with its description one definition, the
    SYNOPSIS lines code; the page's header and footer lines are left out. A page not passed
    through `col -b` reads as shown, its blocks pointing at the overstruck source."""
    if "\x08" not in source:
        return _read_shown(source)
    shown, kept = without_overstrike(source)
    document = _read_shown(shown)
    for block in document.blocks:
        block.text = _remapped(block.text, kept, len(source))
    return document


def _remapped(rendered: Rendered, kept: list[int], end: int) -> Rendered:
    """``rendered`` with its offsets moved from the shown text to the source: a copied part
    splits where the source has struck characters between two of its own."""
    out = Rendered()
    for text, at, copied in zip(rendered.parts, rendered.sources, rendered.copied):
        if not copied:
            out.put(text, kept[at] if at < len(kept) else end)
            continue
        run = 0
        for k in range(1, len(text) + 1):
            if k == len(text) or kept[at + k] != kept[at + k - 1] + 1:
                out.copy_as(text[run:k], kept[at + run])
                run = k
    return out


def _read_shown(source: str) -> Document:
    starts = line_starts(source)
    ends = [s - 1 for s in starts[1:]] + [len(source)]
    lines = [source[s:e] for s, e in zip(starts, ends)]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    skip = set()
    if filled and _HEADER.match(lines[filled[0]]):
        skip.add(filled[0])
        name = _HEADER.match(lines[filled[0]]).group(1)
        if len(filled) > 1 and lines[filled[-1]].rstrip().endswith(")") and name in lines[filled[-1]]:
            skip.add(filled[-1])
    document = Document()
    section = ""
    group: list[int] = []
    columns = _description_columns(lines)

    def flush() -> None:
        if group:
            _body(source, starts, ends, lines, group, section, document, columns)
            group.clear()

    for i, line in enumerate(lines):
        if i in skip:
            continue
        if not line.strip():
            flush()
            continue
        indent = _indent(line)
        if indent == 0 or (indent <= SUBSECTION_MAX_INDENT and line.strip()[-1:] not in ".:;,"):
            flush()
            heading = Rendered()
            heading.copy(source, *_span(source, starts[i], ends[i]))
            document.blocks.append(Block(UnitKind.HEADING, heading, 1 if indent == 0 else 2))
            if indent == 0:
                section = line.strip().upper()
            continue
        group.append(i)
    flush()
    for block in document.blocks:
        if block.kind in (UnitKind.TEXT, UnitKind.DEFINITION) and document.title is None:  # the NAME line
            document.title = " ".join(block.text.text.split())
            break
    return document


def _description_columns(lines: list[str]) -> frozenset[int]:
    """The columns where the page's option descriptions begin: the indentation of a line
    under an option's tag ("-l, --lines" and, deeper, "print the newline counts")."""
    return frozenset(_indent(below) for line, below in zip(lines, lines[1:])
                     if line.lstrip().startswith("-") and below.strip() and _indent(below) > _indent(line))


def _tag_end(line: str, columns: frozenset[int]) -> int | None:
    """Where the tag of an option ends when its description follows on the same line one
    space away ("--help display this help and exit"): the space before a word that starts
    in a column where the page's descriptions start. None when the line is not so set."""
    if not line.lstrip().startswith("-"):
        return None
    for space in re.finditer(r"(?<=\S) (?=\S)", line):
        if space.end() in columns:
            return space.start() if _TAG.fullmatch(line[:space.start()].strip()) else None
    return None


def _body(source: str, starts: list[int], ends: list[int], lines: list[str], group: list[int],
          section: str, document: Document, columns: frozenset[int] = frozenset()) -> None:
    """The blocks of a run of indented lines: paragraphs, and tagged entries (a line with
    deeper-indented lines under it, or a tag and its text apart on one line)."""
    if section in _CODE_SECTIONS:
        code = Rendered()
        Lines(source, [_span(source, starts[i], ends[i]) for i in group]).emit(code, 0, 10**9)
        document.blocks.append(Block(UnitKind.CODE, code, by_line=True))
        return
    base = min(_indent(lines[i]) for i in group)
    k = 0
    while k < len(group):
        i = group[k]
        deeper = [j for j in group[k + 1:] if _indent(lines[j]) > base]
        following = group[k + 1:k + 1 + len(deeper)] if deeper and group[k + 1] == deeper[0] else []
        if _indent(lines[i]) == base and following:
            # A tag with its description under it: one definition.
            tail = group[k + 1:]
            under = []
            for j in tail:
                if _indent(lines[j]) <= base:
                    break
                under.append(j)
            spans = [_span(source, starts[i], ends[i])] + [_span(source, starts[j], ends[j]) for j in under]
            document.blocks.append(Block(UnitKind.DEFINITION, _joined(source, spans)))
            k += 1 + len(under)
            continue
        run = [i]
        k += 1
        while k < len(group) and _indent(lines[group[k]]) == _indent(lines[i]) and not (
            k + 1 < len(group) and _indent(lines[group[k + 1]]) > _indent(lines[group[k]])
        ):
            run.append(group[k])
            k += 1
        first = _span(source, starts[run[0]], ends[run[0]])
        gap = _TAG_GAP.search(source, first[0], first[1])
        kind = UnitKind.TEXT
        if len(run) == 1 and source[first[0]] == "-" and (gap or _tag_end(lines[run[0]], columns) is not None):
            kind = UnitKind.DEFINITION  # "-a     same as -vET", "--help display this help"
        elif section == "NAME" and name_line_names(source[first[0]:first[1]]) is not None:
            kind = UnitKind.DEFINITION  # the page's names and what they are
        spans = [_span(source, starts[j], ends[j]) for j in run]
        document.blocks.append(Block(kind, _joined(source, spans)))


def _joined(source: str, spans: list[tuple[int, int]]) -> Rendered:
    out = Rendered()
    Lines(source, spans).emit(out, 0, 10**9)
    return out
