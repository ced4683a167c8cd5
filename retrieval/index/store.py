"""Save and load an index: NumPy arrays (never pickled) and JSON, written atomically, checked.

One folder per corpus under the cache directory. Each save writes a complete new version
folder, then switches a one-line pointer file to it with an atomic rename, so a reader sees
the old index or the new one, never half of one. Builds hold a lock, so two processes
indexing the same corpus take turns; the second finds the index fresh and just loads it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import mmap
import os
import re
import shutil
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import numpy as np
from annotated_types import Len
from typing_extensions import TypedDict

from verbatim import places
from verbatim.corpus.reader import CACHEDIR_SIGNATURE
from verbatim.corpus.select import CHOICE_KEY_CHARS

# The checks of a folder of one's own are in places (the log, state and configuration
# folders have them too); callers of the index know them from here.
from verbatim.places import PRIVATE_FILE, xdg_home
from verbatim.places import UntrustedFolder as UntrustedFolder
from verbatim.places import untrusted as untrusted
from verbatim.retrieval.index.analysis import OtherAnalysis, analyzer_record, saved_analyzer
from verbatim.retrieval.index.sentence_index import ArticleInfo, IndexData
from verbatim.retrieval.index.terms import Analyzer

FORMAT = "verbatim-index"
# 6: each file's content digest (the quote check) and the stems memo (stems.txt).
# 7: PDF, EPUB, Word and OpenDocument files read, each article's pages or chapters (parts).
VERSION = 7
POINTER = "current"
LOCK = "lock"
# The Cache Directory Tagging Specification (bford.info/cachedir): a folder holding this file,
# beginning with this line, is a cache.
CACHE_TAG = "CACHEDIR.TAG"
CACHE_TAG_SIGNATURE = CACHEDIR_SIGNATURE
ARRAYS = {
    "unit_article": np.int32, "unit_start": np.int32, "unit_end": np.int32,
    "unit_paragraph": np.int32, "unit_sentence": np.int32, "unit_kind": np.int8,
    "heading_of": np.int32, "unit_line": np.int32, "unit_level": np.int8, "text_ptr": np.int64, "term_ptr": np.int64, "term_ids": np.int32,
    "title_ptr": np.int64, "title_ids": np.int32,
    "post_ptr": np.int64, "post_unit": np.int32, "post_weight": np.float32,
}


# Files are made new (never through a link, never over a file someone else placed), and
# folders private to their owner: an index folder is only ever written by the user it is for.
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
# How long a build waits for another process's lock before working without saving: long
# enough for another process to finish indexing a large folder, short enough that a lock
# held forever (by another user, or a stopped process) does not hang the command.
LOCK_WAIT_SECONDS = 60.0
LOCK_POLL_SECONDS = 0.1


class LockTimeout(OSError):
    """Another process held the index lock for longer than the wait allows."""


class IndexDamaged(Exception):
    """A saved index that cannot be trusted or used: truncated, altered, foreign, too new,
    or made by another analysis chain."""


def cache_home() -> Path:
    """Where indexes live: $XDG_CACHE_HOME/verbatim, else ~/.cache/verbatim. A relative
    $XDG_CACHE_HOME is ignored, as the XDG specification says."""
    return xdg_home("XDG_CACHE_HOME", ".cache") / "verbatim"


def corpus_key(root: str, choice: str = "") -> str:
    """The folder name for a corpus: readable, and unique to its absolute path and to the
    choice of its files it is read with (``choice``: Selection.choice_key, empty for all)."""
    resolved = str(Path(root).resolve())
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(resolved).name or "corpus").strip("-")[:40] or "corpus"
    # os.fsencode: a name that is not UTF-8 hashes by its bytes, as the system stores it.
    key = f"{slug}-{hashlib.sha256(os.fsencode(resolved)).hexdigest()[:16]}"
    return f"{key}-{choice}" if choice else key


def is_corpus_key(name: str, root: str) -> bool:
    """Whether ``name`` is the folder name of the corpus at ``root``, read with some choice
    of its files or all of them."""
    key = corpus_key(root)
    choice = name[len(key) + 1:]
    return name == key or (name.startswith(key + "-") and len(choice) == CHOICE_KEY_CHARS
                           and all(c in "0123456789abcdef" for c in choice))


def corpus_folder(root: str, index_dir: str | os.PathLike[str] | None = None, choice: str = "") -> Path:
    """The folder of a corpus's saved index, under ``index_dir`` or the cache directory."""
    base = Path(index_dir).expanduser() if index_dir else cache_home()
    return base / corpus_key(root, choice)


