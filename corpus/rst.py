"""reStructuredText (and Sphinx's ``.rst.txt`` sources) read into the document model."""

from __future__ import annotations

import re

from verbatim.corpus.document import CELL_SEPARATOR, Block, Document, Rendered, line_starts
from verbatim.corpus.inline import Lines
from verbatim.corpus.segment import UnitKind

_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1+\s*$")
_EXPLICIT = re.compile(r"^\.\.(?:\s+|$)")
_DIRECTIVE = re.compile(r"^\.\.\s+([\w:.+-]+)::(?:\s+(.*?))?\s*$")
_FOOTNOTE = re.compile(r"^\.\.\s+\[[^\]]+\]\s*")
_BULLET = re.compile(r"^([-*+•‣⁃]|\d+[.)]|#\.|\(?[A-Za-z0-9#]\))\s+(?=\S)")
_FIELD = re.compile(r"^:([^:\s][^:]*):(?:\s+|$)")
_OPTION = re.compile(r"^(?:-\w|--?[\w-]{2,}|/\w)(?:[ =]<?[\w.-]+>?)?(?:,\s(?:-\w|--?[\w-]+)(?:[ =]<?[\w.-]+>?)?)*(  +|$)")
_GRID = re.compile(r"^\+[-=+]+\+\s*$")
_SIMPLE = re.compile(r"^=+( +=+)+\s*$")
# Directives whose body is code; whose content is never read (markup for the builder); and
# which describe an object, read like a definition: its signature, then its description.
CODE_DIRECTIVES = frozenset(
    "code code-block sourcecode doctest testcode testoutput productionlist parsed-literal".split()
)
DROPPED_DIRECTIVES = frozenset(
    """index currentmodule module toctree include literalinclude image raw highlight contents
    sectionauthor moduleauthor codeauthor tabularcolumns testsetup testcleanup meta
    default-role role default-domain program autosummary automodule autoclass autofunction
    figure sectnum header footer target-notes title""".split()
)
OBJECT_DIRECTIVES = frozenset(
    """function method class attribute data exception option cmdoption envvar describe
    decorator decoratormethod staticmethod classmethod abstractmethod coroutinefunction
    coroutinemethod property opcode pdbcommand object type member macro var enum
    enumerator struct confval""".split()
)
# Directives whose first argument is a version: the words after it are prose.
VERSION_DIRECTIVES = frozenset("versionadded versionchanged deprecated deprecated-removed".split())
_INLINE = re.compile(
    r"""(?P<literal>``(?P<lit>\S(?:.*?\S)?)``)
    |(?P<role>:[\w.:+-]+:`(?P<roletext>[^`]+)`)
    |(?P<post>`(?P<posttext>[^`]+)`:[\w.:+-]+:)
    |(?P<ref>`(?P<reftext>[^`]+)`__?)
    |(?P<interp>`(?P<interptext>[^`]+)`)
    |(?P<strong>\*\*(?P<strongtext>\S(?:.*?\S)?)\*\*)
    |(?P<em>\*(?P<emtext>[^*\s](?:[^*]*?[^\s*])?)\*)
    |(?P<footref>\s?\[(?:\d+|\#[\w-]*|\*|[A-Za-z][\w.-]*)\]_)
    |(?P<subst>\|(?P<substtext>[^|\s](?:[^|]*[^|\s])?)\|(?:__?)?)
    |(?P<wordref>(?<![\w`])(?P<word>[A-Za-z0-9][\w.-]*?)__?(?=[\s.,;:!?)\]'"]|$))
    |(?P<escape>\\(?P<escaped>.)?)""",
    re.S | re.X,
)
_TARGET = re.compile(r"\s*<[^<>]+>$", re.S)
# Lists, quotes and directives nested deeper than this are read as plain paragraphs: a
# document is never written so deep, and each level is a few frames of Python's stack (600
# levels ran out of it and lost the corpus).
MAX_NESTING = 40


def render_inline(lines: Lines, out: Rendered, a: int = 0, b: int | None = None) -> None:
    """Render reST inline markup in ``lines.content[a:b]``: roles and references as their
    text, literals and emphasis without their marks, footnote references and escapes gone."""
    content = lines.content
    b = len(content) if b is None else b
    i = a
    for match in _INLINE.finditer(content, a, b):
        lines.emit(out, i, match.start())
        i = match.end()
        kind = match.lastgroup or ""  # every alternative of _INLINE is named
        if kind == "footref":
            continue
        if kind == "escape":
            if match.group("escaped") and not match.group("escaped").isspace():
                lines.emit(out, match.start("escaped"), match.end("escaped"))
            continue
        inner = {"literal": "lit", "role": "roletext", "post": "posttext", "ref": "reftext",
                 "interp": "interptext", "strong": "strongtext", "em": "emtext",
                 "subst": "substtext", "wordref": "word"}[kind]
        s, e = match.span(inner)
        if kind in ("role", "ref", "post", "interp"):
            target = _TARGET.search(content, s, e)
            if target and target.start() > s:
                e = target.start()
            elif target:
                s, e = target.start() + content[target.start():].index("<") + 1, e - 1
            if content[s:s + 1] in "~!" and kind == "role":
                if content[s] == "~":
                    s = max(s + 1, content.rfind(".", s, e) + 1)
                else:
                    s += 1
        lines.emit(out, s, e)
    lines.emit(out, i, b)


