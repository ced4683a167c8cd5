"""EPUB books: their chapters in spine order, read by the HTML reader, each chapter named by its title."""

from __future__ import annotations

import html
import posixpath
import re

from verbatim.corpus.archive import Archive, local
from verbatim.corpus.document import Document
from verbatim.corpus.formats import Unreadable
from verbatim.corpus.html import read_html
from verbatim.corpus.segment import UnitKind

# The most text kept from one book, as for a PDF: the rest is left unread with a warning.
MAX_TEXT_CHARS = 32 * 2**20
_XHTML = frozenset({"application/xhtml+xml", "text/html", "application/xml", "text/x-oeb1-document"})


def _unquote(href: str) -> str:
    """A manifest's href with its %-escapes decoded (UTF-8), as a member's name in the zip."""
    return re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes.fromhex(m.group(1).decode()),
                  href.encode("utf-8")).decode("utf-8", errors="replace")


def extract_epub(raw: bytes) -> tuple[str, list[str]]:
    """The text of an EPUB: a line naming the book (``<title>``), then each document of its
    spine, in order, as written (XHTML), each after a form feed. Raises Unreadable."""
    archive = Archive(raw, "EPUB")
    # Some books are zipped from the folder above theirs ("epub/META-INF/container.xml"):
    # their paths are read under that folder.
    where = "META-INF/container.xml"
    if where not in archive.names:
        where = min((n for n in archive.names if n.endswith("/META-INF/container.xml")), key=len, default=where)
    prefix = where[: -len("META-INF/container.xml")]
    container = archive.xml(where)
    rootfile = None if container is None else next(
        (prefix + e.get("full-path", "") for e in container.iter() if local(e.tag) == "rootfile" and e.get("full-path")),
        None)
    package = None if rootfile is None else archive.xml(rootfile)
    if rootfile is None or package is None:
        raise Unreadable("skipped, not a readable EPUB file (no package document: META-INF/container.xml)")
    base = posixpath.dirname(rootfile)
    manifest: dict[str, tuple[str, str]] = {}
    title = ""
    spine: list[str] = []
    for element in package.iter():
        name = local(element.tag)
        if name == "item" and element.get("id") and element.get("href"):
            href = posixpath.normpath(posixpath.join(base, _unquote(element.get("href", ""))))
            manifest[element.get("id", "")] = (href, element.get("media-type", ""))
        elif name == "itemref" and element.get("idref") and element.get("linear", "yes") != "no":
            spine.append(element.get("idref", ""))
        elif name == "title" and not title and element.text:
            title = " ".join(element.text.split())
    pieces = [f"<title>{html.escape(title)}</title>\n"]
    warnings: list[str] = []
    length = len(pieces[0])
    for idref in spine:
        href, media = manifest.get(idref, ("", ""))
        if not href or media not in _XHTML:
            continue
        data = archive.read(href)
        if data is None:
            warnings.append(f"chapter {href} is missing from the book")
            continue
        # XML allows no form feed, so one marks a chapter's start unambiguously.
        chapter = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n").replace("\f", " ")
        if length + len(chapter) > MAX_TEXT_CHARS:
            warnings.append(f"only its first {len(pieces) - 1:,} chapters read (the most text read from one file: "
                            f"{MAX_TEXT_CHARS // 2**20} MB)")
            break
        pieces.append("\f" + chapter)
        length += len(chapter) + 1
    if len(pieces) == 1:
        raise Unreadable("skipped, no chapters: the EPUB's spine names no readable document")
    return "".join(pieces), warnings


def read_epub_text(source: str) -> Document:
    """An EPUB's extracted text (``extract_epub``) as one document: each chapter's blocks in
    order, read by the HTML reader, the chapter named by its first heading (else its page
    title, else its number)."""
    document = Document()
    bounds = []
    at = source.find("\f")
    while at >= 0:
        bounds.append(at)
        at = source.find("\f", at + 1)
    head = read_html(source, 0, bounds[0] if bounds else len(source))
    document.title = head.title
    for number, start in enumerate(bounds):
        end = bounds[number + 1] if number + 1 < len(bounds) else len(source)
        chapter = read_html(source, start + 1, end)
        if not chapter.blocks:
            continue
        heading = next((b for b in chapter.blocks if b.kind is UnitKind.HEADING), None)
        name = " ".join(heading.text.text.split()) if heading is not None else (chapter.title or f"Chapter {number + 1}")
        document.parts.append((start, name))
        document.blocks.extend(chapter.blocks)
    return document
