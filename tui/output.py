"""How the one-shot command prints a result: plain text when piped, ANSI styles on a terminal."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

from retrieval.models import Explanation, Found, Passage, Result
from tui.text import place, shown_question, visible


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
    """Title, file, line and section of a passage, on one line."""
    return f"{visible(passage.article.title)} [{place(passage)}]"


def _sentence(passage: Passage, style: Style, base: str) -> str:
    text = passage.sentence
    if passage.span and style.span:
        start, end = passage.span
        return (
            f"{base}{visible(text[:start])}{style.reset}{style.span}{visible(text[start:end])}"
            f"{style.reset}{base}{visible(text[end:])}{style.reset}"
        )
    return f"{base}{visible(text)}{style.reset}"


def short_answer(passage: Passage) -> str | None:
    if passage.span is None:
        return None
    return visible(passage.sentence[passage.span[0] : passage.span[1]])


def _agreement(result: Result, style: Style) -> list[str]:
    if result.agreement is None:
        return []
    figures = " · ".join(f"{short_answer(p)} [{visible(p.article.id)}]" for p in result.answers)
    verdict = "Sources agree" if result.agreement == "agree" else "Sources differ"
    return [f"{style.label}{verdict}:{style.reset} {figures}"]


def render(result: Result, style: Style = PLAIN, *, header: bool = False) -> str:
    """The result as lines of text; the answer sentence alone on the first line."""
    lines: list[str] = []
    if header:
        lines.append(f"{style.label}Q: {shown_question(result.question)}{style.reset}")
        if result.interpreted_as:
            lines.append(f"{style.cite}   read as: {visible(result.interpreted_as)}{style.reset}")
    if result.answered:
        first, *others = result.answers
        lines.append(_sentence(first, style, style.answer))
        lines.append(f"  {style.cite}— {citation(first)}{style.reset}")
        if short_answer(first):
            lines.append(f"  {style.cite}short answer:{style.reset} {short_answer(first)}")
        if others:
            lines.append(f"{style.label}Also in the corpus:{style.reset}")
            for passage in others:
                lines.append("  " + _sentence(passage, style, ""))
                lines.append(f"    {style.cite}— {citation(passage)}{style.reset}")
        lines += _agreement(result, style)
    else:
        reason = f" ({visible(result.reason)})" if result.reason else ""
        lines.append(f"{style.answer}No answer in the corpus{reason}.{style.reset}")
        if result.closest:
            lines.append(f"{style.label}Closest passages, which do not answer it:{style.reset}")
            for passage in result.closest:
                lines.append("  " + _sentence(passage, style, style.cite))
                lines.append(f"    {style.cite}— {citation(passage)}{style.reset}")
    return "\n".join(lines)


def render_explanation(explanation: Explanation, style: Style = PLAIN) -> str:
    """Why the top sentence won: the question's parts, where each was found, the scores."""
    e = explanation
    lines = [f"{style.label}Why this sentence:{style.reset}"]
    if e.interpreted_as:
        lines.append(f"  read as: {visible(e.interpreted_as)}")
    focus = f" (asks for: {visible(e.focus)})" if e.focus else ""
    lines.append(f"  question: {e.wh or 'no wh-word'} → {e.answer_type}{focus}")
    lines.append("  words (share of the question: where found):")
    lines += [f"    {visible(c.text)} {c.weight:.2f}: {c.found.value}" for c in e.concepts if not c.carried]
    carried = [c for c in e.concepts if c.carried]
    if carried:
        found = sum(1 for c in carried if c.found is not Found.MISSING)
        share = sum(c.weight for c in carried)
        lines.append(f"    and {len(carried)} words carried from the previous turn ({share:.2f}),"
                     f" {found} of them found")
    if e.evidence:
        found = " · ".join(f"{ev.kind} “{visible(ev.text)}”" for ev in e.evidence)
        lines.append(f"  in the sentence: {found}")
    if e.features:
        lines.append("  features (value × weight = part of the score):")
        lines += [f"    {f.name:<22} {f.value:>7.3f} × {f.weight:>+7.3f} = {f.contribution:>+7.3f}"
                  for f in sorted(e.features, key=lambda f: -abs(f.contribution))]
        lines.append(f"  score {e.score:.3f}")
    if e.runner_up is not None:
        lines.append(f"  runner-up ({e.runner_up.score:.3f}): {visible(e.runner_up.sentence)}")
    if e.abstention:
        strongest = sorted(e.abstention, key=lambda f: -abs(f.contribution))[:4]
        said = " · ".join(f"{f.name} {f.value:.2f} ({f.contribution:+.2f})" for f in strongest)
        lines.append(f"  chance it answers: {e.probability:.2f} from {said}")
    lines.append(f"  decision: {visible(e.decision)} (answers need a chance of at least {e.threshold:.2f})")
    return "\n".join(lines)


class ProgressLine:
    """A one-line progress bar on a terminal's stderr while an index is built."""

    WIDTH = 24
    EVERY = 0.1  # seconds between redraws

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False
        self._last = 0.0

    def __call__(self, step) -> None:
        now = time.monotonic()
        if step.files_done < step.files_total and now - self._last < self.EVERY:
            return
        self._last = now
        share = step.files_done / step.files_total if step.files_total else 1.0
        filled = int(share * self.WIDTH)
        rate = step.sentences / step.elapsed if step.elapsed > 0 else 0.0
        self.stream.write(
            f"\r\x1b[2Kindexing [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{step.files_done:,}/{step.files_total:,} files · {step.sentences:,} sentences · "
            f"{step.elapsed:.1f} s · {rate:,.0f} sentences/s"
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
