"""The searchable form of a corpus: units and their terms in arrays, and BM25 over postings."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from verbatim.corpus import Article, Unit, UnitKind
from verbatim.retrieval.index.bm25 import PostingsBM25, idf, idf_array, posting_weights, rescaled_weights
from verbatim.retrieval.index.terms import ANALYZER, Analyzer, StemMemo

if TYPE_CHECKING:
    from pathlib import Path

    from verbatim.retrieval.reader.features import HeadReading, QueryTerms
    from verbatim.retrieval.reader.query import Query
    from verbatim.retrieval.reader.retriever import Candidates

# Two stems are one word in another form when one is a prefix of the other, longer by a
# suffix of at most this many letters. Validation chose none (issue 18): Porter's stems
# already join a word's inflections, WordNet's derivations ("found"/"founder") count in the
# synonym features, and a longer prefix joins other words ("stockpil" to "stock", "perldoc"
# to "perl"). Allowing 3 letters, then 2, then none: Perl FAQ top-1 0.353, 0.368, 0.375
# (false refusals 0.312, 0.264, 0.242); SQuAD validation (1,000) 0.638, 0.639, 0.639 (false
# refusals 0.044, 0.044, 0.039); dev set and FAQ validation alike.
RELATED_MAX_SUFFIX = 0
RELATED_MIN_STEM = 4
# Facts about units (text, term sets, openings) kept between questions; a question touches
# a few hundred units.
UNIT_CACHE = 60_000
_MISSING = object()
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What the index keeps of an article's file and metadata (not its text)."""

    id: str
    title: str
    path: str
    rel: str
    size: int
    mtime_ns: int
    first: int  # its first unit id
    count: int  # how many units it has
    source: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    format: str = ""  # how the file was read ("text", "markdown", ...)
    digest: str = ""  # of the file's bytes the units were made from (reader.content_digest)
    # Where each page or chapter begins in the extracted text, and its name (Article.parts).
    parts: tuple[tuple[int, str], ...] = ()

    @classmethod
    def of(cls, meta: dict, rel: str, size: int, mtime_ns: int, first: int, count: int,
           form: str = "", digest: str = "", parts: tuple[tuple[int, str], ...] = ()) -> ArticleInfo:
        """From an article's metadata (as ``metadata`` writes it) and where its file and units are."""
        return cls(meta["id"], meta["title"], meta["path"], rel, size, mtime_ns, first, count,
                   meta.get("source"), meta.get("date"), tuple(meta.get("authors") or ()), form, digest, parts)

    def record(self) -> dict:
        """Everything as a JSON object, for the saved index; ``from_record`` reads it back."""
        return {**metadata(self), "rel": self.rel, "size": self.size, "mtime_ns": self.mtime_ns,
                "first": self.first, "count": self.count, "format": self.format, "digest": self.digest,
                "parts": [list(part) for part in self.parts]}

    @classmethod
    def from_record(cls, record: dict) -> ArticleInfo:
        parts = tuple((int(at), str(name)) for at, name in record.get("parts") or ())
        return cls.of(record, record["rel"], record["size"], record["mtime_ns"], record["first"], record["count"],
                      str(record.get("format", "")), str(record.get("digest", "")), parts)

    def part_at(self, offset: int) -> str | None:
        """The name of the page or chapter the text at ``offset`` is in; None for a format
        without them."""
        from bisect import bisect_right

        i = bisect_right([at for at, _ in self.parts], offset) - 1
        return self.parts[max(i, 0)][1] if self.parts else None


def metadata(article: Article | ArticleInfo) -> dict:
    """An article's id, title, path, source, date and authors, as a JSON object: the one
    conversion between articles as read, as indexed, and as saved."""
    return {"id": article.id, "title": article.title, "path": article.path, "source": article.source,
            "date": article.date, "authors": list(article.authors)}


