"""BM25 over sentence units: rank-bm25's Okapi scoring with an IDF that never goes flat."""

from __future__ import annotations

import math

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
    """rank-bm25's BM25Okapi (k1=1.5, b=0.75) with :func:`idf` in place of its epsilon floor."""

    def __init__(self, corpus: list[list[str]]):
        super().__init__(corpus, k1=K1, b=B)
        if self.avgdl == 0:  # every unit empty of terms: keep the length norm finite
            self.avgdl = 1.0

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = idf(freq, self.corpus_size)
        self.average_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0
