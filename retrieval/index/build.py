"""Build or refresh the index of a corpus, reading only the files that are new or changed."""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from array import array
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from verbatim.corpus import CorpusError, UnitKind
from verbatim.corpus.budget import Readers, worker_serial
from verbatim.corpus.reader import corpus_listing, corpus_name, corpus_root, no_text_message, read_article, relative_id
from verbatim.corpus.select import Selection
from verbatim.retrieval.index.bm25 import posting_weights
from verbatim.retrieval.index.sentence_index import ArticleInfo, IndexData, metadata
from verbatim.retrieval.index.terms import StemMemo, stems_in_process, stems_known, stems_since, terms

# The size and time recorded for a file that could not even be looked at.
UNREADABLE = (-1, -1)
# The most sentences one index holds, twice the size the benchmarks measure (about 1 GiB
# to build at a million); documented in the README.
MAX_SENTENCES = 2_000_000
# Below this many files to read, more reading processes cost more to start than they save
# (one reads them, within the budget).
PARALLEL_FROM_FILES = 64


@dataclass(frozen=True, slots=True)
class BuildProgress:
    """How far a build has come."""

    files_done: int
    files_total: int
    sentences: int
    elapsed: float


ProgressCallback = Callable[[BuildProgress], None]


@dataclass(slots=True)
class BuildReport:
    """What a build did."""

    files: int = 0
    read: int = 0
    reused: int = 0
    removed: int = 0
    skipped: int = 0
    sentences: int = 0
    seconds: float = 0.0
    other_types: dict[str, int] = field(default_factory=dict)  # files not read, by suffix


@dataclass(slots=True)
class _FileResult:
    """What the index keeps of one file, with term ids local to the process that read it."""

    rel: str
    size: int
    mtime_ns: int
    warnings: list[str]
    worker: int = 0
    info: dict | None = None
    units: int = 0
    text: bytes = b""  # the units' texts, UTF-8, one after the other
    text_lengths: array = field(default_factory=lambda: array("i"))
    starts: array = field(default_factory=lambda: array("i"))
    ends: array = field(default_factory=lambda: array("i"))
    paragraphs: array = field(default_factory=lambda: array("i"))
    sentences: array = field(default_factory=lambda: array("i"))
    kinds: array = field(default_factory=lambda: array("b"))
    headings: array = field(default_factory=lambda: array("i"))
    lines: array = field(default_factory=lambda: array("i"))
    levels: array = field(default_factory=lambda: array("b"))
    counts: array = field(default_factory=lambda: array("i"))
    term_ids: array = field(default_factory=lambda: array("i"))
    title_ids: array = field(default_factory=lambda: array("i"))
    new_terms: list[str] = field(default_factory=list)
    new_stems: list[tuple[str, str]] = field(default_factory=list)  # (word, stem) first met here
    form: str = ""  # the format the file was read as
    digest: str = ""  # of the file's bytes
    parts: tuple[tuple[int, str], ...] = ()  # where its pages or chapters begin (Article.parts)


