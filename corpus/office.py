"""Word (.docx) and OpenDocument (.odt) files written out as simple HTML, which the HTML reader reads.

The standard library's zipfile and ElementTree are enough: the text of these formats is in
one XML member (word/document.xml, content.xml) with a handful of elements that matter for
reading (paragraphs, their heading style or outline level, list items, table cells, notes);
a library (python-docx, odfpy) would add a dependency to read the same elements, and none of
them bounds what a hostile archive unpacks. Footnotes and endnotes are kept apart from the
body: they follow it, under a heading of their own.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

from verbatim.corpus.archive import Archive, local
from verbatim.corpus.formats import Unreadable

# The most text kept from one file; a longer document is cut there with a warning.
MAX_TEXT_CHARS = 32 * 2**20
NOTES_HEADING = "Notes"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|berschrift|titre|titolo|título|kop)\s*([1-6])$", re.IGNORECASE)


class _Writer:
    """The HTML of a document, element by element, its text escaped."""

    def __init__(self, title: str) -> None:
        self.parts = [f"<title>{escape(title)}</title>\n"] if title else []
        self.length = sum(map(len, self.parts))
        self.full = False

    def add(self, tag: str, text: str) -> None:
        text = " ".join(text.split())
        if not text or self.full:
            return
        line = f"<{tag}>{escape(text, quote=False)}</{tag}>\n"
        if self.length + len(line) > MAX_TEXT_CHARS:
            self.full = True
            return
        self.parts.append(line)
        self.length += len(line)

    def raw(self, markup: str) -> None:
        if not self.full:
            self.parts.append(markup)
            self.length += len(markup)

    def text(self, warnings: list[str]) -> str:
        if self.full:
            warnings.append(f"only its first {MAX_TEXT_CHARS // 2**20} MB of text read (the most read from one file)")
        body = "".join(self.parts)
        if not re.search(r"<(?:p|h\d|li|td)>", body):
            raise Unreadable("skipped, no text to read")
        return body


def _title(archive: Archive, member: str) -> str:
    meta = archive.xml(member)
    if meta is None:
        return ""
    for element in meta.iter():
        if local(element.tag) == "title" and element.text and element.text.strip():
            return " ".join(element.text.split())
    return ""


# -- Word ------------------------------------------------------------------------------------

def _docx_text(element: ET.Element, notes: list[str] | None = None) -> str:
    """The text of a Word paragraph or cell: its runs' text, tabs and breaks as spaces; a
    footnote or endnote reference as its number in brackets when ``notes`` is given."""
    out = []
    for node in element.iter():
        name = local(node.tag)
        if node.tag == _W + "t" and node.text:
            out.append(node.text)
        elif name in ("tab", "br", "cr"):
            out.append(" ")
        elif name in ("footnoteReference", "endnoteReference") and notes is not None:
            out.append(f"[{node.get(_W + 'id', '')}]")
    return "".join(out)


def _docx_kind(paragraph: ET.Element, styles: dict[str, str]) -> str:
    properties = paragraph.find(_W + "pPr")
    if properties is None:
        return "p"
    style = properties.find(_W + "pStyle")
    name = styles.get(style.get(_W + "val", ""), style.get(_W + "val", "")) if style is not None else ""
    level = properties.find(_W + "outlineLvl")
    found = _HEADING_STYLE.match(name.replace(" ", "")) or _HEADING_STYLE.match(name)
    if found:
        return f"h{found.group(1)}"
    if name.lower() == "title":
        return "h1"
    if level is not None and (level.get(_W + "val") or "").isdigit() and int(level.get(_W + "val", "9")) < 6:
        return f"h{int(level.get(_W + 'val', '0')) + 1}"
    if properties.find(_W + "numPr") is not None or name.lower().startswith("list"):
        return "li"
    return "p"


def _docx_styles(archive: Archive) -> dict[str, str]:
    """Style ids to their names ("Heading1" to "heading 1"): headings are known by name."""
    root = archive.xml("word/styles.xml")
    found = {}
    if root is not None:
        for style in root.iter(_W + "style"):
            name = style.find(_W + "name")
            if name is not None:
                found[style.get(_W + "styleId", "")] = name.get(_W + "val", "")
    return found


def _docx_body(container: ET.Element, writer: _Writer, styles: dict[str, str]) -> None:
    listing = False
    for child in container:
        name = local(child.tag)
        if name == "p":
            kind = _docx_kind(child, styles)
            if kind == "li" and not listing:
                writer.raw("<ul>\n")
                listing = True
            elif kind != "li" and listing:
                writer.raw("</ul>\n")
                listing = False
            writer.add(kind, _docx_text(child, notes=[]))
        elif name == "tbl":
            if listing:
                writer.raw("</ul>\n")
                listing = False
            writer.raw("<table>\n")
            for row in child.iter(_W + "tr"):
                cells = [" ".join(_docx_text(p, notes=[]) for p in cell.iter(_W + "p"))
                         for cell in row.iter(_W + "tc")]
                writer.raw("<tr>" + "".join(f"<td>{escape(' '.join(c.split()), quote=False)}</td>" for c in cells)
                           + "</tr>\n")
            writer.raw("</table>\n")
        elif name == "sdt":  # a content control (a table of contents, a cover page): its content
            content = child.find(_W + "sdtContent")
            if content is not None:
                _docx_body(content, writer, styles)
    if listing:
        writer.raw("</ul>\n")


def extract_docx(raw: bytes) -> tuple[str, list[str]]:
    """A Word file as HTML: its headings (by style), paragraphs, list items and tables in
    order, then its footnotes and endnotes under a heading of their own. Raises Unreadable."""
    archive = Archive(raw, "Word")
    document = archive.xml("word/document.xml")
    if document is None:
        raise Unreadable("skipped, not a readable Word file (no word/document.xml)")
    writer = _Writer(_title(archive, "docProps/core.xml"))
    body = document.find(_W + "body")
    if body is not None:
        _docx_body(body, writer, _docx_styles(archive))
    notes = []
    for member, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
        root = archive.xml(member)
        if root is None:
            continue
        for note in root.iter(_W + tag):
            if note.get(_W + "type") in (None, "normal"):
                text = " ".join(_docx_text(p) for p in note.iter(_W + "p"))
                if text.strip():
                    notes.append(f"[{note.get(_W + 'id', '')}] {text}")
    return _with_notes(writer, notes)


def _with_notes(writer: _Writer, notes: list[str]) -> tuple[str, list[str]]:
    """The document's text, its footnotes and endnotes after the body under their own heading."""
    if notes:
        writer.add("h1", NOTES_HEADING)
        for note in notes:
            writer.add("p", note)
    warnings: list[str] = []
    return writer.text(warnings), warnings


