"""Which files of a folder are read: --include/--exclude globs, .verbatimignore, one format each."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

IGNORE_FILE = ".verbatimignore"
# Hexadecimal digits of the name a choice of files (--include, --exclude) adds to its saved
# index's folder: 32 bits, ample for the few choices one corpus is read with.
CHOICE_KEY_CHARS = 8
# When one document is in a folder in several formats (api/fs.md beside api/fs.html), the
# first of these is read: the source a writer keeps, whose lines are the lines they edit.
PREFERRED_FORMATS = (".md", ".markdown", ".rst", ".txt", ".html", ".htm", ".xhtml")


def glob_regex(pattern: str) -> re.Pattern[str] | None:
    """A gitignore-style pattern as a regular expression over a relative path: ``*`` and
    ``?`` stay inside one folder, ``**`` crosses folders, a pattern with a slash is anchored
    at the corpus root, one without matches a name at any depth, and a trailing slash
    matches folders only. None for a blank line or a comment."""
    pattern = pattern.strip()
    if not pattern or pattern.startswith("#"):
        return None
    folder_only = pattern.endswith("/")
    pattern = pattern.strip("/") if "/" in pattern.rstrip("/") else pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            close = pattern.find("]", i + 1)
            if close < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:close].replace("\\", "\\\\")
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = close + 1
                continue
        else:
            out.append(re.escape(c))
        i += 1
    lead = "" if anchored else "(?:.*/)?"
    tail = "/.*" if folder_only else "(?:/.*)?"
    return re.compile(f"^{lead}{''.join(out)}{tail}$")


@dataclass(frozen=True)
class Rules:
    """Ordered patterns; the last that matches a path decides, ``!`` takes a path back."""

    patterns: tuple[tuple[re.Pattern[str], bool], ...] = ()

    @classmethod
    def of(cls, lines: list[str]) -> Rules:
        found = []
        for line in lines:
            negated = line.strip().startswith("!")
            regex = glob_regex(line.strip()[1:] if negated else line)
            if regex is not None:
                found.append((regex, negated))
        return cls(tuple(found))

    def ignores(self, rel: str) -> bool:
        ignored = False
        for regex, negated in self.patterns:
            if regex.match(rel):
                ignored = not negated
        return ignored


@dataclass(frozen=True)
class Selection:
    """The reader's choice of files: globs to include (``!glob`` to leave out, as ``rg -g``
    has it) and globs to exclude, on top of the corpus's own ``.verbatimignore``."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ignore_lines: tuple[str, ...] = field(default=(), compare=True)

    @classmethod
    def of(cls, root: Path, include: list[str] | None = None, exclude: list[str] | None = None) -> Selection:
        lines: tuple[str, ...] = ()
        if root.is_dir():
            try:
                lines = tuple((root / IGNORE_FILE).read_text(encoding="utf-8", errors="replace").splitlines())
            except OSError:
                lines = ()
        return cls(tuple(include or ()), tuple(exclude or ()), lines)

    def choice_key(self) -> str:
        """What names the saved index of this choice of files beside the corpus's own: empty
        without --include or --exclude, so that each choice keeps an index of its own and a
        change of filter does not read every file again (.verbatimignore, part of the folder,
        is not: its edits refresh the one index)."""
        if not (self.include or self.exclude):
            return ""
        text = "\0".join(["include", *self.include, "exclude", *self.exclude])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:CHOICE_KEY_CHARS]

    def fingerprint(self) -> str:
        """Part of a saved index's digest: another choice of files is another index."""
        if not (self.include or self.exclude or self.ignore_lines):
            return ""
        text = "\0".join(["include", *self.include, "exclude", *self.exclude, "ignore", *self.ignore_lines])
        return "select-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def apply(self, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The chosen files of a listing, one format per document."""
        rules = Rules.of(list(self.ignore_lines))
        wanted = [r for r in map(glob_regex, (p for p in self.include if not p.startswith("!"))) if r]
        unwanted = Rules.of([p[1:] for p in self.include if p.startswith("!")] + list(self.exclude))
        kept = [(path, rel) for path, rel in found
                if not rules.ignores(rel) and (not wanted or any(r.match(rel) for r in wanted))
                and not unwanted.ignores(rel)]
        return one_format(kept)


def _rank(rel: str) -> int:
    lower = rel.lower()
    for i, suffix in enumerate(PREFERRED_FORMATS):
        if lower.endswith(suffix):
            return i
    return len(PREFERRED_FORMATS)


def one_format(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Of files that are one document in several formats (same folder and name, another
    suffix), the one in the most preferred format."""
    best: dict[str, tuple[int, str]] = {}
    for _, rel in found:
        stem = os.path.splitext(rel)[0]
        rank = _rank(rel)
        if stem not in best or rank < best[stem][0]:
            best[stem] = (rank, rel)
    chosen = {rel for _, rel in best.values()}
    return [(path, rel) for path, rel in found if rel in chosen]
