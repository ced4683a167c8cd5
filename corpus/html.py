"""HTML pages read into the document model with the standard library: page furniture goes."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from verbatim.corpus.document import CELL_SEPARATOR, Block, Document, Rendered, line_starts
from verbatim.corpus.segment import UnitKind

# Elements whose content is never text to read, or is the site around the page.
_DROP = frozenset(
    "script style noscript template svg canvas iframe object nav footer button select form".split()
)
# Classes of Sphinx, MkDocs and Read the Docs page furniture: anchor marks (¶, #),
# sidebars, navigation bars, breadcrumbs, search boxes, footers, table-of-contents trees.
_FURNITURE_CLASSES = frozenset(
    """headerlink sphinxsidebar sphinxsidebarwrapper related footer navigation navbar breadcrumb
    breadcrumbs toctree-wrapper localtoc md-header md-sidebar md-footer md-search md-nav md-source
    md-tabs md-top md-dialog md-banner md-skip wy-nav-side wy-breadcrumbs rst-versions
    rst-footer-buttons skip-link sidebar""".split()
)
_FURNITURE_ROLES = frozenset({"navigation", "search", "banner", "contentinfo", "complementary"})
# Marks an anchor link shows beside a heading, never words of the page.
_ANCHOR_MARKS = frozenset({"¶", "#", "§", "🔗"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset(
    """address article aside blockquote body caption dd details dialog div dl dt fieldset
    figcaption figure header hr li main ol p pre section summary table tbody tfoot thead tr ul
    h1 h2 h3 h4 h5 h6""".split()
)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _PageParser(HTMLParser):
    def __init__(self, source: str, base: int) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.base = base
        self.starts: list[int] = []
        self.document = Document()
        self.title = ""
        self.first_heading = ""
        self._skip: tuple[str, int] | None = None  # the dropped element and how deep in it
        self._in_title = False
        self._in_head = False
        self._block = Rendered()
        self._kind = UnitKind.TEXT
        self._level = 0
        self._pre = 0
        self._row = False
        self._thead = 0  # how deep inside a table's head
        self._cells = {"td": 0, "th": 0}  # the current row's data and header cells
        self._joining = False  # a description joins the term before it

    def feed_from(self, text: str) -> None:
        self.starts = line_starts(text)
        self.feed(text)
        self.close()
        self._flush()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.base + self.starts[line - 1] + column

    # -- blocks -------------------------------------------------------------------------
    def _flush(self) -> None:
        if self._block.parts and self._block.text.strip():
            self.document.blocks.append(Block(self._kind, self._block, self._level,
                                              by_line=self._kind is UnitKind.CODE))
            if self._kind is UnitKind.HEADING and not self.first_heading:
                self.first_heading = " ".join(self._block.text.split())
        self._block = Rendered()
        self._kind, self._level = UnitKind.TEXT, 0

    def _begin(self, kind: UnitKind, level: int = 0) -> None:
        if self._row or self._pre:
            return
        if self._joining:
            self._block.space(self._offset())
            return
        has_text = bool(self._block.text.strip())
        if has_text:
            self._flush()
        if not has_text and kind is UnitKind.TEXT and self._kind in (UnitKind.ITEM, UnitKind.DEFINITION):
            return  # a paragraph that opens a list item or a description belongs to it
        self._kind, self._level = kind, level

    # -- parser events ---------------------------------------------------------------------
    def _furniture(self, tag: str, attrs) -> bool:
        if tag in _DROP:
            return True
        for name, value in attrs:
            if name == "class" and value and not _FURNITURE_CLASSES.isdisjoint(value.split()):
                return True
            if name == "role" and value in _FURNITURE_ROLES:
                return True
        return False

    def handle_starttag(self, tag: str, attrs) -> None:
        if self._skip is not None:
            if tag == self._skip[0]:
                self._skip = (tag, self._skip[1] + 1)
            return
        if tag not in _VOID and self._furniture(tag, attrs):
            self._skip = (tag, 1)
            return
        if tag == "title":
            self._in_title = True
        elif tag == "head":
            self._in_head = True
        elif tag == "br":
            self._block.put("\n", self._offset())
        elif tag == "pre":
            self._begin(UnitKind.CODE)
            self._pre += 1
        elif tag in _HEADINGS:
            self._begin(UnitKind.HEADING, _HEADINGS[tag])
        elif tag == "thead":
            self._thead += 1
        elif tag == "tr":
            self._row = False
            self._begin(UnitKind.ROW)
            self._row = True
            self._cells = {"td": 0, "th": 0}
        elif tag in ("td", "th"):
            self._cells[tag] += 1
            if self._row and self._block.text.strip():
                self._block.put(CELL_SEPARATOR, self._offset())
        elif tag == "li":
            self._begin(UnitKind.ITEM)
        elif tag == "dt":
            self._joining = False
            self._begin(UnitKind.DEFINITION)
        elif tag == "dd":
            if self._kind is UnitKind.DEFINITION and self._block.text.strip():
                self._joining = True
                self._block.space(self._offset())
            else:
                self._begin(UnitKind.DEFINITION)
        elif tag in _BLOCKS:
            self._begin(UnitKind.TEXT)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if self._skip is None and tag == "br":
            self._block.put("\n", self._offset())

    def handle_endtag(self, tag: str) -> None:
        if self._skip is not None:
            if tag == self._skip[0]:
                depth = self._skip[1] - 1
                self._skip = (tag, depth) if depth else None
            return
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self._in_head = False
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
            if not self._pre:
                self._flush()
        elif tag == "thead":
            self._thead = max(0, self._thead - 1)
        elif tag == "tr":
            self._row = False
            # A row in the table's head, or of header cells only, names the columns.
            if self._kind is UnitKind.ROW and (self._thead or (self._cells["th"] and not self._cells["td"])):
                self._kind = UnitKind.HEADER_ROW
            self._flush()
        elif tag == "dt":
            pass  # the description that follows joins it
        elif tag in _BLOCKS and not self._row and not self._pre and not self._joining:
            self._flush()
        elif tag == "dd":
            self._joining = False
            self._flush()

    def _text(self, text: str, at: int, copied: bool) -> None:
        if self._skip is not None or self._in_head and not self._in_title:
            return
        if self._in_title:
            self.title += text
            return
        if text.strip() in _ANCHOR_MARKS:
            return
        if self._joining and text.strip():
            self._joining = False  # the description has begun: its paragraph ends the unit
        if copied:
            self._block.copy(self.source, at, at + len(text))
        else:
            self._block.put(text, at)

    def handle_data(self, data: str) -> None:
        self._text(data, self._offset(), True)

    def handle_entityref(self, name: str) -> None:
        self._text(html.unescape(f"&{name};"), self._offset(), False)

    def handle_charref(self, name: str) -> None:
        self._text(html.unescape(f"&#{name};"), self._offset(), False)


_UNFINISHED_TAG = re.compile(r"<[A-Za-z/!?]")


def _finished(source: str, start: int, end: int) -> int:
    """Where the page ends for the parser: before a comment that is never closed, or a tag
    that the page ends inside. HTML reads what follows either as part of it (nothing to
    show); the standard library's parser waits for the rest instead, and at the end looks
    for it again from every following character (28 s for '<!--' 80,000 times)."""
    closed = source.rfind("-->", start, end)
    comment = source.find("<!--", max(start, closed - 3) if closed >= 0 else start, end)
    if comment >= 0:
        end = comment
    last = source.rfind(">", start, end)
    tag = _UNFINISHED_TAG.search(source, max(start, last + 1), end)
    return tag.start() if tag else end


def read_html(source: str, start: int = 0, end: int | None = None) -> Document:
    """The page ``source[start:end]`` as blocks: headings with their level, paragraphs,
    list items, a ``dt`` with its ``dd`` as one definition, table rows, and ``pre`` line
    by line; scripts, navigation, sidebars, footers and anchor marks are left out."""
    parser = _PageParser(source, start)
    parser.feed_from(source[start:_finished(source, start, len(source) if end is None else end)])
    document = parser.document
    document.title = " ".join(parser.title.split()) or parser.first_heading or None
    return document
