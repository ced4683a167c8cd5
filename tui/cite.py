"""How a passage is cited and its short answer shown: one wording for the text output, Markdown and the chat."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verbatim.tui.text import visible

if TYPE_CHECKING:
    from verbatim.retrieval.models import Passage, Result


def place(passage: Passage) -> str:
    """Where a passage is, as a reader of documentation looks for it: ``file:line`` (a PDF's
    page, ``report.pdf p. 12``; an EPUB's chapter, ``book.epub ch. “Title”``), then the
    section's heading path (less a top heading that only repeats the title or the chapter)."""
    ref = passage.article
    where = f"{visible(ref.id)}:{passage.line}" if passage.line else visible(ref.id)
    if passage.page is not None:
        where = f"{visible(ref.id)} p. {passage.page}"
    elif passage.chapter:
        where = f"{visible(ref.id)} ch. “{visible(passage.chapter)}”"
    section = list(passage.section)
    if section and " ".join(section[0].split()) == " ".join(ref.title.split()):
        section = section[1:]
    if section and passage.chapter and " ".join(section[0].split()) == " ".join(passage.chapter.split()):
        section = section[1:]
    return where + (f" § {' › '.join(visible(s) for s in section)}" if section else "")


def citation(passage: Passage) -> str:
    """Title, file, line and section of a passage, on one line, safe to show."""
    return f"{visible(passage.article.title)} [{place(passage)}]"


def short_answer(passage: Passage) -> str | None:
    """The name, date, number or quotation asked for, inside the sentence, safe to show."""
    if passage.span is None:
        return None
    return visible(passage.sentence[passage.span[0] : passage.span[1]])


def agreement(result: Result) -> tuple[str, str] | None:
    """("Sources agree" or "Sources differ", each source's short answer), or None."""
    if result.agreement is None:
        return None
    figures = " · ".join(f"{short_answer(p)} [{visible(p.article.id)}]" for p in result.answers)
    return ("Sources agree" if result.agreement == "agree" else "Sources differ"), figures
