"""Rank a question's candidates with learned weights, and say how sure the best one is."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from verbatim.retrieval.index.protocol import Index
from verbatim.retrieval.reader.features import (
    COLUMN,
    FEATURES,
    READ_POOL,
    HeadReading,
    Pool,
    QueryTerms,
    Reading,
    question_features,
    read,
    read_only,
)
from verbatim.retrieval.reader.fields import structured_share
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.retriever import gather
from verbatim.retrieval.words.meaning import word_vectors

WEIGHTS_FILE = Path(__file__).with_name("weights.json")

# What the abstainer looks at: the winner's margin and strength, and how much of the
# question the corpus holds at all.
ABSTAIN_FEATURES = (
    "top_score", "margin", "top_probability", "top_coverage", "top_paragraph_coverage",
    "top_article_coverage", "top_bm25_absolute", "top_specific", "top_paragraph_bm25",
    "best_paragraph_coverage", "best_article_coverage", "best_article_specific",
    "unknown_share", "unknown_specific", "unknown_most_specific", "content_terms", "mean_idf",
)

# More than half of a question's candidates in documents made of entries: read as one.
STRUCTURED_SHARE = 0.5



@dataclass(frozen=True)
class LinearModel:
    """Weights over standardised features: score = w · (x - mean) / scale + bias."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float = 0.0

    @classmethod
    def from_json(cls, data: dict) -> LinearModel:
        return cls(tuple(data["features"]), np.array(data["mean"]), np.array(data["scale"]),
                   np.array(data["weights"]), float(data.get("bias", 0.0)))

    def to_json(self) -> dict:
        # A feature left out in training has an infinite scale: written as 1 with weight 0.
        scale = np.where(np.isinf(self.scale), 1.0, self.scale)
        return {"features": list(self.features), "mean": _rounded(self.mean), "scale": _rounded(scale),
                "weights": _rounded(self.weights), "bias": round(self.bias, 6)}

    def columns(self, names: tuple[str, ...]) -> np.ndarray:
        """Where this model's features stand among ``names`` (a file may use fewer)."""
        place = {name: i for i, name in enumerate(names)}
        missing = [f for f in self.features if f not in place]
        if missing:
            raise ValueError(f"the weights name features this version does not measure: {', '.join(missing)}")
        return np.array([place[f] for f in self.features], dtype=np.int64)

    def score(self, rows: np.ndarray) -> np.ndarray:
        """Scores of rows that hold exactly this model's features, in its order."""
        return ((rows - self.mean) / self.scale) @ self.weights + self.bias

    def standardise(self, row: np.ndarray) -> np.ndarray:
        """One row of raw measurements as the weights read them: (value - mean) / scale."""
        return (row - self.mean) / self.scale


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


@dataclass(frozen=True)
class ReaderModel:
    """The learned parts of the reader, as the weights file holds them."""

    retrieve: LinearModel
    read: LinearModel
    abstain: LinearModel
    threshold: float  # the least probability that is answered
    provenance: dict
    # A lone candidate has no rival: its margin reads as the median margin between the best
    # two of the training questions (train.py learns it).
    lone_margin: float
    # A further source must be at least this likely to answer against the best (the ratio
    # of their probabilities under the read stage's softmax): the cut that best told, on the
    # training questions, other sentences of the answer from the rest (train.py learns it).
    support_ratio: float
    # The models for questions whose candidates sit mostly in documents made of entries (FAQs,
    # reference pages), learned from every kind of question; this one's, from SQuAD alone,
    # read the rest (fields.py says which documents are made of entries).
    structured: ReaderModel | None = None
    # The threshold chosen for this model read without word vectors (the ``meaning`` extra
    # not installed: they widen its synonyms and so its probabilities); None: ``threshold``.
    threshold_without_word_vectors: float | None = None
    # Where each model's features stand in the measured rows (set from the models above).
    retrieve_columns: np.ndarray = field(init=False, repr=False, compare=False)
    read_columns: np.ndarray = field(init=False, repr=False, compare=False)
    abstain_columns: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Where each model's features stand in the measured rows; a weights file naming a
        # feature this version does not measure fails here, on load.
        object.__setattr__(self, "retrieve_columns", self.retrieve.columns(FEATURES))
        object.__setattr__(self, "read_columns", self.read.columns(FEATURES))
        object.__setattr__(self, "abstain_columns", self.abstain.columns(ABSTAIN_FEATURES))

    @classmethod
    def from_json(cls, data: dict) -> ReaderModel:
        return cls(LinearModel.from_json(data["retrieve"]), LinearModel.from_json(data["read"]),
                   LinearModel.from_json(data["abstain"]), float(data["threshold"]),
                   data.get("provenance", {}), float(data["lone_margin"]), float(data["support_ratio"]),
                   cls.from_json(data["structured"]) if data.get("structured") else None,
                   data.get("threshold_without_word_vectors"))

    def to_json(self) -> dict:
        return {"format": "verbatim-reader-weights", "version": 1, "provenance": self.provenance,
                "retrieve": self.retrieve.to_json(), "read": self.read.to_json(),
                "abstain": self.abstain.to_json(), "threshold": round(self.threshold, 6),
                "lone_margin": round(self.lone_margin, 6), "support_ratio": round(self.support_ratio, 6),
                **({"structured": self.structured.to_json()} if self.structured else {}),
                **({"threshold_without_word_vectors": self.threshold_without_word_vectors}
                   if self.threshold_without_word_vectors is not None else {})}

    def answering_threshold(self) -> float:
        """The least probability answered by this install: ``threshold``, or without word
        vectors the threshold chosen for that reading."""
        if self.threshold_without_word_vectors is not None and word_vectors() is None:
            return self.threshold_without_word_vectors
        return self.threshold


