"""A conversation as a Markdown file with every citation; never overwrites a file."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from verbatim.tui.cite import agreement, citation, place, short_answer
from verbatim.tui.text import visible

if TYPE_CHECKING:
    from verbatim.retrieval.models import CorpusInfo, Passage, Result

# Characters Markdown would act on; escaped so the rendered page shows the text as written.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(text: str) -> str:
    return _MARKDOWN_ACTIVE.sub(r"\\\1", visible(text))


def quote_with_citation(passage: Passage) -> str:
    """What the copy action puts on the clipboard: the sentence, then where it is from."""
    return f"“{visible(passage.sentence)}”\n— {citation(passage)}"


def _passage(passage: Passage, outdated: list[Passage]) -> list[str]:
    ref = passage.article
    if passage in outdated:  # never written as a quotation: the file no longer says it
        quote = "> *This sentence is no longer in its file, which changed after the answer was given.*"
    else:
        quote = f"> {_md(passage.sentence)}"
    return [
        quote,
        "",
        f"— *{_md(ref.title)}* (`{place(passage).replace('`', '')}`)",
        "",
    ]


def result_markdown(question: str, result: Result | None, outdated: list[Passage] | None = None) -> list[str]:
    """One question as Markdown: its heading, how it was read, the answer with its short
    answer and every source, or why there is none and the closest passages; ``outdated``
    passages, which their files no longer hold, by their citation alone."""
    outdated = outdated or []
    lines = [f"## {_md(question)}", ""]
    if result is None:
        return lines + ["*Not answered (the question was interrupted or refused).*", ""]
    if result.interpreted_as:
        lines += [f"*Read as: {_md(result.interpreted_as)}*", ""]
    if result.answered:
        first, *others = result.answers
        lines += _passage(first, outdated)
        short = short_answer(first)
        if short:
            lines += [f"Short answer: **{_md(short)}**", ""]
        if others:
            lines += ["Also in the corpus:", ""]
            for passage in others:
                lines += _passage(passage, outdated)
        said = agreement(result)
        if said:
            lines += [f"{said[0]}: {_md(said[1])}", ""]
    else:
        reason = f" ({_md(result.reason)})" if result.reason else ""
        lines += [f"*No answer in the corpus{reason}.*", ""]
        if result.closest:
            lines += ["Closest passages, which do not answer it:", ""]
            for passage in result.closest:
                lines += _passage(passage, outdated)
    return lines


def conversation_markdown(corpus: CorpusInfo, exchanges: list[tuple[str, Result | None]],
                          when: datetime, outdated: list[Passage] | None = None) -> str:
    """The whole conversation: each question, its answer and every citation; ``outdated``
    passages, which their files no longer hold, by their citation alone."""
    outdated = outdated or []
    lines = [
        "# Verbatim conversation",
        "",
        f"Corpus: {_md(corpus.name)} ({corpus.articles} articles, {corpus.sentences} sentences), "
        f"exported {when:%Y-%m-%d %H:%M}.",
        "",
    ]
    for question, result in exchanges:
        lines += result_markdown(question, result, outdated)
    return "\n".join(lines).rstrip() + "\n"


def write_new_file(directory: Path, stem: str, text: str) -> Path:
    """Write ``text`` to a new file in ``directory``; an existing file is never replaced."""
    for n in range(1000):
        path = directory / (f"{stem}.md" if n == 0 else f"{stem}-{n}.md")
        try:
            handle = path.open("x", encoding="utf-8")
        except FileExistsError:
            continue
        try:
            with handle:
                handle.write(text)
        except BaseException:  # a full disk: no empty or cut-short export is left behind
            path.unlink(missing_ok=True)
            raise
        return path
    raise FileExistsError(f"no free file name for {stem} in {directory}")
