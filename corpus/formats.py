"""Which reader a file needs, by its name (and for ``.txt``, by whether it is a manual page)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verbatim.corpus.document import Document

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
RST_SUFFIXES = (".rst", ".rest", ".rst.txt")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MAN_SUFFIXES = (".man",)
# Manual pages as installed: roff source, gzip-compressed or not, by section ("ls.1.gz").
ROFF_SUFFIXES = tuple(f".{section}{packed}" for section in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "3pm",
                                                          "3perl", "3ssl", "3x", "5ssl", "7ssl", "n")
                      for packed in (".gz", ""))
PDF_SUFFIXES = (".pdf",)
EPUB_SUFFIXES = (".epub",)
DOCX_SUFFIXES = (".docx",)
ODT_SUFFIXES = (".odt",)
# Every suffix read; the rest of a folder is counted as skipped by type.
SUFFIXES = (TEXT_SUFFIXES + MARKDOWN_SUFFIXES + RST_SUFFIXES + HTML_SUFFIXES + MAN_SUFFIXES + ROFF_SUFFIXES
            + PDF_SUFFIXES + EPUB_SUFFIXES + DOCX_SUFFIXES + ODT_SUFFIXES)
# When one document is in a folder in several formats (api/fs.md beside api/fs.html, a book
# as .epub and .docx), the first of these is read, the most faithful first: the sources a
# writer keeps, whose lines are the lines they edit (Markdown, reStructuredText, plain text,
# a manual page's roff), then HTML, then the formats whose text is extracted: EPUB (XHTML
# chapters, read as they are), Word and OpenDocument (paragraphs and headings, written as
# HTML), PDF last (text taken from laid-out pages: running heads, hyphenation). Checked in
# this order, so ".rst.txt" is reStructuredText and "ls.1.txt" plain text.
PREFERENCE = (MARKDOWN_SUFFIXES, RST_SUFFIXES, TEXT_SUFFIXES, MAN_SUFFIXES, ROFF_SUFFIXES, HTML_SUFFIXES,
              EPUB_SUFFIXES, DOCX_SUFFIXES, ODT_SUFFIXES, PDF_SUFFIXES)


def preference(name: str) -> int:
    """Where the format of the file ``name`` stands in PREFERENCE (0: read before any
    other); a name of no format read comes after every one."""
    lower = name.lower()
    return next((rank for rank, suffixes in enumerate(PREFERENCE) if lower.endswith(suffixes)), len(PREFERENCE))
# Each format's reader, imported when a file of that format is read: a corpus of plain
# text, the bundled articles among them, never pays for the others' patterns and parsers.
READERS = {"markdown": ("markdown", "read_markdown"), "rst": ("rst", "read_rst"), "html": ("html", "read_html"),
           "man": ("man", "read_man"), "roff": ("roff", "read_roff"), "pdf": ("pdf", "read_pdf_text"), "epub": ("epub", "read_epub_text"),
           "docx": ("html", "read_html"), "odt": ("html", "read_html")}
# Formats whose bytes are not the text read: each one's extractor makes the text (a PDF's
# pages, an EPUB's chapters, a Word file's paragraphs written as HTML) from the file's
# bytes, and the reader above reads that text; offsets are then offsets in that text.
EXTRACTORS = {"pdf": ("pdf", "extract_pdf"), "epub": ("epub", "extract_epub"), "docx": ("office", "extract_docx"),
              "odt": ("office", "extract_odt"), "roff": ("roff", "extract_roff")}
# Formats cited by page: their text holds a form feed before each page after the first.
PAGED = frozenset({"pdf"})
# The most bytes read from a file whose text is extracted: a PDF of scans or an EPUB of
# pictures is large for little text, which is bounded by each extractor (pages, characters).
MAX_PACKED_BYTES = 512 * 2**20


class Unreadable(ValueError):
    """A file of an extracted format that cannot be read: damaged, locked, or without text.
    Its message is the one line the reader warns with."""


def packed_format(name: str) -> str | None:
    """The format of a file whose text is extracted from its bytes, by its name; None for a
    file read as text."""
    lower = name.lower()
    for form, suffixes in (("pdf", PDF_SUFFIXES), ("epub", EPUB_SUFFIXES), ("docx", DOCX_SUFFIXES),
                           ("odt", ODT_SUFFIXES)):
        if lower.endswith(suffixes):
            return form
    if lower.endswith(ROFF_SUFFIXES) and not lower.endswith(TEXT_SUFFIXES + MARKDOWN_SUFFIXES + RST_SUFFIXES):
        return "roff"
    return None


def extract(form: str, raw: bytes) -> tuple[str, list[str]]:
    """The text of a file of format ``form`` (see EXTRACTORS) from its bytes, and warnings
    about what was left out. Raises Unreadable."""
    module, function = EXTRACTORS[form]
    return getattr(importlib.import_module(f"verbatim.corpus.{module}"), function)(raw)


def format_of(name: str, text: str) -> str:
    """"markdown", "rst", "html", "man", "text", or an extracted format ("pdf", "epub",
    "docx", "odt", "roff")."""
    packed = packed_format(name)
    if packed is not None:
        return packed
    lower = name.lower()
    for form, suffixes in (("rst", RST_SUFFIXES), ("markdown", MARKDOWN_SUFFIXES), ("html", HTML_SUFFIXES),
                           ("man", MAN_SUFFIXES)):
        if lower.endswith(suffixes):
            return form
    from verbatim.corpus.man import is_man_page

    return "man" if is_man_page(text) else "text"


def read_document(form: str, text: str) -> Document | None:
    """The document model of ``text`` in format ``form``; None for plain text, which the
    segmenter reads."""
    if form not in READERS:
        return None
    module, function = READERS[form]
    return getattr(importlib.import_module(f"verbatim.corpus.{module}"), function)(text)
