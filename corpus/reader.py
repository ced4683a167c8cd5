"""Read a file or a folder of articles, skipping what cannot be used with a warning."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.article import Article, make_article

SUFFIXES = (".txt", ".md")
# Enough to tell text from binary: text files do not hold NUL bytes.
SNIFF_BYTES = 8192


class CorpusError(Exception):
    """The corpus cannot be used at all: a missing path, or nothing readable in it."""


@dataclass(slots=True)
class Corpus:
    """The articles read from one path, and one line for every file left out."""

    name: str
    root: str
    articles: list[Article]
    warnings: list[str] = field(default_factory=list)


def corpus_files(root: Path) -> tuple[list[Path], list[str]]:
    """Every article file under ``root`` in a stable order, and warnings for loops."""
    if root.is_file():
        return [root], []
    found: list[Path] = []
    warnings: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        stat = os.stat(dirpath)
        key = (stat.st_dev, stat.st_ino)
        if key in seen_dirs:
            warnings.append(f"{dirpath}: skipped, a symbolic link loops back to a folder already read")
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                found.append(Path(dirpath) / name)
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    return found, warnings


def decode(raw: bytes) -> tuple[str, bool]:
    """Text of a file's bytes, and whether undecodable bytes had to be replaced."""
    try:
        text, replaced = raw.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        text, replaced = raw.decode("utf-8", errors="replace"), True
    return text.replace("\r\n", "\n").replace("\r", "\n"), replaced


def read_text(path: Path) -> tuple[str | None, str | None]:
    """(text, None) for a usable file, (None, reason) for one to skip, text with a warning
    when bytes had to be replaced."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, f"skipped, cannot be read ({error.strerror or error})"
    if b"\x00" in raw[:SNIFF_BYTES]:
        return None, "skipped, binary file"
    text, replaced = decode(raw)
    if not text.strip():
        return None, "skipped, empty"
    return text, ("undecodable bytes replaced (not UTF-8)" if replaced else None)


Progress = Callable[[int, int], None]


def read_corpus(
    path: str | os.PathLike[str],
    catalog: dict[str, dict] | None = None,
    progress: Progress | None = None,
) -> Corpus:
    """Read a folder (recursively, .txt and .md) or a single file into articles.

    ``catalog`` maps a file's path relative to the folder to metadata that replaces what
    would be guessed from the text (id, title, source, date, authors). ``progress`` is
    called with (files done, files in all) after each file.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise CorpusError(f"{root}: no such file or folder")
    files, warnings = corpus_files(root)
    articles: list[Article] = []
    for done, file in enumerate(files, start=1):
        if progress is not None:
            progress(done - 1, len(files))
        relative = file.name if root.is_file() else file.relative_to(root).as_posix()
        text, note = read_text(file)
        if text is None:
            warnings.append(f"{file}: {note}")
            continue
        if note:
            warnings.append(f"{file}: {note}")
        meta = (catalog or {}).get(relative, {})
        articles.append(
            make_article(
                meta.get("id", relative),
                str(file.resolve()),
                text,
                meta.get("title"),
                source=meta.get("source"),
                date=meta.get("date"),
                authors=meta.get("authors"),
                fallback_title=file.stem,
            )
        )
    if progress is not None:
        progress(len(files), len(files))
    if not articles:
        kinds = "/".join(s.lstrip(".") for s in SUFFIXES)
        raise CorpusError(f"{root}: no readable text ({kinds}) found")
    name = root.stem if root.is_file() else root.resolve().name
    return Corpus(name=name, root=str(root.resolve()), articles=articles, warnings=warnings)
