"""Read a file or a folder of articles, skipping what cannot be used with a warning."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from corpus.article import Article, make_article
from corpus.formats import SUFFIXES
from corpus.select import Selection
# Enough to tell text from binary: text files do not hold NUL bytes (UTF-16 aside).
SNIFF_BYTES = 8192
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Limits, documented in the README. A long book is a few megabytes of text; a bigger file
# is a dump or a log, and reading it whole would hold that much memory in one reader.
MAX_FILE_BYTES = 32 * 2**20
# More files than this is a disk, not a library: the walk stops rather than index it all.
MAX_FILES = 100_000


class CorpusError(Exception):
    """The corpus cannot be used at all: a missing path, or nothing readable in it."""


def corpus_listing(root: Path, selection: Selection | None = None, other_types: dict[str, int] | None = None
                   ) -> tuple[list[tuple[str, str]], list[str]]:
    """(path, id) of every article file under ``root`` that ``selection`` (by default the
    folder's .verbatimignore) keeps, sorted by id, and a warning for every symbolic link
    that loops back; ``other_types`` counts the files skipped by type (by suffix). Plain
    strings: a saved index checks tens of thousands of files at every start, and this walk
    is most of that time."""
    if root.is_file():
        return [(str(root), root.name)], []
    found: list[tuple[str, str]] = []
    other_types = {} if other_types is None else other_types
    warnings: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    base = str(root)
    for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
        folder = os.stat(dirpath)
        key = (folder.st_dev, folder.st_ino)
        if key in seen_dirs:
            warnings.append(f"{dirpath}: skipped, a symbolic link loops back to a folder already read")
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        prefix = os.path.relpath(dirpath, base).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                found.append((os.path.join(dirpath, name), prefix + name))
            elif not name.startswith("."):
                kind = os.path.splitext(name)[1].lower() or "no suffix"
                other_types[kind] = other_types.get(kind, 0) + 1
        if len(found) > MAX_FILES:
            raise CorpusError(f"{root}: more than {MAX_FILES:,} article files; Verbatim reads at most "
                              f"{MAX_FILES:,} (point --corpus at a smaller folder)")
    found.sort(key=lambda item: item[1])
    return (selection or Selection.of(root)).apply(found), warnings


def decode(raw: bytes) -> tuple[str, bool]:
    """Text of a file's bytes, and whether undecodable bytes had to be replaced. UTF-8
    (with or without a byte-order mark), or UTF-16 when its byte-order mark says so (what
    Windows tools often save)."""
    encoding = "utf-16" if raw[:2] in _UTF16_BOMS else "utf-8-sig"
    try:
        text, replaced = raw.decode(encoding), False
    except UnicodeDecodeError:
        text, replaced = raw.decode(encoding, errors="replace"), True
    return text.replace("\r\n", "\n").replace("\r", "\n"), replaced


def read_text(path: Path) -> tuple[str | None, str | None]:
    """(text, None) for a usable file, (None, reason) for one to skip, text with a warning
    when bytes had to be replaced."""
    try:
        # Without blocking: opening a named pipe would otherwise wait for a writer forever.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None, "skipped, not a regular file"
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, f"skipped, cannot be read ({error.strerror or error})"
    if len(raw) > MAX_FILE_BYTES:
        limit = f"{MAX_FILE_BYTES // 2**20} MB" if MAX_FILE_BYTES >= 2**20 else f"{MAX_FILE_BYTES:,} bytes"
        return None, f"skipped, larger than {limit} (the most read from one file)"
    if b"\x00" in raw[:SNIFF_BYTES] and raw[:2] not in _UTF16_BOMS:
        return None, "skipped, binary file"
    text, replaced = decode(raw)
    if not text.strip():
        return None, "skipped, empty"
    return text, ("undecodable bytes replaced (not UTF-8)" if replaced else None)


def relative_id(file: Path, root: Path) -> str:
    """A file's id in its corpus: its path relative to the folder (its name for a file)."""
    return file.name if root.is_file() else file.relative_to(root).as_posix()


def read_article(file: Path, root: Path, meta: dict | None = None) -> tuple[Article | None, list[str]]:
    """One file as an article, or None and why not; warnings for what was repaired."""
    text, note = read_text(file)
    if text is None:
        return None, [f"{file}: {note}"]
    warnings = [f"{file}: {note}"] if note else []
    meta = meta or {}
    article = make_article(
        meta.get("id", relative_id(file, root)),
        str(file.resolve()),
        text,
        meta.get("title"),
        source=meta.get("source"),
        date=meta.get("date"),
        authors=meta.get("authors"),
        fallback_title=file.stem,
    )
    if not article.units:
        return None, [f"{file}: skipped, no text to read"]
    return article, warnings


def corpus_root(path: str | os.PathLike[str]) -> Path:
    """The corpus path, checked to exist."""
    root = Path(path).expanduser()
    if not root.exists():
        raise CorpusError(f"{root}: no such file or folder")
    return root


def corpus_name(root: Path) -> str:
    return root.stem if root.is_file() else root.resolve().name


def no_text_message(root: Path) -> str:
    kinds = "/".join(s.lstrip(".") for s in (".txt", ".md", ".rst", ".html"))
    return f"{root}: no readable text ({kinds}) found"