# -- a folder of one's own ------------------------------------------------------------------
def check_folder(folder: Path) -> None:
    """Raise UntrustedFolder unless ``folder`` is missing or the user's own, private one."""
    places.check_folder(folder, "index folder")


def make_folder(folder: Path) -> None:
    """Make ``folder`` private to this user, or check the one that exists."""
    places.make_folder(folder, "index folder")


def _tag_as_cache(folder: Path) -> None:
    """Tag a corpus's index folder as a cache (CACHEDIR.TAG): a walk of a corpus that holds
    it, and backup tools, leave it out."""
    with contextlib.suppress(FileExistsError):
        _write(folder / CACHE_TAG, CACHE_TAG_SIGNATURE + b"\n# A saved index of Verbatim's; it can be removed.\n")


def _create(path: Path):
    """A new file opened for writing: never an existing file, never through a link."""
    return open(os.open(path, CREATE_FLAGS, PRIVATE_FILE), "wb")


# -- saving ---------------------------------------------------------------------------------
def save(data: IndexData, folder: Path) -> Path:
    """Write ``data`` as a new version in ``folder`` and make it current. Returns the
    version folder. The caller holds the lock."""
    make_folder(folder)
    _remove_leftover_pointers(folder)
    version = write_version(data, folder)
    try:
        switch(folder, version.name)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    _remove_old_versions(folder, keep=version.name)
    return version


def switch(folder: Path, name: str) -> None:
    """Point ``folder``'s pointer file at ``name``, atomically: readers see the old name or
    the new one."""
    pointer = folder / f".{POINTER}.{os.getpid()}"
    try:
        _write(pointer, (name + "\n").encode("ascii"))
        _fsync(pointer)
        os.replace(pointer, folder / POINTER)
    except BaseException:
        with contextlib.suppress(OSError):
            pointer.unlink()
        raise


def write_version(data: IndexData, folder: Path) -> Path:
    """Write ``data`` whole as a new version folder in ``folder`` (made private), without
    making it current. Returns the version folder."""
    make_folder(folder)
    staging = Path(tempfile.mkdtemp(prefix="v-", suffix=".partial", dir=folder))
    try:
        sizes = {}
        for name, dtype in ARRAYS.items():
            array = np.ascontiguousarray(getattr(data, name), dtype=dtype)
            with _create(staging / f"{name}.npy") as handle:
                # Through write() rather than numpy's own file path, so a full disk is the
                # system's "No space left on device", not a count of bytes written.
                np.lib.format.write_array(_Writer(handle), array, allow_pickle=False)
                sizes[f"{name}.npy"] = handle.tell()
        _write(staging / "text.bin", bytes(data.text))
        sizes["text.bin"] = len(data.text)
        vocab = json.dumps(data.vocab, ensure_ascii=False).encode("utf-8", "surrogatepass")
        _write(staging / "vocab.json", vocab)
        sizes["vocab.json"] = len(vocab)
        _write(staging / "stems.txt", bytes(data.stems))
        sizes["stems.txt"] = len(data.stems)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            **analyzer_record(data.analyzer),  # the analyzer's settings and their fingerprint
            "root": data.root,
            "name": data.name,
            "digest": data.digest,
            "created": time.time(),
            "units": data.size,
            "terms": len(data.vocab),
            "avgdl": data.avgdl,
            "sizes": sizes,
            "listing_warnings": data.listing_warnings,
            "notes": data.notes,
            "skipped": data.skipped,
            "articles": [a.record() for a in data.articles],
        }
        manifest["crc32"] = {"text.bin": zlib.crc32(data.text), "vocab.json": zlib.crc32(vocab),
                             "stems.txt": zlib.crc32(data.stems)}
        # ASCII JSON: names that are not UTF-8 (kept as lone surrogates) survive as \udcxx.
        _write(staging / "manifest.json", json.dumps(manifest, ensure_ascii=True).encode("ascii"))
        for file in staging.iterdir():
            _fsync(file)
        version = staging.with_name(staging.name.removesuffix(".partial"))
        staging.rename(version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return version


class _Writer:
    """A file seen by numpy as a plain stream, so it writes with write()."""

    def __init__(self, handle) -> None:
        self.write = handle.write


def _write(path: Path, content: bytes) -> None:
    with _create(path) as handle:
        handle.write(content)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _remove_leftover_pointers(folder: Path) -> None:
    """Pointer files of saves that stopped half way (a full disk, a kill): every save holds
    the lock, so under it any found belongs to no one."""
    for entry in os.scandir(folder):
        if entry.name.startswith(f".{POINTER}.") and not entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _remove_old_versions(folder: Path, keep: str) -> None:
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False) and entry.name.startswith("v-") and entry.name != keep:
            shutil.rmtree(entry.path, ignore_errors=True)


