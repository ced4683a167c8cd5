"""How the one-shot command prints a result: plain text when piped, ANSI styles on a terminal."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from verbatim.retrieval.models import ANSWERED, Explanation, Found, Passage, Result
from verbatim.tui.cite import agreement, citation, short_answer
from verbatim.tui.terminal import cell_width, hyperlink
from verbatim.tui.text import shown_question, visible


@dataclass(frozen=True, slots=True)
class Style:
    """ANSI codes, or empty strings for plain text."""

    answer: str = ""
    cite: str = ""
    label: str = ""
    span: str = ""
    reset: str = ""
    links: bool = False  # citations are OSC 8 links to their file


PLAIN = Style()
ANSI = Style(answer="\x1b[1m", cite="\x1b[2m", label="\x1b[36m", span="\x1b[1;4;33m", reset="\x1b[0m")


def _cited(passage: Passage, style: Style) -> str:
    """The citation, linked to the article's file when the terminal shows links."""
    text = citation(passage)
    if not style.links:
        return text
    return hyperlink(text, Path(passage.article.path).absolute().as_uri())


def _sentence(passage: Passage, style: Style, base: str) -> str:
    text = passage.sentence
    if passage.span and style.span:
        start, end = passage.span
        return (
            f"{base}{visible(text[:start])}{style.reset}{style.span}{visible(text[start:end])}"
            f"{style.reset}{base}{visible(text[end:])}{style.reset}"
        )
    return f"{base}{visible(text)}{style.reset}"


def _agreement(result: Result, style: Style) -> list[str]:
    said = agreement(result)
    return [] if said is None else [f"{style.label}{said[0]}:{style.reset} {said[1]}"]


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
        lines.append(f"  {style.cite}— {_cited(first, style)}{style.reset}")
        if short_answer(first) and not (first.span and style.span):  # not already highlighted
            lines.append(f"  {style.cite}short answer:{style.reset} {short_answer(first)}")
        if others:
            lines.append(f"{style.label}Also in the corpus:{style.reset}")
            for passage in others:
                lines.append("  " + _sentence(passage, style, ""))
                lines.append(f"    {style.cite}— {_cited(passage, style)}{style.reset}")
        lines += _agreement(result, style)
    else:
        reason = f" ({visible(result.reason)})" if result.reason else ""
        lines.append(f"{style.answer}No answer in the corpus{reason}.{style.reset}")
        if result.closest:
            lines.append(f"{style.label}Closest passages, which do not answer it:{style.reset}")
            for passage in result.closest:
                lines.append("  " + _sentence(passage, style, style.cite))
                lines.append(f"    {style.cite}— {_cited(passage, style)}{style.reset}")
    if result.interpreted_as and not header:
        # Without the question above it (one --ask, carried on with --continue or --cid), how
        # it was read comes last, so the first line stays the answer a script reads.
        lines.append(f"{style.cite}read as: {visible(result.interpreted_as)}{style.reset}")
    return "\n".join(lines)


def render_explanation(explanation: Explanation, style: Style = PLAIN) -> str:
    """Why the top sentence won, or why no sentence was given: the question's parts, where
    each was found, the scores, the chance it answers and the decision."""
    e = explanation
    # Of a refused question the reading is the closest sentence's, which was not given.
    # Another listed sentence (a further source, a closest passage) is read as itself.
    other = e.rank > 1
    given = e.decision == ANSWERED or other
    sentence = "the sentence" if given else "the closest sentence"
    title = "Why this sentence is listed" if other else "Why this sentence" if given else "Why no answer was given"
    lines = [f"{style.label}{title}:{style.reset}"]
    if not given:
        lines.append(f"  the closest sentence's chance of answering, {e.probability:.2f}, is below the "
                     f"{e.threshold:.2f} an answer needs")
    if e.interpreted_as:
        lines.append(f"  read as: {visible(e.interpreted_as)}")
    focus = f" (asks for: {visible(e.focus)})" if e.focus else ""
    lines.append(f"  question: {e.wh or 'no wh-word'} → {e.answer_type}{focus}")
    lines.append(f"  words (share of the question: where found{'' if given else ' for ' + sentence}):")
    lines += [f"    {visible(c.text)} {c.weight:.2f}: {c.found.value}" for c in e.concepts if not c.carried]
    carried = [c for c in e.concepts if c.carried]
    if carried:
        found = sum(1 for c in carried if c.found is not Found.MISSING)
        share = sum(c.weight for c in carried)
        lines.append(f"    and {len(carried)} words carried from the previous turn ({share:.2f}),"
                     f" {found} of them found")
    if e.evidence:
        held = " · ".join(f"{ev.kind} “{visible(ev.text)}”" for ev in e.evidence)
        lines.append(f"  in {sentence}: {held}")
    if e.features:
        # The weights multiply standardised values, (value − mean) / scale with the training
        # set's mean and scale: both are shown, so every line and the total can be checked.
        lines.append(f"  features{'' if given else ' of ' + sentence}, largest part first: "
                     "value → standardised × weight = contribution")
        lines.append("  (standardised = (value − mean) / scale, the mean and scale measured in training)")
        # Narrow enough for the chat's explanation screen at 80 columns.
        lines += [f"    {f.name:<22} {f.value:>7.3f} → {f.standardised:>+7.3f} × {f.weight:>+7.3f} = {f.contribution:>+7.3f}"
                  for f in sorted(e.features, key=lambda f: -abs(f.contribution))]
        lines.append(f"    {'bias':<22} {'':>7}   {'':>7}   {'':>7}   {e.bias:>+7.3f}")
        lines.append(f"  score {e.score:.3f}: the bias plus every contribution")
    if e.runner_up is not None:
        label = "the best sentence" if other else "runner-up" if given else "next closest"
        lines.append(f"  {label} ({e.runner_up.score:.3f}): "
                     f"{visible(e.runner_up.sentence)}")
    if e.abstention:
        strongest = sorted(e.abstention, key=lambda f: -abs(f.contribution))[:4]
        said = " · ".join(f"{f.name} {f.value:.2f} ({f.contribution:+.2f})" for f in strongest)
        logit = e.abstention_bias + sum(f.contribution for f in e.abstention)
        lines.append(f"  chance it answers: {e.probability:.2f}, the logistic of {logit:+.2f} (bias "
                     f"{e.abstention_bias:+.2f} and {len(e.abstention)} contributions; largest: {said})")
    if other:
        lines.append(f"  {visible(e.decision)}")
    else:
        lines.append(f"  decision: {visible(e.decision)} (answers need a chance of at least {e.threshold:.2f})")
    return "\n".join(lines)


