"""The searchable form of a corpus: every unit with its terms, and BM25 over them."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np

from corpus import Article, Corpus, Unit, UnitKind
from retrieval.bm25 import SentenceBM25, idf
from retrieval.tokens import terms

# Two stems are one word in another form ("founder"/"found", "investor"/"invest") when one
# is a prefix of the other, longer by a suffix of at most this many letters.
RELATED_MAX_SUFFIX = 3
RELATED_MIN_STEM = 4


@dataclass(slots=True)
class SentenceIndex:
    """Units of all articles under one numbering (unit id), with their terms and BM25."""

    corpus: Corpus
    unit_article: list[int]
    unit_position: list[int]
    unit_terms: list[list[str]]
    heading_of: list[int]
    bm25: SentenceBM25
    vocabulary: list[str]
    _title_terms: list[set[str]] = field(default_factory=list)
    _meta_terms: list[set[str]] = field(default_factory=list)
    _article_terms: dict[int, set[str]] = field(default_factory=dict)
    _uid_at: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def build(cls, corpus: Corpus) -> SentenceIndex:
        unit_article: list[int] = []
        unit_position: list[int] = []
        unit_terms: list[list[str]] = []
        heading_of: list[int] = []
        for a, article in enumerate(corpus.articles):
            heading = -1
            for p, unit in enumerate(article.units):
                uid = len(unit_article)
                unit_article.append(a)
                unit_position.append(p)
                unit_terms.append(terms(unit.text))
                heading_of.append(heading)
                if unit.kind is UnitKind.HEADING:
                    heading = uid
        bm25 = SentenceBM25(unit_terms)
        index = cls(
            corpus=corpus,
            unit_article=unit_article,
            unit_position=unit_position,
            unit_terms=unit_terms,
            heading_of=heading_of,
            bm25=bm25,
            vocabulary=sorted(bm25.idf),
        )
        index._title_terms = [set(terms(a.title)) for a in corpus.articles]
        index._meta_terms = [
            set(terms(" ".join(filter(None, [a.source, a.date, *a.authors]))))
            for a in corpus.articles
        ]
        return index

    # -- units ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.unit_article)

    def unit(self, uid: int) -> Unit:
        return self.corpus.articles[self.unit_article[uid]].units[self.unit_position[uid]]

    def article(self, uid: int) -> Article:
        return self.corpus.articles[self.unit_article[uid]]

    def terms_of(self, uid: int) -> list[str]:
        return self.unit_terms[uid]

    def neighbour(self, uid: int, step: int) -> int | None:
        """The unit ``step`` places away in the same article, if there is one."""
        other = uid + step
        if 0 <= other < len(self.unit_article) and self.unit_article[other] == self.unit_article[uid]:
            return other
        return None

    def title_terms(self, uid: int) -> set[str]:
        return self._title_terms[self.unit_article[uid]]

    def meta_terms(self, uid: int) -> set[str]:
        return self._meta_terms[self.unit_article[uid]]

    def uid_at(self, article_id: str, start: int) -> int | None:
        """The unit of article ``article_id`` that starts at character ``start``."""
        if not self._uid_at:
            for uid in range(len(self)):
                self._uid_at[(self.article(uid).id, self.unit(uid).start)] = uid
        return self._uid_at.get((article_id, start))

    def masthead_terms(self, uid: int) -> set[str]:
        """Terms of the headings that open the unit's article (headline, byline, dateline)."""
        first = uid - self.unit_position[uid]
        found: set[str] = set()
        for u in range(first, first + len(self.article(uid).units)):
            unit = self.unit(u)
            if unit.paragraph > 3:
                break
            if unit.kind is UnitKind.HEADING:
                found.update(self.unit_terms[u])
        return found

    def article_terms(self, uid: int) -> set[str]:
        """Every term of the article the unit belongs to."""
        a = self.unit_article[uid]
        found = self._article_terms.get(a)
        if found is None:
            first = uid - self.unit_position[uid]
            count = len(self.corpus.articles[a].units)
            found = {t for u in range(first, first + count) for t in self.unit_terms[u]}
            self._article_terms[a] = found
        return found

    # -- terms ---------------------------------------------------------------------------
    def document_frequency(self, term: str) -> int:
        return sum(1 for freqs in self.bm25.doc_freqs if term in freqs) if term in self.bm25.idf else 0

    def is_unknown(self, term: str) -> bool:
        """True for a term no unit of the corpus uses."""
        return term not in self.bm25.idf

    def idf(self, term: str) -> float:
        """The term's BM25 IDF; a term the corpus never uses gets the highest value."""
        value = self.bm25.idf.get(term)
        return value if value is not None else idf(0, self.bm25.corpus_size)

    def related(self, term: str) -> list[str]:
        """Vocabulary terms that are ``term`` in another form (a shared stem plus a short
        suffix): "found" and "founder", "invest" and "investor"."""
        if len(term) < RELATED_MIN_STEM or not term.isalpha():
            return []
        stem = term[:RELATED_MIN_STEM]
        found = []
        i = bisect_left(self.vocabulary, stem)
        while i < len(self.vocabulary) and self.vocabulary[i].startswith(stem):
            other = self.vocabulary[i]
            i += 1
            if other == term:
                continue
            short, long_ = sorted((term, other), key=len)
            if long_.startswith(short) and len(long_) - len(short) <= RELATED_MAX_SUFFIX:
                found.append(other)
        return found

    # -- scoring -------------------------------------------------------------------------
    def scores(self, query: list[str]) -> np.ndarray:
        """BM25 score of every unit for the query terms."""
        return self.bm25.get_scores(query)

    def scores_of(self, query: list[str], uids: list[int]) -> list[float]:
        """BM25 scores of the given units only."""
        return [float(x) for x in self.bm25.get_batch_scores(query, uids)] if uids else []

    def top(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best units by BM25, best first, leaving out units that score zero."""
        scores = self.scores(query)
        if not len(scores):
            return []
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(best.tolist(), key=lambda uid: (-scores[uid], uid))
        return [(uid, float(scores[uid])) for uid in ranked if scores[uid] > 0]
