"""The saved indexes in an index folder: what each holds, and removing those whose corpus is gone."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from verbatim.retrieval.index import store

# Only folders named as corpus_key names them (a choice of files adds its key) are ever
# considered: anything else in the index folder is not Verbatim's to read or remove.
_KEY = re.compile(rf"[A-Za-z0-9._-]+-[0-9a-f]{{16}}(?:-[0-9a-f]{{{store.CHOICE_KEY_CHARS}}})?")


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


def _describe(folder: Path) -> SavedIndex:
    size = _folder_size(folder)
    try:
        version = store.current_version(folder)
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8")) if version else None
    except (OSError, ValueError, store.IndexDamaged):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != store.FORMAT:
        return SavedIndex(folder, None, folder.name, 0, 0, size, None, False)
    root = str(manifest.get("root", ""))
    # The manifest must belong to this folder; a foreign or edited one is not trusted.
    if not root or not store.is_corpus_key(folder.name, root):
        return SavedIndex(folder, None, folder.name, 0, 0, size, None, False)
    articles = manifest.get("articles")
    return SavedIndex(
        folder, root, str(manifest.get("name") or folder.name),
        len(articles) if isinstance(articles, list) else 0,
        int(manifest.get("units") or 0), size,
        float(manifest["created"]) if isinstance(manifest.get("created"), (int, float)) else None,
        os.path.exists(root),
    )


def saved_indexes(index_dir: str | os.PathLike[str] | None = None) -> list[SavedIndex]:
    """Every saved index under ``index_dir`` (the cache directory by default), by corpus name."""
    base = Path(index_dir).expanduser() if index_dir else store.cache_home()
    try:
        folders = [entry for entry in base.iterdir()
                   if _KEY.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted((_describe(folder) for folder in folders), key=lambda s: (s.name.lower(), str(s.folder)))


def stale(saved: SavedIndex) -> bool:
    """An index nobody can use again: its corpus is gone, or it holds no readable index."""
    return not saved.usable or not saved.corpus_exists


def prune(index_dir: str | os.PathLike[str] | None = None) -> list[SavedIndex]:
    """Delete every stale index under ``index_dir`` and return what was deleted. Each is
    looked at again under its build lock, so an index being built is never removed."""
    removed = []
    for saved in saved_indexes(index_dir):
        if stale(saved) and _remove_if_stale(saved.folder):
            removed.append(saved)
    return removed


def _remove_if_stale(folder: Path) -> bool:
    with store.locked(folder):
        if not stale(_describe(folder)):
            return False
        for entry in folder.iterdir():
            if entry.name == store.LOCK:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    (folder / store.LOCK).unlink(missing_ok=True)
    folder.rmdir()
    return True
