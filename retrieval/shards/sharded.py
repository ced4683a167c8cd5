"""A sharded index seen as one: the reader's questions fanned out to the shards, their answers merged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from verbatim.corpus import Unit
from verbatim.retrieval.index.bm25 import best_of, idf, idf_array
from verbatim.retrieval.index.sentence_index import ArticleInfo, related_terms
from verbatim.retrieval.reader.features import UNIT_COLUMNS, HeadReading, QueryTerms, Reading
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.retriever import Candidates, Totals
from verbatim.retrieval.shards.layout import Generation, articles_of, disk_size
from verbatim.retrieval.shards.shard import Shard, UnitFacts

if TYPE_CHECKING:
    from verbatim.retrieval.index.protocol import Index
    from verbatim.retrieval.index.sentence_index import SentenceIndex

_MISSING = object()
# Facts of units kept between questions, as one index keeps them (UNIT_CACHE).
FACTS_KEPT = 60_000


class ShardBackend(Protocol):
    """Where the shards answer: in this process, or one Ray actor each. A call names a method
    of ``Shard`` (the method itself, so it is checked), run on each shard with its arguments."""

    def __len__(self) -> int: ...

    def each(self, method: Callable[..., R], args: dict[int, tuple]) -> dict[int, R]:
        """``method(shard, *args[s])`` on each shard ``s`` named; the shards that did not
        answer are left out."""
        ...

    def one(self, shard: int, method: Callable[..., R], *args: Any) -> R:
        """``method`` on one shard; raises ShardUnavailable when it does not answer."""
        ...

    def close(self) -> None: ...


class LocalShards:
    """Every shard in this process, asked in turn: the format never needs a cluster."""

    def __init__(self, shards: list[Shard]):
        self.shards = shards

    def __len__(self) -> int:
        return len(self.shards)

    def each(self, method: Callable[..., R], args: dict[int, tuple]) -> dict[int, R]:
        """``method(shard, *args[s])`` on each shard ``s`` named. In one process a shard cannot
        stop answering: what it raises is a bug, and is raised."""
        return {s: method(self.shards[s], *a) for s, a in args.items()}

    def one(self, shard: int, method: Callable[..., R], *args: Any) -> R:
        return method(self.shards[shard], *args)

    def close(self) -> None:
        pass


class ShardUnavailable(Exception):
    """A shard did not answer, even after its restarts and retries."""


T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class ShardedData:
    """What callers read of an index's data that a sharded index has too."""

    skipped: dict[str, tuple[int, int]] = field(default_factory=dict)
    listing_warnings: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return self.listing_warnings + [w for notes in self.notes.values() for w in notes]


class _UnitArticle:
    """unit id -> article number, as one index's ``unit_article`` array answers it."""

    def __init__(self, firsts: np.ndarray):
        self.firsts = firsts

    def __getitem__(self, uids):
        found = np.searchsorted(self.firsts, uids, side="right") - 1
        return int(found) if np.ndim(found) == 0 else found


