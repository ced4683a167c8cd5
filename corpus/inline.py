"""Text that spans several source lines, read as one string that still maps back to them."""

from __future__ import annotations

from bisect import bisect_right

from verbatim.corpus.document import Rendered


class Lines:
    """Pieces of a source (``source[start:end]`` each, usually lines without their
    container markers) joined by line breaks into one string, ``content``."""

    __slots__ = ("source", "spans", "bases", "content")

    def __init__(self, source: str, spans: list[tuple[int, int]]):
        self.source = source
        self.spans = spans
        self.bases: list[int] = []
        parts = []
        offset = 0
        for start, end in spans:
            self.bases.append(offset)
            parts.append(source[start:end])
            offset += end - start + 1
        self.content = "\n".join(parts)

    def at(self, offset: int) -> int:
        """Source offset of the content character at ``offset``."""
        i = max(0, bisect_right(self.bases, offset) - 1)
        start, end = self.spans[i]
        return min(start + offset - self.bases[i], end)

    def emit(self, out: Rendered, a: int, b: int) -> None:
        """Copy ``content[a:b]`` into ``out``, each piece mapped to its place in the source."""
        if a >= b:
            return
        i = max(0, bisect_right(self.bases, a) - 1)
        while a < b and i < len(self.spans):
            base = self.bases[i]
            start, end = self.spans[i]
            stop = min(b, base + end - start)
            if a < stop:
                out.copy(self.source, start + a - base, start + stop - base)
            if stop < b and i + 1 < len(self.spans):
                out.put("\n", end)  # the joining line break
            a = self.bases[i + 1] if i + 1 < len(self.spans) else b
            i += 1


def locate(source: str, line_start: int, line_end: int, text: str) -> tuple[int, int] | None:
    """Where ``text`` (a parser's copy of a line, container markers and indentation
    removed) sits in the source line ``source[line_start:line_end]``."""
    line = source[line_start:line_end].rstrip()
    wanted = text.rstrip()
    if not wanted:
        return None
    if line.endswith(wanted):
        start = line_start + len(line) - len(wanted)
        return start, start + len(wanted)
    found = line.find(wanted.lstrip())
    if found < 0:
        return None
    return line_start + found, line_start + found + len(wanted.lstrip())
