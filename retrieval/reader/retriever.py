"""The Retriever: the candidates BM25 finds for a question in each part of the index, and the pool chosen among them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from verbatim.corpus import UnitKind
from verbatim.retrieval.index.bm25 import K1, top_positions
from verbatim.retrieval.reader.features import (
    COLUMN,
    FEATURES,
    UNIT_COLUMNS,
    Pool,
    QueryTerms,
    _behind_paragraph_best,
    near_in_meaning,
)
from verbatim.retrieval.reader.fields import opening_under

if TYPE_CHECKING:
    from verbatim.retrieval.index.protocol import Index
    from verbatim.retrieval.index.sentence_index import SentenceIndex
    from verbatim.retrieval.reader.query import Query

# How many sentences BM25 hands on; how many more are taken for their paragraph's score
# (an answer often sits in the paragraph that repeats the question, not in the sentence);
# around how many of the best the neighbours are added.
POOL_BY_SENTENCE = 150
POOL_BY_PARAGRAPH = 50
NEIGHBOUR_POOL = 15
# The best paragraphs are taken whole: an answer that shares no word with the question
# (a paraphrase) still sits in the paragraph that does. Past this many units a paragraph is
# a list or a dump, and only its matching sentences come in.
WHOLE_PARAGRAPHS = 5
WHOLE_PARAGRAPH_UNITS = 40
# The weight of a definition's term field (BM25F): twice the body's, chosen on the man-page
# questions of training/generate.py against 0 and 1 (docs/training.md).
DEFINED_TERM_WEIGHT = 2.0
# The weight of an entry's term lent to its sentences that lack it (fields.py, features.py):
# the body's, as if the unit held the term once, so that a lent term never outweighs a
# written one.
ENTRY_TERM_WEIGHT = 1.0
# More paragraphs than one index can hold (its unit ids are 32-bit): parts' paragraph numbers
# shifted by this never meet.
PARAGRAPHS_PER_PART = 1 << 32


def query_forms(terms: QueryTerms) -> list[str]:
    """The words BM25 is asked for, in the order that breaks its ties."""
    return [form for t in terms.content + terms.answer for form in sorted(terms.forms[t])]


@dataclass(frozen=True, slots=True)
class Totals:
    """The best BM25 of a sentence, of a paragraph's sentences and of an article's, over the
    whole corpus: what every candidate's scores are divided by."""

    sentence: float
    paragraph: float
    article: float

    @classmethod
    def of(cls, parts: list[Totals]) -> Totals:
        return cls(*(max((getattr(p, name) for p in parts), default=0.0)
                     for name in ("sentence", "paragraph", "article")))


@dataclass(slots=True)
class Touched:
    """The units holding a question's words, with their BM25, the place in the question of
    the first word each holds (which breaks ties), and their paragraph's and article's totals."""

    units: np.ndarray
    bm25: np.ndarray
    places: np.ndarray
    paragraph_total: np.ndarray
    article_total: np.ndarray

    @property
    def totals(self) -> Totals:
        if not len(self.units):
            return Totals(0.0, 0.0, 0.0)
        return Totals(float(self.bm25.max()), float(self.paragraph_total.max()), float(self.article_total.max()))


def touched(index: SentenceIndex, forms: list[str], exclude: frozenset[int] = frozenset()) -> Touched:
    """What BM25 finds for ``forms`` in ``index`` (``exclude``: unit ids left out)."""
    units, bm25, places = index.bm25.touched_in_order(forms)
    if exclude and len(units):
        keep = ~np.isin(units, np.fromiter(exclude, dtype=np.int64))
        units, bm25, places = units[keep], bm25[keep], places[keep]
    grouping = index.paragraphs
    paragraphs = grouping.of_unit[units]
    articles = index.data.unit_article[units]
    paragraph_total = np.bincount(paragraphs, weights=bm25, minlength=grouping.count)[paragraphs]
    article_total = np.bincount(articles, weights=bm25, minlength=len(index.articles))[articles]
    return Touched(units, bm25, places, paragraph_total, article_total)