class _Reader:
    def __init__(self, source: str):
        self.source = source
        self.starts = line_starts(source)
        ends = [s - 1 for s in self.starts[1:]] + [len(source)]
        self.ends = ends
        self.lines = [source[s:e] for s, e in zip(self.starts, ends)]
        self.styles: list[tuple[str, bool]] = []
        self.blocks: list[Block] = []
        self.depth = 0  # how many levels of indentation deep parse() is

    # -- helpers ------------------------------------------------------------------------
    def indent(self, i: int) -> int:
        line = self.lines[i]
        return len(line) - len(line.lstrip(" \t"))

    def blank(self, i: int) -> bool:
        return not self.lines[i].strip()

    def span(self, i: int, column: int | None = None) -> tuple[int, int]:
        line = self.lines[i]
        lead = self.indent(i) if column is None else min(column, len(line))
        return self.starts[i] + lead, self.starts[i] + len(line.rstrip())

    def body_end(self, i: int, n: int, column: int) -> int:
        """The first line from ``i`` that is not blank and is indented less than ``column``."""
        while i < n and (self.blank(i) or self.indent(i) >= column):
            i += 1
        while i > 0 and self.blank(i - 1):
            i -= 1
        return i

    def inline(self, spans: list[tuple[int, int]]) -> Rendered:
        out = Rendered()
        render_inline(Lines(self.source, spans), out)
        return out

    def level(self, char: str, over: bool) -> int:
        style = (char, over)
        if style not in self.styles:
            self.styles.append(style)
        return self.styles.index(style) + 1

    # -- blocks -------------------------------------------------------------------------
    def parse(self, i: int, n: int) -> None:
        """Read lines ``i`` to ``n`` (one level of indentation) into blocks; nested past
        MAX_NESTING levels, as plain paragraphs."""
        if self.depth >= MAX_NESTING:
            self.flat(i, n)
            return
        self.depth += 1
        try:
            self._parse(i, n)
        finally:
            self.depth -= 1

    def flat(self, i: int, n: int) -> None:
        """Lines ``i`` to ``n`` as paragraphs, each a run of lines that are not blank."""
        while i < n:
            if self.blank(i):
                i += 1
                continue
            end = self._first_blank(i, n)
            self.paragraph(i, end, UnitKind.TEXT)
            i = end

    def _parse(self, i: int, n: int) -> None:
        literal_next = False
        first = i
        while first < n and self.blank(first):
            first += 1
        base = self.indent(first) if first < n else 0
        while i < n:
            if self.blank(i):
                i += 1
                continue
            line = self.lines[i].strip()
            column = self.indent(i)
            nxt = self.lines[i + 1] if i + 1 < n else ""
            # Section titles: overline, title, underline; or title, underline.
            if _ADORNMENT.match(line) and i + 2 < n and _ADORNMENT.match(self.lines[i + 2].strip()) \
                    and self.lines[i + 1].strip() and line[0] == self.lines[i + 2].strip()[0]:
                self.heading(i + 1, self.level(line[0], True))
                i += 3
                continue
            if column == base and nxt and _ADORNMENT.match(nxt) and len(nxt.rstrip()) >= len(line) \
                    and not _ADORNMENT.match(line):
                self.heading(i, self.level(nxt.strip()[0], False))
                i += 2
                continue
            if _ADORNMENT.match(line) and len(line) >= 4:
                i += 1  # a transition
                continue
            if literal_next and column > base:
                end = self.body_end(i, n, column)
                self.code(i, end, column)
                i, literal_next = end, False
                continue
            literal_next = False
            if _GRID.match(line):
                i = self.grid_table(i, n)
                continue
            if _SIMPLE.match(line):
                i = self.simple_table(i, n)
                continue
            if _EXPLICIT.match(line):
                i = self.explicit(i, n)
                continue
            if column > base:
                end = self.body_end(i, n, column)
                self.parse(i, end)  # a block quote
                i = end
                continue
            if line.startswith(">>>"):
                end = i
                while end < n and not self.blank(end):
                    end += 1
                self.code(i, end, column)
                i = end
                continue
            for pattern, kind in ((_BULLET, UnitKind.ITEM), (_FIELD, UnitKind.DEFINITION),
                                  (_OPTION, UnitKind.DEFINITION)):
                marker = pattern.match(line)
                if marker:
                    i = self.item(i, n, marker, kind)
                    break
            else:
                if nxt.strip() and self.indent(i + 1) > column and not line.endswith("::"):
                    i = self.definition(i, n)
                    continue
                end = i
                while end < n and not self.blank(end) and self.indent(end) == column:
                    end += 1
                literal_next = self.paragraph(i, end, UnitKind.TEXT)
                i = end

    def heading(self, i: int, level: int) -> None:
        self.blocks.append(Block(UnitKind.HEADING, self.inline([self.span(i)]), level))

    def code(self, i: int, end: int, column: int) -> None:
        out = Rendered()
        spans = [self.span(j) for j in range(i, end) if not self.blank(j)]
        if spans:
            Lines(self.source, spans).emit(out, 0, 10**9)
            self.blocks.append(Block(UnitKind.CODE, out, by_line=True))

    def paragraph(self, i: int, end: int, kind: UnitKind, prefix: Rendered | None = None,
                  first_column: int | None = None) -> bool:
        """A paragraph of lines ``i`` to ``end``; True when it ends with ``::`` (a literal
        block follows). The ``::`` shows as ``:`` after a word, and not at all alone."""
        spans = [self.span(j, first_column if j == i else None) for j in range(i, end)]
        last_start, last_end = spans[-1]
        literal = self.source[last_start:last_end].endswith("::")
        if literal:
            cut = 1 if last_end - last_start > 2 and not self.source[last_end - 3].isspace() else 2
            spans[-1] = (last_start, last_end - cut)
            if spans[-1][1] <= spans[-1][0]:
                spans.pop()
        out = prefix or Rendered()
        if spans:
            if out.parts:
                out.space(spans[0][0])
            out.extend(self.inline(spans))
        if out.parts:
            self.blocks.append(Block(kind, out))
        return literal

    def item(self, i: int, n: int, marker: re.Match, kind: UnitKind) -> int:
        """A list item, field or option: its first paragraph one unit (a field's name or an
        option's flags leading it), what is indented under it read on."""
        column = self.indent(i)
        text_column = column + marker.end()
        prefix = None
        if kind is UnitKind.DEFINITION:
            name = marker.group(1) if marker.re is _FIELD else None
            prefix = Rendered()
            if name is not None:
                at = self.starts[i] + column + 1
                prefix.copy(self.source, at, at + len(name))
            else:
                prefix.copy(self.source, self.starts[i] + column,
                            self.starts[i] + column + len(marker.group(0).rstrip()))
        end = i + 1
        while end < n and not self.blank(end) and self.indent(end) > column:
            end += 1
        first = self.lines[i][text_column:].strip()
        if first:
            self.paragraph(i, end, kind, prefix, text_column)
            body = end
        else:
            body = end
            if end > i + 1:
                self.paragraph(i + 1, end, kind, prefix)
            elif prefix is not None:
                self.blocks.append(Block(kind, prefix))
        stop = self.body_end(body, n, column + 1)
        if stop > body:
            self.parse(body, stop)
        return max(stop, end)

    def definition(self, i: int, n: int) -> int:
        """A term, and the indented description under it: its first paragraph joins the term."""
        term = self.inline([self.span(i)])
        column = self.indent(i + 1)
        first_end = i + 1
        while first_end < n and not self.blank(first_end) and self.indent(first_end) >= column:
            first_end += 1
        self.paragraph(i + 1, first_end, UnitKind.DEFINITION, term)
        stop = self.body_end(first_end, n, column)
        if stop > first_end:
            self.parse(first_end, stop)
        return stop

    def explicit(self, i: int, n: int) -> int:
        """Directives, comments, targets, footnotes and substitution definitions."""
        line = self.lines[i].strip()
        column = self.indent(i)
        stop = self.body_end(i + 1, n, column + 1)
        directive = _DIRECTIVE.match(line)
        footnote = _FOOTNOTE.match(line)
        if footnote and not directive:
            spans = [(self.starts[i] + column + footnote.end(), self.span(i)[1])]
            spans += [self.span(j) for j in range(i + 1, stop) if not self.blank(j)]
            self.blocks.append(Block(UnitKind.TEXT, self.inline(spans)))
            return stop
        if directive is None:
            return stop  # a comment, a target, a substitution: not part of the text
        name = directive.group(1).lower()
        bare = name.rsplit(":", 1)[-1]
        body = i + 1
        while body < stop and not self.blank(body) and _FIELD.match(self.lines[body].strip()):
            body += 1  # the directive's options
        if bare in DROPPED_DIRECTIVES:
            return stop
        if bare in CODE_DIRECTIVES:
            self.code(body, stop, column + 1)
            return stop
        args_at = self.starts[i] + self.lines[i].find("::") + 2
        args = (args_at + len(self.lines[i][self.lines[i].find("::") + 2:]) - len(
            self.lines[i][self.lines[i].find("::") + 2:].lstrip()), self.span(i)[1])
        if bare in OBJECT_DIRECTIVES or (":" in name and bare not in VERSION_DIRECTIVES):
            term = Rendered()
            term.copy(self.source, *args)
            first = body
            while first < stop and self.blank(first):
                first += 1
            first_end = first
            while first_end < stop and not self.blank(first_end):
                first_end += 1
            if first < stop and not _EXPLICIT.match(self.lines[first].strip()):
                self.paragraph(first, first_end, UnitKind.DEFINITION, term)
                self.parse(first_end, stop)
            else:
                self.blocks.append(Block(UnitKind.DEFINITION, term))
                self.parse(first, stop)
            return stop
        if bare in VERSION_DIRECTIVES:
            words = self.source[args[0]:args[1]].split(None, 1)
            if len(words) == 2:
                at = self.source.index(words[1], args[0] + len(words[0]))
                spans = [(at, args[1])] + [self.span(j) for j in range(body, stop)
                                           if not self.blank(j) and j < self._first_blank(body, stop)]
                self.blocks.append(Block(UnitKind.TEXT, self.inline(spans)))
                body = self._first_blank(body, stop)
        self.parse(body, stop)  # admonitions and the like: their body is prose
        return stop

    def _first_blank(self, i: int, n: int) -> int:
        while i < n and not self.blank(i):
            i += 1
        return i

    def grid_table(self, i: int, n: int) -> int:
        border = self.lines[i]
        columns = [k for k, c in enumerate(border) if c == "+"]
        end = i + 1
        while end < n and self.lines[end].lstrip()[:1] in ("+", "|"):
            end += 1
        row: list[list[tuple[int, int]]] = [[] for _ in columns[1:]]

        def flush(at: int, kind: UnitKind = UnitKind.ROW) -> None:
            out = Rendered()
            for cell in row:
                spans = [s for s in cell if s[1] > s[0]]
                if spans:
                    if out.parts:
                        out.put(CELL_SEPARATOR, spans[0][0])
                    out.extend(self.inline(spans))
            if out.parts:
                self.blocks.append(Block(kind, out))
            for cell in row:
                cell.clear()

        for j in range(i + 1, end):
            line = self.lines[j]
            if _GRID.match(line.strip()):
                # The rows above a "+===+" line are the table's head.
                flush(j, UnitKind.HEADER_ROW if "=" in line else UnitKind.ROW)
                continue
            for c, (left, right) in enumerate(zip(columns, columns[1:])):
                text = line[left + 1:right]
                lead = len(text) - len(text.lstrip())
                start = self.starts[j] + left + 1 + lead
                row[c].append((start, start + len(text.strip())))
        flush(end)
        return end

    def simple_table(self, i: int, n: int) -> int:
        border = self.lines[i]
        columns = [(m.start(), m.end()) for m in re.finditer(r"=+", border)]
        borders = 0
        head_from = len(self.blocks)  # rows before the second border are the head, if a third follows
        head_to = head_from
        j = i
        while j < n:
            line = self.lines[j]
            if _SIMPLE.match(line.strip()) or re.fullmatch(r"=+\s*", line.strip()):
                borders += 1
                j += 1
                if borders == 2:
                    head_to = len(self.blocks)
                if borders >= 3 or (borders == 2 and (j >= n or self.blank(j))):
                    break
                continue
            if self.blank(j):
                j += 1
                continue
            out = Rendered()
            for c, (left, _right) in enumerate(columns):
                stop = columns[c + 1][0] if c + 1 < len(columns) else len(line)
                text = line[left:stop]
                if text.strip():
                    start = self.starts[j] + left + len(text) - len(text.lstrip())
                    if out.parts:
                        out.put(CELL_SEPARATOR, start)
                    out.extend(self.inline([(start, start + len(text.strip()))]))
            if out.parts:
                self.blocks.append(Block(UnitKind.ROW, out))
            j += 1
        if borders >= 3:
            for block in self.blocks[head_from:head_to]:
                block.kind = UnitKind.HEADER_ROW
        return j


def read_rst(source: str) -> Document:
    """A reStructuredText file as blocks: section titles with their level, paragraphs, list
    items, fields, options and terms with their descriptions, table rows and literal blocks;
    directives for the builder, comments and targets are left out."""
    reader = _Reader(source)
    reader.parse(0, len(reader.lines))
    document = Document(reader.blocks)
    return document
