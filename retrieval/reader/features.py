"""Features of candidate sentences: every measurement the ranker and the abstainer learn from."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from verbatim.corpus import UnitKind
from verbatim.corpus.segment import MASTHEAD_PARAGRAPHS
from verbatim.retrieval import english
from verbatim.retrieval.index.bm25 import K1, top_positions
from verbatim.retrieval.index.sentence_index import SentenceIndex
from verbatim.retrieval.index.terms import WORD, sentence_tokens, word_term
from verbatim.retrieval.reader.evidence import EVIDENCE_TYPES, Evidence, find_evidence, type_match
from verbatim.retrieval.reader.fields import FIELD_FEATURES, field_features
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import AnswerType

# How many sentences BM25 hands on; how many more are taken for their paragraph's score
# (an answer often sits in the paragraph that repeats the question, not in the sentence);
# around how many of the best the neighbours are added; how many get the slow reading.
POOL_BY_SENTENCE = 150
POOL_BY_PARAGRAPH = 50
NEIGHBOUR_POOL = 15
# The best paragraphs are taken whole: an answer that shares no word with the question
# (a paraphrase) still sits in the paragraph that does. Past this many units a paragraph is
# a list or a dump, and only its matching sentences come in.
WHOLE_PARAGRAPHS = 5
WHOLE_PARAGRAPH_UNITS = 40
READ_POOL = 30
# More paragraphs than one index can hold (its unit ids are 32-bit): parts' paragraph numbers
# shifted by this never meet.
PARAGRAPHS_PER_PART = 1 << 32

VALUE_ANSWERS = frozenset({AnswerType.DATE, AnswerType.NUMBER, AnswerType.COUNT, AnswerType.MONEY,
                           AnswerType.PERCENT, AnswerType.AGE})
NAME_ANSWERS = frozenset({AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.ENTITY, AnswerType.PLACE})

# Each kind of answer gets its own weight for "the sentence holds one": values and names are
# grouped, as their evidence is read alike.
_ANSWER_FEATURES = {AnswerType.REASON: "answer_reason", AnswerType.QUOTE: "answer_quote",
                    AnswerType.AUTHOR: "answer_author", AnswerType.DEFINITION: "answer_definition",
                    AnswerType.MANNER: "answer_manner"}


def answer_feature(kind: AnswerType) -> str:
    """The feature that says whether a sentence holds an answer of this kind."""
    if kind in VALUE_ANSWERS:
        return "answer_value"
    if kind in NAME_ANSWERS:
        return "answer_name"
    return _ANSWER_FEATURES.get(kind, "answer_other")


# Cheap features, measured for every candidate of the pool.
RETRIEVE_FEATURES = (
    "bm25_relative", "bm25_absolute", "paragraph_bm25", "article_bm25",
    "coverage_sentence", "coverage_forms", "coverage_synonyms", "coverage_specific",
    "coverage_paragraph", "coverage_article", "article_specific", "behind_paragraph_best", "behind_paragraph_bm25",
    "coverage_title", "answer_words", "neighbour_only",
    "kind_heading", "kind_boilerplate", "kind_code",
    *FIELD_FEATURES,  # the unit's place in its document's structure (fields.py)
)
# Features of the slower reading, for the best of the pool only.
READ_FEATURES = (
    "coverage_previous", "coverage_next", "coverage_heading", "refers_back",
    "proximity", "order", "phrase", "novelty", "log_length", "paragraph_opening", "masthead",
    "answer_value", "answer_name", "answer_reason", "answer_quote", "answer_author", "answer_definition",
    "answer_manner", "answer_other",
    "new_number", "new_name", "new_number_for_value", "new_name_for_name", "rarest_in_sentence",
)
FEATURES = RETRIEVE_FEATURES + READ_FEATURES
COLUMN = {name: i for i, name in enumerate(FEATURES)}
# The cheap features a candidate has whichever others are chosen, measured by the index that
# holds it once the pool is chosen (the rest are set as the pool is chosen, or compare it
# with the others of its paragraph).
UNIT_FEATURES = (
    "coverage_sentence", "coverage_forms", "coverage_synonyms", "coverage_specific",
    "coverage_paragraph", "coverage_article", "article_specific", "coverage_title", "answer_words",
    "kind_heading", "kind_boilerplate", "kind_code",
    *FIELD_FEATURES,
)
UNIT_COLUMNS = np.array([COLUMN[name] for name in UNIT_FEATURES], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """The question's terms with their weights, split by what part they play."""

    content: tuple[str, ...]  # the topic: what a sentence must share with the question
    answer: tuple[str, ...]  # words that name the kind of answer ("year", "percentage", "said")
    carried: tuple[str, ...]  # from the previous turn of a conversation (also in ``content``)
    forms: dict[str, frozenset[str]]  # each term and its other forms in the corpus
    synonyms: dict[str, frozenset[str]]  # each content term with its forms, synonyms and derivations
    # Each content term's weight: its IDF, and how rare its word is in general English (plain
    # floats: the shares below run for every candidate, where NumPy scalars cost more).
    idf_weights: tuple[float, ...]
    specific_weights: tuple[float, ...]
    # Their sums, kept because every share divides by them.
    content_total: float
    specific_total: float

    @classmethod
    def of(cls, index: SentenceIndex, query: Query) -> QueryTerms:
        question = query.question
        answer_words = {t.term for t in question.terms if t.weight < 1.0}
        # A follow-up's words carried from the previous turn are part of its topic, at the
        # share of the question the conversation gave them.
        weight_of: dict[str, float] = {}
        carried = []
        for concept in query.concepts:
            for term, idf in zip(concept.terms, concept.idfs):
                if concept.carried:
                    carried.append(term)
                    share = concept.weight / max(concept.idfs) if max(concept.idfs) > 0 else 0.0
                    weight_of.setdefault(term, idf * share)
                elif term not in answer_words:
                    weight_of[term] = idf
        content = list(weight_of)
        carried = list(dict.fromkeys(carried))
        answer = [t for t in dict.fromkeys(answer_words) if t not in weight_of]
        forms = {t: frozenset({t} | query.related.get(t, set())) for t in content + answer}
        surface = {}
        for t in question.terms:
            surface.setdefault(t.term, t.surface.strip("\"“”`'’").lower())
        synonyms = {t: forms[t] | _synonym_terms(surface.get(t, t)) for t in content}
        idf_weights = tuple(float(weight_of[t]) for t in content)
        # A carried word's rarity counts at the same share of the question as its IDF.
        specific_weights = tuple(specificity_of(surface.get(t, t)) * (w / idf if (idf := index.idf(t)) > 0 else 0.0)
                                 for t, w in zip(content, idf_weights))
        return cls(tuple(content), tuple(answer), tuple(carried), forms, synonyms, idf_weights,
                   specific_weights, sum(idf_weights) or 1.0, sum(specific_weights))

    def _found(self, weights: tuple[float, ...], total: float, matches: dict[str, frozenset[str]] | None,
               present: frozenset[str] | set[str]) -> float:
        """Share of ``weights`` held by the content terms found in ``present``, each as itself
        or, with ``matches``, as any of its matching terms."""
        if not self.content or not total:
            return 0.0
        if matches is None:
            found = sum(w for t, w in zip(self.content, weights) if t in present)
        else:
            found = sum(w for t, w in zip(self.content, weights) if not matches[t].isdisjoint(present))
        return found / total

    def specific_share(self, present: frozenset[str] | set[str]) -> float:
        """Share of the content terms, weighted by rarity in general English, found with
        their synonyms in ``present``: a small corpus's IDF cannot tell "putting" from
        "parameters"; English can."""
        return self._found(self.specific_weights, self.specific_total, self.synonyms, present)

    def synonym_share(self, present: frozenset[str] | set[str]) -> float:
        """IDF-weighted share of the content terms found in any form, synonym or derivation."""
        return self._found(self.idf_weights, self.content_total, self.synonyms, present)

    def share(self, present: frozenset[str] | set[str], with_forms: bool = False) -> float:
        """IDF-weighted share of the content terms found in ``present`` (in any of their
        corpus forms, ``with_forms``)."""
        return self._found(self.idf_weights, self.content_total, self.forms if with_forms else None, present)

    @property
    def rarest(self) -> str | None:
        """The content term with the highest IDF."""
        if not self.content:
            return None
        return self.content[max(range(len(self.content)), key=self.idf_weights.__getitem__)]