@cache
def shipped_model() -> ReaderModel:
    """The weights that ship with the package."""
    return ReaderModel.from_json(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class Ranking:
    """The Reader's output: a question's candidates best first, with their scores and the
    chance the best answers; the Retriever's pool and the read step's reading of its head."""

    pool: Pool
    head: np.ndarray  # the rows of the pool read, in the order read
    reading: HeadReading  # what the read step found of them
    order: np.ndarray  # rows of the pool, best first; the read ones lead
    scores: np.ndarray  # read-stage score of each row in ``order`` (retrieve-stage past the read ones)
    probability: float
    abstain_row: np.ndarray
    model: ReaderModel  # the models that read this question (plain or for entries)

    def __post_init__(self) -> None:
        for array in (self.head, self.order, self.scores, self.abstain_row):
            read_only(array)

    @classmethod
    def empty(cls, pool: Pool, model: ReaderModel) -> Ranking:
        nothing = np.empty(0, dtype=np.int64)
        return cls(pool, nothing, HeadReading.empty(), nothing, np.empty(0), 0.0, np.zeros(len(ABSTAIN_FEATURES)),
                   model)

    def _place_in_head(self, row: int) -> int | None:
        found = np.flatnonzero(self.head == row)
        return int(found[0]) if len(found) else None

    def found_in(self, row: int) -> Reading:
        """What the reading found in the candidate at ``row`` (nothing when it was not read)."""
        place = self._place_in_head(row)
        return self.reading.readings[place] if place is not None else Reading(int(self.pool.uids[row]))

    def was_read(self, row: int) -> bool:
        place = self._place_in_head(row)
        return place is not None and bool(self.reading.read[place])

    def features(self, row: int) -> np.ndarray:
        """Every feature of the candidate at ``row``: the read step's when it was read, else the pool's."""
        place = self._place_in_head(row)
        return self.reading.values[place] if place is not None else self.pool.values[row]

    def best(self, count: int) -> list[tuple[Reading, float]]:
        """The first ``count`` candidates with their scores, best first."""
        return [(self.found_in(row), score)
                for row, score in zip(self.order[:count].tolist(), self.scores[:count].tolist())]


@dataclass(frozen=True)
class Reader:
    """The Reader stage: the Retriever's pool (retriever.py), each candidate's features
    (features.py) scored by the learned ``model``, the best read closely and scored again."""

    model: ReaderModel

    def rank(self, index: Index, query: Query, exclude: frozenset[int] = frozenset()) -> Ranking:
        return rank_pool(index, query, self.model, exclude)


def rank_pool(index: Index, query: Query, model: ReaderModel,
              exclude: frozenset[int] = frozenset()) -> Ranking:
    """Gather, score cheaply, read the best, score again, and judge the winner."""
    terms = QueryTerms.of(index, query)
    pool = gather(index, query, terms, exclude)
    terms = pool.terms or terms
    # One model per kind of text (fields.py): the pool's majority says which reads it.
    if model.structured is not None and structured_share(index, pool.uids) >= STRUCTURED_SHARE:
        model = model.structured
    if not len(pool.uids):
        return Ranking.empty(pool, model)
    first = model.retrieve.score(pool.values[:, model.retrieve_columns])
    order = np.lexsort((pool.uids, -first))
    # A table's header row names the columns and holds no row's facts: its words lead to the
    # table, but it is never read as a candidate.
    order = order[pool.values[order, COLUMN["kind_header_row"]] == 0]
    if not len(order):
        return Ranking.empty(pool, model)
    head = order[:READ_POOL]
    reading = read(index, query, terms, pool, head)
    second = model.read.score(reading.values[:, model.read_columns])
    allowed = may_answer(reading.values, query.question.asks_for_code)
    if not allowed.any():
        return Ranking.empty(pool, model)
    # Best first those that may answer, then the rest of what was read: the abstainer weighs
    # the best against every sentence read, as it learned to (train.py), since lines of code
    # and page furniture that share the question's words make the best less sure.
    head_order = read_order(pool.uids[head], second, allowed)
    values = pool.values.copy()  # every candidate's features, the read ones' as read
    values[head] = reading.values
    row = abstain_features(index, query, terms, values, head[head_order], second[head_order], model.lone_margin)
    probability = float(1 / (1 + math.exp(-model.abstain.score(row[None, model.abstain_columns])[0])))
    answers = head_order[allowed[head_order]]
    rest = order[READ_POOL:]
    rest = rest[may_answer(pool.values[rest], query.question.asks_for_code)]
    order = np.concatenate([head[answers], rest])
    scores = np.concatenate([second[answers], first[rest]])
    return Ranking(pool, head, reading, order, scores, probability, row, model)


def may_answer(values: np.ndarray, code_asked: bool) -> np.ndarray:
    """Which candidates (rows of measured features) may answer, by what they are, not by a
    number on the score: all are found and lend their words to their paragraph, but a
    table's header row names columns and holds no row's facts, page furniture (copyright
    lines, credits, "More stories") answers nothing a reader asks, a sentence that asks the
    question again (a heading, a table of contents, a cross-reference) and an entry's bare
    number ("1.4.") and a line that only names the term asked about point to the answer
    elsewhere, a sentence made of the question's own words
    holds nothing a wh-question asks for, and a line of code answers only a question that
    asks for a command or an example."""
    allowed = ((values[:, COLUMN["kind_header_row"]] == 0) & (values[:, COLUMN["kind_boilerplate"]] == 0)
               & (values[:, COLUMN["asks_the_question"]] == 0) & (values[:, COLUMN["numbering_label"]] == 0)
               & (values[:, COLUMN["says_nothing_new"]] == 0) & (values[:, COLUMN["only_names"]] == 0))
    if not code_asked:
        allowed &= values[:, COLUMN["kind_code"]] == 0
    return allowed


def read_order(uids: np.ndarray, scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Positions of read candidates best first, as the reader and its training weigh them:
    those that may answer by score, then the rest by score; ties by unit id."""
    return np.lexsort((uids, -scores, ~allowed))


def abstain_features(index: Index, query: Query, terms: QueryTerms, values: np.ndarray,
                     order: np.ndarray, read_scores: np.ndarray, lone_margin: float) -> np.ndarray:
    """What the abstainer reads, in ABSTAIN_FEATURES order: the read stage's best and its
    margin, and how much of the question the candidates' paragraphs and articles and the
    corpus hold (``values`` are the pool's features, ``order`` its rows best first)."""
    best = values[order[0]]
    shifted = np.exp(read_scores - read_scores[0])
    measured = {
        "top_score": float(read_scores[0]),
        "margin": float(read_scores[0] - read_scores[1]) if len(read_scores) > 1 else lone_margin,
        "top_probability": float(1 / shifted.sum()),
        "top_coverage": best[COLUMN["coverage_forms"]],
        "top_paragraph_coverage": best[COLUMN["coverage_paragraph"]],
        "top_article_coverage": best[COLUMN["coverage_article"]],
        "top_bm25_absolute": best[COLUMN["bm25_absolute"]],
        "top_specific": best[COLUMN["coverage_specific"]],
        "top_paragraph_bm25": best[COLUMN["paragraph_bm25"]],
        "best_paragraph_coverage": values[:, COLUMN["coverage_paragraph"]].max(),
        "best_article_coverage": values[:, COLUMN["coverage_article"]].max(),
        "best_article_specific": values[:, COLUMN["article_specific"]].max(),
        **question_features(index, query, terms),
    }
    return np.array([float(measured[name]) for name in ABSTAIN_FEATURES])
