"""Which files of a folder are read: --include/--exclude globs, .verbatimignore, one format each."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from verbatim.corpus.formats import preference

IGNORE_FILE = ".verbatimignore"
# Hexadecimal digits of the name a choice of files (--include, --exclude) adds to its saved
# index's folder: 32 bits, ample for the few choices one corpus is read with.
CHOICE_KEY_CHARS = 8


class GlobError(ValueError):
    """A glob that cannot be read: an empty character class, a range that runs backwards, or
    a bracket never closed."""


# A glob is matched folder name by folder name. A name's pattern is cut at its stars into
# pieces of fixed width (characters, ``?`` and classes: regular expressions without a
# quantifier); a pattern is cut at its ``**`` folders into runs of names. Either is matched
# by placing each piece (each run) at its leftmost place after the one before, which is right
# for a star (it takes whatever lies between), so no choice is ever undone: a name of 255
# characters costs at most about 255 times its pattern, where a regular expression with a
# ``.*`` per star tries every split of the name among the stars (100 s for six stars).


@dataclass(frozen=True, slots=True)
class _Name:
    """The pattern of one folder name: its pieces between stars, and whether a star comes
    first and last. No pieces at all: any name."""

    pieces: tuple[re.Pattern[str], ...]
    widths: tuple[int, ...]
    starred: bool
    star_first: bool
    star_last: bool

    def matches(self, name: str) -> bool:
        pieces, widths = self.pieces, self.widths
        if not self.starred:
            return pieces[0].fullmatch(name) is not None
        at, end, first, last = 0, len(name), 0, len(pieces)
        if not self.star_first:
            if pieces[0].match(name) is None:
                return False
            at, first = widths[0], 1
        if not self.star_last and last > first:
            last -= 1
            if widths[last] > end - at or pieces[last].fullmatch(name, end - widths[last]) is None:
                return False
            end -= widths[last]
        for k in range(first, last):
            found = pieces[k].search(name, at, end)
            if found is None:
                return False
            at = found.end()
        return bool(name)


def _char_class(body: str, written: str) -> str:
    """A bracket expression as a regular expression's class; ``!`` first negates it."""
    negated = body.startswith("!")
    chars = body[1:] if negated else body
    if not chars:
        raise GlobError(f"{written} is an empty character class")
    out, j = [], 0
    while j < len(chars):
        if j + 2 < len(chars) and chars[j + 1] == "-":
            low, high = chars[j], chars[j + 2]
            if low > high:
                raise GlobError(f"{written}: the range {low}-{high} runs backwards")
            out.append(f"{re.escape(low)}-{re.escape(high)}")
            j += 3
        else:
            out.append(re.escape(chars[j]))
            j += 1
    return "[" + ("^" if negated else "") + "".join(out) + "]"


def _name_pattern(text: str) -> _Name:
    """The pattern of one folder name (no slash), with stars in any number (``**`` inside a
    name is a star, as gitignore has it)."""
    groups: list[list[str]] = [[]]
    i = 0
    while i < len(text):
        c = text[i]
        if c == "*":
            groups.append([])
            i += 1
            continue
        if c == "[":
            close = text.find("]", i + 1)
            if close < 0:  # as rg has it: a typo, not a name with "[" (that is "[[]")
                raise GlobError(f"{text}: the bracket [ is never closed (a name with [ is written [[])")
            groups[-1].append(_char_class(text[i + 1:close], text[i:close + 1]))
            i = close + 1
            continue
        groups[-1].append("." if c == "?" else re.escape(c))
        i += 1
    star = len(groups) > 1
    pieces = [g for g in groups if g] if star else groups
    return _Name(tuple(re.compile("".join(p), re.DOTALL) for p in pieces), tuple(len(p) for p in pieces),
                 star, star and not groups[0], star and not groups[-1])


_ANY_NAME = _name_pattern("*")
_ANY_FOLDERS = None  # a ``**`` folder: any number of names


@dataclass(frozen=True, slots=True)
class Glob:
    """A gitignore-style pattern over a path relative to the corpus folder: ``*`` and ``?``
    stay inside one folder name, a ``**`` folder crosses folders, a pattern with a slash is
    anchored at the corpus root, one without matches a name at any depth (and what is under
    it), and a trailing slash matches what is under a folder only."""

    runs: tuple[tuple[_Name, ...], ...]  # names between ``**`` folders
    any_first: bool
    any_last: bool

    def matches(self, rel: str) -> bool:
        names = rel.split("/")
        runs = self.runs
        at, end, first, last = 0, len(names), 0, len(runs)
        if not self.any_first:
            if not _run_at(runs[0], names, 0):
                return False
            at, first = len(runs[0]), 1
        if not self.any_last and last > first:
            last -= 1
            if len(runs[last]) > end - at or not _run_at(runs[last], names, end - len(runs[last])):
                return False
            end -= len(runs[last])
        elif not self.any_last and not self.any_first:
            return at == end
        for k in range(first, last):
            run = runs[k]
            place = next((p for p in range(at, end - len(run) + 1) if _run_at(run, names, p)), None)
            if place is None:
                return False
            at = place + len(run)
        return True


def _run_at(run: tuple[_Name, ...], names: list[str], place: int) -> bool:
    return place + len(run) <= len(names) and all(pattern.matches(names[place + k]) for k, pattern in enumerate(run))