@dataclass(slots=True)
class IndexData:
    """Everything an index holds, as arrays: what is saved to disk and loaded back.

    Units (sentences, headings) are numbered across the corpus; unit ``u`` of article ``a``
    has its text at ``text[text_ptr[u]:text_ptr[u+1]]`` (UTF-8) and its terms at
    ``term_ids[term_ptr[u]:term_ptr[u+1]]``. Postings list, for term ``t``, the units that
    hold it, ``post_unit[post_ptr[t]:post_ptr[t+1]]``, with their BM25 tf weights.
    """

    root: str
    name: str
    articles: list[ArticleInfo]
    vocab: list[str]  # sorted; a term's id is its place here
    unit_article: np.ndarray
    unit_start: np.ndarray
    unit_end: np.ndarray
    unit_paragraph: np.ndarray
    unit_sentence: np.ndarray
    unit_kind: np.ndarray
    heading_of: np.ndarray
    unit_line: np.ndarray  # line of the unit's first character in its file, from 1
    unit_level: np.ndarray  # a heading's depth (1 the top), 0 for other units
    text_ptr: np.ndarray
    text: bytes | memoryview
    term_ptr: np.ndarray
    term_ids: np.ndarray
    title_ptr: np.ndarray  # the terms of article a's title: title_ids[title_ptr[a]:title_ptr[a+1]]
    title_ids: np.ndarray
    post_ptr: np.ndarray
    post_unit: np.ndarray
    post_weight: np.ndarray
    avgdl: float
    digest: str = ""  # what else the index depends on (the bundled catalog)
    # Porter's stem of every word the index's text was read with: "word<TAB>stem" lines
    # (terms.StemMemo), so a question in these words is stemmed without importing NLTK.
    stems: bytes | memoryview = b""
    listing_warnings: list[str] = field(default_factory=list)  # folders that could not be walked
    notes: dict[str, list[str]] = field(default_factory=dict)  # file -> warnings from reading it
    skipped: dict[str, tuple[int, int]] = field(default_factory=dict)  # file -> (size, mtime_ns)
    # What turned the text into these terms, and turns a question into them: the analyzer the
    # saved settings name (the process's, the only one this program runs).
    analyzer: Analyzer = ANALYZER

    @property
    def size(self) -> int:
        return len(self.unit_article)

    @property
    def warnings(self) -> list[str]:
        """One line for every file left out or repaired, and every folder not walked."""
        return self.listing_warnings + [w for notes in self.notes.values() for w in notes]


class Paragraphs:
    """Paragraph numbers across the corpus, so sentences can be grouped by paragraph."""

    def __init__(self, index: SentenceIndex):
        d = index.data
        change = np.ones(len(index), dtype=bool)
        if len(index) > 1:
            change[1:] = (np.diff(d.unit_paragraph) != 0) | (np.diff(d.unit_article) != 0)
        self.of_unit = np.cumsum(change) - 1
        self.first_unit = np.append(np.flatnonzero(change), len(index))
        self.count = len(self.first_unit) - 1
        # Scratch marks for "this paragraph (article) holds the word", set and cleared per word.
        self.marks = np.zeros(self.count, dtype=bool)
        self.article_marks = np.zeros(len(index.articles), dtype=bool)
        self.lock = threading.Lock()

    def units(self, paragraph: int) -> range:
        return range(int(self.first_unit[paragraph]), int(self.first_unit[paragraph + 1]))


def related_terms(vocab: list[str], term: str) -> list[str]:
    """The terms of the sorted ``vocab`` that are ``term`` in another form."""
    if len(term) < RELATED_MIN_STEM or not term.isalpha():
        return []
    stem = term[:RELATED_MIN_STEM]
    found = []
    i = bisect_left(vocab, stem)
    while i < len(vocab) and vocab[i].startswith(stem):
        other = vocab[i]
        i += 1
        if other == term:
            continue
        short, long_ = sorted((term, other), key=len)
        if long_.startswith(short) and len(long_) - len(short) <= RELATED_MAX_SUFFIX:
            found.append(other)
    return found


@dataclass(frozen=True, slots=True)
class CorpusStatistics:
    """What BM25 needs of the whole corpus, for an index that holds part of it (a shard):
    each of its own terms' document frequency in the corpus, in its vocabulary's order,
    and the corpus's unit count and mean unit length."""

    df: np.ndarray
    size: int
    avgdl: float


