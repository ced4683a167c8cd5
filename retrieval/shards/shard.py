"""One shard serving questions: its saved index, scored with the corpus's statistics, numbered as the corpus."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from verbatim.corpus import Unit
from verbatim.retrieval.index import store
from verbatim.retrieval.index.sentence_index import CorpusStatistics, SentenceIndex
from verbatim.retrieval.reader.features import (
    QueryTerms,
    Reading,
)
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.retriever import Candidates, Totals, candidates, touched
from verbatim.retrieval.shards.layout import Generation, articles_of


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What the answer's wording needs of a unit, fetched with its reading so no second
    call to its shard is made."""

    unit: Unit
    terms: frozenset[str]
    section: tuple[str, ...]


class Shard:
    """A shard's index with the corpus's document frequencies, unit count and mean length,
    answering in the corpus's unit numbers (those one index of the whole corpus would use)."""

    def __init__(self, index: SentenceIndex, global_article: np.ndarray, global_first: np.ndarray):
        self.index = index
        local_first = np.array([a.first for a in index.articles], dtype=np.int64)
        self.global_first = global_first  # ascending: a shard keeps the corpus's order
        self.shift = global_first - local_first
        self.global_article = global_article
        self._touched: tuple[tuple, object] | None = None

    @classmethod
    def open(cls, generation: Generation, shard: int) -> Shard:
        """Shard ``shard`` of ``generation``, its arrays mapped from the shared folder."""
        data = store.load(generation.shard_version(shard), generation.root)
        statistics = CorpusStatistics(np.asarray(generation.df_of(shard)), generation.units, generation.avgdl)
        _, global_article, global_first = articles_of(generation)
        return cls(SentenceIndex(data, statistics), global_article[shard], global_first[shard])

    # -- numbering -----------------------------------------------------------------------------
    def to_corpus(self, local: np.ndarray) -> np.ndarray:
        local = np.asarray(local, dtype=np.int64)
        return local + self.shift[self.index.data.unit_article[local]]

    def to_local(self, uids) -> np.ndarray:
        uids = np.asarray(uids, dtype=np.int64)
        article = np.searchsorted(self.global_first, uids, side="right") - 1
        return uids - self.shift[article]

    def _local_set(self, exclude: frozenset[int]) -> frozenset[int]:
        mine = [u for u in exclude if self.owns(u)]
        return frozenset(self.to_local(mine).tolist()) if mine else frozenset()

    def owns(self, uid: int) -> bool:
        article = int(np.searchsorted(self.global_first, uid, side="right")) - 1
        if article < 0:
            return False
        return uid < self.global_first[article] + self.index.articles[article].count

    # -- a question ----------------------------------------------------------------------------
    def _found(self, forms: list[str], exclude: frozenset[int]):
        key = (tuple(forms), exclude)
        if self._touched is None or self._touched[0] != key:  # the two steps of a question share it
            self._touched = (key, touched(self.index, forms, self._local_set(exclude)))
        return self._touched[1]

    def totals(self, forms: list[str], exclude: frozenset[int]) -> Totals:
        """This shard's bests for the question: the first of its two steps."""
        return self._found(forms, exclude).totals

    def candidates(self, forms: list[str], exclude: frozenset[int], totals: Totals) -> Candidates:
        """This shard's candidates, scored against the corpus's ``totals``: the second step."""
        found = candidates(self.index, self._found(forms, exclude), totals, self._local_set(exclude))
        if len(found.uids):
            found.uids = self.to_corpus(found.uids)
            found.article = self.global_article[found.article]
        return found

    def features(self, terms: QueryTerms, uids: list[int]) -> np.ndarray:
        """The UNIT_FEATURES of those of this shard's units that were chosen for the pool:
        the third step."""
        return self.index.measure(terms, self.to_local(uids))

    def read(self, query: Query, terms: QueryTerms, uids: list[int], values: np.ndarray
             ) -> tuple[np.ndarray, list[Reading], list[UnitFacts]]:
        """The slow reading of some of this shard's candidates (``values``: their features),
        the last step, with what the answer's wording needs of them."""
        head = self.index.read_rows(query, terms, self.to_local(uids), values)
        readings = [dataclasses.replace(reading, uid=uid) for reading, uid in zip(head.readings, uids)]
        return head.values, readings, self.facts(uids)

    def facts(self, uids: list[int]) -> list[UnitFacts]:
        index = self.index
        return [UnitFacts(index.unit(u), index.term_set(u), tuple(index.section_titles(u)))
                for u in self.to_local(uids).tolist()]

    def top(self, query: list[str], k: int) -> list[tuple[int, float]]:
        found = self.index.top(query, k)
        if not found:
            return []
        uids = self.to_corpus(np.array([u for u, _ in found]))
        return [(int(u), score) for u, (_, score) in zip(uids.tolist(), found)]

    def title_terms(self, uid: int) -> set[str]:
        return self.index.title_terms(int(self.to_local([uid])[0]))

    def article_terms(self, uid: int) -> set[str]:
        return self.index.article_terms(int(self.to_local([uid])[0]))

    def units_of(self, article: int) -> list[Unit]:
        """Every unit of the shard's ``article`` (its place in the shard): an article's text in one call."""
        return self.index.units_of(article)

    def uid_at(self, article: int, start: int) -> int | None:
        """The unit of the shard's ``article`` (its place in the shard) that starts at ``start``."""
        local = self.index.uid_at(self.index.articles[article].id, start)
        return None if local is None else int(self.to_corpus(np.array([local]))[0])

    def ping(self) -> int:
        return len(self.index)