@contextlib.contextmanager
def locked(folder: Path, wait: float = LOCK_WAIT_SECONDS, waiting: Callable[[str], None] | None = None):
    """Hold the corpus folder's build lock, so builds take turns. When another process
    holds it, ``waiting`` hears so once, and after ``wait`` seconds LockTimeout is raised."""
    make_folder(folder)
    _tag_as_cache(folder)  # every build takes the lock: the folder is tagged before it is walked
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting(f"waiting for another process indexing this corpus to finish (at most "
                        f"{wait:.0f} s, then answering without saving; Ctrl-C stops)")
            deadline = time.monotonic() + wait
            while True:
                time.sleep(LOCK_POLL_SECONDS)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(errno.EAGAIN, f"another process held the lock of {folder} "
                                          f"for {wait:.0f} s") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# -- loading --------------------------------------------------------------------------------
def current_version(folder: Path) -> Path | None:
    """The version folder the pointer names, or None when nothing was saved yet."""
    try:
        name = (folder / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise IndexDamaged(f"unreadable pointer file ({error})") from None
    if not re.fullmatch(r"v-[A-Za-z0-9_.-]+", name):
        raise IndexDamaged("the pointer file does not name a version")
    return folder / name


def read_manifest(version: Path, root: str) -> dict:
    """A saved version's manifest, checked to be a Verbatim index of ``root`` made by
    these rules (its arrays are not looked at)."""
    try:
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexDamaged("its manifest is missing") from None
    except (OSError, ValueError) as error:
        raise IndexDamaged(f"its manifest cannot be read ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexDamaged("it is not a Verbatim index")
    if manifest.get("version") != VERSION:
        raise IndexDamaged(f"it was made by another version of Verbatim: index format {manifest.get('version')}, "
                           f"this one reads {VERSION}")
    if manifest.get("root") != str(Path(root).resolve()):
        raise IndexDamaged("it belongs to another corpus")
    analyzed_by(manifest)
    from pydantic import ValidationError

    try:
        _manifest_schema().validate_python(manifest, strict=True)  # every field strictly typed
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise IndexDamaged(f"its manifest's {where} is not what this program writes ({first['msg']})") from None
    return manifest


def analyzed_by(manifest: dict) -> Analyzer:
    """The Analyzer the manifest's saved settings name; IndexDamaged when this program does
    not run them (the index is then rebuilt, with one line saying why)."""
    try:
        return saved_analyzer(manifest)
    except OtherAnalysis as error:
        raise IndexDamaged(f"it was analysed by other rules ({error})") from None


class _ArticleRecord(TypedDict):
    """An article as ArticleInfo.record writes it in a manifest."""

    id: str
    title: str
    path: str
    source: str | None
    date: str | None
    authors: list[str]
    rel: str
    size: int
    mtime_ns: int
    first: int
    count: int
    format: str
    digest: str


class _Manifest(TypedDict):
    """A manifest as write_version writes it (format, version and analysis are checked
    before), every field strictly typed."""

    root: str
    name: str
    digest: str
    created: float
    units: int
    terms: int
    avgdl: float
    sizes: dict[str, int]
    listing_warnings: list[str]
    notes: dict[str, list[str]]
    skipped: dict[str, Annotated[list[int], Len(2, 2)]]
    articles: list[_ArticleRecord]
    crc32: dict[str, int]


@functools.cache
def _manifest_schema():
    """The manifest's checker: a manifest that differs from what this program writes in any
    field (a title that is a list, a size that is text) is a damaged index and rebuilt,
    never a question that fails when it cites that article."""
    from pydantic import TypeAdapter

    return TypeAdapter(_Manifest)


def load(version: Path, root: str) -> IndexData:
    """Load a saved version, checking it belongs to ``root`` and is whole."""
    manifest = read_manifest(version, root)
    try:
        sizes = manifest["sizes"]
        for file, size in sizes.items():
            actual = (version / file).stat().st_size
            if actual != size:
                raise IndexDamaged(f"{file} is {actual} bytes, not {size}")
        # Mapped, not read: loading costs what a question touches. As plain arrays over the
        # mapping, since indexing numpy's memmap subclass element by element is slow.
        arrays = {
            name: np.asarray(np.load(version / f"{name}.npy", mmap_mode="r", allow_pickle=False))
            for name in ARRAYS
        }
        vocab_bytes = (version / "vocab.json").read_bytes()
        text = _map(version / "text.bin")
        stems = _map(version / "stems.txt")
        # The quoted sentences and the words: a flipped byte here would change what is quoted.
        for file, content in (("text.bin", text), ("vocab.json", vocab_bytes), ("stems.txt", stems)):
            if zlib.crc32(content) != manifest["crc32"][file]:
                raise IndexDamaged(f"{file} does not match its checksum")
        vocab = json.loads(vocab_bytes.decode("utf-8"))
        articles = manifest_articles(manifest)
        data = IndexData(
            root=manifest["root"], name=manifest["name"], articles=articles, vocab=vocab, text=text,
            avgdl=float(manifest["avgdl"]), digest=manifest.get("digest", ""), stems=stems,
            analyzer=analyzed_by(manifest),
            listing_warnings=list(manifest.get("listing_warnings") or []),
            notes={k: list(v) for k, v in (manifest.get("notes") or {}).items()},
            skipped={k: tuple(v) for k, v in (manifest.get("skipped") or {}).items()},
            **arrays,
        )
        _check(data, manifest)
    except IndexDamaged:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise IndexDamaged(f"{type(error).__name__}: {error}") from None
    return data


def manifest_articles(manifest: dict) -> list[ArticleInfo]:
    """The articles a version's manifest lists."""
    return [ArticleInfo.from_record(a) for a in manifest["articles"]]


def _map(path: Path) -> mmap.mmap | bytes:
    """The file's bytes, mapped rather than read (empty files cannot be mapped)."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _check(data: IndexData, manifest: dict) -> None:
    """Shapes and pointers agree: a cheap guard against files swapped or cut short."""
    n, v = int(manifest["units"]), int(manifest["terms"])  # checked by the manifest's schema
    problems = []
    for name in ARRAYS:
        array = getattr(data, name)
        if array.dtype != ARRAYS[name] or array.ndim != 1:
            problems.append(f"{name} has the wrong type")
    for name in ("unit_article", "unit_start", "unit_end", "unit_paragraph", "unit_sentence",
                 "unit_kind", "heading_of", "unit_line", "unit_level"):
        if len(getattr(data, name)) != n:
            problems.append(f"{name} has {len(getattr(data, name))} entries, not {n}")
    if len(data.text_ptr) != n + 1 or int(data.text_ptr[-1]) != len(data.text):
        problems.append("the text pointers do not match the text")
    if len(data.term_ptr) != n + 1 or int(data.term_ptr[-1]) != len(data.term_ids):
        problems.append("the term pointers do not match the terms")
    if len(data.vocab) != v or len(data.post_ptr) != v + 1:
        problems.append("the vocabulary does not match the postings")
    elif int(data.post_ptr[-1]) != len(data.post_unit) or len(data.post_unit) != len(data.post_weight):
        problems.append("the postings are cut short")
    if sum(a.count for a in data.articles) != n:
        problems.append("the articles do not cover the units")
    if len(data.title_ptr) != len(data.articles) + 1 or int(data.title_ptr[-1]) != len(data.title_ids):
        problems.append("the title pointers do not match the titles")
    if not problems:
        problems = _value_problems(data)
    if problems:
        raise IndexDamaged(problems[0])


def _value_problems(data: IndexData) -> list[str]:
    """Every id points inside its table, pointers never go back, weights are numbers: what
    a question reads of the arrays cannot fail or mislead, whatever a damaged file holds."""
    n, v = data.size, len(data.vocab)
    bounds = {"post_unit": n, "term_ids": v, "title_ids": v, "unit_article": len(data.articles),
              "heading_of": n}
    problems = []
    for name, limit in bounds.items():
        array = getattr(data, name)
        low = -1 if name == "heading_of" else 0
        if len(array) and (int(array.min()) < low or int(array.max()) >= limit):
            problems.append(f"{name} points outside its table")
    for name in ("text_ptr", "term_ptr", "post_ptr", "title_ptr"):
        array = getattr(data, name)
        if len(array) and (int(array[0]) != 0 or bool((np.diff(array) < 0).any())):
            problems.append(f"{name} is not in order")
    if not bool(np.isfinite(data.post_weight).all()):
        problems.append("post_weight holds values that are not numbers")
    return problems


def disk_size(version: Path) -> int:
    return sum(f.stat().st_size for f in version.iterdir() if f.is_file())
