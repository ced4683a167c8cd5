"""An article: its text, where it came from, its title and its units."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from verbatim.corpus.budget import grant
from verbatim.corpus.document import section_paths, units_of
from verbatim.corpus.formats import format_of, read_document
from verbatim.corpus.segment import Unit, UnitKind, segment

BYTE_ORDER_MARK = "\ufeff"

TITLE_MAX_WORDS = 12


@dataclass(slots=True)
class Article:
    """One file of the corpus, segmented; ``units`` index into ``text``, the file's text as
    it is (its source, markup and all), while a unit's own text is what a reader sees."""

    id: str
    title: str
    path: str
    text: str
    units: list[Unit]
    source: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    format: str = "text"
    digest: str = ""  # of the file's bytes, when read from a file (reader.content_digest)
    # Where each page (a PDF) or chapter (an EPUB) begins in ``text``, with its name ("12",
    # "Chapter 3"), in order; empty for formats without pages or chapters.
    parts: list[tuple[int, str]] = field(default_factory=list)

    def sections(self) -> list[tuple[str, ...]]:
        """Each unit's heading path, outermost first."""
        return section_paths(self.units)

    def unit_at(self, start: int, end: int) -> Unit | None:
        """The unit whose source span is ``start:end``, if the file still has one there."""
        for unit in self.units:
            if unit.start == start and unit.end == end:
                return unit
        return None


def choose_title(units: list[Unit], fallback: str) -> str:
    """The article's own headline if its opening shows one, else a title from its lead."""
    opening = [u for u in units if u.paragraph <= 3]
    for unit in opening:
        if unit.kind is UnitKind.HEADING:
            return unit.text
    for unit in units:
        if unit.kind is UnitKind.TEXT:
            words = unit.text.split()
            if len(words) <= TITLE_MAX_WORDS:
                return unit.text
            return " ".join(words[:TITLE_MAX_WORDS - 2]) + " …"
    return fallback


def make_article(
    article_id: str,
    path: str,
    text: str,
    title: str | None = None,
    *,
    source: str | None = None,
    date: str | None = None,
    authors: list[str] | None = None,
    fallback_title: str = "",
    form: str | None = None,
) -> Article:
    """Read ``text`` in its format (by ``path``'s name unless ``form`` is given) and wrap
    it with its metadata; what the caller gives wins over what the document says."""
    grant(characters=len(text))  # the budget of a file grows with its text
    # A byte-order mark is a character of the file's text (as a UTF-8 decoder reads it),
    # so offsets count it; the formats read what follows it.
    mark = len(BYTE_ORDER_MARK) if text.startswith(BYTE_ORDER_MARK) else 0
    body = text[mark:]
    form = form or format_of(path, body)
    document = read_document(form, body)
    parts: list[tuple[int, str]] = []
    if document is None:
        units = segment(body)
    else:
        parts = [(offset + mark, name) for offset, name in document.parts]
        units = units_of(body, document.blocks)
        title = title or document.title
        date = date or document.date
        authors = authors or document.authors
    if mark:
        units = [replace(unit, start=unit.start + mark, end=unit.end + mark) for unit in units]
    return Article(
        id=article_id,
        title=title or choose_title(units, fallback_title or article_id),
        path=path,
        text=text,
        units=units,
        source=source,
        date=date,
        authors=list(authors or []),
        format=form,
        parts=parts,
    )
