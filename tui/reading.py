"""The reading pane's views of a document: rendered for the reader, cited line marked, searchable."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

from verbatim.tui.text import visible

if TYPE_CHECKING:
    from verbatim.corpus import Article, Unit

# A Markdown document is drawn by Textual's Markdown widget up to this size: it lays out a
# widget a block, which opens 20 KB in about 0.9 s against 0.25 s for the line view, and
# 40 KB in 1.5 s (benchmarks/reading_pane.py); a larger one is drawn line by line.
MARKDOWN_WIDGET_MAX_CHARS = 20_000

# Code is indented by this much, as a rendered page sets it apart.
CODE_INDENT = 2
# What a list item begins with on screen (the source's own marker is not part of its text).
BULLET = "• "
# A line never wraps narrower than this, however narrow the window: words stay readable.
MIN_WRAP_WIDTH = 10

# The styles of what the pane marks, themable from CSS (see verbatim.tcss).
READING_CLASSES = {"reading--cited", "reading--match", "reading--current", "reading--heading",
                   "reading--code", "reading--muted"}


class Match(NamedTuple):
    """One place the searched text was found: the text (block) it is in, and where."""

    text: int
    start: int
    end: int


def find_matches(needle: str, texts: list[str]) -> list[Match]:
    """Every place ``needle`` occurs in ``texts``, ignoring case, in reading order."""
    if not needle:
        return []
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    return [Match(i, m.start(), m.end()) for i, text in enumerate(texts) for m in pattern.finditer(text)]


def visible_lines(text: str) -> str:
    """``text`` made safe to show, its line breaks kept as line breaks."""
    return "\n".join(visible(line) for line in text.replace("\r\n", "\n").split("\n"))


def find_sentence(sentence: str, text: str) -> tuple[int, int] | None:
    """Where ``sentence`` is in ``text``, the white space between its words in any amount."""
    words = sentence.split()
    if not words:
        return None
    found = re.search(r"\s+".join(map(re.escape, words)), text)
    return (found.start(), found.end()) if found else None


# -- the document drawn line by line --------------------------------------------------------

@dataclass(slots=True)
class ShownBlock:
    """One paragraph, heading, item, row or code block as the pane shows it."""

    text: str
    kind: str  # "text", "heading", "code" or "muted": the style it is drawn in
    units: list[tuple[int, int]] = field(default_factory=list)  # each unit's span in ``text``
    first_unit: int = 0  # index in the article's units of this block's first unit


def shown_blocks(article: Article) -> list[ShownBlock]:
    """The article's units grouped into blocks as the reader sees them: sentences of a
    paragraph joined by a space, code one line a unit with its indentation; in a PDF, a
    line naming the page before the first paragraph on each page."""
    from bisect import bisect_right

    from verbatim.corpus import UnitKind
    from verbatim.corpus.formats import PAGED

    blocks = []
    index = 0
    pages = [start for start, _ in article.parts] if article.format in PAGED else []
    page = -1
    for _, group in groupby(article.units, key=lambda u: u.paragraph):
        units = list(group)
        if pages and bisect_right(pages, units[0].start) - 1 != page:
            page = max(bisect_right(pages, units[0].start) - 1, 0)
            blocks.append(ShownBlock(f"— page {visible(article.parts[page][1])} —", "muted", first_unit=index))
        kind = units[0].kind
        code = kind is UnitKind.CODE
        style = ("heading" if kind is UnitKind.HEADING else "code" if code
                 else "muted" if kind is UnitKind.BOILERPLATE else "text")
        block = ShownBlock(BULLET if kind is UnitKind.ITEM else "", style, first_unit=index)
        base = min((_indent(article.text, u.start) for u in units), default=0) if code else 0
        previous = None
        for unit in units:
            if block.text and block.text != BULLET:
                # Sentences the source runs together ("bold?[/b]") stay together.
                together = previous is not None and previous.end == unit.start
                block.text += "\n" if code else "" if together else " "
            previous = unit
            if code:
                block.text += " " * (_indent(article.text, unit.start) - base)
            shown = visible(unit.text)
            block.units.append((len(block.text), len(block.text) + len(shown)))
            block.text += shown
        blocks.append(block)
        index += len(units)
    return blocks


def _indent(source: str, offset: int) -> int:
    """How far the source line holding ``offset`` is indented before it."""
    line_start = source.rfind("\n", 0, offset) + 1
    lead = source[line_start:offset]
    return len(lead) - len(lead.lstrip()) if not lead.strip() else 0


_WORD = re.compile(r"\S+\s*")
# Characters one cell wide each (Latin, Greek, Cyrillic, general punctuation such as curly
# quotes and dashes, currency, box drawing): a line of only these wraps by counting characters.
_NOT_SINGLE_CELL = re.compile("[^\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0482\u2010-\u2027"
                              "\u2030-\u205e\u20a0-\u20bf\u2500-\u25fc]")


@lru_cache(maxsize=8)
def _line_pattern(width: int) -> re.Pattern[str]:
    """One wrapped line of single-cell text: as many words as fit in ``width``, else
    ``width`` characters of a word longer than that."""
    return re.compile(rf"\S.{{0,{width - 1}}}(?=\s|$)|\S{{{width}}}")


def wrap_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where ``text`` (one line, no line breaks) breaks to fit ``width`` cells: between
    words, and inside a word only when it is longer than a line."""
    if len(text) <= width and text.isascii():
        return [(0, len(text))]
    if _NOT_SINGLE_CELL.search(text) is None:  # the common case, done by the regex engine
        starts = [m.start() for m in _line_pattern(width).finditer(text)] or [0]
        starts[0] = 0
        return list(zip(starts, [*starts[1:], len(text)]))
    spans = []
    start, cells = 0, 0
    for m in _WORD.finditer(text):
        word = m.group()
        word_cells = cell_len(word.rstrip())
        if cells and cells + word_cells > width:
            spans.append((start, m.start()))
            start, cells = m.start(), 0
        if word_cells > width:  # a word longer than the line is cut where the line ends
            for i, char in enumerate(word, m.start()):
                char_cells = cell_len(char)
                if cells + char_cells > width and not char.isspace():
                    spans.append((start, i))
                    start, cells = i, 0
                cells += char_cells
            continue
        cells += cell_len(word)
    spans.append((start, len(text)))
    return spans


