"""Read a file or a folder of articles, skipping what cannot be used with a warning."""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from verbatim.corpus.article import Article, make_article
from verbatim.corpus.formats import MAX_PACKED_BYTES, SUFFIXES, Unreadable, extract, packed_format
from verbatim.corpus.select import Selection

# Enough to tell text from binary: text files do not hold NUL bytes (UTF-16 aside).
SNIFF_BYTES = 8192
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Limits, documented in the README. A long book is a few megabytes of text; a bigger file
# is a dump or a log, and reading it whole would hold that much memory in one reader.
MAX_FILE_BYTES = 32 * 2**20
# More files than this is a disk, not a library: the walk stops rather than index it all.
MAX_FILES = 100_000
# A folder holding a file of this name that begins with this line is a cache (the Cache
# Directory Tagging Specification, which Verbatim's index folders follow): never read as
# articles, so an index folder inside the corpus does not index itself.
CACHEDIR_TAG = "CACHEDIR.TAG"
CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"


class CorpusError(Exception):
    """The corpus cannot be used at all: a missing path, or nothing readable in it."""


def corpus_listing(root: Path, follow_links: bool = False, selection: Selection | None = None,
                   other_types: dict[str, int] | None = None,
                   max_files: int | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """(path, id) of every article file under ``root`` that ``selection`` (by default the
    folder's .verbatimignore) keeps, sorted by id, and a warning for every folder that could
    not be read, every symbolic link left out and every link that loops back; ``other_types``
    counts the files skipped by type (by suffix). Links that lead outside ``root`` are left
    out unless ``follow_links`` (as ``rg -L``); links into system folders (/proc, /sys, /dev)
    always are; no folder is walked twice. More than ``max_files`` (MAX_FILES, one index's
    worth, when None) is refused. Plain strings: a saved index checks tens of
    thousands of files at every start, and this walk is most of that time."""
    if root.is_file():
        return [(str(root), root.name)], []
    found: list[tuple[str, str]] = []
    other_types = {} if other_types is None else other_types
    warnings: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    base = str(root)
    real_root = os.path.realpath(base)
    pending = [(base, "")]  # (folder, its id prefix), walked depth first in name order
    while pending:
        dirpath, prefix = pending.pop()
        try:
            folder = os.stat(dirpath)
            key = (folder.st_dev, folder.st_ino)
            if key in seen_dirs:
                warnings.append(f"{dirpath}: skipped, a symbolic link loops back to a folder already read")
                continue
            seen_dirs.add(key)
            with os.scandir(dirpath) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            warnings.append(f"{dirpath}: folder skipped, cannot be read ({error.strerror or error})")
            continue
        if prefix and any(e.name == CACHEDIR_TAG and e.is_file(follow_symlinks=False) for e in entries) and is_cache(dirpath):
            warnings.append(f"{dirpath}: folder skipped, a cache (it holds {CACHEDIR_TAG}), such as a saved index")
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()  # through a link, what it leads to
            except OSError:
                is_link, is_dir = False, False
            article = not is_dir and name.lower().endswith(SUFFIXES)
            if not (is_dir or article):
                kind = os.path.splitext(name)[1].lower() or "no suffix"
                other_types[kind] = other_types.get(kind, 0) + 1
                continue
            if is_link:
                try:
                    refused = _refused_link(entry.path, real_root, follow_links)
                except OSError as error:  # the link changed while it was looked at
                    refused = f"cannot be read ({error.strerror or error})"
                if refused:
                    warnings.append(f"{entry.path}: skipped, {refused}")
                    continue
            if is_dir:
                subfolders.append((entry.path, f"{prefix}{name}/"))
            else:
                found.append((entry.path, prefix + name))
        pending.extend(reversed(subfolders))
        most = MAX_FILES if max_files is None else max_files
        if len(found) > most:
            raise CorpusError(f"{root}: more than {most:,} article files; Verbatim reads at most {most:,} "
                              f"(point --corpus at a smaller folder, or shard it: --index --shards N holds "
                              f"{MAX_FILES:,} files a shard)")
    found.sort(key=lambda item: item[1])
    selection = selection or Selection.of(root)
    return selection.apply(found), warnings + selection.warnings(root)


def is_cache(folder: str) -> bool:
    """Whether ``folder`` is tagged as a cache: its CACHEDIR.TAG begins with the signature."""
    try:
        with open(os.open(os.path.join(folder, CACHEDIR_TAG), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK),
                  "rb") as tag:
            return tag.read(len(CACHEDIR_SIGNATURE)) == CACHEDIR_SIGNATURE
    except OSError:
        return False


# Where files are made by the system, not written: reading them is never what a corpus means,
# and some (/proc/self/environ) hold secrets or change at every read.
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _refused_link(link: str, real_root: str, follow_links: bool) -> str | None:
    """Why the walk leaves out the symbolic link at ``link`` (or a path through one), or
    None to follow it."""
    target = os.path.realpath(link)
    if any(_inside(target, system) for system in SYSTEM_FOLDERS):
        return f"a symbolic link to a system file ({target})"
    if not follow_links and not _inside(target, real_root):
        return f"a symbolic link leading outside the corpus folder (to {target}); --follow-links reads it"
    return None


def decode(raw: bytes) -> tuple[str, bool]:
    """Text of a file's bytes, and whether undecodable bytes had to be replaced. UTF-8
    (a byte-order mark kept, as the first character, so offsets are the text's as any UTF-8
    reader sees it), or UTF-16 when its byte-order mark says so (what Windows tools often
    save; the mark is not text in UTF-16); bytes that are not UTF-8 are the legacy encoding
    of Western Windows and Unix text, Windows-1252 (a superset of Latin-1's printable
    characters), or Latin-1 itself when the five bytes Windows-1252 leaves undefined occur."""
    utf16 = raw[:2] in _UTF16_BOMS
    try:
        text, replaced = raw.decode("utf-16" if utf16 else "utf-8"), False
    except UnicodeDecodeError:
        if utf16:
            text, replaced = raw.decode("utf-16", errors="replace"), True
        else:
            try:
                text, replaced = raw.decode("cp1252"), False
            except UnicodeDecodeError:
                text, replaced = raw.decode("latin-1"), False
    return text.replace("\r\n", "\n").replace("\r", "\n"), replaced


def read_text(path: Path, inside: str | None = None) -> tuple[str | None, str | None]:
    """(text, None) for a usable file, (None, reason) for one to skip, text with a warning
    when bytes had to be replaced; ``inside`` as :func:`open_inside` has it."""
    text, note, _ = read_file(path, inside)
    return text, note


def content_digest(raw: bytes) -> str:
    """What a file's bytes are, in a few characters: two files with one digest hold the same
    bytes (SHA-256)."""
    return hashlib.sha256(raw).hexdigest()


# Called with a file's path just before it is opened; None but in tests, which change the
# file there to show that what the walk checked is not trusted at the open.
before_open: Callable[[str], None] | None = None


class OutsideFolder(OSError):
    """The file opened is not the one the folder holds: a link out, swapped in since the
    walk looked at it, or a system file."""


class NotRegularFile(OSError):
    """A device, pipe, socket or folder where a file was expected: never read."""


def open_inside(path: str | os.PathLike[str], inside: str | None) -> int:
    """A descriptor of the regular file at ``path``, opened for reading and then checked
    for what it is, not for what its path was a moment before: a regular file, in the
    real folder ``inside`` (anywhere but a system folder when None), so a link swapped in
    after the walk's check is refused. Raises OSError (OutsideFolder for a file out)."""
    if before_open is not None:
        before_open(os.fspath(path))
    # Without blocking, in case it became a named pipe since: it would wait for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file")
        where = opened_path(fd, path)
        if any(_inside(where, system) for system in SYSTEM_FOLDERS):
            raise OutsideFolder(errno.EACCES, f"a link to a system file ({where})")
        if inside is not None and not _inside(where, inside):
            raise OutsideFolder(errno.EACCES, f"a link leading outside the corpus folder (to {where}); "
                                "--follow-links reads it")
    except BaseException:
        os.close(fd)
        raise
    return fd


def opened_path(fd: int, path: str | os.PathLike[str]) -> str:
    """Where the file open as ``fd`` is, as the system sees it now (Linux's /proc/self/fd).
    Elsewhere: its real path, accepted only when the file there is the one open."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        pass
    where = os.path.realpath(path)
    opened, there = os.fstat(fd), os.stat(where, follow_symlinks=False)
    if (opened.st_dev, opened.st_ino) != (there.st_dev, there.st_ino):
        raise OutsideFolder(errno.EAGAIN, "it changed while it was opened")
    return where


def read_file(path: Path, inside: str | None) -> tuple[str | None, str | None, str]:
    """Like :func:`read_text`, with the digest of the bytes read (empty when none were);
    ``inside`` as :func:`open_inside` has it. A file of an extracted format (PDF, EPUB,
    Word, OpenDocument, a compressed manual page) is read up to MAX_PACKED_BYTES and its
    text is what its extractor makes of the bytes, bounded by pages and characters rather
    than by the file's size."""
    packed = packed_format(path.name)
    most = MAX_FILE_BYTES if packed is None else MAX_PACKED_BYTES
    try:
        # Devices, pipes and sockets are never opened: opening some has effects of its own.
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None, "skipped, not a regular file", ""
        with open(open_inside(path, inside), "rb") as handle:
            # No more than the file holds is asked for: read(n) sets n bytes aside first, and
            # the most a packed file may be is more than a reading process's memory budget.
            raw = handle.read(min(most, os.fstat(handle.fileno()).st_size) + 1)
    except NotRegularFile:
        return None, "skipped, not a regular file", ""
    except OutsideFolder as error:
        return None, f"skipped, {error.strerror}", ""
    except OSError as error:
        return None, f"skipped, cannot be read ({error.strerror or error})", ""
    if len(raw) > most:
        limit = f"{most // 2**20} MB" if most >= 2**20 else f"{most:,} bytes"
        return None, f"skipped, larger than {limit} (the most read from one file)", ""
    digest = content_digest(raw)
    if packed is not None:
        try:
            text, notes = extract(packed, raw)
        except Unreadable as error:
            return None, str(error), digest
        except Exception as error:  # a file its library cannot take: this file is skipped, not the folder
            return None, f"skipped, cannot be read as {packed} ({type(error).__name__}: {error})", digest
        return text, "; ".join(notes) or None, digest
    if b"\x00" in raw[:SNIFF_BYTES] and raw[:2] not in _UTF16_BOMS:
        return None, "skipped, binary file", digest
    text, replaced = decode(raw)
    if not text.strip():
        return None, "skipped, empty", digest
    return text, ("undecodable bytes replaced (not UTF-8)" if replaced else None), digest


def relative_id(file: Path, root: Path) -> str:
    """A file's id in its corpus: its path relative to the folder (its name for a file)."""
    return file.name if root.is_file() else file.relative_to(root).as_posix()


def corpus_boundary(root: Path, follow_links: bool) -> str | None:
    """The real folder every file read from the corpus at ``root`` must be in (the file
    itself for a one-file corpus), or None when links leading out are followed."""
    return None if follow_links else os.path.realpath(root)


def read_article(file: Path, root: Path, meta: dict | None = None,
                 follow_links: bool = False) -> tuple[Article | None, list[str]]:
    """One file as an article, or None and why not; warnings for what was repaired. The
    file must be in ``root`` when it is opened, unless ``follow_links``."""
    text, note, digest = read_file(file, corpus_boundary(root, follow_links))
    if text is None:
        return None, [f"{file}: {note}"]
    warnings = [f"{file}: {note}"] if note else []
    meta = meta or {}
    try:
        where = str(file.resolve())
    except OSError:  # a link on its way changing while it is resolved
        where = str(file.absolute())
    article = make_article(
        meta.get("id", relative_id(file, root)),
        where,
        text,
        meta.get("title"),
        source=meta.get("source"),
        date=meta.get("date"),
        authors=meta.get("authors"),
        fallback_title=file.stem,
    )
    article.digest = digest
    if not article.units:
        return None, [f"{file}: skipped, no text to read"]
    return article, warnings


def article_of_file(task: tuple[str, str, dict | None, bool]) -> tuple[Article | None, list[str]]:
    """:func:`read_article` of one task (file, root, metadata, follow_links): what a reading
    process runs for the chat's reading pane."""
    file, root, meta, follow_links = task
    return read_article(Path(file), Path(root), meta, follow_links)


@dataclass(slots=True)
class FileNow:
    """A file as it is now: its text (None when it cannot be read), the digest of its
    bytes, and, split on first use, the article the index would read from it."""

    path: str
    text: str | None
    digest: str
    _article: list[Article | None] = field(default_factory=list)  # empty until split, then the one article

    @property
    def article(self) -> Article | None:
        """The file as the index reads it, its units split anew (NLTK's Punkt): what an
        answer's sentence and offsets are checked against when the file changed."""
        if not self._article:
            self._article.append(None if self.text is None else make_article("", self.path, self.text, None))
        return self._article[0]


# Files a conversation quotes again and again are read once while they stay as they were.
FILES_NOW_KEPT = 64
_files_now: dict[tuple, FileNow] = {}
_files_now_lock = threading.Lock()  # the chat may check quotes from more than one thread


def file_now(file: Path, inside: str | None) -> FileNow:
    """The file read now, or as it was read before in this process when its status says it
    is the same file unchanged since: same device, inode, size, modification time and
    status change time (which no program sets back, unlike the modification time).
    ``inside`` as :func:`open_inside` has it; a file that cannot be read is not kept."""
    try:
        status = os.stat(file)
        key: tuple | None = (str(file), status.st_dev, status.st_ino, status.st_size,
                             status.st_mtime_ns, status.st_ctime_ns)
    except OSError:
        key = None
    known = _files_now.get(key) if key is not None else None
    if known is not None:
        return known
    text, _, digest = read_file(file, inside)
    now = FileNow(str(file), text, digest)
    if key is not None and text is not None:
        with _files_now_lock:
            _files_now[key] = now
            while len(_files_now) > FILES_NOW_KEPT:
                del _files_now[next(iter(_files_now))]
    return now


def article_of_text(task: tuple[str, str | None]) -> Article | None:
    """The article the index would read from ``text`` (the file at ``path`` as read), or None
    for a file that could not be read: what a reading process runs for the quote check."""
    path, text = task
    return None if text is None else make_article("", path, text, None)


def corpus_file(root: Path, rel: str, follow_links: bool = False) -> Path | None:
    """The file of the corpus whose id is ``rel``, or None when that id cannot name one of
    its files (an id from a damaged index: absolute, climbing out, or a link out)."""
    if root.is_file():
        return root if rel == root.name else None
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    path = root.joinpath(*parts)
    try:
        if _refused_link(str(path), os.path.realpath(root), follow_links):
            return None
    except OSError:  # a link changing while it is looked at
        return None
    return path


def corpus_root(path: str | os.PathLike[str]) -> Path:
    """The corpus path, checked to exist."""
    root = Path(path).expanduser()
    if not root.exists():
        raise CorpusError(f"{root}: no such file or folder")
    return root


def corpus_name(root: Path) -> str:
    return root.stem if root.is_file() else root.resolve().name


def no_text_message(root: Path, skipped: Iterable[str] = (), other_types: Mapping[str, int] | None = None) -> str:
    """The one line saying a corpus has no text to read, with how many files were skipped
    for each reason (``skipped``: the warnings of the files left out, "FILE: skipped, WHY")
    and how many are of types Verbatim does not read (``other_types``, by suffix)."""
    kinds = "/".join(s.lstrip(".") for s in (".txt", ".md", ".rst", ".html", ".pdf", ".epub", ".docx", ".odt"))
    reasons: Counter[str] = Counter()
    for warning in skipped:
        _, cut, why = warning.rpartition(": skipped, ")
        if cut:  # the reason without its details: "cannot be read (Permission denied)" is "cannot be read"
            reasons[why.split(" (")[0].split(";")[0].strip()] += 1
    parts = [f"{why}: {count}" for why, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))]
    others = sum((other_types or {}).values())
    if others:
        suffixes = ", ".join(sorted(other_types or {}))
        parts.append(f"not a format Verbatim reads ({suffixes}): {others}")
    total = sum(reasons.values()) + others
    if not total:
        return f"{root}: no readable text ({kinds}) found"
    return (f"{root}: no readable text ({kinds}) found; {total} {'file' if total == 1 else 'files'} "
            f"skipped ({'; '.join(parts)})")
