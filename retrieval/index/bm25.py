"""Okapi BM25 (Robertson et al.) over sentences, scored from the index's own postings; rank-bm25 is the test oracle."""

from __future__ import annotations

import math
import threading

import numpy as np
from rank_bm25 import BM25Okapi

K1 = 1.5
B = 0.75


def idf(document_frequency: int, corpus_size: int) -> float:
    """Lucene's BM25 IDF: log(1 + (N - n + 0.5) / (n + 0.5)).

    Okapi's log((N - n + 0.5) / (n + 0.5)) is zero for a term in half the units and
    negative above; rank-bm25 then floors it at epsilon times the mean IDF. On a small
    corpus that lets a word found in one of two sentences weigh nothing, and a common word
    outweigh a rare one (dorianbrown/rank_bm25 issues 39, 43, 50). This form is positive
    for every n and falls strictly as n grows, so a rarer question word always counts more.
    A term the corpus never uses (n = 0) gets the highest value, which the selector uses
    to weigh what the corpus cannot cover.
    """
    return math.log(1.0 + (corpus_size - document_frequency + 0.5) / (document_frequency + 0.5))


class SentenceBM25(BM25Okapi):
    """rank-bm25's BM25Okapi (k1=1.5, b=0.75) with :func:`idf` in place of its epsilon floor:
    the reference the tests hold :class:`PostingsBM25` to, never used to answer a question."""

    avgdl: float

    def __init__(self, corpus: list[list[str]]):
        super().__init__(corpus, k1=K1, b=B)
        if self.avgdl == 0:  # every unit empty of terms: keep the length norm finite
            self.avgdl = 1.0

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = idf(freq, self.corpus_size)
        self.average_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0


def idf_array(document_frequencies: np.ndarray, corpus_size: int) -> np.ndarray:
    """:func:`idf` of every term at once, each value exactly :func:`idf`'s: one call per
    distinct frequency (a vectorised logarithm may round the last bit otherwise, and a
    shard must weigh a word exactly as the whole corpus does)."""
    distinct, inverse = np.unique(np.asarray(document_frequencies, dtype=np.int64), return_inverse=True)
    values = np.array([idf(int(n), corpus_size) for n in distinct.tolist()], dtype=np.float64)
    return values[inverse.reshape(-1)]


def posting_weights(tf: np.ndarray, doc_len: np.ndarray, avgdl: float) -> np.ndarray:
    """The term-frequency part of Okapi BM25 for each posting, as rank-bm25 computes it."""
    avgdl = avgdl or 1.0
    tf = tf.astype(np.float64)
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * doc_len.astype(np.float64) / avgdl))


def rescaled_weights(weights: np.ndarray, units: np.ndarray, lengths: np.ndarray, saved_avgdl: float,
                     avgdl: float) -> np.ndarray:
    """Posting weights made with ``saved_avgdl`` remade for ``avgdl`` (a shard's weights for
    the whole corpus's mean length), as float32 like the saved ones.

    The term frequency is read back from each weight (tf = w K / (k1 + 1 - w)); when any
    does not give the saved weight back exactly, ValueError: the caller counts them.
    """
    if saved_avgdl == avgdl:
        return weights
    lengths = np.asarray(lengths, dtype=np.float64)[units]
    w = np.asarray(weights, dtype=np.float64)
    saved = saved_avgdl or 1.0
    k = K1 * (1 - B + B * lengths / saved)
    with np.errstate(divide="ignore", invalid="ignore"):
        tf = np.rint(w * k / (K1 + 1 - w))
    if not np.isfinite(tf).all() or not np.array_equal(
            posting_weights(tf, lengths, saved).astype(np.float32), np.asarray(weights, dtype=np.float32)):
        raise ValueError("term frequencies cannot be read back from the weights")
    return posting_weights(tf, lengths, avgdl).astype(np.float32)


