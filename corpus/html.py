"""Text of an HTML page with the standard library: blocks become paragraphs, scripts go."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements whose content is never text to read.
_DROP = frozenset({"script", "style", "noscript", "template", "svg", "canvas", "iframe", "object"})
# Elements that start a new paragraph.
_BLOCKS = frozenset(
    """address article aside blockquote body dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table
    tbody td tfoot th thead tr ul br""".split()
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.first_heading = ""
        self._dropping = 0
        self._in_title = False
        self._in_head = False
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _DROP:
            self._dropping += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "head":
            self._in_head = True
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag in _HEADINGS and not self.first_heading:
                self._heading = []

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self._dropping = max(0, self._dropping - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "head":
            self._in_head = False
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag in _HEADINGS and self._heading is not None:
                self.first_heading = " ".join("".join(self._heading).split())
                self._heading = None

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        if self._in_title:
            self.title += data
            return
        if self._in_head:
            return
        # Inside a block, line breaks of the source are only layout.
        self.parts.append(" ".join(data.split("\n")) if data.strip() else " ")
        if self._heading is not None:
            self._heading.append(data)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """(readable text with a blank line between blocks, title or None)."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    lines = []
    for block in "".join(parser.parts).split("\n\n"):
        block = " ".join(block.split())
        if block:
            lines.append(block)
    title = " ".join(parser.title.split()) or parser.first_heading or None
    return "\n\n".join(lines) + ("\n" if lines else ""), title
