"""The saved indexes in an index folder: what each holds, and removing those whose corpus is gone."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verbatim.retrieval.index import store
from verbatim.retrieval.shards import FOLDER as SHARDED
from verbatim.retrieval.shards.layout import FORMAT as SHARDED_FORMAT

# Only folders named as corpus_key names them (a choice of files adds its key) are ever
# considered: anything else in the index folder is not Verbatim's to read or remove.
_KEY = re.compile(rf"[A-Za-z0-9._-]+-[0-9a-f]{{16}}(?:-[0-9a-f]{{{store.CHOICE_KEY_CHARS}}})?")
# What Verbatim writes in a corpus's folder: the lock, the pointer (and a save's pointer
# left half way), versions (and a save's staging folder), the sharded index. A folder
# holding anything else, or none of the lock, the pointer and a sharded index, was not
# made by Verbatim, whatever its name: pruning leaves it alone.
_OWN_ENTRY = re.compile(rf"{store.LOCK}|{store.POINTER}|{store.CACHE_TAG}|\.{store.POINTER}\.\d+|v-[A-Za-z0-9_.-]+|{SHARDED}")
_MARKERS = frozenset({store.LOCK, store.POINTER, SHARDED})


@dataclass(frozen=True, slots=True)
class SavedIndex:
    """One corpus's saved index: where it is, what it indexes, and whether that still exists."""

    folder: Path
    corpus: str | None  # the corpus's path, None when the index cannot be read
    name: str
    articles: int
    sentences: int
    size: int  # bytes on disk, every file of the folder
    created: float | None
    corpus_exists: bool

    @property
    def usable(self) -> bool:
        return self.corpus is not None


def _folder_size(folder: Path) -> int:
    total = 0
    for path, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(path, name)).st_size
            except OSError:
                pass
    return total


def _manifest(folder: Path) -> tuple[dict, Path] | tuple[None, None]:
    """The manifest of the folder's current one-index version, else of its sharded index's
    current generation, with the folder it is in; (None, None) when neither can be read."""
    for where, name, pattern in ((folder, "manifest.json", r"v-[A-Za-z0-9_.-]+"),
                                 (folder / SHARDED, "generation.json", r"g-[A-Za-z0-9_.-]+")):
        try:
            pointer = (where / store.POINTER).read_text(encoding="utf-8").strip()
            if not re.fullmatch(pattern, pointer):
                continue
            manifest = json.loads((where / pointer / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and manifest.get("format") in (store.FORMAT, SHARDED_FORMAT):
            return manifest, where / pointer
    return None, None


def _article_count(manifest: dict, version: Path) -> int:
    """How many articles a manifest's index holds: its list, or for a sharded index the
    length of its corpus order."""
    articles = manifest.get("articles")
    if isinstance(articles, list):
        return len(articles)
    try:
        return len(np.load(version / "article_shard.npy", mmap_mode="r", allow_pickle=False))
    except (OSError, ValueError):
        return 0


def _describe(folder: Path) -> SavedIndex:
    size = _folder_size(folder)
    manifest, version = _manifest(folder)
    if manifest is None or version is None:
        return SavedIndex(folder, None, folder.name, 0, 0, size, None, False)
    root = str(manifest.get("root", ""))
    # The manifest must belong to this folder; a foreign or edited one is not trusted.
    if not root or not store.is_corpus_key(folder.name, root):
        return SavedIndex(folder, None, folder.name, 0, 0, size, None, False)
    units = manifest.get("units")
    return SavedIndex(
        folder, root, str(manifest.get("name") or folder.name), _article_count(manifest, version),
        units if isinstance(units, int) and not isinstance(units, bool) else 0, size,
        float(manifest["created"]) if isinstance(manifest.get("created"), (int, float)) else None,
        os.path.exists(root),
    )


def saved_indexes(index_dir: str | os.PathLike[str] | None = None) -> list[SavedIndex]:
    """Every saved index under ``index_dir`` (the cache directory by default), by corpus
    name: the folders Verbatim made there, whatever else the folder holds."""
    base = Path(index_dir).expanduser() if index_dir else store.cache_home()
    try:
        folders = [entry for entry in base.iterdir()
                   if _KEY.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()
                   and made_by_verbatim(entry) is None]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted((_describe(folder) for folder in folders), key=lambda s: (s.name.lower(), str(s.folder)))


def stale(saved: SavedIndex) -> bool:
    """An index nobody can use again: its corpus is gone, or it holds no readable index."""
    return not saved.usable or not saved.corpus_exists


def prune(index_dir: str | os.PathLike[str] | None = None,
          skipped: list[str] | None = None) -> list[SavedIndex]:
    """Delete every stale index under ``index_dir`` and return what was deleted. Only
    folders Verbatim made (:func:`made_by_verbatim`) are removed, each looked at again
    while holding its build locks, so an index in use is never removed; a folder that is
    not this user's own, or in use, is left, and ``skipped`` hears why, one line each."""
    removed = []
    skipped = [] if skipped is None else skipped
    for saved in saved_indexes(index_dir):
        if not stale(saved):
            continue
        why = store.untrusted(saved.folder)
        if why is None:
            try:
                why = _remove_if_stale(saved.folder)
            except OSError as error:
                why = f"cannot be removed ({error.strerror or error})"
        if why is None:
            removed.append(saved)
        elif why:
            skipped.append(f"{saved.folder}: left, {why}")
    return removed


def made_by_verbatim(folder: Path) -> str | None:
    """Why ``folder`` is not a corpus folder Verbatim made, or None: it holds only what
    Verbatim writes there, and its lock, pointer or sharded index."""
    try:
        names = os.listdir(folder)
    except OSError as error:
        return f"it cannot be read ({error.strerror or error})"
    if not _MARKERS.intersection(names):
        return "it holds no index of Verbatim's"
    others = [name for name in names if not _OWN_ENTRY.fullmatch(name)]
    if others:
        return f"it holds files Verbatim did not make ({others[0]!r})"
    return None


@contextlib.contextmanager
def _held_now(lock: Path):
    """Hold ``lock`` (an existing lock file, never made here) for the block; raise
    BlockingIOError at once when another process holds it."""
    try:
        fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW)
    except FileNotFoundError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


def _remove_if_stale(folder: Path) -> str | None:
    """Remove the stale index folder while holding its locks (the one index's and the
    sharded index's): None when removed, "" when it is no longer stale, else why it was
    left."""
    try:
        with _held_now(folder / store.LOCK), _held_now(folder / SHARDED / store.LOCK):
            if not stale(_describe(folder)) or made_by_verbatim(folder) is not None:
                return ""
            for entry in os.scandir(folder):
                if entry.name == store.LOCK:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            # Still held: unlinked under the lock, so a build that opens it now makes a new one.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / store.LOCK)
    except BlockingIOError:
        return "in use by another process"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "its lock is a symbolic link"
        raise
    folder.rmdir()
    return None