class ShardedIndex:
    """The questions the reader and the engine ask of an index, answered by shards: BM25 with
    the corpus's statistics in every shard, the pool chosen among all shards' candidates,
    each candidate read by its own shard. Answers equal those of one index of the corpus.

    ``missing`` names the shards that did not answer the current question: they are asked
    nothing more until the next one.
    """

    def __init__(self, generation: Generation, backend: ShardBackend, data: ShardedData | None = None):
        self.generation = generation
        self.backend = backend
        self.articles: list[ArticleInfo]
        self.articles, global_article, _ = articles_of(generation)
        self.shard_of_article = np.empty(len(self.articles), dtype=np.int64)
        self.local_article = np.empty(len(self.articles), dtype=np.int64)
        for s, numbers in enumerate(global_article):
            self.shard_of_article[numbers] = s
            self.local_article[numbers] = np.arange(len(numbers))
        self.firsts = np.array([a.first for a in self.articles], dtype=np.int64)
        self.unit_article = _UnitArticle(self.firsts)
        self.data = data or ShardedData()
        self.missing: set[int] = set()
        self._facts: dict[int, UnitFacts] = {}
        self._remembered: dict[tuple[str, int], object] = {}
        self._by_id: dict[str, int] = {}

    # -- the corpus ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.generation.name

    @property
    def root(self) -> str:
        return self.generation.root

    @property
    def warnings(self) -> list[str]:
        return self.data.warnings

    @property
    def skipped(self) -> dict[str, tuple[int, int]]:
        return self.data.skipped

    @property
    def part_count(self) -> int:
        return len(self.backend)

    def __len__(self) -> int:
        return self.generation.units

    @cached_property
    def _vocabulary(self) -> tuple[list[str], np.ndarray]:
        return self.generation.vocabulary()

    @cached_property
    def term_id(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self._vocabulary[0])}

    @cached_property
    def idf_values(self) -> np.ndarray:
        return idf_array(self._vocabulary[1], len(self))

    def document_frequency(self, term: str) -> int:
        t = self.term_id.get(term)
        return 0 if t is None else int(self._vocabulary[1][t])

    def is_unknown(self, term: str) -> bool:
        return term not in self.term_id

    def idf(self, term: str) -> float:
        t = self.term_id.get(term)
        return float(self.idf_values[t]) if t is not None else idf(0, len(self))

    def related(self, term: str) -> list[str]:
        return related_terms(self._vocabulary[0], term)

    # -- fanning out -------------------------------------------------------------------------------
    def begin_question(self) -> None:
        self.missing = set()

    def answering(self, attempt: Callable[[], T]) -> T:
        """``attempt()``, a whole answer, made again while a shard stops answering during it:
        the answer then comes from the other shards alone, as if that shard had been missing
        from the start, never partly from what it said before it stopped. Never raises
        ShardUnavailable: each attempt again has one more shard missing, and with every shard
        missing nothing is asked."""
        while True:
            before = len(self.missing)
            try:
                found = attempt()
            except ShardUnavailable:
                if len(self.missing) == before:  # raised for a shard missing from the start: a bug
                    raise
                continue
            if len(self.missing) == before:
                return found

    def _one(self, shard: int, method: Callable[..., R], *args: Any) -> R:
        """``method`` on one shard; a shard that does not answer is missing for the rest of
        the question, and raises ShardUnavailable (``answering`` then answers again)."""
        if shard in self.missing:
            raise ShardUnavailable(f"shard {shard} did not answer")
        try:
            return self.backend.one(shard, method, *args)
        except ShardUnavailable:
            self.missing.add(shard)
            raise

    def _each(self, method: Callable[..., R], args: Callable[[int], tuple]) -> dict[int, R]:
        return self._each_of(dict.fromkeys(range(len(self.backend))), method, args)

    def shard_of(self, uid: int) -> int:
        return int(self.shard_of_article[self.unit_article[uid]])

    def candidate_parts(self, forms: list[str], exclude: frozenset[int]) -> list[Candidates]:
        """Every shard's candidates, in two steps: the corpus's bests, then each shard's best
        by them (dfs_query_then_fetch, with the document frequencies merged once at build).
        They carry no features: those are measured once the pool is chosen."""
        found = self._each(Shard.totals, lambda s: (forms, exclude))
        totals = Totals.of(list(found.values()))
        parts = self._each(Shard.candidates, lambda s: (forms, exclude, totals))
        return [parts[s] for s in sorted(parts)]

    def _rows_by_shard(self, uids: np.ndarray) -> dict[int, np.ndarray]:
        """The places in ``uids`` grouped by the shard holding their unit, in their order."""
        rows = np.arange(len(uids))
        shards = self.shard_of_article[self.unit_article[uids]]
        return {int(s): rows[shards == s] for s in np.unique(shards)}

    def measure(self, terms: QueryTerms, uids: np.ndarray) -> np.ndarray:
        """Each shard measures the features of its own candidates in the chosen pool, so the
        work of a question does not grow with the shard count. A shard that does not answer
        leaves its rows unmeasured (and is named missing)."""
        measured = np.zeros((len(uids), len(UNIT_COLUMNS)))
        by_shard = self._rows_by_shard(uids)
        answers = self._each_of(by_shard, Shard.features, lambda s: (terms, uids[by_shard[s]].tolist()))
        for s, values in answers.items():
            measured[by_shard[s]] = values
        return measured

    def read_rows(self, query: Query, terms: QueryTerms, uids: np.ndarray, values: np.ndarray) -> HeadReading:
        """Each shard reads its own candidates among ``uids``; a shard that does not answer
        leaves its rows unread."""
        measured = np.array(values, dtype=float)
        read = np.zeros(len(uids), dtype=bool)
        readings = [Reading(int(uid)) for uid in uids.tolist()]
        by_shard = self._rows_by_shard(uids)
        answers = self._each_of(by_shard, Shard.read, lambda s: (query, terms, uids[by_shard[s]].tolist(),
                                                                    values[by_shard[s]]))
        for s, (shard_values, shard_readings, facts) in answers.items():
            measured[by_shard[s]] = shard_values
            read[by_shard[s]] = True
            for row, reading, fact in zip(by_shard[s].tolist(), shard_readings, facts):
                readings[row] = reading
                self._keep(reading.uid, fact)
        return HeadReading(measured, read, tuple(readings))

    def _each_of(self, shards: dict[int, Any], method: Callable[..., R], args: Callable[[int], tuple]) -> dict[int, R]:
        """``method`` on each shard named that has answered this question so far."""
        asked = {s: args(s) for s in shards if s not in self.missing}
        answers = self.backend.each(method, asked)
        self.missing |= set(asked) - set(answers)
        return answers

    # -- units ---------------------------------------------------------------------------------------
    def _keep(self, uid: int, fact: UnitFacts) -> None:
        if len(self._facts) >= FACTS_KEPT:
            self._facts.clear()
        self._facts[uid] = fact

    def _fact(self, uid: int) -> UnitFacts:
        found = self._facts.get(uid)
        if found is None:
            found = self._one(self.shard_of(uid), Shard.facts, [uid])[0]
            self._keep(uid, found)
        return found

    def unit(self, uid: int) -> Unit:
        return self._fact(uid).unit

    def text_of(self, uid: int) -> str:
        return self.unit(uid).text

    def texts_of(self, uids: list[int]) -> list[str]:
        return [unit.text for unit in self.units(uids)]

    def units(self, uids: range | list[int]) -> list[Unit]:
        """The units ``uids``, in order, one call to each shard that holds some."""
        by_shard: dict[int, list[int]] = {}
        for uid in uids:
            by_shard.setdefault(self.shard_of(uid), []).append(uid)
        found: dict[int, Unit] = {}
        for shard, asked in by_shard.items():
            for uid, fact in zip(asked, self._one(shard, Shard.facts, asked)):
                found[uid] = fact.unit
        return [found[uid] for uid in uids]

    def term_set(self, uid: int) -> frozenset[str]:
        return self._fact(uid).terms

    def section_titles(self, uid: int) -> list[str]:
        return list(self._fact(uid).section)

    def remembered(self, name: str, uid: int, compute):
        key = (name, uid)
        found = self._remembered.get(key, _MISSING)
        if found is _MISSING:
            if len(self._remembered) >= FACTS_KEPT:
                self._remembered.clear()
            found = self._remembered[key] = compute(self, uid)
        return found

    def title_terms(self, uid: int) -> set[str]:
        return self.remembered("title_terms", uid, lambda index, u: index._one(index.shard_of(u), Shard.title_terms, u))

    def article_terms(self, uid: int) -> set[str]:
        return self.remembered("article_terms", uid,
                               lambda index, u: index._one(index.shard_of(u), Shard.article_terms, u))

    def units_of(self, article: int) -> list[Unit]:
        """Every unit of article number ``article``: one call to the shard that holds it."""
        return self._one(int(self.shard_of_article[article]), Shard.units_of, int(self.local_article[article]))

    def article(self, uid: int) -> ArticleInfo:
        return self.articles[self.unit_article[uid]]

    def neighbour(self, uid: int, step: int) -> int | None:
        other = uid + step
        if 0 <= other < len(self) and self.unit_article[other] == self.unit_article[uid]:
            return other
        return None

    def article_index(self, article_id: str) -> int | None:
        if not self._by_id:
            self._by_id.update((a.id, i) for i, a in enumerate(self.articles))
        return self._by_id.get(article_id)

    def uid_at(self, article_id: str, start: int) -> int | None:
        a = self.article_index(article_id)
        shard = None if a is None else int(self.shard_of_article[a])
        if shard is None or shard in self.missing:  # a missing shard's units are in no answer
            return None
        return self._one(shard, Shard.uid_at, int(self.local_article[a]), start)

    def top(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best units by BM25 over every shard, best first (ties by unit id)."""
        found = [pair for pairs in self._each(Shard.top, lambda s: (query, k)).values() for pair in pairs]
        if not found:
            return []
        return best_of(np.array([u for u, _ in found], dtype=np.int64), np.array([v for _, v in found]), k)

    def close(self) -> None:
        self.backend.close()

    def saved_size(self, folder: Path | None) -> tuple[int, str]:
        return disk_size(self.generation), f"in {self.generation.count} shard{'' if self.generation.count == 1 else 's'}"


if TYPE_CHECKING:
    def _both_are_indexes(one: SentenceIndex, sharded: ShardedIndex) -> None:
        """For mypy (assignment is checked in this module): both classes answer the Index protocol."""
        indexes: list[Index] = [one, sharded]
        del indexes