class _LocalVocabulary:
    """Terms numbered as one reader meets them; the parent maps these numbers to the
    corpus-wide ones from the new terms each result reports."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []

    def id(self, term: str) -> int:
        t = self.ids.get(term)
        return self.add(term) if t is None else t

    def add(self, term: str) -> int:
        """Number a term not met before."""
        t = self.ids[term] = len(self.terms)
        self.terms.append(term)
        return t


_process_vocabulary = _LocalVocabulary()  # one per reading process


def _read_file(task: tuple[str, str, int, int, dict | None, bool],
               vocabulary: _LocalVocabulary | None = None) -> _FileResult:
    path, root, size, mtime_ns, meta, follow_links = task
    file, base = Path(path), Path(root)
    local = vocabulary or _process_vocabulary
    result = _FileResult(relative_id(file, base), size, mtime_ns, [], worker=worker_serial())
    known, stemmed = len(local.terms), stems_known()
    try:
        return _read_into(result, task, local, known, stemmed)
    except BaseException:  # terms numbered for a file given up on are never reported: forget them
        for term in local.terms[known:]:
            del local.ids[term]
        del local.terms[known:]
        raise


def _read_into(result: _FileResult, task: tuple[str, str, int, int, dict | None, bool], local: _LocalVocabulary,
               known: int, stemmed: int) -> _FileResult:
    path, root, size, mtime_ns, meta, follow_links = task
    file, base = Path(path), Path(root)
    local_ids = local.ids
    article, result.warnings = read_article(file, base, meta, follow_links)
    try:
        now = os.stat(path)
        changed = (now.st_size, now.st_mtime_ns) != (size, mtime_ns)
    except OSError:
        changed = True
    if changed and article is not None:  # the older stamp is kept, so the next run reads it again
        result.warnings.append(f"{path}: changed while it was being read; it will be read again next time")
    if article is None:  # one warning already says why
        return result
    result.info = metadata(article)
    result.form, result.digest, result.parts = article.format, article.digest, tuple(article.parts)
    result.title_ids.extend(local.id(term) for term in terms(article.title))
    heading = -1
    encoded = []
    for position, unit in enumerate(article.units):
        text = unit.text.encode("utf-8")
        encoded.append(text)
        result.text_lengths.append(len(text))
        result.starts.append(unit.start)
        result.ends.append(unit.end)
        result.paragraphs.append(unit.paragraph)
        result.sentences.append(unit.sentence)
        result.kinds.append(int(unit.kind))
        result.headings.append(heading)
        result.lines.append(unit.line)
        result.levels.append(min(unit.level, 127))
        if unit.kind is UnitKind.HEADING:
            heading = position
        found = terms(unit.text)
        result.counts.append(len(found))
        for term in found:  # every term of a million sentences: the lookup stays inline
            t = local_ids.get(term)
            result.term_ids.append(local.add(term) if t is None else t)
    result.text = b"".join(encoded)
    result.units = len(encoded)
    result.new_terms = local.terms[known:]
    result.new_stems = stems_since(stemmed)
    return result


# What a reading process runs for each file; a module attribute so that budget tests can
# run a reader that never ends.
READ_FILE = _read_file


def _skipped(task: tuple[str, str, int, int, dict | None, bool], why: str) -> _FileResult:
    """The result of a file not read within its budget: skipped, with one warning."""
    path, root, size, mtime_ns, _, _ = task
    return _FileResult(relative_id(Path(path), Path(root)), size, mtime_ns, [f"{path}: skipped, {why}"])


def _read_all(tasks: list[tuple], parallel: bool) -> Generator[_FileResult, None, None]:
    """Every task's file read, in order, each within its budget (corpus.budget) by reading
    processes: several when ``parallel``, else one."""
    if not tasks:
        return
    readers = Readers(max(1, min(os.cpu_count() or 1, 8)) if parallel else 1)
    with readers:
        if readers.in_process:  # no processes here: one vocabulary, this process's own
            yield from readers.map(functools.partial(READ_FILE, vocabulary=_LocalVocabulary()), tasks, _skipped)
        else:
            yield from readers.map(READ_FILE, tasks, _skipped)


@dataclass(slots=True)
class _Parts:
    """The pieces of the new index, file by file, before they are joined."""

    articles: list[ArticleInfo] = field(default_factory=list)
    arrays: dict[str, list[np.ndarray]] = field(default_factory=dict)
    texts: list[bytes] = field(default_factory=list)
    text_lengths: list[np.ndarray] = field(default_factory=list)
    vocab: dict[str, int] = field(default_factory=dict)
    vocab_list: list[str] = field(default_factory=list)
    units: int = 0

    def add(self, name: str, values: np.ndarray) -> None:
        self.arrays.setdefault(name, []).append(values)

    def global_ids(self, terms_: list[str]) -> np.ndarray:
        vocab, listing = self.vocab, self.vocab_list
        ids = np.empty(len(terms_), dtype=np.int64)
        for i, term in enumerate(terms_):
            t = vocab.get(term)
            if t is None:
                t = vocab[term] = len(listing)
                listing.append(term)
            ids[i] = t
        return ids


class _Mapping:
    """A reader's local term ids to corpus-wide ones, as a growing NumPy array."""

    def __init__(self) -> None:
        self.array = np.zeros(1024, dtype=np.int64)
        self.size = 0

    def extend(self, ids: np.ndarray) -> None:
        end = self.size + len(ids)
        if end > len(self.array):
            grown = np.zeros(max(end, 2 * len(self.array)), dtype=np.int64)
            grown[: self.size] = self.array[: self.size]
            self.array = grown
        self.array[self.size : end] = ids
        self.size = end


