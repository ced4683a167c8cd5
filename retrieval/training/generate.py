"""Training questions made from the structure of reference manual pages (sections 2, 3, 5, 7): summaries and option entries.

    python -m verbatim.retrieval.training.generate OUT [--pages N] [--man /usr/share/man]

Renders a fixed sample of the installed manual pages of sections 2, 3, 5 and 7 (as the FAQ
set renders its man pages: ``MANWIDTH=80 man -l PAGE | col -bx``) into OUT/corpus-train/, and
writes OUT/train.jsonl in the FAQ set's shape ({"id", "question", "file", "start", "end",
"kind"}), so ``train --generated OUT`` learns from it as from the FAQ set. Questions:

- a page's NAME line, "name - summary": "What does NAME do?", and "How do I SUMMARY?" when
  the summary opens with a verb's base form ("open and possibly create a file");
- an entry of a tagged list (an option, a configuration key, a function), the tag set 7
  columns in and its description deeper: "What does TAG do in PAGE?".

The gold is the summary, or the entry's description, as character offsets in the rendered
file. Never read: sections 1 and 8, and the pages the project reserves for independent checks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from verbatim.retrieval.words import english

SECTIONS = ("2", "3", "5", "7")
# Reserved for independent checks of the product: never rendered, never asked about.
RESERVED = frozenset({"ssh_config.5", "gitignore.5", "crontab.5", "bash-builtins.7"})
DEFAULT_PAGES = 240
# Questions per page at most, so that a long page (a list of 200 options) does not make
# the set about itself.
PER_PAGE = 8
TAG_INDENT = 7
BODY_INDENT = 14
_SEPARATOR = re.compile(r"\s+[-\u2010\u2013\u2014]\s+")
_TAG_LINE = re.compile(r"^ {7}(\S(?:.*?\S)?)(?: {2,}(\S.*))?$")


def page_name(path: Path) -> str:
    """"open.2.gz" -> "open.2"."""
    name = path.name
    return name[:-3] if name.endswith(".gz") else name


def choose_pages(man: Path, count: int) -> list[Path]:
    """``count`` pages of the sections, each section's share in turn, in sha256(name) order:
    the same sample on every run on the same system."""
    by_section = []
    for section in SECTIONS:
        folder = man / f"man{section}"
        pages = [p for p in folder.glob("*") if p.is_file() and not p.is_symlink()] if folder.is_dir() else []
        # Perl's module pages (3pm, "Foo::Bar") are Perl's documentation, kept apart from
        # the Perl FAQ set on purpose; the rest are C libraries' and formats' pages.
        pages = [p for p in pages if page_name(p) not in RESERVED and "::" not in p.name
                 and page_name(p).rsplit(".", 1)[-1] == section]
        by_section.append(sorted(pages, key=lambda p: hashlib.sha256(p.name.encode()).hexdigest()))
    chosen: list[Path] = []
    while len(chosen) < count and any(by_section):
        for pages in by_section:
            if pages and len(chosen) < count:
                chosen.append(pages.pop(0))
    return chosen


def render(page: Path) -> str:
    env = {**os.environ, "MANWIDTH": "80", "LC_ALL": "C.UTF-8", "MAN_KEEP_FORMATTING": ""}
    shown = subprocess.run(["man", "-l", str(page)], capture_output=True, env=env, timeout=60)
    plain = subprocess.run(["col", "-bx"], input=shown.stdout, capture_output=True, timeout=60)
    return plain.stdout.decode("utf-8", "replace")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def questions_of(text: str, file: str, title: str) -> list[dict]:
    """The questions a rendered page's structure gives, with their gold spans."""
    lines = text.split("\n")
    starts = []
    at = 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    found: list[dict] = []
    section = ""
    for n, line in enumerate(lines):
        if line and not line[0].isspace():
            section = line.strip()
            continue
        # The NAME line is the section's first; a wrapped one is cut where it wraps.
        if section == "NAME" and _indent(line) == TAG_INDENT and lines[n - 1].strip() == "NAME":
            parts = _SEPARATOR.split(line.strip(), maxsplit=1)
            if len(parts) == 2 and parts[1]:
                names = [x.strip() for x in parts[0].split(",") if x.strip()]
                summary = parts[1].rstrip(".")
                start = starts[n] + line.index(parts[1])
                end = starts[n] + len(line.rstrip())
                span = {"file": file, "start": start, "end": end}
                found.append({"question": f"What does {names[0]} do?", **span, "kind": "summary"})
                first = summary.split()[0].lower()
                if "v" in english._parts_of_speech(first) and english.base_form(first) == first:
                    found.append({"question": f"How do I {summary[0].lower() + summary[1:]}?", **span,
                                  "kind": "summary-how"})
            continue
        match = _TAG_LINE.match(line)
        if not match or section in ("NAME", "SYNOPSIS", "SEE ALSO"):
            continue
        tag, inline = match.group(1), match.group(2)
        # A tag opens its paragraph; a short one has its description beside it, at the
        # description's own column (a justified line of text has wide gaps anywhere).
        if n == 0 or lines[n - 1].strip():
            continue
        if inline is not None and line.index(inline, TAG_INDENT + len(tag)) != BODY_INDENT:
            continue
        # The description: inline after the tag, or on the deeper lines that follow.
        body = n + 1
        if inline is None:
            while body < len(lines) and not lines[body].strip():
                body += 1
            if body >= len(lines) or _indent(lines[body]) < BODY_INDENT or body - n > 2:
                continue
            start = starts[body] + _indent(lines[body])
        else:
            start = starts[n] + line.index(inline, TAG_INDENT + len(tag))
        end = start
        last = body if inline is None else n
        k = last
        while k < len(lines) and (not lines[k].strip() or _indent(lines[k]) >= BODY_INDENT or k == n):
            if lines[k].strip():
                end = starts[k] + len(lines[k].rstrip())
            k += 1
        term = tag.split()[0].rstrip(",;:")
        # A word set in a sentence's case ("The", "If") opens text, not an entry.
        if (len(term) < 2 or not any(c.isalpha() for c in term) or end - start < 40
                or (term[0].isupper() and term[1:].islower())):
            continue
        found.append({"question": f"What does {term} do in {title}?", "file": file, "start": start, "end": end,
                      "kind": "entry"})
    summaries = [q for q in found if q["kind"] != "entry"]
    entries = [q for q in found if q["kind"] == "entry"]
    return summaries + entries[:PER_PAGE - len(summaries)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.training.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES)
    parser.add_argument("--man", type=Path, default=Path("/usr/share/man"))
    args = parser.parse_args(argv)
    corpus = args.out / "corpus-train"
    corpus.mkdir(parents=True, exist_ok=True)
    rows = []
    for page in choose_pages(args.man, args.pages):
        name = page_name(page)
        file = f"{name}.txt"
        kept = corpus / file
        text = kept.read_text(encoding="utf-8") if kept.exists() else render(page)
        if len(text) < 200:
            continue
        kept.write_text(text, encoding="utf-8")
        title = name.rsplit(".", 1)[0]
        for n, q in enumerate(questions_of(text, file, title)):
            rows.append({"id": f"{name}-{n:03d}", **q})
    with (args.out / "train.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    print(f"{len(rows)} questions from {len(list(corpus.iterdir()))} pages: {kinds}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
