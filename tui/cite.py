"""How a passage is cited and its short answer shown: one wording for the text output, Markdown and the chat."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.text import visible

if TYPE_CHECKING:
    from retrieval.models import Passage, Result


def place(passage: Passage) -> str:
    """Where the sentence sits in its article."""
    return f"paragraph {passage.paragraph}, sentence {passage.sentence_index}"


def citation(passage: Passage) -> str:
    """Title, id and place of a passage, on one line, safe to show."""
    ref = passage.article
    return f"{visible(ref.title)} [{visible(ref.id)}], {place(passage)}"


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
