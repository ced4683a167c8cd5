"""Which reader a file needs, by its name (and for ``.txt``, by whether it is a manual page)."""

from __future__ import annotations

from verbatim.corpus import html, man, markdown, rst
from verbatim.corpus.document import Document

TEXT_SUFFIXES = (".txt", ".text")
# Every suffix read; the rest of a folder is counted as skipped by type.
SUFFIXES = TEXT_SUFFIXES + markdown.SUFFIXES + rst.SUFFIXES + html.SUFFIXES + man.SUFFIXES


def format_of(name: str, text: str) -> str:
    """"markdown", "rst", "html", "man" or "text"."""
    lower = name.lower()
    if lower.endswith(rst.SUFFIXES):
        return "rst"
    if lower.endswith(markdown.SUFFIXES):
        return "markdown"
    if lower.endswith(html.SUFFIXES):
        return "html"
    if lower.endswith(man.SUFFIXES) or man.is_man_page(text):
        return "man"
    return "text"


READERS = {"markdown": markdown.read_markdown, "rst": rst.read_rst, "html": html.read_html,
           "man": man.read_man}


def read_document(form: str, text: str) -> Document | None:
    """The document model of ``text`` in format ``form``; None for plain text, which the
    segmenter reads."""
    reader = READERS.get(form)
    return reader(text) if reader else None
