"""A conversation as a Markdown file with every citation; never overwrites a file."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cite import agreement, citation, place, short_answer
from tui.text import visible

if TYPE_CHECKING:
    from retrieval.models import CorpusInfo, Passage, Result

# Characters Markdown would act on; escaped so the rendered page shows the text as written.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(text: str) -> str:
    return _MARKDOWN_ACTIVE.sub(r"\\\1", visible(text))


def quote_with_citation(passage: Passage) -> str:
    """What the copy action puts on the clipboard: the sentence, then where it is from."""
    return f"“{visible(passage.sentence)}”\n— {citation(passage)}"


def _passage(passage: Passage) -> list[str]:
    ref = passage.article
    return [
        f"> {_md(passage.sentence)}",
        "",
        f"— *{_md(ref.title)}* (`{visible(ref.id).replace('`', '')}`), {place(passage)}",
        "",
    ]


def result_markdown(question: str, result: Result | None) -> list[str]:
    """One question as Markdown: its heading, how it was read, the answer with its short
    answer and every source, or why there is none and the closest passages."""
    lines = [f"## {_md(question)}", ""]
    if result is None:
        return lines + ["*Not answered (the question was interrupted or refused).*", ""]
    if result.interpreted_as:
        lines += [f"*Read as: {_md(result.interpreted_as)}*", ""]
    if result.answered:
        first, *others = result.answers
        lines += _passage(first)
        short = short_answer(first)
        if short:
            lines += [f"Short answer: **{_md(short)}**", ""]
        if others:
            lines += ["Also in the corpus:", ""]
            for passage in others:
                lines += _passage(passage)
        said = agreement(result)
        if said:
            lines += [f"{said[0]}: {_md(said[1])}", ""]
    else:
        reason = f" ({_md(result.reason)})" if result.reason else ""
        lines += [f"*No answer in the corpus{reason}.*", ""]
        if result.closest:
            lines += ["Closest passages, which do not answer it:", ""]
            for passage in result.closest:
                lines += _passage(passage)
    return lines


def conversation_markdown(corpus: CorpusInfo, exchanges: list[tuple[str, Result | None]],
                          when: datetime) -> str:
    """The whole conversation: each question, its answer and every citation."""
    lines = [
        "# Verbatim conversation",
        "",
        f"Corpus: {_md(corpus.name)} ({corpus.articles} articles, {corpus.sentences} sentences), "
        f"exported {when:%Y-%m-%d %H:%M}.",
        "",
    ]
    for question, result in exchanges:
        lines += result_markdown(question, result)
    return "\n".join(lines).rstrip() + "\n"


def write_new_file(directory: Path, stem: str, text: str) -> Path:
    """Write ``text`` to a new file in ``directory``; an existing file is never replaced."""
    for n in range(1000):
        path = directory / (f"{stem}.md" if n == 0 else f"{stem}-{n}.md")
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free file name for {stem} in {directory}")
