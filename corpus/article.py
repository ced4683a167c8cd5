"""An article: its text, where it came from, its title and its units."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.segment import Unit, UnitKind, segment

TITLE_MAX_WORDS = 12


@dataclass(slots=True)
class Article:
    """One file of the corpus, segmented; ``units`` index into ``text``."""

    id: str
    title: str
    path: str
    text: str
    units: list[Unit]
    source: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)


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
) -> Article:
    """Segment ``text`` and wrap it with its metadata."""
    units = segment(text)
    return Article(
        id=article_id,
        title=title or choose_title(units, fallback_title or article_id),
        path=path,
        text=text,
        units=units,
        source=source,
        date=date,
        authors=list(authors or []),
    )