# Zipf frequencies run from about 8 ("the") down to 0 (not among English's 100,000 most
# used words); specificity counts down from the top, so a word unknown to English weighs most.
ZIPF_CEILING = 8.0


def specificity_of(word: str) -> float:
    """How telling a word is in general English: 8 minus its Zipf frequency."""
    return max(0.0, ZIPF_CEILING - english.zipf(word))


def _synonym_terms(word: str) -> frozenset[str]:
    """The retrieval terms of a word's WordNet synonyms and derivations."""
    return frozenset(term for other in english.related_words(word) for term in (word_term(other),) if term)


# A sentence that opens by pointing back ("It terminates ...", "Such companies ...") is
# about what the previous sentence named.
_POINTING_BACK = re.compile(
    r"^[\"“'‘(]*(?:this|these|that|those|such|it|its|they|their|them|he|his|she|her|both|"
    r"afterwards|then|there|the latter|the former)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the slow reading found in a sentence: the question's words in it, the typed
    stretches it holds, and whether one is of the kind asked for."""

    uid: int
    evidence: tuple[Evidence, ...] = ()
    content_anchors: tuple[tuple[int, int], ...] = ()  # where the question's topic words are
    term_spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # each question term's places
    type_match: float = 0.0
    read: bool = False


@dataclass(slots=True)
class Pool:
    """The candidates of one question and their features, in the order of ``uids``."""

    uids: np.ndarray
    values: np.ndarray  # (candidates, len(FEATURES)); read features are 0 until read
    read: np.ndarray  # which candidates have had the slow reading
    readings: dict[int, Reading]  # by row: what the reading found, for spans and support
    # Each candidate's paragraph, named uniquely among every part's (set as the pool is chosen).
    paragraph: np.ndarray | None = None

    def reading(self, row: int) -> Reading:
        return self.readings.get(row) or Reading(int(self.uids[row]))


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
    neighbours: np.ndarray  # (len(by_sentence[:NEIGHBOUR_POOL]), 2): rows before and after, -1 for none
    whole: dict[int, np.ndarray]  # a best paragraph (key) -> its rows, when small enough to take whole

    @classmethod
    def none(cls) -> Candidates:
        empty = np.empty(0, dtype=np.int64)
        return cls(empty, empty, np.empty(0), np.empty(0), np.empty(0), empty, empty,
                   empty, empty, np.empty(0), empty, np.zeros((0, 2), dtype=np.int64), {})


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


def unit_features(index: SentenceIndex, terms: QueryTerms, uids: np.ndarray, values: np.ndarray) -> None:
    """The UNIT_FEATURES of the units ``uids`` of ``index``, into the rows of ``values``."""
    _coverage_around(index, terms, uids, values, index.paragraphs.of_unit)
    for row, uid in enumerate(uids.tolist()):
        present = index.term_set(uid)
        values[row, COLUMN["coverage_sentence"]] = terms.share(present)
        values[row, COLUMN["coverage_forms"]] = terms.share(present, with_forms=True)
        values[row, COLUMN["coverage_synonyms"]] = terms.synonym_share(present)
        values[row, COLUMN["coverage_specific"]] = terms.specific_share(present)
        values[row, COLUMN["coverage_title"]] = terms.share(index.title_terms(uid), with_forms=True)
        if terms.answer:
            values[row, COLUMN["answer_words"]] = sum(
                1 for t in terms.answer if not terms.forms[t].isdisjoint(present)) / len(terms.answer)
        kind = index.unit(uid).kind
        values[row, COLUMN["kind_heading"]] = kind is UnitKind.HEADING
        values[row, COLUMN["kind_boilerplate"]] = kind is UnitKind.BOILERPLATE
        values[row, COLUMN["kind_code"]] = kind is UnitKind.CODE
    # Structure (fields.py): the entry a unit sits in, its file's name, lines that point.
    values[:, [COLUMN[name] for name in FIELD_FEATURES]] = field_features(index, terms, uids)


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


def gather(index: SentenceIndex, query: Query, terms: QueryTerms,
           exclude: frozenset[int] = frozenset()) -> Pool:
    """The pool of candidates for a question with their cheap features. A sharded index
    hands in every shard's candidates, scored with the whole corpus's statistics, and has
    each shard measure the chosen ones it holds."""
    forms = query_forms(terms)
    if hasattr(index, "gather_parts"):
        parts = index.gather_parts(forms, exclude)
    else:
        found = touched(index, forms, exclude)
        parts = [candidates(index, found, found.totals, exclude)]
    pool = merged(parts, terms)
    if not len(pool.uids):
        return pool
    if hasattr(index, "measure_rows"):
        index.measure_rows(terms, pool)
    else:
        unit_features(index, terms, pool.uids, pool.values)
    assert pool.paragraph is not None  # merged names every candidate's paragraph
    _behind_paragraph_best(pool.paragraph, pool.values)
    return pool


def merged(parts: list[Candidates], terms: QueryTerms) -> Pool:
    """The pool chosen among the candidates of every part, as one index would choose it: the
    best sentences by BM25 and by their paragraph's score, the neighbours of the very best,
    and the best paragraphs whole when they are short; with the features that compare a
    candidate with the others chosen (its own are measured next, by its own part)."""
    by_sentence = _first(parts, "by_sentence", POOL_BY_SENTENCE, "bm25")
    by_paragraph = _first(parts, "by_paragraph", POOL_BY_PARAGRAPH, "paragraph_score", keyed=True)
    if not by_sentence:
        return Pool(np.empty(0, dtype=np.int64), np.zeros((0, len(FEATURES))), np.zeros(0, bool), {})
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
    max_bm25 = (K1 + 1) * terms.content_total
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
    return Pool(uids, values, np.zeros(len(uids), dtype=bool), {}, paragraph_of)


def _behind_paragraph_best(paragraph_of: np.ndarray, values: np.ndarray) -> None:
    """How far each candidate falls behind the best candidate of its own paragraph, in
    coverage and in BM25: the answer is usually the paragraph's best match."""
    keys, inverse = np.unique(paragraph_of, return_inverse=True)
    for feature, source in (("behind_paragraph_best", "coverage_synonyms"), ("behind_paragraph_bm25", "bm25_relative")):
        best = np.full(len(keys), -np.inf)
        np.maximum.at(best, inverse, values[:, COLUMN[source]])
        values[:, COLUMN[feature]] = best[inverse] - values[:, COLUMN[source]]


def _coverage_around(index: SentenceIndex, terms: QueryTerms, uids: np.ndarray, values: np.ndarray,
                     paragraphs: np.ndarray) -> None:
    """IDF-weighted share of the content terms in each candidate's paragraph and article."""
    if not terms.content:
        return
    bm25 = index.bm25
    grouping = index.paragraphs
    unit_article = index.data.unit_article
    cand_paras = paragraphs[uids]
    cand_arts = unit_article[uids]
    in_para = np.zeros(len(uids))
    in_art = np.zeros(len(uids))
    in_art_specific = np.zeros(len(uids))
    for term, weight, specificity in zip(terms.content, terms.idf_weights, terms.specific_weights):
        holders = []
        for form in terms.forms[term]:
            t = bm25.term_id.get(form)
            if t is not None:
                holders.append(bm25.units[int(bm25.ptr[t]):int(bm25.ptr[t + 1])])
        if not holders:
            continue
        units = np.concatenate(holders)
        held_paras, held_arts = paragraphs[units], unit_article[units]
        with grouping.lock:
            grouping.marks[held_paras] = True
            grouping.article_marks[held_arts] = True
            para_has = grouping.marks[cand_paras]
            article_has = grouping.article_marks[cand_arts]
            grouping.marks[held_paras] = False
            grouping.article_marks[held_arts] = False
        in_para += weight * para_has
        in_art += weight * article_has
        in_art_specific += specificity * article_has
    values[:, COLUMN["coverage_paragraph"]] = in_para / terms.content_total
    values[:, COLUMN["coverage_article"]] = in_art / terms.content_total
    values[:, COLUMN["article_specific"]] = in_art_specific / (terms.specific_total or 1.0)


def read(index: SentenceIndex, query: Query, terms: QueryTerms, pool: Pool, rows: np.ndarray) -> None:
    """The slow reading of the candidates at ``rows``: their surroundings, word positions
    and order, and whether they hold the kind of answer asked for. A sharded index has
    each shard read its own units."""
    if hasattr(index, "read_rows"):
        index.read_rows(query, terms, pool, rows)
        return
    question = query.question
    kind = question.answer_type
    group = answer_feature(kind)
    form_of = {form: term for term in terms.content + terms.answer for form in terms.forms[term]}
    own_forms = {form for t in terms.content + terms.answer for form in terms.forms[t]}
    ordered = [t.term for t in question.terms]
    question_pairs = set(zip(ordered, ordered[1:]))
    content = set(terms.content)
    rarest = terms.synonyms[terms.rarest] if terms.content else None
    for row in rows.tolist():
        if pool.read[row]:
            continue
        uid = int(pool.uids[row])
        unit = index.unit(uid)
        values = pool.values[row]
        previous, following = index.neighbour(uid, -1), index.neighbour(uid, 1)
        refers_back = opens_by_pointing_back(index, uid)
        if previous is not None:
            values[COLUMN["coverage_previous"]] = terms.share(index.term_set(previous), with_forms=True)
        if following is not None:
            values[COLUMN["coverage_next"]] = terms.share(index.term_set(following), with_forms=True)
        heading = int(index.heading_of[uid])
        if unit.kind is not UnitKind.HEADING:
            # The whole heading path is the unit's context ("cp › DESCRIPTION › OPTIONS").
            values[COLUMN["coverage_heading"]] = terms.share(index.section_terms(uid), with_forms=True)
        elif heading >= 0:
            values[COLUMN["coverage_heading"]] = terms.share(index.term_set(heading), with_forms=True)
        values[COLUMN["refers_back"]] = refers_back
        values[COLUMN["paragraph_opening"]] = unit.sentence == 1
        values[COLUMN["masthead"]] = unit.kind is UnitKind.HEADING and unit.paragraph <= MASTHEAD_PARAGRAPHS
        text = unit.text
        unit_tokens = sentence_tokens(text)
        values[COLUMN["log_length"]] = math.log1p(len(unit_tokens))
        positions: dict[str, list[int]] = {}
        anchors: list[tuple[int, int]] = []
        term_spans: dict[str, list[tuple[int, int]]] = {}
        for i, tok in enumerate(unit_tokens):
            term = form_of.get(tok.term)
            if term is not None:
                positions.setdefault(term, []).append(i)
                term_spans.setdefault(term, []).append((tok.start, tok.end))
                if term in content:
                    anchors.append((tok.start, tok.end))
        if len(positions) >= 2:
            values[COLUMN["proximity"]] = min(1.0, len(positions) / _min_window(positions))
            firsts = [positions[t][0] for t in dict.fromkeys(ordered) if t in positions]
            pairs = [(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1:]]
            if pairs:
                values[COLUMN["order"]] = sum(1 for a, b in pairs if a <= b) / len(pairs)
        if question_pairs:
            sequence = [form_of.get(t.term, t.term) for t in unit_tokens]
            values[COLUMN["phrase"]] = len(question_pairs & set(zip(sequence, sequence[1:]))) / len(question_pairs)
        if unit_tokens:
            values[COLUMN["novelty"]] = sum(1 for t in unit_tokens if t.term not in own_forms) / len(unit_tokens)
        # What the sentence says that the question does not, by kind: a number, a name.
        first_word = unit_tokens[0].start if unit_tokens else 0
        new_number = any(t.kind != WORD and t.term not in own_forms for t in unit_tokens)
        new_name = any(t.kind == WORD and t.start != first_word and text[t.start:t.start + 1].isupper()
                       and t.term not in own_forms for t in unit_tokens)
        values[COLUMN["new_number"]] = new_number
        values[COLUMN["new_name"]] = new_name
        values[COLUMN["new_number_for_value"]] = new_number and kind in VALUE_ANSWERS
        values[COLUMN["new_name_for_name"]] = new_name and kind in NAME_ANSWERS
        if rarest is not None:
            values[COLUMN["rarest_in_sentence"]] = not rarest.isdisjoint(index.term_set(uid))
        evidence = find_evidence(text) if kind in EVIDENCE_TYPES else []
        values[COLUMN[group]] = type_match(question, text, evidence, anchors)
        pool.readings[row] = Reading(uid, tuple(evidence), tuple(anchors), term_spans, values[COLUMN[group]], True)
        pool.read[row] = True


def _min_window(positions: dict[str, list[int]]) -> int:
    """Length of the shortest stretch of tokens holding every matched term once."""
    events = sorted((p, term) for term, ps in positions.items() for p in ps)
    need = len(positions)
    counts: dict[str, int] = {}
    best = events[-1][0] - events[0][0] + 1
    left = 0
    for pos, term in events:
        counts[term] = counts.get(term, 0) + 1
        while len(counts) == need:
            best = min(best, pos - events[left][0] + 1)
            left_term = events[left][1]
            counts[left_term] -= 1
            if not counts[left_term]:
                del counts[left_term]
            left += 1
    return best


def opens_by_pointing_back(index: SentenceIndex, uid: int) -> bool:
    """True for a sentence that opens by pointing back at the one before it."""
    def compute(index: SentenceIndex, uid: int) -> bool:
        unit = index.unit(uid)
        return (unit.kind is UnitKind.TEXT and index.neighbour(uid, -1) is not None
                and bool(_POINTING_BACK.match(unit.text)))

    return index.remembered("points back", uid, compute)


def question_features(index: SentenceIndex, query: Query, terms: QueryTerms) -> dict[str, float]:
    """What the question itself says about whether the corpus can answer it: how much of it
    the corpus never uses (as written or in any form; with synonyms too, by English rarity)."""
    unknown = unknown_specific = unknown_most = 0.0
    for term, weight, specific in zip(terms.content, terms.idf_weights, terms.specific_weights):
        if all(index.is_unknown(f) for f in terms.forms[term]):
            unknown += weight
        if all(index.is_unknown(f) for f in terms.synonyms[term]):
            unknown_specific += specific
            unknown_most = max(unknown_most, specific)
    return {
        "unknown_share": unknown / terms.content_total if terms.content else 1.0,
        "unknown_specific": unknown_specific / terms.specific_total if terms.specific_total else 1.0,
        "unknown_most_specific": unknown_most / ZIPF_CEILING,
        "content_terms": float(len(terms.content)),
        "mean_idf": terms.content_total / len(terms.content) / math.log1p(len(index) + 0.5) if terms.content else 0.0,
    }
