"""The BM25 IDF: a rare question word always counts, even on a tiny corpus."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from verbatim.retrieval.index.bm25 import SentenceBM25, idf


@pytest.mark.parametrize("n", [1, 2, 3, 5, 100])
def test_idf_is_positive_and_falls_with_document_frequency(n):
    values = [idf(df, n) for df in range(0, n + 1)]
    assert all(v > 0 for v in values)
    assert all(a > b for a, b in zip(values, values[1:]))


def test_okapi_floor_would_silence_a_rare_word_on_two_sentences():
    corpus = [["deepseek", "chip"], ["deepseek", "fund"]]
    okapi = BM25Okapi(corpus)
    ours = SentenceBM25(corpus)
    # Okapi: "chip" is in one of two sentences, log(1.5/1.5) = 0, so it finds nothing.
    assert okapi.get_scores(["chip"]).tolist() == [0.0, 0.0]
    scores = ours.get_scores(["chip"])
    assert scores[0] > 0 and scores[1] == 0


def test_a_rare_word_outweighs_a_common_one():
    corpus = [["ai", "chip"], ["ai", "fund"], ["ai", "model"], ["ai", "talent"]]
    bm25 = SentenceBM25(corpus)
    assert bm25.idf["chip"] > bm25.idf["ai"] > 0
    assert np.argmax(bm25.get_scores(["ai", "chip"])) == 0


def test_scores_follow_the_okapi_formula_with_this_idf():
    corpus = [["a", "b", "b"], ["b", "c"], ["c"]]
    bm25 = SentenceBM25(corpus)
    k1, b, avgdl = 1.5, 0.75, 2.0
    tf, dl = 2, 3
    expected = idf(2, 3) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
    assert math.isclose(bm25.get_scores(["b"])[0], expected)


def test_units_without_terms_do_not_break_scoring():
    bm25 = SentenceBM25([[], []])
    assert bm25.get_scores(["x"]).tolist() == [0.0, 0.0]
