"""What the reader, the engine and the chat ask of an index: one interface for one index and for shards."""

from __future__ import annotations

from collections.abc import Callable, Set
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

    from verbatim.corpus import Unit
    from verbatim.retrieval.index.sentence_index import ArticleInfo
    from verbatim.retrieval.reader.features import HeadReading, QueryTerms
    from verbatim.retrieval.reader.query import Query
    from verbatim.retrieval.reader.retriever import Candidates

T = TypeVar("T")


class ArticleOfUnit(Protocol):
    """unit id (or an array of them) -> article number: an array, or what answers as one."""

    def __getitem__(self, uids: Any, /) -> Any: ...


class Index(Protocol):
    """A corpus's units, their terms and BM25, and the steps of a question over them.

    ``SentenceIndex`` answers from its own arrays; ``ShardedIndex`` is the adapter that
    answers the same questions from its shards, one call to each shard a step. Callers hold
    an ``Index`` and never ask which one it is.
    """

    # -- the corpus ------------------------------------------------------------------------------
    @property
    def name(self) -> str: ...
    @property
    def root(self) -> str: ...
    @property
    def articles(self) -> list[ArticleInfo]: ...
    @property
    def warnings(self) -> list[str]:
        """One line for every file left out or repaired, and every folder not walked."""
    @property
    def skipped(self) -> dict[str, tuple[int, int]]:
        """The files left out (path -> size and time when they were)."""
    @property
    def unit_article(self) -> ArticleOfUnit: ...
    def __len__(self) -> int: ...
    def article_index(self, article_id: str) -> int | None: ...
    def article(self, uid: int) -> ArticleInfo:
        """The article unit ``uid`` belongs to."""
    def close(self) -> None:
        """Release what it holds (a sharded index on Ray ends its actors)."""
    def saved_size(self, folder: Path | None) -> tuple[int, str]:
        """Bytes it takes in its saved ``folder`` (0 when not saved), and how it is laid out
        there ("" for one index, "in N shards" for a sharded one)."""

    # -- units ---------------------------------------------------------------------------------
    def unit(self, uid: int) -> Unit: ...
    def units(self, uids: range) -> list[Unit]:
        """The units ``uids``, in order, in one call to each part that holds some."""
    def text_of(self, uid: int) -> str: ...
    def texts_of(self, uids: list[int]) -> list[str]:
        """The texts of the units ``uids``, in order, in one call to each part that holds some."""
    def units_of(self, article: int) -> list[Unit]:
        """Every unit of article number ``article``, in order: one call, whatever holds them."""
    def term_set(self, uid: int) -> frozenset[str]: ...
    def title_terms(self, uid: int) -> set[str]: ...
    def article_terms(self, uid: int) -> set[str]: ...
    def section_titles(self, uid: int) -> list[str]: ...
    def neighbour(self, uid: int, step: int) -> int | None: ...
    def uid_at(self, article_id: str, start: int) -> int | None: ...

    # -- term statistics and BM25 --------------------------------------------------------------
    def idf(self, term: str) -> float: ...
    def is_unknown(self, term: str) -> bool: ...
    def document_frequency(self, term: str) -> int: ...
    def related(self, term: str) -> list[str]: ...
    def top(self, query: list[str], k: int) -> list[tuple[int, float]]: ...

    # -- the steps of a question ---------------------------------------------------------------
    def candidate_parts(self, forms: list[str], exclude: frozenset[int]) -> list[Candidates]:
        """Each part's candidates (one part, or one a shard), scored with the corpus's statistics."""
    def measure(self, terms: QueryTerms, uids: np.ndarray) -> np.ndarray:
        """The unit features (UNIT_COLUMNS) of the candidates ``uids``, measured by the part that holds each."""
    def read_rows(self, query: Query, terms: QueryTerms, uids: np.ndarray, values: np.ndarray) -> HeadReading:
        """The slow reading of the candidates ``uids`` (``values``: their features), by the part that holds each."""

    # -- a question's life ---------------------------------------------------------------------
    def begin_question(self) -> None:
        """A new question: every part is asked again."""
    def answering(self, attempt: Callable[[], T]) -> T:
        """``attempt()``, made again without a part that stops answering during it."""
    @property
    def missing(self) -> Set[int]:
        """The parts that did not answer the current question (none for one index)."""
    @property
    def part_count(self) -> int:
        """How many parts answer (1 for one index, the shard count for a sharded one)."""