@dataclass(slots=True)
class Candidates:
    """One index's candidates for a question, before the pool is chosen among every index's:
    each can be chosen only from its own best, so these are its best by each measure the
    choice uses, their neighbours and whole paragraphs, with what the choice needs of them
    (not their features: those are measured for the chosen ones only).

    ``uids``, ``paragraph`` (a paragraph's first unit) and ``article`` are numbered as in
    the index, until a shard renumbers them as in the corpus. Lists of rows say what each
    row was taken for; ``places`` of rows not touched by BM25 are -1.
    """

    uids: np.ndarray
    places: np.ndarray
    bm25: np.ndarray
    paragraph_rel: np.ndarray  # the row's paragraph total over the corpus's best, 0 when untouched
    article_rel: np.ndarray
    paragraph: np.ndarray
    article: np.ndarray
    by_sentence: np.ndarray  # rows, best BM25 first
    by_paragraph: np.ndarray  # rows, best bm25/best + paragraph_rel first
    paragraph_score: np.ndarray  # that sum, for the rows of ``by_paragraph``
    by_paragraph_rel: np.ndarray  # rows, best paragraph_rel first
    # (len(by_sentence[:NEIGHBOUR_POOL]), 3): rows before and after, and the opening of the
    # entry a heading names (-1 for none)
    neighbours: np.ndarray
    whole: dict[int, np.ndarray]  # a best paragraph (key) -> its rows, when small enough to take whole

    @classmethod
    def none(cls) -> Candidates:
        empty = np.empty(0, dtype=np.int64)
        return cls(empty, empty, np.empty(0), np.empty(0), np.empty(0), empty, empty,
                   empty, empty, np.empty(0), empty, np.zeros((0, 3), dtype=np.int64), {})


def candidates(index: SentenceIndex, found: Touched, totals: Totals,
               exclude: frozenset[int] = frozenset()) -> Candidates:
    """The candidates ``index`` offers for a question whose corpus-wide bests are ``totals``."""
    units, bm25 = found.units, found.bm25
    if not len(units):
        return Candidates.none()
    para_rel = found.paragraph_total / totals.paragraph if totals.paragraph > 0 else np.zeros(len(units))
    art_rel = found.article_total / totals.article if totals.article > 0 else np.zeros(len(units))
    ties = np.lexsort((units, found.places))  # the order BM25 found them in
    rank = np.empty(len(units), dtype=np.int64)
    rank[ties] = np.arange(len(units))
    by_sentence = top_positions(bm25, POOL_BY_SENTENCE, rank)
    paragraph_score = bm25 / totals.sentence + para_rel
    by_paragraph = top_positions(paragraph_score, POOL_BY_PARAGRAPH, rank)
    by_para_rel = top_positions(para_rel, POOL_BY_PARAGRAPH, rank)
    # Rows: the touched units some list took, in their order in ``units``, then the units
    # taken for their place (the neighbours of the best, the best paragraphs whole).
    kept = np.unique(np.concatenate([by_sentence, by_paragraph, by_para_rel]))
    listed = units[kept]
    left_out = np.fromiter(exclude, dtype=np.int64, count=len(exclude))
    best = units[by_sentence[:NEIGHBOUR_POOL]]
    around = np.stack([best - 1, best + 1], axis=1)
    unit_article = index.data.unit_article
    inside = (around >= 0) & (around < len(index))
    beside = np.where(inside, around, best[:, None])
    around = np.where(inside & (unit_article[beside] == unit_article[best][:, None]) & ~np.isin(around, left_out),
                      around, -1)
    # A heading that names an API comes with its entry's opening sentence (fields.py).
    kinds = index.data.unit_kind
    opened = np.array([opening_under(index, uid) if kinds[uid] == UnitKind.HEADING else -1
                       for uid in best.tolist()], dtype=np.int64).reshape(-1, 1)
    around = np.concatenate([around, np.where(np.isin(opened, left_out), -1, opened)], axis=1)
    grouping = index.paragraphs
    whole: dict[int, np.ndarray] = {}
    for paragraph in list(dict.fromkeys(grouping.of_unit[units[by_para_rel]].tolist()))[:WHOLE_PARAGRAPHS]:
        first, end = int(grouping.first_unit[paragraph]), int(grouping.first_unit[paragraph + 1])
        if end - first <= WHOLE_PARAGRAPH_UNITS:
            members = np.arange(first, end, dtype=np.int64)
            whole[first] = members[~np.isin(members, left_out)]
    placed = np.concatenate([around[around >= 0], *whole.values()]).astype(np.int64)
    placed = placed[~np.isin(placed, listed)]
    extra = placed[np.sort(np.unique(placed, return_index=True)[1])]
    uids = np.concatenate([listed, extra])
    by_uid = np.argsort(uids)

    def rows_of(found: np.ndarray) -> np.ndarray:
        return by_uid[np.searchsorted(uids, found, sorter=by_uid)]

    para_of = grouping.of_unit[uids]
    art_of = unit_article[uids]
    pad = np.zeros(len(extra))
    return Candidates(
        uids=uids,
        places=np.concatenate([found.places[kept], np.full(len(extra), -1, dtype=np.int64)]),
        bm25=np.concatenate([bm25[kept], pad]),
        # An untouched unit's paragraph and article scores are those of the touched ones
        # beside it (equal for every touched unit of a paragraph, or of an article).
        paragraph_rel=_value_of_group(para_of, grouping.of_unit[listed], para_rel[kept]),
        article_rel=_value_of_group(art_of, unit_article[listed], art_rel[kept]),
        paragraph=grouping.first_unit[para_of].astype(np.int64),
        article=art_of.astype(np.int64),
        by_sentence=np.searchsorted(kept, by_sentence),
        by_paragraph=np.searchsorted(kept, by_paragraph),
        paragraph_score=paragraph_score[by_paragraph],
        by_paragraph_rel=np.searchsorted(kept, by_para_rel),
        neighbours=np.where(around >= 0, rows_of(np.maximum(around, 0)), -1),
        whole={key: rows_of(members) for key, members in whole.items()},
    )