def render_refusal(result: Result, style: Style = PLAIN) -> str:
    """--explain for a question refused before any sentence was read: the reason alone."""
    return f"{style.label}Why no answer was given:{style.reset}\n  {visible(result.reason or 'no reason given')}"


def duration(seconds: float) -> str:
    """A rounded duration for people: "8 s", "2 min 05 s", "1 h 04 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class ProgressLine:
    """A one-line progress bar on a terminal's stderr while an index is built, with the time
    left once the rate is known; cut to the terminal's width so it never wraps."""

    WIDTH = 24
    EVERY = 0.1  # seconds between redraws
    SETTLE = 1.0  # seconds of reading before the rate is trusted to forecast the rest

    def __init__(self, stream: TextIO, columns: int | None = None) -> None:
        self.stream = stream
        self.columns = columns
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
        if step.files_done >= step.files_total:
            left = ""
        elif step.files_done and step.elapsed >= self.SETTLE:
            remaining = step.elapsed * (step.files_total - step.files_done) / step.files_done
            left = f" · about {duration(remaining)} left"
        else:
            left = " · estimating time left"
        # The time left early in the line, so a narrow terminal cuts the rate, not it.
        line = (f"indexing [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                f"{step.files_done:,}/{step.files_total:,} files{left} · {step.sentences:,} sentences · "
                f"{step.elapsed:.1f} s · {rate:,.0f} sentences/s")
        if self.columns:
            line = _cut(line, self.columns - 1)
        self.stream.write(f"\r\x1b[2K{line}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _cut(line: str, columns: int) -> str:
    """``line`` cut to ``columns`` of the screen."""
    while cell_width(line) > columns:
        line = line[:-1]
    return line


def shows_unicode(stream: TextIO) -> bool:
    """Whether ``stream`` can show any character (else output is kept to ASCII)."""
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name.startswith("utf")
    except LookupError:
        return False


@dataclass(frozen=True, slots=True)
class Output:
    """How results are written: the format, and on a terminal the styles, links and width."""

    format: str = "text"
    style: Style = PLAIN
    width: int = 0  # columns to wrap text at; 0 when not writing to a terminal
    ascii_only: bool = False  # the stream cannot show other characters: JSON escapes them

    @classmethod
    def to(cls, stream: TextIO, format: str = "text") -> Output:
        """For ``stream``: styled and wrapped text on a terminal (no colour with NO_COLOR),
        citations linked where the terminal shows links; plain, unwrapped text when piped."""
        from dataclasses import replace

        from verbatim.tui.terminal import shows_styles, supports_hyperlinks, terminal_width

        ascii_only = not shows_unicode(stream)
        if format != "text" or not stream.isatty():
            return cls(format, ascii_only=ascii_only)
        style = replace(ANSI, links=supports_hyperlinks(stream)) if shows_styles(stream) else PLAIN
        return cls(format, style, terminal_width(stream), ascii_only)

    def result(self, result: Result, *, header: bool, explain: bool = False) -> str:
        """One result as the format says; with ``explain``, why it was answered, or why not
        (also for a question refused before any sentence was read)."""
        if self.format == "json":
            from verbatim.tui.text import json_safe

            return json_safe(result.to_json(ascii_only=self.ascii_only))
        if self.format == "markdown":
            from verbatim.tui.export import result_markdown

            lines = result_markdown(result.question, result)
            if explain:
                explained = self._explanation(result, PLAIN)
                # A fence longer than any run of backticks in the text, which cannot close it.
                fence = "`" * max(3, 1 + max((len(r) for r in re.findall("`+", explained)), default=0))
                lines += [fence, explained, fence, ""]
            return "\n".join(lines).rstrip("\n")
        text = render(result, self.style, header=header)
        if explain:
            text += "\n" + self._explanation(result, self.style)
        if self.width:
            from verbatim.tui.terminal import wrap

            text = wrap(text, self.width)
        return text

    @staticmethod
    def _explanation(result: Result, style: Style) -> str:
        if result.explanation is not None:
            return render_explanation(result.explanation, style)
        return render_refusal(result, style)