def _add_fresh(parts: _Parts, result: _FileResult, mapping: _Mapping) -> None:
    if result.info is None:
        return
    count = result.units
    parts.articles.append(ArticleInfo.of(result.info, result.rel, result.size, result.mtime_ns, parts.units, count,
                                         result.form, result.digest, result.parts))
    for name in ("starts", "ends", "paragraphs", "sentences", "kinds", "counts", "lines", "levels"):
        parts.add(name, np.frombuffer(getattr(result, name), dtype=getattr(result, name).typecode))
    headings = np.frombuffer(result.headings, dtype=np.int32).astype(np.int64)
    parts.add("headings", np.where(headings >= 0, headings + parts.units, -1))
    parts.add("term_ids", mapping.array[np.frombuffer(result.term_ids, dtype=np.int32)])
    parts.add("title_ids", mapping.array[np.frombuffer(result.title_ids, dtype=np.int32)])
    parts.add("title_counts", np.array([len(result.title_ids)], dtype=np.int64))
    parts.texts.append(result.text)
    parts.text_lengths.append(np.frombuffer(result.text_lengths, dtype=np.int32).astype(np.int64))
    parts.units += count


def _add_reused(parts: _Parts, old: IndexData, article: ArticleInfo, old_to_new: np.ndarray) -> None:
    first, count = article.first, article.count
    end = first + count
    parts.articles.append(dataclasses.replace(article, first=parts.units))
    parts.add("starts", np.asarray(old.unit_start[first:end]))
    parts.add("ends", np.asarray(old.unit_end[first:end]))
    parts.add("paragraphs", np.asarray(old.unit_paragraph[first:end]))
    parts.add("sentences", np.asarray(old.unit_sentence[first:end]))
    parts.add("kinds", np.asarray(old.unit_kind[first:end]))
    parts.add("lines", np.asarray(old.unit_line[first:end]))
    parts.add("levels", np.asarray(old.unit_level[first:end]))
    headings = np.asarray(old.heading_of[first:end]).astype(np.int64)
    parts.add("headings", np.where(headings >= 0, headings - first + parts.units, -1))
    a = old_index_of(old, article)
    title = old.title_ids[int(old.title_ptr[a]) : int(old.title_ptr[a + 1])]
    parts.add("title_ids", old_to_new[np.asarray(title)])
    parts.add("title_counts", np.array([len(title)], dtype=np.int64))
    t0, t1 = int(old.term_ptr[first]), int(old.term_ptr[end])
    parts.add("counts", np.diff(np.asarray(old.term_ptr[first : end + 1])))
    parts.add("term_ids", old_to_new[np.asarray(old.term_ids[t0:t1])])
    b0, b1 = int(old.text_ptr[first]), int(old.text_ptr[end])
    parts.texts.append(bytes(old.text[b0:b1]))
    parts.text_lengths.append(np.diff(np.asarray(old.text_ptr[first : end + 1])))
    parts.units += count


def old_index_of(old: IndexData, article: ArticleInfo) -> int:
    """Where ``article`` sits in the old index's article list (its units start there)."""
    return int(old.unit_article[article.first])


def _concat(chunks: list[np.ndarray] | None, dtype) -> np.ndarray:
    return np.concatenate(chunks).astype(dtype, copy=False) if chunks else np.zeros(0, dtype=dtype)


