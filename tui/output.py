"""How the one-shot command prints a result: plain text when piped, ANSI styles on a terminal."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.models import Passage, Result
from tui.text import visible


@dataclass(frozen=True, slots=True)
class Style:
    """ANSI codes, or empty strings for plain text."""

    answer: str = ""
    cite: str = ""
    label: str = ""
    span: str = ""
    reset: str = ""


PLAIN = Style()
ANSI = Style(answer="\x1b[1m", cite="\x1b[2m", label="\x1b[36m", span="\x1b[1;4;33m", reset="\x1b[0m")


def citation(passage: Passage) -> str:
    """Title, id and position of a passage, on one line."""
    ref = passage.article
    return (
        f"{visible(ref.title)} [{visible(ref.id)}], "
        f"paragraph {passage.paragraph}, sentence {passage.sentence_index}"
    )


def _sentence(passage: Passage, style: Style, base: str) -> str:
    text = passage.sentence
    if passage.span and style.span:
        start, end = passage.span
        return (
            f"{base}{visible(text[:start])}{style.reset}{style.span}{visible(text[start:end])}"
            f"{style.reset}{base}{visible(text[end:])}{style.reset}"
        )
    return f"{base}{visible(text)}{style.reset}"


def render(result: Result, style: Style = PLAIN, *, header: bool = False) -> str:
    """The result as lines of text; the answer sentence alone on the first line."""
    lines: list[str] = []
    if header:
        lines.append(f"{style.label}Q: {visible(result.question)}{style.reset}")
    if result.answered:
        first, *others = result.answers
        lines.append(_sentence(first, style, style.answer))
        lines.append(f"  {style.cite}— {citation(first)}{style.reset}")
        if others:
            lines.append(f"{style.label}Also in the corpus:{style.reset}")
            for passage in others:
                lines.append("  " + _sentence(passage, style, ""))
                lines.append(f"    {style.cite}— {citation(passage)}{style.reset}")
    else:
        reason = f" ({visible(result.reason)})" if result.reason else ""
        lines.append(f"{style.answer}No answer in the corpus{reason}.{style.reset}")
        if result.closest:
            lines.append(f"{style.label}Closest passages, which do not answer it:{style.reset}")
            for passage in result.closest:
                lines.append("  " + _sentence(passage, style, style.cite))
                lines.append(f"    {style.cite}— {citation(passage)}{style.reset}")
    return "\n".join(lines)
