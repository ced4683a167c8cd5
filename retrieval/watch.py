"""Notice a corpus folder changing: its files' sizes and times, checked now and then at a bounded cost."""

from __future__ import annotations

import os
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from verbatim.corpus.reader import corpus_listing
from verbatim.corpus.select import Selection

# How often the folder is looked at, at the least; a folder whose walk takes longer is looked
# at less often, so that watching costs at most 1/COST_SHARE of one core (a walk of 100,000
# files, about a second, is repeated every 20 seconds).
POLL_SECONDS = 2.0
COST_SHARE = 20


@dataclass(frozen=True, slots=True)
class Changes:
    """Files added, changed and removed since the index was made, by id; ``skipped``: files
    added or changed that the index, read again, could not read (see :meth:`read_by`)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.skipped)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed) + len(self.skipped)

    def read_by(self, indexed: Collection[str]) -> Changes:
        """These changes as the index read again took them: a file added or changed that it
        does not hold (``indexed``: the ids of its articles) was skipped, and is counted so."""
        return Changes(tuple(r for r in self.added if r in indexed), tuple(r for r in self.changed if r in indexed),
                       self.removed, tuple(r for r in (*self.added, *self.changed) if r not in indexed))

    def summary(self) -> str:
        """One line: "2 files changed", "1 file added, 1 removed", "1 file skipped"."""
        parts = [f"{len(names)} {what}" for names, what in
                 ((self.added, "added"), (self.changed, "changed"), (self.removed, "removed"),
                  (self.skipped, "skipped")) if names]
        if len(parts) == 1 and self.count:
            return f"{self.count} {'file' if self.count == 1 else 'files'} {parts[0].split(' ', 1)[1]}"
        return f"{self.count} files changed ({', '.join(parts)})"


class FolderWatch:
    """The files of a corpus folder as the index would list them (the same --include,
    --exclude, .verbatimignore and links), with their sizes and modification times. Paths
    under ``ignored`` (Verbatim's own folders inside the corpus: an index, exports) are
    left out, and so are hidden folders, as the index leaves them out."""

    def __init__(self, root: str | os.PathLike[str], include: list[str] | None = None,
                 exclude: list[str] | None = None, follow_links: bool = False,
                 ignored: list[str | os.PathLike[str]] | None = None) -> None:
        self.root = Path(root)
        self.include, self.exclude, self.follow_links = include, exclude, follow_links
        self.ignored = [os.path.realpath(p) + os.sep for p in ignored or ()]
        self.interval = POLL_SECONDS

    def stamps(self) -> dict[str, tuple[int, int]]:
        """Each file's id and (size, modification time in ns), now. Sets ``interval``, the
        time to wait before the next look, from what this one cost."""
        began = time.monotonic()
        selection = Selection.of(self.root, self.include, self.exclude)
        try:
            listing, _ = corpus_listing(self.root, self.follow_links, selection)
        except Exception:  # the folder is gone or too large now: nothing to compare this time
            listing = []
        found = {}
        for path, rel in listing:
            if self._ignores(path):
                continue
            try:
                status = os.stat(path)
            except OSError:
                continue
            found[rel] = (status.st_size, status.st_mtime_ns)
        self.interval = max(POLL_SECONDS, COST_SHARE * (time.monotonic() - began))
        return found

    def _ignores(self, path: str) -> bool:
        return bool(self.ignored) and any(os.path.realpath(path).startswith(folder) for folder in self.ignored)

    def changes(self, indexed: dict[str, tuple[int, int]], now: dict[str, tuple[int, int]]) -> Changes:
        """What differs between the files an index was made from and the folder now; files
        in Verbatim's own folders are no change either way."""
        if self.ignored:
            indexed = {rel: stamp for rel, stamp in indexed.items() if not self._ignores(str(self.root / rel))}
        return Changes(tuple(sorted(set(now) - set(indexed))),
                       tuple(sorted(rel for rel in set(now) & set(indexed) if now[rel] != indexed[rel])),
                       tuple(sorted(set(indexed) - set(now))))


def indexed_stamps(index) -> dict[str, tuple[int, int]]:
    """The files an index was made from, read or skipped, with the sizes and times it saw."""
    stamps = {a.rel: (a.size, a.mtime_ns) for a in index.articles}
    data = getattr(index, "data", None)
    for rel, stamp in (getattr(data, "skipped", None) or {}).items():
        stamps.setdefault(rel, tuple(stamp))
    return stamps