def _value_of_group(groups: np.ndarray, known: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each of ``groups``, the value of the ``known`` groups (not empty) equal to it, 0
    when none is."""
    order = np.argsort(known, kind="stable")
    known, values = known[order], values[order]
    at = np.minimum(np.searchsorted(known, groups), len(known) - 1)
    return np.where(known[at] == groups, values[at], 0.0)


def _first(parts: list[Candidates], lists: str, k: int, value: str, keyed: bool = False) -> list[tuple[int, int]]:
    """The ``k`` best (part, row) of every part's ``lists`` by ``value``, ties broken as
    BM25 found them (the place of the first question word, then the unit id)."""
    rows = [getattr(part, lists) for part in parts]
    if not sum(len(r) for r in rows):
        return []
    row = np.concatenate(rows)
    part_of = np.repeat(np.arange(len(parts)), [len(r) for r in rows])
    if keyed:  # the value is kept beside the list, in its order
        scores = np.concatenate([getattr(part, value) for part in parts])
    else:
        scores = np.concatenate([getattr(part, value)[r] for part, r in zip(parts, rows)])
    places = np.concatenate([part.places[r] for part, r in zip(parts, rows)])
    uids = np.concatenate([part.uids[r] for part, r in zip(parts, rows)])
    order = np.lexsort((uids, places, -scores))[:k]
    return list(zip(part_of[order].tolist(), row[order].tolist()))


def gather(index: Index, query: Query, terms: QueryTerms,
           exclude: frozenset[int] = frozenset()) -> Pool:
    """The pool of candidates for a question with their cheap features. Every part of the
    index (each shard of a sharded one) hands in its candidates, scored with the whole
    corpus's statistics, and measures the chosen ones it holds."""
    chosen = merged(index.candidate_parts(query_forms(terms), exclude), terms)
    if chosen is None:
        return Pool.empty()
    uids, values, paragraph = chosen
    terms = near_in_meaning(index, terms, uids)
    values[:, UNIT_COLUMNS] = index.measure(terms, uids)
    # BM25F's fields (Robertson, Zaragoza and Taylor 2004): what the name of a document the
    # question names, and a definition's term, add to each candidate's BM25 (measured by the
    # part that holds it: features.py).
    extra = (values[:, COLUMN["named_field"]] + DEFINED_TERM_WEIGHT * values[:, COLUMN["term_field"]]
             + ENTRY_TERM_WEIGHT * values[:, COLUMN["entry_term_field"]])
    if extra.any():
        _add_to_bm25(values, terms, extra)
    _behind_paragraph_best(paragraph, values)
    return Pool(uids, values, paragraph, terms)


def bm25_ceiling(terms: QueryTerms) -> float:
    """The most BM25 a unit can score for the question: every content term's weight times
    k1 + 1 (what bm25_absolute is a share of)."""
    return (K1 + 1) * terms.content_total


def _add_to_bm25(values: np.ndarray, terms: QueryTerms, extra: np.ndarray) -> None:
    """Add ``extra`` to the candidates' BM25 and rescale their relative BM25 to match.
    ``bm25_absolute`` stays the body's: a share of the most a body can score, as the models
    learned it (past it, its weight against ``bm25_relative`` turns a field into a loss)."""
    max_bm25 = bm25_ceiling(terms)
    bm25 = values[:, COLUMN["bm25_absolute"]] * max_bm25 + extra
    best = float(bm25.max())
    if best > 0:
        values[:, COLUMN["bm25_relative"]] = bm25 / best


def merged(parts: list[Candidates], terms: QueryTerms) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The pool chosen among the candidates of every part, as one index would choose it: the
    best sentences by BM25 and by their paragraph's score, the neighbours of the very best,
    and the best paragraphs whole when they are short: their uids, their features that
    compare a candidate with the others chosen (its own are measured next, by its own part)
    and their paragraphs, named uniquely among every part's. None when nothing was found."""
    by_sentence = _first(parts, "by_sentence", POOL_BY_SENTENCE, "bm25")
    by_paragraph = _first(parts, "by_paragraph", POOL_BY_PARAGRAPH, "paragraph_score", keyed=True)
    if not by_sentence:
        return None
    pool: dict[int, tuple[int, int, bool]] = {}  # uid -> (part, row, chosen for its words)
    for p, row in by_sentence + by_paragraph:
        pool.setdefault(int(parts[p].uids[row]), (p, row, True))
    for p, row in by_sentence[:NEIGHBOUR_POOL]:
        local = {int(r): n for n, r in enumerate(parts[p].by_sentence[:NEIGHBOUR_POOL].tolist())}
        for other in parts[p].neighbours[local[row]].tolist():
            if other >= 0:
                pool.setdefault(int(parts[p].uids[other]), (p, other, False))
    top_paragraphs = list(dict.fromkeys(
        (p, int(parts[p].paragraph[row])) for p, row in _first(parts, "by_paragraph_rel", POOL_BY_PARAGRAPH,
                                                               "paragraph_rel")))
    for p, key in top_paragraphs[:WHOLE_PARAGRAPHS]:
        for other in parts[p].whole.get(key, np.empty(0, dtype=np.int64)).tolist():
            pool.setdefault(int(parts[p].uids[other]), (p, other, False))
    uids = np.fromiter(pool, dtype=np.int64, count=len(pool))
    values = np.zeros((len(uids), len(FEATURES)))
    best = max(float(parts[p].bm25[row]) for p, row in by_sentence)
    max_bm25 = bm25_ceiling(terms)
    chosen_paragraphs, chosen_articles = set(), set()
    for n, (p, row, chosen) in enumerate(pool.values()):
        part = parts[p]
        if chosen:
            values[n, COLUMN["bm25_relative"]] = part.bm25[row] / best
            values[n, COLUMN["bm25_absolute"]] = part.bm25[row] / max_bm25
            chosen_paragraphs.add((p, int(part.paragraph[row])))
            chosen_articles.add((p, int(part.article[row])))
    # Units taken for their place, not their words: their paragraph and article scores are
    # those of a chosen sentence beside them, when there is one.
    for n, (p, row, chosen) in enumerate(pool.values()):
        part = parts[p]
        values[n, COLUMN["neighbour_only"]] = not chosen
        if chosen or (p, int(part.paragraph[row])) in chosen_paragraphs:
            values[n, COLUMN["paragraph_bm25"]] = part.paragraph_rel[row]
        if chosen or (p, int(part.article[row])) in chosen_articles:
            values[n, COLUMN["article_bm25"]] = part.article_rel[row]
    # A paragraph is one part's: (part, paragraph) names it among every part's.
    paragraph_of = np.array([p * PARAGRAPHS_PER_PART + int(parts[p].paragraph[row]) for p, row, _ in pool.values()],
                            dtype=np.int64)
    return uids, values, paragraph_of
