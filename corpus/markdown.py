"""Markdown (CommonMark with tables and YAML front matter) read into the document model."""

from __future__ import annotations

import html
import re
from functools import cache

from verbatim.corpus.document import CELL_SEPARATOR, Block, Document, Rendered, line_starts
from verbatim.corpus.inline import Lines, locate
from verbatim.corpus.segment import UnitKind

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_LIST_ENTRY = re.compile(r"^[ \t]+-[ \t]+(.*?)[ \t]*$")
# Where inline markup may begin; everything between is copied as it is.
_SPECIAL = re.compile(r"[\\`<!\[&*_~]")
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_AUTOLINK = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)|(?:[^\s@<>]+@[^\s@<>]+))>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LINK_TAIL = re.compile(r"\[([^\]]*)\]")
_BACKTICKS = re.compile(r"`+")
_PARENS = re.compile(r"[()]")
# CommonMark's longest link label; a longer bracketed text is never a reference.
MAX_LABEL_CHARS = 999
# Links inside link texts (images in images) read this deep as links; deeper, their text
# is copied as it is, so that 50,000 nested brackets cost no recursion.
MAX_LINK_NESTING = 32


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def front_matter(source: str) -> tuple[int, dict[str, object]]:
    """(where the body begins, the fields) of YAML front matter at the top of a file: plain
    ``key: value`` fields, flow lists ``[a, b]`` and block lists of ``- item``."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return 0, {}
    fields: dict[str, object] = {}
    key = None
    for line in (match.group(1) or "").split("\n"):
        entry = _LIST_ENTRY.match(line)
        if entry and key is not None:
            listed = fields.get(key)
            fields[key] = (listed if isinstance(listed, list) else []) + [_scalar(entry.group(1))]
            continue
        found = _FIELD.match(line)
        if not found:
            continue
        key, value = found.group(1).lower(), found.group(2)
        if value.startswith("[") and value.endswith("]"):
            fields[key] = [_scalar(v) for v in value[1:-1].split(",") if v.strip()]
        else:
            fields[key] = _scalar(value) if value else []
    return match.end(), fields


def _metadata(fields: dict[str, object], document: Document) -> None:
    title = fields.get("title")
    if isinstance(title, str) and title:
        document.title = title
    for key in ("authors", "author"):
        value = fields.get(key)
        if isinstance(value, str) and value:
            document.authors = [value]
        elif isinstance(value, list) and value:
            document.authors = [str(v) for v in value if v]
        if document.authors:
            break
    date = fields.get("date")
    if isinstance(date, str) and date:
        document.date = date


def _flanking(content: str, start: int, end: int) -> tuple[bool, bool]:
    """(left-flanking, right-flanking) for the delimiter run ``content[start:end]``."""
    before = content[start - 1] if start > 0 else " "
    after = content[end] if end < len(content) else " "
    punct_before = not before.isalnum() and not before.isspace()
    punct_after = not after.isalnum() and not after.isspace()
    left = not after.isspace() and (not punct_after or before.isspace() or punct_before)
    right = not before.isspace() and (not punct_before or after.isspace() or punct_after)
    return left, right


def _backtick_run(content: str, i: int, end: int) -> int:
    """How many backticks begin at ``i`` (before ``end``)."""
    found = _BACKTICKS.match(content, i, end)
    return found.end() - i if found else 0


def _pairs(content: str, start: int, end: int) -> dict[int, int]:
    """Where each ``[`` and ``(`` of ``content[start:end]`` is closed, found in one pass: a
    ``[`` skips escaped characters and code spans, a ``(`` counts every parenthesis. Asking
    for each bracket by scanning on from it costs the length of the text per bracket (minutes
    for 50,000 of them)."""
    closing: dict[int, int] = {}
    rounds: list[int] = []
    for paren in _PARENS.finditer(content, start, end):
        if paren.group() == "(":
            rounds.append(paren.start())
        elif rounds:
            closing[rounds.pop()] = paren.start()
    squares: list[int] = []
    i = start
    while i < end:
        c = content[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            run = _backtick_run(content, i, end)
            close = content.find("`" * run, i + run, end)
            i = close + run if close >= 0 else i + run
            continue
        if c == "[":
            squares.append(i)
        elif c == "]" and squares:
            closing[squares.pop()] = i
        i += 1
    return closing


def _closing_bracket(content: str, start: int, end: int, pairs: dict[int, int]) -> int:
    """Index of the ``]`` that closes the ``[`` at ``start`` before ``end``, or -1."""
    close = pairs.get(start, -1)
    return close if close < end else -1


def _closing_paren(content: str, start: int, end: int, pairs: dict[int, int]) -> int:
    """Index of the ``)`` that closes the ``(`` at ``start``, in the same paragraph, or -1."""
    close = pairs.get(start, -1)
    if close >= end or content.find("\n\n", start, close) >= 0:
        return -1
    return close


def reference_label(label: str) -> str:
    """A link label as CommonMark matches it: case and runs of white space ignored."""
    return " ".join(label.split()).casefold()


def render_inline(lines: Lines, out: Rendered, refs: frozenset[str], a: int = 0, b: int | None = None,
                  pairs: dict[int, int] | None = None, depth: int = 0) -> None:
    """Render Markdown inline markup in ``lines.content[a:b]`` into ``out``: emphasis,
    code spans, links and images (their text), autolinks, escapes and entities, with raw
    HTML tags and comments dropped. ``pairs``: the brackets' closings (:func:`_pairs`)."""
    content = lines.content
    b = len(content) if b is None else b
    pairs = _pairs(content, a, b) if pairs is None else pairs

    def link_text(start: int, stop: int) -> None:
        if depth < MAX_LINK_NESTING:
            render_inline(lines, out, refs, start, stop, pairs, depth + 1)
        else:
            lines.emit(out, start, stop)

    i = a
    while i < b:
        found = _SPECIAL.search(content, i, b)
        if found is None:
            lines.emit(out, i, b)
            return
        j = found.start()
        lines.emit(out, i, j)
        c = content[j]
        i = j + 1
        if c == "\\":
            nxt = content[j + 1:j + 2]
            if nxt in _ESCAPABLE and nxt and j + 1 < b:
                lines.emit(out, j + 1, j + 2)
                i = j + 2
            elif nxt == "\n":
                i = j + 1  # a hard line break
            else:
                lines.emit(out, j, j + 1)
        elif c == "`":
            run = _backtick_run(content, j, b)
            close = content.find("`" * run, j + run, b)
            while close >= 0 and content[close + run:close + run + 1] == "`":
                close = content.find("`" * run, close + run + 1, b)
            if close < 0:
                lines.emit(out, j, j + run)
                i = j + run
                continue
            inner_a, inner_b = j + run, close
            if inner_b - inner_a >= 2 and content[inner_a] == " " and content[inner_b - 1] == " ":
                inner_a, inner_b = inner_a + 1, inner_b - 1
            lines.emit(out, inner_a, inner_b)
            i = close + run
        elif c == "<":
            for pattern, keep in ((_COMMENT, False), (_AUTOLINK, True), (_TAG, False)):
                match = pattern.match(content, j, b)
                if match:
                    if keep:
                        lines.emit(out, match.start(1), match.end(1))
                    i = match.end()
                    break
            else:
                lines.emit(out, j, j + 1)
        elif c == "[" or (c == "!" and content[j + 1:j + 2] == "["):
            opening = j + (c == "!")
            close = _closing_bracket(content, opening, b, pairs)
            if close < 0:
                lines.emit(out, j, opening + 1)
                i = opening + 1
                continue
            label = content[opening + 1:close] if close - opening <= MAX_LABEL_CHARS + 1 else ""
            after = close + 1
            if content[after:after + 1] == "(":
                end = _closing_paren(content, after, b, pairs)
                if end >= 0:
                    link_text(opening + 1, close)
                    i = end + 1
                    continue
            tail = _LINK_TAIL.match(content, after, b)
            if tail and refs and len(tail.group(1) or label) <= MAX_LABEL_CHARS \
                    and reference_label(tail.group(1) or label) in refs:
                link_text(opening + 1, close)
                i = tail.end()
                continue
            if refs and len(label) <= MAX_LABEL_CHARS and reference_label(label) in refs:
                link_text(opening + 1, close)
                i = after
                continue
            lines.emit(out, j, opening + 1)
            i = opening + 1
        elif c == "&":
            match = _ENTITY.match(content, j, b)
            if match:
                out.put(html.unescape(match.group()), lines.at(j))
                i = match.end()
            else:
                lines.emit(out, j, j + 1)
        else:  # * _ ~ : a run of emphasis delimiters
            run_end = j
            while run_end < b and content[run_end] == c:
                run_end += 1
            i = run_end
            left, right = _flanking(content, j, run_end)
            strike_ok = c != "~" or run_end - j == 2
            if strike_ok and left != right:
                continue  # opens or closes emphasis: not shown
            lines.emit(out, j, run_end)


def new_parser():
    """A parser of the Markdown this module reads: CommonMark with tables."""
    # Imported here, not at the top: only a corpus with Markdown files pays for it
    # (about 130 ms; see benchmarks/formats.py).
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


_parser = cache(new_parser)


def blank_front_matter(source: str) -> str:
    """``source`` with its front matter blanked rather than cut, so a parser's line
    numbers are the file's."""
    body_start, _ = front_matter(source)
    return re.sub(r"[^\n]", " ", source[:body_start]) + source[body_start:]


def _lines_of(source: str, starts: list[int], first_line: int, content: str) -> Lines:
    """The parser's content of a block, mapped line by line to the source from ``first_line``."""
    spans = []
    for k, text in enumerate(content.split("\n")):
        n = first_line + k
        if n >= len(starts):
            break
        line_end = starts[n + 1] - 1 if n + 1 < len(starts) else len(source)
        where = locate(source, starts[n], line_end, text)
        if where is None:
            if text.strip():
                spans.append((starts[n], starts[n]))
            continue
        spans.append(where)
    return Lines(source, spans or [(starts[min(first_line, len(starts) - 1)],) * 2])


def _item_kind(content: str) -> UnitKind:
    """A list item that opens with a code span and goes on to describe it ("`minVersion(range)`:
    Return the lowest version ...", "`follow` Follow symlinked directories") defines a term,
    as a definition list's entry does; any other item is an item."""
    if content.startswith("`"):
        run = _backtick_run(content, 0, len(content))
        close = content.find("`" * run, run)
        if close > run and content[close + run:].strip(" :-\u2013\u2014"):
            return UnitKind.DEFINITION
    return UnitKind.ITEM


def read_markdown(source: str) -> Document:
    """A Markdown file as blocks: headings with their level, paragraphs, list items, table
    rows and code line by line; front matter gives title, authors and date."""
    _, fields = front_matter(source)
    document = Document()
    _metadata(fields, document)
    env: dict = {}
    tokens = _parser().parse(blank_front_matter(source), env)
    refs = frozenset(reference_label(k) for k in env.get("references", {}))
    starts = line_starts(source)
    items = 0
    heading_level = 0
    row: Rendered | None = None
    in_head = False  # inside the table's head: its rows name the columns
    cell_line = 0
    cell_from = 0
    for token in tokens:
        kind = token.type
        if kind == "list_item_open":
            items += 1
        elif kind == "list_item_close":
            items -= 1
        elif kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind in ("thead_open", "thead_close"):
            in_head = kind == "thead_open"
        elif kind == "tr_open":
            row = Rendered()
            cell_line = token.map[0] if token.map else 0
            cell_from = starts[cell_line] if cell_line < len(starts) else len(source)
        elif kind == "tr_close" and row is not None:
            document.blocks.append(Block(UnitKind.HEADER_ROW if in_head else UnitKind.ROW, row))
            row = None
        elif kind == "inline" and row is not None:
            line_end = starts[cell_line + 1] - 1 if cell_line + 1 < len(starts) else len(source)
            text = token.content.strip()
            at = source.find(text, cell_from, line_end) if text else -1
            if at >= 0:
                if row.parts:
                    row.put(CELL_SEPARATOR, at)
                render_inline(Lines(source, [(at, at + len(text))]), row, refs)
                cell_from = at + len(text)
        elif kind == "inline" and token.map:
            rendered = Rendered()
            render_inline(_lines_of(source, starts, token.map[0], token.content), rendered, refs)
            if heading_level:
                document.blocks.append(Block(UnitKind.HEADING, rendered, heading_level))
                heading_level = 0
            else:
                document.blocks.append(Block(_item_kind(token.content) if items else UnitKind.TEXT, rendered))
        elif kind in ("fence", "code_block") and token.map:
            first = token.map[0] + (kind == "fence")
            rendered = Rendered()
            _lines_of(source, starts, first, token.content.rstrip("\n")).emit(rendered, 0, len(token.content))
            document.blocks.append(Block(UnitKind.CODE, rendered, by_line=True))
        elif kind == "html_block" and token.map:
            from verbatim.corpus.html import read_html

            end = starts[token.map[1]] if token.map[1] < len(starts) else len(source)
            document.blocks.extend(read_html(source, starts[token.map[0]], end).blocks)
    return document