# -- OpenDocument ------------------------------------------------------------------------------

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _odt_text(element: ET.Element, notes: list[str]) -> str:
    """The text of an OpenDocument paragraph or heading: spans, spaces (text:s), tabs and
    breaks; a note leaves its citation in brackets and its body goes to ``notes``."""
    out = [element.text or ""]
    for child in element:
        name = local(child.tag)
        if name == "s":
            out.append(" " * int(child.get(f"{{{_TEXT_NS}}}c", "1") or 1))
        elif name in ("tab", "line-break"):
            out.append(" ")
        elif name == "note":
            citation = next((c for c in child if local(c.tag) == "note-citation"), None)
            mark = "".join(citation.itertext()) if citation is not None else ""
            body = next((c for c in child if local(c.tag) == "note-body"), None)
            if body is not None:
                text = " ".join(_odt_text(p, notes) for p in body.iter() if local(p.tag) in ("p", "h"))
                notes.append(f"[{mark}] {text}")
            out.append(f"[{mark}]")
        elif name not in ("annotation", "bookmark", "bookmark-start", "bookmark-end", "soft-page-break"):
            out.append(_odt_text(child, notes))
        out.append(child.tail or "")
    return "".join(out)


def _odt_body(container: ET.Element, writer: _Writer, notes: list[str]) -> None:
    for child in container:
        name = local(child.tag)
        if name == "h":
            level = child.get(f"{{{_TEXT_NS}}}outline-level", "1")
            writer.add(f"h{min(max(int(level) if level.isdigit() else 1, 1), 6)}", _odt_text(child, notes))
        elif name == "p":
            writer.add("p", _odt_text(child, notes))
        elif name == "list":
            writer.raw("<ul>\n")
            for item in child:
                if local(item.tag) in ("list-item", "list-header"):
                    paragraphs = [_odt_text(p, notes) for p in item if local(p.tag) in ("p", "h")]
                    writer.add("li", " ".join(paragraphs))
                    for nested in item:
                        if local(nested.tag) == "list":
                            _odt_body(_wrapped(nested), writer, notes)
            writer.raw("</ul>\n")
        elif name == "table":
            writer.raw("<table>\n")
            for row in child.iter():
                if local(row.tag) != "table-row":
                    continue
                cells = [" ".join(_odt_text(p, notes) for p in cell if local(p.tag) in ("p", "h"))
                         for cell in row if local(cell.tag) == "table-cell"]
                writer.raw("<tr>" + "".join(f"<td>{escape(' '.join(c.split()), quote=False)}</td>" for c in cells)
                           + "</tr>\n")
            writer.raw("</table>\n")
        elif name in ("section", "text-content", "index-body", "table-of-content"):
            _odt_body(child, writer, notes)


def _wrapped(element: ET.Element) -> ET.Element:
    holder = ET.Element("wrap")
    holder.append(element)
    return holder


def extract_odt(raw: bytes) -> tuple[str, list[str]]:
    """An OpenDocument text as HTML: headings (by outline level), paragraphs, list items
    and tables in order, then its notes under a heading of their own. Raises Unreadable."""
    archive = Archive(raw, "OpenDocument")
    content = archive.xml("content.xml")
    if content is None:
        raise Unreadable("skipped, not a readable OpenDocument file (no content.xml)")
    writer = _Writer(_title(archive, "meta.xml"))
    notes: list[str] = []
    for office_text in content.iter():
        if local(office_text.tag) == "text" and office_text.tag.startswith("{urn:oasis:names:tc:opendocument:xmlns:office"):
            _odt_body(office_text, writer, notes)
    return _with_notes(writer, notes)