class PostingsBM25:
    """Okapi BM25 as questions are scored: the same scores as :class:`SentenceBM25`, read
    from the index's own inverted index (score of a unit = Σ over the query's words, repeats
    counted, of idf · tf (k1 + 1) / (tf + k1 (1 − b + b · length / mean length))).

    rank-bm25 walks every sentence for every query word; here each query word reads only its
    postings (the sentences that hold it), so a question costs what its words occur, not
    what the corpus holds. Postings are CSR arrays: the units of term t are
    ``units[ptr[t]:ptr[t + 1]]`` with their precomputed tf weights.
    """

    def __init__(self, term_id: dict[str, int], ptr: np.ndarray, units: np.ndarray,
                 weights: np.ndarray, idf: np.ndarray, corpus_size: int):
        self.term_id = term_id
        self.ptr = ptr
        self.units = units
        self.weights = weights
        self.idf = idf
        self.corpus_size = corpus_size
        self._lock = threading.Lock()
        self._scores: np.ndarray | None = None
        self._seen: np.ndarray | None = None

    def get_scores(self, query: list[str]) -> np.ndarray:
        """BM25 of every unit, like rank-bm25's ``get_scores`` (query words may repeat)."""
        scores = np.zeros(self.corpus_size, dtype=np.float64)
        for word in query:
            t = self.term_id.get(word)
            if t is None:
                continue
            a, b = int(self.ptr[t]), int(self.ptr[t + 1])
            scores[self.units[a:b]] += self.idf[t] * self.weights[a:b]
        return scores

    def touched(self, query: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every unit that holds a query word, with its BM25 score (order unspecified).

        Costs what the query's postings hold: scores gather in buffers kept between calls
        and cleared only where they were written, never scanned whole.
        """
        hit, values, _ = self.touched_in_order(query)
        return hit, values

    def touched_in_order(self, query: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`touched`, with the place in ``query`` of the first word each unit holds.

        Units come by that place, then by unit id: the order equal scores are broken in,
        which a sharded index rebuilds from (place, unit id) to break them the same way.
        """
        with self._lock:
            scores, seen = self._buffers()
            touched, places = [], []
            for place, word in enumerate(query):
                t = self.term_id.get(word)
                if t is None:
                    continue
                a, b = int(self.ptr[t]), int(self.ptr[t + 1])
                units = self.units[a:b]
                scores[units] += self.idf[t] * self.weights[a:b]
                new = units[~seen[units]]
                seen[new] = True
                touched.append(new)
                places.append(np.full(len(new), place, dtype=np.int64))
            if not touched:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int64)
            hit = np.concatenate(touched).astype(np.int64)
            values = scores[hit]
            scores[hit] = 0.0
            seen[hit] = False
        return hit, values, np.concatenate(places)

    def top(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best units with a score above zero, best first (ties by unit id)."""
        if k <= 0:
            return []
        hit, values = self.touched(query)
        return best_of(hit, values, k)

    def _buffers(self) -> tuple[np.ndarray, np.ndarray]:
        scores, seen = self._scores, self._seen
        if scores is None or seen is None:
            scores = self._scores = np.zeros(self.corpus_size, dtype=np.float64)
            seen = self._seen = np.zeros(self.corpus_size, dtype=bool)
        return scores, seen


def top_positions(values: np.ndarray, k: int, ties: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``k`` highest values, highest first; equal values in the order of
    ``ties`` (their positions when None). Never sorts more than ``k``."""
    ties = np.arange(len(values)) if ties is None else ties
    if len(values) > k:
        part = np.argpartition(-values, k - 1)[:k]
        # argpartition picks any of the values equal to the k-th: take them by ``ties``, so
        # the choice is the same however the values are split (one index or its shards).
        cut = values[part].min()
        above = np.flatnonzero(values > cut)
        level = np.flatnonzero(values == cut)
        part = np.concatenate([above, level[np.argsort(ties[level], kind="stable")][: k - len(above)]])
        return part[np.lexsort((ties[part], -values[part]))]
    return np.lexsort((ties, -values))


def best_of(units: np.ndarray, values: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` units with the highest positive values, best first (ties by unit id)."""
    keep = values > 0
    units, values = units[keep], values[keep]
    return [(int(units[i]), float(values[i])) for i in top_positions(values, k, units)]