@dataclass
class SentenceIndex:
    """Questions of the index: units, their terms and neighbours, BM25 and term statistics.
    With ``corpus``, BM25 scores as over the whole corpus the index is part of."""

    data: IndexData
    corpus: CorpusStatistics | None = None
    _article_sets: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    _uid_at: dict[str, int] = field(default_factory=dict)
    _remembered: dict[tuple[str, int], object] = field(default_factory=dict)
    def __post_init__(self) -> None:
        if len(self.data.stems):
            self.analyzer.remember(StemMemo(self.data.stems))

    @property
    def analyzer(self) -> Analyzer:
        """What turns text into this index's terms (the one it was saved with), which asks the
        memo of stems saved with the index before stemming anew."""
        return self.data.analyzer

    def close(self) -> None:
        """Nothing to release (its arrays are mapped and go with it); a sharded index served
        by Ray ends its actors here, so callers close whichever index they hold."""

    def saved_size(self, folder: Path | None) -> tuple[int, str]:
        from verbatim.retrieval.index import store

        version = None if folder is None else store.current_version(folder)
        return (0 if version is None else store.disk_size(version)), ""

    # -- the steps of a question (protocol.Index): this index is its only part ----------------
    def candidate_parts(self, forms: list[str], exclude: frozenset[int]) -> list[Candidates]:
        from verbatim.retrieval.reader.retriever import candidates, touched

        found = touched(self, forms, exclude)
        return [candidates(self, found, found.totals, exclude)]

    def measure(self, terms: QueryTerms, uids: np.ndarray) -> np.ndarray:
        from verbatim.retrieval.reader.features import FEATURES, UNIT_COLUMNS, unit_features

        values = np.zeros((len(uids), len(FEATURES)))
        unit_features(self, terms, uids, values)
        return values[:, UNIT_COLUMNS]

    def read_rows(self, query: Query, terms: QueryTerms, uids: np.ndarray, values: np.ndarray) -> HeadReading:
        from verbatim.retrieval.reader.features import read_units

        return read_units(self, query, terms, uids, values)

    def begin_question(self) -> None:
        """Nothing to forget: one index always answers."""

    def answering(self, attempt: Callable[[], T]) -> T:
        return attempt()

    @property
    def missing(self) -> Set[int]:
        return frozenset()

    @property
    def part_count(self) -> int:
        return 1

    # -- corpus ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.data.name

    @property
    def root(self) -> str:
        return self.data.root

    @property
    def articles(self) -> list[ArticleInfo]:
        return self.data.articles

    @property
    def warnings(self) -> list[str]:
        return self.data.warnings

    @property
    def skipped(self) -> dict[str, tuple[int, int]]:
        return self.data.skipped

    @property
    def unit_article(self) -> np.ndarray:
        return self.data.unit_article

    @property
    def heading_of(self) -> np.ndarray:
        return self.data.heading_of

    def __len__(self) -> int:
        return self.data.size

    # -- units -------------------------------------------------------------------------------
    def text_of(self, uid: int) -> str:
        d = self.data
        # Replaced, not raised: bytes that are not UTF-8 come only from a damaged index, and the
        # check against the file before a sentence is shown catches the difference.
        return bytes(d.text[int(d.text_ptr[uid]) : int(d.text_ptr[uid + 1])]).decode("utf-8", "replace")

    def texts_of(self, uids: list[int]) -> list[str]:
        return [self.text_of(uid) for uid in uids]

    def unit(self, uid: int) -> Unit:
        return self.remembered("unit", uid, SentenceIndex._read_unit)

    def units(self, uids: range) -> list[Unit]:
        """The units ``uids``, in order (a sharded index fetches them a shard at a time)."""
        return [self._read_unit(uid) for uid in uids]

    def remembered(self, name: str, uid: int, compute):
        """``compute(self, uid)``, kept for the units questions keep coming back to."""
        key = (name, uid)
        found = self._remembered.get(key, _MISSING)
        if found is _MISSING:
            if len(self._remembered) >= UNIT_CACHE:
                self._remembered.clear()
            found = self._remembered[key] = compute(self, uid)
        return found

    def units_of(self, article: int) -> list[Unit]:
        """Every unit of article number ``article``, in order (not kept: an article is read whole
        to be shown, and seldom twice)."""
        info = self.articles[article]
        return [self._read_unit(uid) for uid in range(info.first, info.first + info.count)]

    def _read_unit(self, uid: int) -> Unit:
        d = self.data
        return Unit(
            self.text_of(uid),
            int(d.unit_start[uid]),
            int(d.unit_end[uid]),
            int(d.unit_paragraph[uid]),
            int(d.unit_sentence[uid]),
            UnitKind(int(d.unit_kind[uid])),
            int(d.unit_line[uid]),
            int(d.unit_level[uid]),
        )

    def section(self, uid: int) -> tuple[int, ...]:
        """The headings the unit sits under, outermost first, as unit ids (a heading's own
        section ends with itself): each heading's parent is the nearest heading before it
        of a smaller level."""
        d = self.data
        path: list[int] = []
        heading = uid if d.unit_kind[uid] == UnitKind.HEADING else int(d.heading_of[uid])
        depth = 1 << 8
        while heading >= 0:
            level = int(d.unit_level[heading])
            if 0 < level < depth:  # level 0: a masthead's line, which heads no section
                path.append(heading)
                depth = level
                if level <= 1:
                    break
            heading = int(d.heading_of[heading])
        return tuple(reversed(path))

    def section_titles(self, uid: int) -> list[str]:
        return [self.text_of(h) for h in self.section(uid)]

    def section_terms(self, uid: int) -> frozenset[str]:
        """The terms of every heading the unit sits under, and of the nearest heading before
        it even when that heads no section (a plain text's headline): its context."""
        def compute(index: SentenceIndex, u: int) -> frozenset[str]:
            nearest = int(index.data.heading_of[u])
            headings = (*index.section(u), *((nearest,) if nearest >= 0 else ()))
            return frozenset(t for h in headings for t in index.term_set(h))
        return self.remembered("section", uid, compute)

    def article(self, uid: int) -> ArticleInfo:
        return self.articles[int(self.data.unit_article[uid])]

    def terms_of(self, uid: int) -> list[str]:
        d = self.data
        vocab = d.vocab
        return [vocab[t] for t in d.term_ids[int(d.term_ptr[uid]) : int(d.term_ptr[uid + 1])].tolist()]

    def term_set(self, uid: int) -> frozenset[str]:
        """The distinct terms of a unit (kept for the units a question keeps coming back to)."""
        return self.remembered("terms", uid, lambda index, u: frozenset(index.terms_of(u)))

    def neighbour(self, uid: int, step: int) -> int | None:
        """The unit ``step`` places away in the same article, if there is one."""
        other = uid + step
        d = self.data
        if 0 <= other < d.size and d.unit_article[other] == d.unit_article[uid]:
            return other
        return None

    def uid_at(self, article_id: str, start: int) -> int | None:
        """The unit of article ``article_id`` that starts at character ``start``."""
        first = self._article_by_id().get(article_id)
        if first is None:
            return None
        article = self.articles[first]
        starts = self.data.unit_start[article.first : article.first + article.count]
        at = int(np.searchsorted(starts, start))
        return article.first + at if at < article.count and starts[at] == start else None

    def _article_by_id(self) -> dict[str, int]:
        if not self._uid_at:
            self._uid_at.update((a.id, i) for i, a in enumerate(self.articles))
        return self._uid_at

    def article_index(self, article_id: str) -> int | None:
        return self._article_by_id().get(article_id)

    # -- terms around a unit --------------------------------------------------------------------
    def _of_article(self, name: str, uid: int, compute: Callable[[int], set[str]]) -> set[str]:
        """``compute(article number)`` for the unit's article, kept: articles are few."""
        key = (name, int(self.data.unit_article[uid]))
        found = self._article_sets.get(key)
        if found is None:
            found = self._article_sets[key] = compute(key[1])
        return found

    def title_terms(self, uid: int) -> set[str]:
        d = self.data

        def compute(a: int) -> set[str]:
            return {d.vocab[t] for t in d.title_ids[int(d.title_ptr[a]) : int(d.title_ptr[a + 1])].tolist()}

        return self._of_article("title", uid, compute)

    def article_terms(self, uid: int) -> set[str]:
        """Every term of the article the unit belongs to."""
        d = self.data

        def compute(a: int) -> set[str]:
            info = self.articles[a]
            span = d.term_ids[int(d.term_ptr[info.first]) : int(d.term_ptr[info.first + info.count])]
            return {d.vocab[t] for t in np.unique(span).tolist()}

        return self._of_article("all", uid, compute)

    @cached_property
    def paragraphs(self) -> Paragraphs:
        return Paragraphs(self)

    # -- term statistics -------------------------------------------------------------------------
    @cached_property
    def term_id(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.data.vocab)}

    @property
    def corpus_size(self) -> int:
        """Units of the whole corpus (more than this index holds when it is a shard)."""
        return self.data.size if self.corpus is None else self.corpus.size

    @cached_property
    def df(self) -> np.ndarray:
        return np.diff(self.data.post_ptr).astype(np.int64) if self.corpus is None else self.corpus.df

    @cached_property
    def idf_values(self) -> np.ndarray:
        return idf_array(self.df, self.corpus_size)

    @cached_property
    def bm25(self) -> PostingsBM25:
        d = self.data
        weights = d.post_weight
        if self.corpus is not None:
            lengths = np.diff(d.term_ptr)
            try:
                weights = rescaled_weights(d.post_weight, d.post_unit, lengths, d.avgdl, self.corpus.avgdl)
            except ValueError:  # counted again from the units' terms: slower, same numbers
                from verbatim.retrieval.index.build import term_frequencies

                _, units, tf = term_frequencies(d.term_ids, lengths)
                weights = posting_weights(tf, lengths[units], self.corpus.avgdl).astype(np.float32)
        return PostingsBM25(self.term_id, d.post_ptr, d.post_unit, weights, self.idf_values, d.size)

    def document_frequency(self, term: str) -> int:
        t = self.term_id.get(term)
        return 0 if t is None else int(self.df[t])

    def is_unknown(self, term: str) -> bool:
        """True for a term neither the corpus's sentences nor its titles use."""
        return term not in self.term_id

    def idf(self, term: str) -> float:
        """The term's BM25 IDF; a term the corpus never uses gets the highest value."""
        t = self.term_id.get(term)
        return float(self.idf_values[t]) if t is not None else idf(0, self.corpus_size)

    def related(self, term: str) -> list[str]:
        """Vocabulary terms that are ``term`` in another form (a shared stem plus a short
        suffix): "found" and "founder", "invest" and "investor"."""
        return related_terms(self.data.vocab, term)

    # -- scoring ---------------------------------------------------------------------------------
    def top(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best units by BM25, best first, leaving out units that score zero."""
        return self.bm25.top(query, k)
