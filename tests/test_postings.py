"""The postings index gives rank-bm25's scores: checked on random corpora."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from verbatim.retrieval.index.bm25 import PostingsBM25, SentenceBM25, idf_array
from verbatim.retrieval.index.build import postings

WORDS = st.sampled_from([f"w{i}" for i in range(12)])
CORPORA = st.lists(st.lists(WORDS, max_size=9), min_size=1, max_size=40)
QUERIES = st.lists(st.one_of(WORDS, st.sampled_from(["unknown", "zz"])), min_size=1, max_size=6)


def postings_bm25(corpus: list[list[str]]) -> PostingsBM25:
    vocab = sorted({w for doc in corpus for w in doc})
    term_id = {w: i for i, w in enumerate(vocab)}
    ids = np.array([term_id[w] for doc in corpus for w in doc], dtype=np.int64)
    counts = np.array([len(doc) for doc in corpus], dtype=np.int64)
    ptr, units, weights, _ = postings(ids, counts, len(vocab))
    return PostingsBM25(term_id, ptr, units, weights, idf_array(np.diff(ptr), len(corpus)), len(corpus))


@settings(max_examples=300, deadline=None)
@given(CORPORA, QUERIES, st.integers(min_value=1, max_value=10))
def test_postings_scores_equal_rank_bm25(corpus, query, k):
    reference = SentenceBM25(corpus)
    fast = postings_bm25(corpus)
    expected = reference.get_scores(query)
    scores = fast.get_scores(query)
    assert np.allclose(scores, expected, rtol=1e-5, atol=1e-9)
    # The same top k: ties broken by unit id, units scoring zero left out, on both sides.
    order = sorted((u for u in range(len(corpus)) if expected[u] > 0), key=lambda u: (-expected[u], u))
    top = [u for u, _ in fast.top(query, k)]
    assert [round(float(expected[u]), 4) for u in top] == [round(float(expected[u]), 4) for u in order[:k]]


def test_an_empty_corpus_of_terms_scores_nothing():
    fast = postings_bm25([[], []])
    assert fast.get_scores(["x"]).tolist() == [0.0, 0.0]
    assert fast.top(["x"], 3) == []
