"""Open a corpus for questions: load its saved index, refresh what changed, or build it."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from verbatim.corpus.bundled import ARTICLES_DIR, CATALOG_FILE, catalog
from verbatim.corpus.reader import corpus_listing, corpus_root
from verbatim.corpus.select import Selection
from verbatim.retrieval.index import store
from verbatim.retrieval.index.build import UNREADABLE, BuildReport, ProgressCallback, build
from verbatim.retrieval.index.protocol import Index
from verbatim.retrieval.index.sentence_index import IndexData, SentenceIndex


@dataclass(slots=True)
class Opened:
    """An index ready for questions, and what opening it took."""

    index: Index
    folder: Path | None  # where it is saved, None when it could not be
    report: BuildReport | None  # None when the saved index was fresh
    notices: list[str] = field(default_factory=list)  # one line each, for the reader
    follow_links: bool = False  # whether links leading outside the folder were read
    # Opens it again with some files read again whatever their stamps say: stale ids ->
    # Opened. None for an index made without open_index.
    reopen: Callable[[frozenset[str]], Opened] | None = None

    def refreshed(self, files: frozenset[str]) -> Opened:
        """This index opened again with the files named by id read again, whatever their size
        and time say; one made without open_index is built again in memory."""
        if self.reopen is not None:
            return self.reopen(files)
        index = self.index
        assert isinstance(index, SentenceIndex), "a sharded index is always opened with its reopen"
        data, report = build(index.root, previous=index.data, stale=files, follow_links=self.follow_links,
                             parallel=False)
        return Opened(SentenceIndex(data), None, report, follow_links=self.follow_links)


def _bundled_catalog() -> tuple[dict[str, dict], str, str]:
    """Titles, ids and metadata of the bundled files; a digest so edits rebuild; the name."""
    data = catalog()
    entries = {entry["file"]: entry for entry in data["articles"]}
    digest = hashlib.sha256(CATALOG_FILE.read_bytes()).hexdigest()[:16]
    return entries, digest, data["name"]


def is_fresh(data: IndexData, root: Path, selection: Selection | None = None,
             follow_links: bool = False) -> bool:
    """True when every file of the corpus has the size and time the index recorded."""
    listing, _ = corpus_listing(root, follow_links, selection)
    recorded = {a.rel: (a.size, a.mtime_ns) for a in data.articles}
    recorded.update(data.skipped)
    if len(listing) != len(recorded):
        return False
    for path, rel in listing:
        try:
            stat = os.stat(path)
            stamp = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            stamp = UNREADABLE
        if recorded.get(rel) != stamp:
            return False
    return True


def _load_saved(folder: Path, root: str, notices: list[str]) -> IndexData | None:
    try:
        version = store.current_version(folder)
        return store.load(version, root) if version is not None else None
    except store.IndexDamaged as problem:
        notices.append(f"the saved index in {folder} cannot be used ({problem}); rebuilding it")
        return None


def open_index(
    path: str | os.PathLike[str] | None = None,
    *,
    index_dir: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    force: bool = False,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    follow_links: bool = False,
    stale: frozenset[str] = frozenset(),
    previous: IndexData | None = None,
    waiting: Callable[[str], None] | None = None,
    lock_wait: float = store.LOCK_WAIT_SECONDS,
) -> Opened:
    """The index of the corpus at ``path`` (the bundled articles when None): loaded when the
    saved one is fresh, refreshed when files changed, built when there is none; every file
    read again with ``force``, and the files named in ``stale`` read again whatever their
    size and time say (refreshing ``previous`` when given, else the saved index). When the cache cannot be written the index is built in memory and a
    notice says so."""
    root = corpus_root(ARTICLES_DIR if path is None else path)
    entries, digest, name = _bundled_catalog() if path is None else ({}, "", None)
    # The files chosen (--include, --exclude, .verbatimignore) are part of what the index is.
    selection = Selection.of(root, include, exclude)
    digest = "+".join(filter(None, [digest, selection.fingerprint()]))
    resolved = str(root.resolve())
    folder = store.corpus_folder(resolved, index_dir, selection.choice_key(follow_links))
    notices: list[str] = []

    def opened(index: IndexData, saved_in: Path | None, report: BuildReport | None) -> Opened:
        def reopen(files: frozenset[str]) -> Opened:
            return open_index(path, index_dir=index_dir, include=include, exclude=exclude, follow_links=follow_links,
                              stale=files, previous=index, waiting=waiting, lock_wait=lock_wait)

        return Opened(SentenceIndex(index), saved_in, report, notices, follow_links, reopen)

    def fresh(data: IndexData | None) -> bool:
        return (data is not None and not stale and data.digest == digest
                and is_fresh(data, root, selection, follow_links))

    refused = store.untrusted(folder)
    if refused is not None:  # neither read nor written: another user may have made it
        notices.append(f"refusing the index folder {folder}: {refused}; answering without saving the index")
    save_in: Path | None = folder if refused is None else None
    saved = previous if previous is not None or force or save_in is None else _load_saved(
        folder, resolved, notices)
    if fresh(saved):
        return opened(saved, save_in, None)
    with contextlib.ExitStack() as stack:
        try:
            if save_in is not None:
                stack.enter_context(store.locked(folder, lock_wait, waiting))
        except OSError as error:
            notices.append(_cannot_save(folder, error))
            save_in = None
        else:
            if save_in is not None and not force and previous is None:  # refreshed while this one waited?
                again = _load_saved(folder, resolved, [])
                if fresh(again):
                    return opened(again, folder, None)
                saved = again or saved
        data, report = build(root, catalog=entries, digest=digest, previous=saved, progress=progress,
                             name=name, selection=selection, follow_links=follow_links, stale=stale)
        if save_in is not None:
            try:
                store.save(data, save_in)
            except OSError as error:
                notices.append(_cannot_save(folder, error))
                save_in = None
        return opened(data, save_in, report)


def _cannot_save(folder: Path, error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return f"no space left on the disk of {folder} while saving the index; answering without saving it"
    if isinstance(error, (store.UntrustedFolder, store.LockTimeout)):
        return f"{error.strerror}; answering without saving the index"
    return f"cannot save the index in {folder} ({error.strerror or error}); working without saving it"
