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
# Every suffix read; the rest of a folder is counted as skipped by type.
SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + RST_SUFFIXES + HTML_SUFFIXES + MAN_SUFFIXES
# Each format's reader, imported when a file of that format is read: a corpus of plain
# text, the bundled articles among them, never pays for the others' patterns and parsers.
READERS = {"markdown": ("markdown", "read_markdown"), "rst": ("rst", "read_rst"), "html": ("html", "read_html"),
           "man": ("man", "read_man")}


def format_of(name: str, text: str) -> str:
    """"markdown", "rst", "html", "man" or "text"."""
    lower = name.lower()
    if lower.endswith(RST_SUFFIXES):
        return "rst"
    if lower.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    if lower.endswith(MAN_SUFFIXES):
        return "man"
    from verbatim.corpus.man import is_man_page

    return "man" if is_man_page(text) else "text"


def read_document(form: str, text: str) -> Document | None:
    """The document model of ``text`` in format ``form``; None for plain text, which the
    segmenter reads."""
    if form not in READERS:
        return None
    module, function = READERS[form]
    return getattr(importlib.import_module(f"verbatim.corpus.{module}"), function)(text)
