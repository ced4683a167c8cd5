"""Each feature of a candidate sentence, measured on small constructed corpora."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.reader.features import FEATURES, QueryTerms, read, specificity_of
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import analyze
from verbatim.retrieval.reader.retriever import gather

COL = {name: i for i, name in enumerate(FEATURES)}


def corpus_of(tmp_path: Path, **files: str) -> Engine:
    for name, text in files.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    return Engine.load(tmp_path)


def features(engine: Engine, question: str) -> dict[str, dict[str, float]]:
    """Every feature of every candidate, read in full, by the candidate's text."""
    index = engine.index
    query = Query.of(index, analyze(question))
    terms = QueryTerms.of(index, query)
    pool = gather(index, query, terms)
    head = read(index, query, terms, pool, np.arange(len(pool.uids)))
    return {index.unit(int(uid)).text: dict(zip(FEATURES, row.tolist())) for uid, row in zip(pool.uids, head.values)}


def test_the_stages_outputs_are_frozen_and_the_read_step_leaves_the_pool_as_the_retriever_made_it(harbour):
    index = harbour.index
    query = Query.of(index, analyze("Who built the lighthouse at Kelmar?"))
    terms = QueryTerms.of(index, query)
    pool = gather(index, query, terms)
    before = pool.values.copy()
    head = read(index, query, terms, pool, np.arange(len(pool.uids)))
    assert np.array_equal(pool.values, before)  # read features of the pool stay 0; the read step's are its own
    assert head.read.all() and len(head.readings) == len(pool.uids) and head.values.shape == pool.values.shape
    for array in (pool.uids, pool.values, pool.paragraph, head.values, head.read):
        with pytest.raises(ValueError):
            array[0] = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        pool.values = before
    ranking = harbour.reader.rank(index, query)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ranking.order = ranking.order[::-1]
    with pytest.raises(ValueError):
        ranking.scores[0] = 0.0
    best = int(ranking.order[0])
    assert ranking.was_read(best) and ranking.found_in(best).read
    assert ranking.features(best)[COL["answer_name"]] == ranking.found_in(best).type_match


@pytest.fixture
def harbour(tmp_path):
    return corpus_of(
        tmp_path,
        harbour="The Old Harbour\n\n"
        "The lighthouse at Kelmar was built in 1872 by the engineer Ada Brunel. "
        "It stands forty metres tall.\n\n"
        "Fishing boats leave the quay at dawn. The quay was built again after the storm.\n\n"
        "Brunel also designed the swing bridge.",
        other="Mountain Railways\n\n"
        "The rack railway climbs to the summit in an hour. Tickets are sold at the valley station.",
    )


def test_coverage_in_the_sentence_weighs_rare_words_more(harbour):
    found = features(harbour, "When was the lighthouse at Kelmar built?")
    full = found["The lighthouse at Kelmar was built in 1872 by the engineer Ada Brunel."]
    assert full["coverage_sentence"] == pytest.approx(1.0)
    part = found["The quay was built again after the storm."]
    assert 0 < part["coverage_sentence"] < 1 / 3  # "built", the commonest of three words


def test_paragraph_and_article_coverage_count_words_around_the_sentence(harbour):
    # ("How tall ...?" would make "tall" the kind of answer asked for, not a topic word.)
    found = features(harbour, "Is the lighthouse at Kelmar tall?")
    tall = found["It stands forty metres tall."]
    assert 0 < tall["coverage_sentence"] < 1
    assert tall["coverage_paragraph"] == pytest.approx(1.0)
    assert tall["coverage_article"] == pytest.approx(1.0)
    assert tall["refers_back"] == 1.0  # "It ..." points at the sentence before
    assert 0.5 < tall["coverage_previous"] < 1  # "lighthouse" and "Kelmar", not "tall"
    quay = features(harbour, "Who built the lighthouse at Kelmar?")["The quay was built again after the storm."]
    assert quay["coverage_sentence"] == quay["coverage_paragraph"] < quay["coverage_article"] == pytest.approx(1.0)


def test_neighbours_join_the_pool_for_their_place(harbour):
    found = features(harbour, "Who built the lighthouse at Kelmar?")
    assert found["It stands forty metres tall."]["neighbour_only"] == 1.0
    assert found["The lighthouse at Kelmar was built in 1872 by the engineer Ada Brunel."]["neighbour_only"] == 0.0


def test_the_asked_kind_of_answer_is_a_feature(harbour):
    found = features(harbour, "When was the lighthouse at Kelmar built?")
    assert found["The lighthouse at Kelmar was built in 1872 by the engineer Ada Brunel."]["answer_value"] > 0
    found = features(harbour, "How tall is the lighthouse?")
    assert found["The lighthouse at Kelmar was built in 1872 by the engineer Ada Brunel."]["answer_name"] == 0.0


def test_word_order_proximity_and_phrases(harbour):
    found = features(harbour, "Which boats leave the quay at dawn?")
    boats = found["Fishing boats leave the quay at dawn."]
    assert boats["phrase"] == pytest.approx(1.0)
    assert boats["order"] == pytest.approx(1.0)
    assert boats["proximity"] == pytest.approx(1.0)


def test_synonyms_and_derivations_from_wordnet(tmp_path):
    engine = corpus_of(tmp_path, a="The company was established by two chemists in Leeds. "
                       "Its shares trade in London.")
    found = features(engine, "Who founded the company?")
    sentence = found["The company was established by two chemists in Leeds."]
    assert sentence["coverage_synonyms"] > sentence["coverage_sentence"]


def test_general_english_specificity():
    assert specificity_of("parameters") > specificity_of("putting") > specificity_of("money") > specificity_of("the")
    assert specificity_of("qwzxvbnm") == 8.0


def test_title_coverage(harbour):
    found = features(harbour, "Where do fishing boats in the old harbour leave from?")
    assert found["Fishing boats leave the quay at dawn."]["coverage_title"] > 0