def postings(term_ids: np.ndarray, counts: np.ndarray, vocabulary: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Inverted index of units given as term ids (``counts[u]`` terms for unit ``u``, in
    order): (ptr, units, BM25 tf weights, avgdl). Every (term, unit) pair appears once,
    sorted by term then unit."""
    n = len(counts)
    post_term, post_unit, tf = term_frequencies(term_ids, counts)
    ptr = np.searchsorted(post_term, np.arange(vocabulary + 1, dtype=np.int64)).astype(np.int64)
    avgdl = float(counts.sum() / n) if n else 0.0
    weights = posting_weights(tf, np.asarray(counts)[post_unit], avgdl).astype(np.float32)
    return ptr, post_unit, weights, avgdl


def term_frequencies(term_ids: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term, unit, how often the term occurs in the unit) of every pair, sorted by term then
    unit: the postings' order."""
    n = len(counts)
    width = max(n, 1)
    unit_of = np.repeat(np.arange(n, dtype=np.int64), counts)
    pairs, tf = np.unique(np.asarray(term_ids, dtype=np.int64) * width + unit_of, return_counts=True)
    del unit_of
    post_term = pairs // width
    post_unit = (pairs - post_term * width).astype(np.int32)
    return post_term, post_unit, tf


def _finish(parts: _Parts, root: Path, digest: str) -> IndexData:
    """Join the pieces: sort the vocabulary, and derive the postings from the unit terms."""
    n = parts.units
    counts = _concat(parts.arrays.get("counts"), np.int64)
    term_ids = _concat(parts.arrays.get("term_ids"), np.int64)
    title_ids = _concat(parts.arrays.get("title_ids"), np.int64)
    title_counts = _concat(parts.arrays.get("title_counts"), np.int64)
    # Terms of removed files drop out; words found only in titles stay (with no postings).
    used = np.unique(np.concatenate([term_ids, title_ids]))
    listing = parts.vocab_list
    order = sorted(used.tolist(), key=listing.__getitem__)
    remap = np.full(len(listing), -1, dtype=np.int64)
    remap[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
    term_ids = remap[term_ids]
    title_ids = remap[title_ids]
    title_ptr = np.zeros(len(parts.articles) + 1, dtype=np.int64)
    np.cumsum(title_counts, out=title_ptr[1:])
    vocab = [listing[t] for t in order]
    term_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=term_ptr[1:])
    post_ptr, post_unit, weights, avgdl = postings(term_ids, counts, len(vocab))
    text_lengths = _concat(parts.text_lengths, np.int64)
    text_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(text_lengths, out=text_ptr[1:])
    unit_article = np.repeat(np.arange(len(parts.articles), dtype=np.int32),
                             [a.count for a in parts.articles]) if parts.articles else np.zeros(0, np.int32)
    return IndexData(
        root=str(root.resolve()),
        name=corpus_name(root),
        articles=parts.articles,
        vocab=vocab,
        unit_article=unit_article,
        unit_start=_concat(parts.arrays.get("starts"), np.int32),
        unit_end=_concat(parts.arrays.get("ends"), np.int32),
        unit_paragraph=_concat(parts.arrays.get("paragraphs"), np.int32),
        unit_sentence=_concat(parts.arrays.get("sentences"), np.int32),
        unit_kind=_concat(parts.arrays.get("kinds"), np.int8),
        heading_of=_concat(parts.arrays.get("headings"), np.int32),
        unit_line=_concat(parts.arrays.get("lines"), np.int32),
        unit_level=_concat(parts.arrays.get("levels"), np.int8),
        text_ptr=text_ptr,
        text=b"".join(parts.texts),
        term_ptr=term_ptr,
        term_ids=term_ids.astype(np.int32),
        title_ptr=title_ptr,
        title_ids=title_ids.astype(np.int32),
        post_ptr=post_ptr,
        post_unit=post_unit,
        post_weight=weights,
        avgdl=avgdl,
        digest=digest,
    )


def build(
    path: str | os.PathLike[str],
    *,
    catalog: dict[str, dict] | None = None,
    digest: str = "",
    previous: IndexData | None = None,
    progress: ProgressCallback | None = None,
    parallel: bool | None = None,
    name: str | None = None,
    selection: Selection | None = None,
    follow_links: bool = False,
    stale: frozenset[str] = frozenset(),
    only: Callable[[str], bool] | None = None,
    limit: int | None = None,
    max_files: int | None = None,
) -> tuple[IndexData, BuildReport]:
    """Index the corpus at ``path``. Files whose size and modification time match
    ``previous`` are taken from it as they are, unless named in ``stale`` (ids of files
    whose indexed text was found not to match them); only the others are read. ``only``
    keeps the files whose path relative to the corpus it accepts (a shard's part of the
    corpus); ``limit`` is the most sentences allowed (MAX_SENTENCES when None), ``max_files``
    the most files the whole corpus may hold (one index's MAX_FILES when None)."""
    started = time.perf_counter()
    root = corpus_root(path)
    other_types: dict[str, int] = {}
    files, listing_warnings = corpus_listing(root, follow_links, selection, other_types, max_files)
    if only is not None:
        files = [(file, rel) for file, rel in files if only(rel)]
    limit = MAX_SENTENCES if limit is None else limit
    report = BuildReport(files=len(files), other_types=other_types)
    usable = previous is not None and previous.digest == digest
    old = {a.rel: a for a in previous.articles} if usable else {}
    old_skipped = previous.skipped if usable else {}
    old_notes = previous.notes if usable else {}
    notes: dict[str, list[str]] = {}
    skipped: dict[str, tuple[int, int]] = {}
    stamps = []
    for file, rel in files:
        try:
            stat = os.stat(file)
        except OSError as error:  # a dangling link, a file gone since the listing
            notes[rel] = [f"{file}: skipped, cannot be read ({error.strerror or error})"]
            skipped[rel] = UNREADABLE
            report.skipped += 1
            continue
        stamps.append((file, rel, stat.st_size, stat.st_mtime_ns))
    fresh = []
    fresh_rels = set()
    for file, rel, size, mtime_ns in stamps:
        known = old.get(rel)
        if known is not None and (known.size, known.mtime_ns) == (size, mtime_ns) and rel not in stale:
            continue
        if old_skipped.get(rel) == (size, mtime_ns):  # still the file that could not be used
            skipped[rel] = (size, mtime_ns)
            notes[rel] = old_notes.get(rel, [])
            continue
        fresh.append((file, str(root), size, mtime_ns, (catalog or {}).get(rel), follow_links))
        fresh_rels.add(rel)
    report.removed = len((set(old) | set(old_skipped)) - {rel for _, rel, _, _ in stamps})
    parts = _Parts()
    old_to_new = parts.global_ids(previous.vocab) if old else np.zeros(0, np.int64)
    worker_map: dict[int, _Mapping] = {}
    use_processes = parallel if parallel is not None else len(fresh) >= PARALLEL_FROM_FILES
    results = _read_all(fresh, use_processes)  # in corpus order, each joined as it arrives
    done = sentences = 0
    # Porter's stems of the words read: the old index's, this process's and every reader's.
    stems = dict(StemMemo(previous.stems).items()) if old else {}
    try:
        for _, rel, size, mtime_ns in stamps:
            if rel not in fresh_rels:
                if rel in old and rel not in skipped:
                    _add_reused(parts, previous, old[rel], old_to_new)
                    if old_notes.get(rel):
                        notes[rel] = old_notes[rel]
                    report.reused += 1
                else:
                    report.skipped += 1
                continue
            result = next(results)
            mapping = worker_map.setdefault(result.worker, _Mapping())
            mapping.extend(parts.global_ids(result.new_terms))
            stems.update(result.new_stems)
            if result.warnings:
                notes[rel] = result.warnings
            if result.info is None:  # skipped, not read: every file is counted once
                report.skipped += 1
                skipped[rel] = (size, mtime_ns)
            else:
                report.read += 1
                _add_fresh(parts, result, mapping)
            done += 1
            sentences += result.units
            if progress is not None:
                progress(BuildProgress(done, len(fresh), sentences, time.perf_counter() - started))
            if parts.units > limit:
                raise CorpusError(f"{root}: more than {limit:,} sentences; Verbatim indexes at most "
                                  f"{limit:,} (point --corpus at a smaller folder)")
        for _ in results:  # let the reading processes finish and exit
            pass
    finally:
        results.close()  # on an error, stop the reading processes
    if not parts.articles and only is None:  # a shard may hold no text; the corpus may not
        raise CorpusError(no_text_message(root, [*listing_warnings, *(w for ws in notes.values() for w in ws)],
                                          other_types))
    data = _finish(parts, root, digest)
    stems.update(stems_in_process())
    data.stems = StemMemo.encode(stems)
    data.name = name or data.name
    data.listing_warnings = listing_warnings
    data.notes = notes
    data.skipped = skipped
    report.sentences = data.size
    report.seconds = time.perf_counter() - started
    return data, report