class DocumentView(ScrollView, can_focus=True):
    """A document of any size drawn a line at a time: only the lines on screen are styled,
    and wrapping a few megabytes takes a fraction of a second (benchmarks/reading_pane.py)."""

    COMPONENT_CLASSES = READING_CLASSES

    DEFAULT_CSS = """
    DocumentView {
        scrollbar-gutter: stable;
    }
    """

    def __init__(self, blocks: list[ShownBlock], cited: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.blocks = blocks
        self.cited = cited  # index of the cited unit in the article
        self._cited_place = self._unit_place(cited) if cited is not None else None
        self._width = 0
        self._lines: list[tuple[int, int, int]] = []  # (block, start, end); block -1 is a gap
        self._block_line: list[int] = []  # first display line of each block
        self._matches: dict[int, list[tuple[int, int, bool]]] = {}
        self.ready = False
        self._styles: dict[str, RichStyle] = {}

    # -- what the pane asks of a view ----------------------------------------------------
    def texts(self) -> list[str]:
        return [block.text for block in self.blocks]

    def mark(self, matches: list[Match], current: int | None) -> None:
        marks: dict[int, list[tuple[int, int, bool]]] = {}
        for i, match in enumerate(matches):
            marks.setdefault(match.text, []).append((match.start, match.end, i == current))
        self._matches = marks
        self.refresh()

    def reveal(self, match: Match) -> None:
        self._centre_on(match.text, match.start)

    def first_match_from_here(self, matches: list[Match]) -> int:
        """The first match at or below the top line on screen (else the first)."""
        top = int(self.scroll_y)
        for i, match in enumerate(matches):
            if self._line_of(match.text, match.start) >= top:
                return i
        return 0

    # -- layout ------------------------------------------------------------------------------
    def _unit_place(self, unit: int) -> tuple[int, int, int] | None:
        firsts = [b.first_unit for b in self.blocks]
        b = bisect_right(firsts, unit) - 1
        if b < 0 or unit - self.blocks[b].first_unit >= len(self.blocks[b].units):
            return None
        start, end = self.blocks[b].units[unit - self.blocks[b].first_unit]
        return b, start, end

    def _wrap(self, width: int) -> None:
        lines: list[tuple[int, int, int]] = []
        block_line = []
        for b, block in enumerate(self.blocks):
            if b:
                lines.append((-1, 0, 0))
            block_line.append(len(lines))
            indent = CODE_INDENT if block.kind == "code" else 0
            room = max(MIN_WRAP_WIDTH, width - indent)
            offset = 0
            for line in block.text.split("\n"):
                lines.extend((b, offset + s, offset + e) for s, e in wrap_spans(line, room))
                offset += len(line) + 1
        self._lines, self._block_line, self._width = lines, block_line, width
        self.virtual_size = Size(width, len(lines))

    def _line_of(self, block: int, offset: int) -> int:
        """The display line showing character ``offset`` of ``block``."""
        first = self._block_line[block]
        last = self._block_line[block + 1] - 1 if block + 1 < len(self.blocks) else len(self._lines)
        starts = [self._lines[i][1] for i in range(first, last)]
        return first + max(0, bisect_right(starts, offset) - 1)

    def _centre_on(self, block: int, offset: int) -> None:
        if not self._lines:
            return
        line = self._line_of(block, offset)
        self.scroll_to(y=max(0, line - self.scrollable_content_region.height // 2), animate=False)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width == self._width or width <= 0:
            return
        anchor = self._lines[int(self.scroll_y)] if self._lines and self._width else None
        first = not self._width
        self._wrap(width)
        if first:
            if self._cited_place is not None:
                self.call_after_refresh(self._centre_on, *self._cited_place[:2])
            self.ready = True
            self.post_message(DocumentReady())
        elif anchor is not None and anchor[0] >= 0:
            self.scroll_to(y=self._line_of(anchor[0], anchor[1]), animate=False)

    # -- drawing -----------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, name: str) -> RichStyle:
        """A style of the pane (``""`` for the base), looked up once a theme: drawing a line
        is then a few dictionary lookups."""
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = (self.rich_style + self.get_component_rich_style(f"reading--{name}")
                                          if name else self.rich_style)
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._style("")
        index = y + int(self.scroll_y)
        if index >= len(self._lines) or self._lines[index][0] < 0:
            return Strip.blank(width, base)
        b, start, end = self._lines[index]
        block = self.blocks[b]
        style = base if block.kind == "text" else self._style(block.kind)
        cuts = {start, end}
        marks: list[tuple[int, int, RichStyle]] = []
        if self._cited_place is not None and self._cited_place[0] == b:
            marks.append((*self._cited_place[1:], self._style("cited")))
        for s, e, current in self._matches.get(b, ()):
            if e > start and s < end:
                marks.append((s, e, self._style("current" if current else "match")))
        for s, e, _ in marks:
            cuts.update(c for c in (s, e) if start < c < end)
        points = sorted(cuts)
        segments = []
        if block.kind == "code":
            segments.append(Segment(" " * CODE_INDENT, style))
        for s, e in zip(points, points[1:]):
            piece_style = style
            for ms, me, mark in marks:
                if ms <= s and e <= me:
                    piece_style += mark
            segments.append(Segment(block.text[s:e], piece_style))
        return Strip(segments).extend_cell_length(width, style).crop(0, width)


# -- Markdown through Textual's widget -------------------------------------------------------

class DocumentReady(Message):
    """A view has laid its document out: its texts can be searched."""


class MarkedFence(MarkdownFence):
    """A code block whose marks (the cited line, matches) outlive its highlighting, which
    the widget redoes whenever styles change."""

    def __init__(self, *args, **kwargs) -> None:
        self.marks: list[tuple[Style, int, int]] = []
        super().__init__(*args, **kwargs)

    def mark(self, spans: list[tuple[Style, int, int]]) -> None:
        self.marks = spans
        self.set_content(self._highlighted_code)

    def set_content(self, content: Content) -> None:
        for style, start, end in self.marks:
            content = content.stylize(style, start, end)
        super().set_content(content)


class ReaderMarkdown(Markdown):
    """Textual's Markdown widget with code blocks that keep their marks."""

    def get_block_class(self, block_name: str) -> type[MarkdownBlock]:
        if block_name in ("fence", "code_block"):
            return MarkedFence
        return super().get_block_class(block_name)


class MarkdownView(VerticalScroll, can_focus=True):
    """A Markdown document rendered by Textual's Markdown widget: links are not followed,
    its text is shown as text (no markup) with terminal controls escaped."""

    COMPONENT_CLASSES = READING_CLASSES

    def __init__(self, article: Article, cited: Unit | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.article = article
        self.cited = cited
        self._shown: list[Static] = []  # every widget that shows text, in reading order
        self._plain: list[Content] = []  # what each showed before anything was marked
        self._cited_marks: dict[int, tuple[int, int]] = {}
        self._marked: set[int] = set()
        self.ready = False

    def compose(self):
        from verbatim.corpus.markdown import blank_front_matter, new_parser

        yield ReaderMarkdown(visible_lines(blank_front_matter(self.article.text)), open_links=False,
                             parser_factory=new_parser)

    def on_markdown_table_of_contents_updated(self, event: Markdown.TableOfContentsUpdated) -> None:
        """The document is laid out: note what shows text, mark the cited sentence."""
        event.stop()
        markdown = self.query_one(Markdown)
        self._shown = [w for w in markdown.query(Static) if isinstance(w.content, Content) and w.content.plain
                       and not w.query_children(Static) and not isinstance(w, Markdown)]
        self._plain = [w.content for w in self._shown if isinstance(w.content, Content)]
        for widget in self._shown:  # a table cell's tooltip is its text: text, not markup
            if widget.tooltip is not None:
                widget.tooltip = widget.content
        self._cited_marks = self._find_cited()
        self._restyle({}, None)
        self.ready = True
        cited = min(self._cited_marks, default=None)
        if cited is not None:
            self.call_after_refresh(self._centre, self._shown[cited], self._cited_marks[cited][0])
        self.post_message(DocumentReady())

    def _block_lines(self, widget: Widget) -> tuple[int, int] | None:
        for node in (widget, *widget.ancestors):
            if isinstance(node, MarkdownBlock):
                return node.source_range
        return None

    def _find_cited(self) -> dict[int, tuple[int, int]]:
        """Where the cited sentence shows: in the text of the block holding its line, else
        (a table row, text the widget renders otherwise) that block's texts within it."""
        if self.cited is None:
            return {}
        line = self.cited.line - 1
        holding = []
        for i, widget in enumerate(self._shown):
            lines = self._block_lines(widget)
            if lines is not None and lines[0] <= line < max(lines[1], lines[0] + 1):
                holding.append(i)
        sentence = visible(self.cited.text)
        for i in holding:
            found = find_sentence(sentence, self._plain[i].plain)
            if found is not None:
                return {i: found}
        parts = {i: (0, len(self._plain[i].plain)) for i in holding
                 if self._plain[i].plain.strip() and self._plain[i].plain.strip() in sentence}
        return parts

    def texts(self) -> list[str]:
        return [content.plain for content in self._plain]

    def mark(self, matches: list[Match], current: int | None) -> None:
        marks: dict[int, list[tuple[int, int, bool]]] = {}
        for i, match in enumerate(matches):
            marks.setdefault(match.text, []).append((match.start, match.end, i == current))
        self._restyle(marks, current)

    def _restyle(self, marks: dict[int, list[tuple[int, int, bool]]], current: int | None) -> None:
        styles = {name: Style.from_rich_style(self.get_component_rich_style(f"reading--{name}"))
                  for name in ("cited", "match", "current")}
        for i in self._marked | set(marks) | set(self._cited_marks):
            spans = [(styles["cited"], *self._cited_marks[i])] if i in self._cited_marks else []
            spans += [(styles["current" if is_current else "match"], s, e) for s, e, is_current in marks.get(i, ())]
            widget = self._shown[i]
            if isinstance(widget.parent, MarkedFence):
                widget.parent.mark(spans)
                continue
            content = self._plain[i]
            for style, s, e in spans:
                content = content.stylize(style, s, e)
            widget.update(content)
        self._marked = set(marks)

    def reveal(self, match: Match) -> None:
        self._centre(self._shown[match.text], match.start)

    def first_match_from_here(self, matches: list[Match]) -> int:
        top = int(self.scroll_y)
        for i, match in enumerate(matches):
            if self._y_of(self._shown[match.text], match.start) >= top:
                return i
        return 0

    def _y_of(self, widget: Static, offset: int) -> int:
        """The line of this view's content that shows character ``offset`` of ``widget``."""
        width = max(1, widget.content_region.width)
        before = widget.content.plain[:offset].split("\n")
        wrapped = sum(len(wrap_spans(part, width)) for part in before) - 1
        return widget.content_region.y - self.scrollable_content_region.y + int(self.scroll_y) + wrapped

    def _centre(self, widget: Static, offset: int) -> None:
        y = self._y_of(widget, offset)
        self.scroll_to(y=max(0, y - self.scrollable_content_region.height // 2), animate=False)
