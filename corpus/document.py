"""One model of a document for every format: blocks of rendered text mapped back to the source."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from verbatim.corpus.segment import Unit, UnitKind, bounded, is_boilerplate, normalize_space
from verbatim.corpus.sentences import sentence_spans

# What a table row's cells are joined with: how a row reads across when shown as text.
CELL_SEPARATOR = " | "


class Rendered:
    """Text as the reader sees it, built piece by piece, each piece knowing where in the
    source it came from: copied source text maps character for character, text that
    stands for markup (an entity, a line break) maps to the markup's place."""

    __slots__ = ("parts", "starts", "sources", "copied", "length")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []  # rendered offset where each part begins
        self.sources: list[int] = []  # source offset of each part's first character
        self.copied: list[bool] = []
        self.length = 0

    def _append(self, text: str, at: int, copied: bool) -> None:
        if not text:
            return
        self.parts.append(text)
        self.starts.append(self.length)
        self.sources.append(at)
        self.copied.append(copied)
        self.length += len(text)

    def copy(self, source: str, start: int, end: int) -> None:
        """Append ``source[start:end]`` as it is."""
        self._append(source[start:end], start, True)

    def copy_as(self, text: str, at: int) -> None:
        """Append ``text``, a copy of the source's characters from offset ``at`` on."""
        self._append(text, at, True)

    def put(self, text: str, at: int) -> None:
        """Append ``text`` standing for the markup at source offset ``at``."""
        self._append(text, at, False)

    def space(self, at: int) -> None:
        """Append a space, unless the text is empty or already ends in white space."""
        if self.parts and not self.parts[-1][-1:].isspace():
            self._append(" ", at, False)

    def extend(self, other: Rendered) -> None:
        for text, at, copied in zip(other.parts, other.sources, other.copied):
            self._append(text, at, copied)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def source(self, offset: int) -> int:
        """Source offset of the rendered character at ``offset``."""
        i = bisect_right(self.starts, offset) - 1
        if i < 0:
            return self.sources[0] if self.sources else 0
        return self.sources[i] + (offset - self.starts[i] if self.copied[i] else 0)

    def source_end(self, end: int) -> int:
        """Source offset just past the rendered character before ``end``."""
        i = bisect_right(self.starts, end - 1) - 1
        if i < 0:
            return self.sources[0] if self.sources else 0
        if self.copied[i]:
            return self.sources[i] + (end - self.starts[i])
        return self.sources[i] + 1


@dataclass(slots=True)
class Block:
    """One paragraph, list item, definition, table row, heading or code block."""

    kind: UnitKind
    text: Rendered
    level: int = 0  # a heading's depth, 1 for the top
    by_line: bool = False  # code: one unit a line, not split into sentences


@dataclass(slots=True)
class Document:
    """What a format reader makes of a file: its blocks and what its metadata says."""

    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    # Where each page or chapter begins in the source, and its name (Article.parts).
    parts: list[tuple[int, str]] = field(default_factory=list)


def line_starts(source: str) -> list[int]:
    """Offset where every line of ``source`` begins."""
    return [0] + [m.end() for m in re.finditer("\n", source)]


def units_of(source: str, blocks: list[Block]) -> list[Unit]:
    """The units of a document's blocks: sentences of prose, lines of code, whole headings
    and rows, each with its rendered text and its place (offsets, line) in the source."""
    starts = line_starts(source)
    units: list[Unit] = []
    number = 0
    for block in blocks:
        body = block.text.text
        if not body.strip():
            continue
        number += 1
        kind = block.kind
        if block.by_line:
            spans = []
            pos = 0
            for line in body.split("\n"):
                stripped = line.strip()
                if stripped:
                    lead = pos + len(line) - len(line.lstrip())
                    spans.append((lead, lead + len(stripped)))
                pos += len(line) + 1
        elif kind in (UnitKind.HEADING, UnitKind.ROW, UnitKind.HEADER_ROW):
            lead = len(body) - len(body.lstrip())
            spans = [(lead, len(body.rstrip()))]
        else:
            spans = sentence_spans(body)
        spans = [piece for span in spans for piece in bounded(body, *span)]
        position = 0
        for s, e in spans:
            sentence = normalize_space(body[s:e])
            if not sentence:
                continue
            position += 1
            unit_kind = kind
            if kind is not UnitKind.CODE and is_boilerplate(sentence):
                unit_kind = UnitKind.BOILERPLATE
            start, end = block.text.source(s), block.text.source_end(e)
            units.append(Unit(sentence, start, end, number, position, unit_kind,
                              bisect_right(starts, start), block.level if kind is UnitKind.HEADING else 0))
    return units


def section_paths(units: list[Unit]) -> list[tuple[str, ...]]:
    """For each unit, the headings it sits under, outermost first (a heading's own path
    ends with itself)."""
    stack: list[tuple[int, str]] = []
    paths = []
    for unit in units:
        if unit.kind is UnitKind.HEADING and unit.level:  # level 0: a masthead's line, no section
            while stack and stack[-1][0] >= unit.level:
                stack.pop()
            stack.append((unit.level, unit.text))
        paths.append(tuple(text for _, text in stack))
    return paths