def compile_glob(pattern: str) -> Glob | None:
    """A gitignore-style pattern, compiled; None for a blank line or a comment. Raises
    GlobError for a pattern that cannot be read."""
    pattern = pattern.strip()
    if not pattern or pattern.startswith("#"):
        return None
    folder_only = pattern.endswith("/")
    anchored = "/" in pattern.rstrip("/")  # a leading slash anchors too, as in gitignore
    names = pattern.strip("/").split("/")
    items: list[_Name | None] = [] if anchored else [_ANY_FOLDERS]
    for k, name in enumerate(names):
        if name == "**":
            # Last, it stands for what is inside the folder before it: at least one name.
            items += [_ANY_NAME, _ANY_FOLDERS] if k == len(names) - 1 else [_ANY_FOLDERS]
        else:
            items.append(_name_pattern(name))
    items += [_ANY_NAME, _ANY_FOLDERS] if folder_only else [_ANY_FOLDERS]
    runs: list[list[_Name]] = [[]]
    for item in items:
        if item is _ANY_FOLDERS:
            runs.append([])
        else:
            runs[-1].append(item)
    any_first, any_last = not runs[0], not runs[-1]
    kept = [tuple(run) for run in runs if run]
    return Glob(tuple(kept) or ((),), any_first, any_last)


@dataclass(frozen=True)
class Rules:
    """Ordered patterns; the last that matches a path decides, ``!`` takes a path back."""

    patterns: tuple[tuple[Glob, bool], ...] = ()
    # (line number, why) of every line left out because its pattern cannot be read
    unreadable: tuple[tuple[int, str], ...] = ()

    @classmethod
    def of(cls, lines: list[str]) -> Rules:
        found, unreadable = [], []
        for number, line in enumerate(lines, start=1):
            negated = line.strip().startswith("!")
            try:
                glob = compile_glob(line.strip()[1:] if negated else line)
            except GlobError as error:
                unreadable.append((number, str(error)))
                continue
            if glob is not None:
                found.append((glob, negated))
        return cls(tuple(found), tuple(unreadable))

    def ignores(self, rel: str) -> bool:
        ignored = False
        for glob, negated in self.patterns:
            if glob.matches(rel):
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
        """The selection, its globs checked: one that cannot be read is the caller's mistake
        (CorpusError), where a line of the folder's .verbatimignore is left out with a warning
        (see :meth:`warnings`)."""
        for option, patterns in (("--include", include or ()), ("--exclude", exclude or ())):
            for pattern in patterns:
                try:
                    compile_glob(pattern[1:] if option == "--include" and pattern.startswith("!") else pattern)
                except GlobError as error:
                    from verbatim.corpus.reader import CorpusError  # reader imports this module

                    raise CorpusError(f"{option} {pattern!r} is not a usable glob: {error}") from None
        lines: tuple[str, ...] = ()
        if root.is_dir():
            try:
                lines = tuple((root / IGNORE_FILE).read_text(encoding="utf-8", errors="replace").splitlines())
            except OSError:
                lines = ()
        return cls(tuple(include or ()), tuple(exclude or ()), lines)

    def choice_key(self, follow_links: bool = False) -> str:
        """What names the saved index of this choice of files beside the corpus's own: empty
        without --include, --exclude or --follow-links, so that each choice keeps an index of
        its own and a change of filter does not read every file again (.verbatimignore, part
        of the folder, is not: its edits refresh the one index)."""
        if not (self.include or self.exclude or follow_links):
            return ""
        parts = ["include", *self.include, "exclude", *self.exclude, *(["follow-links"] if follow_links else [])]
        return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:CHOICE_KEY_CHARS]

    def warnings(self, root: Path) -> list[str]:
        """One line for each pattern of the folder's .verbatimignore that is left out."""
        return [f"{root / IGNORE_FILE}: line {number}: pattern left out, {why}"
                for number, why in Rules.of(list(self.ignore_lines)).unreadable]

    def fingerprint(self) -> str:
        """Part of a saved index's digest: another choice of files is another index."""
        if not (self.include or self.exclude or self.ignore_lines):
            return ""
        text = "\0".join(["include", *self.include, "exclude", *self.exclude, "ignore", *self.ignore_lines])
        return "select-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def apply(self, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The chosen files of a listing, one format per document."""
        rules = Rules.of(list(self.ignore_lines))
        wanted = [g for g in (_usable(p) for p in self.include if not p.startswith("!")) if g]
        unwanted = Rules.of([p[1:] for p in self.include if p.startswith("!")] + list(self.exclude))
        kept = [(path, rel) for path, rel in found
                if not rules.ignores(rel) and (not wanted or any(g.matches(rel) for g in wanted))
                and not unwanted.ignores(rel)]
        return one_format(kept)


def _usable(pattern: str) -> Glob | None:
    try:
        return compile_glob(pattern)
    except GlobError:  # refused by Selection.of; a Selection made by hand skips it
        return None


def one_format(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Of files that are one document in several formats (same folder and name, another
    suffix), the one in the most faithful format (corpus.formats.PREFERENCE)."""
    best: dict[str, tuple[int, str]] = {}
    for _, rel in found:
        stem = os.path.splitext(rel)[0]
        rank = preference(rel)
        if stem not in best or rank < best[stem][0]:
            best[stem] = (rank, rel)
    chosen = {rel for _, rel in best.values()}
    return [(path, rel) for path, rel in found if rel in chosen]
