"""Word meaning from the optional word vectors: a candidate's word near in meaning to the question's counts as its synonym."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.reader.features import FEATURES, NEAR_IN_MEANING, QueryTerms, near_in_meaning, read
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import analyze
from verbatim.retrieval.reader.retriever import gather
from verbatim.retrieval.words import meaning
from verbatim.retrieval.words.meaning import word_vectors

COL = {name: i for i, name in enumerate(FEATURES)}

needs_vectors = pytest.mark.skipif(word_vectors() is None, reason="the meaning extra (wordllama) is not installed")

FAMILY = ("The mayor of Kelmar drives an electric vehicle to the town hall. "
          "The mayor of Kelmar was elected in 2019 after two terms on the council.")
QUESTION = "What car does the mayor of Kelmar use?"


@pytest.fixture
def family(tmp_path: Path) -> Engine:
    (tmp_path / "mayor.txt").write_text(FAMILY, encoding="utf-8")
    return Engine.load(tmp_path)


def measured(engine: Engine, question: str) -> dict[str, dict[str, float]]:
    """Every feature of every candidate, read in full, by the candidate's text."""
    index = engine.index
    query = Query.of(index, analyze(question))
    pool = gather(index, query, QueryTerms.of(index, query))
    assert pool.terms is not None
    head = read(index, query, pool.terms, pool, np.arange(len(pool.uids)))
    return {index.unit(int(uid)).text: dict(zip(FEATURES, row.tolist())) for uid, row in zip(pool.uids, head.values)}


@needs_vectors
def test_a_word_near_in_meaning_joins_the_synonyms_of_the_question_word(family):
    index = family.index
    query = Query.of(index, analyze(QUESTION))
    terms = QueryTerms.of(index, query)
    assert "vehicl" not in terms.synonyms["car"]  # WordNet does not join them
    near = near_in_meaning(index, terms, np.arange(len(index)))
    joined = near.synonyms["car"] - terms.synonyms["car"]
    assert "vehicl" in joined
    # Words far in meaning stay apart, and the question's other terms keep their own.
    assert not {"hall", "elect", "council", "term"} & joined
    assert near.content == terms.content and near.forms == terms.forms


@needs_vectors
def test_an_identifier_or_a_name_is_matched_by_its_letters_not_by_its_pieces_meaning(tmp_path):
    (tmp_path / "api.txt").write_text(
        "The session store keeps each session in memory. "
        "Liang Wenfeng founded the company in 2023.", encoding="utf-8")
    index = Engine.load(tmp_path).index
    for question, asked in (("What does the KelmarSessionStore do?", "kelmarsessionstor"),
                            ("Who is Liang Wenfeng's partner?", "wenfeng")):
        query = Query.of(index, analyze(question))
        terms = QueryTerms.of(index, query)
        near = near_in_meaning(index, terms, np.arange(len(index)))
        assert asked in near.content
        assert near.synonyms[asked] == terms.synonyms[asked]


ANSWER, OTHER = FAMILY.split(". ", 1)
ANSWER += "."


@needs_vectors
def test_the_sentence_that_says_it_in_other_words_covers_more_of_the_question(family):
    with_vectors = measured(family, QUESTION)
    assert with_vectors[ANSWER]["coverage_synonyms"] > with_vectors[ANSWER]["coverage_sentence"]
    assert with_vectors[ANSWER]["coverage_synonyms"] > with_vectors[OTHER]["coverage_synonyms"]


def test_without_vectors_the_other_words_cover_nothing_more(family, without_word_vectors):
    plain = measured(family, QUESTION)
    assert plain[ANSWER]["coverage_synonyms"] == plain[ANSWER]["coverage_sentence"]
    assert plain[ANSWER]["coverage_synonyms"] == plain[OTHER]["coverage_synonyms"]


def test_without_vectors_the_terms_stay_as_the_question_gave_them(family, without_word_vectors):
    assert word_vectors() is None
    index = family.index
    query = Query.of(index, analyze(QUESTION))
    terms = QueryTerms.of(index, query)
    assert near_in_meaning(index, terms, np.arange(len(index))) is terms
    assert gather(index, query, terms).terms is terms


@needs_vectors
def test_word_vectors_are_unit_length_one_a_word_and_the_memo_stays_bounded(monkeypatch):
    vectors = word_vectors()
    assert vectors is not None
    found = vectors.of(["car", "vehicle", "car", "mayor"])
    assert found.shape == (4, vectors.table.shape[1])
    assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(found[0], found[2])
    assert float(found[0] @ found[1]) >= NEAR_IN_MEANING > float(found[0] @ found[3])
    assert vectors.of([]).shape == (0, vectors.table.shape[1])
    monkeypatch.setattr(meaning, "MEMO_WORDS", 3)
    again = vectors.of(["car", "harbour", "lighthouse"])  # "car" remembered, the rest overflow the memo
    assert len(vectors.memo) <= 3
    assert np.array_equal(again[0], found[0])
    assert np.array_equal(vectors.of(["vehicle", "car"])[1], found[0])


@needs_vectors
def test_the_why_says_the_word_was_found_as_a_word_near_in_meaning(family):
    result = family.ask(QUESTION, explain=True)
    best = (result.answers or result.closest)[0]  # two sentences are too few to answer from
    assert best.sentence.startswith("The mayor of Kelmar drives an electric vehicle")
    found = {match.text: match.found.value for match in result.explanation.concepts}
    assert found["car"] == "synonym in the sentence"


def test_without_vectors_the_why_finds_no_synonym_for_it(family, without_word_vectors):
    plain = family.ask(QUESTION, explain=True)
    assert {m.text: m.found.value for m in plain.explanation.concepts}["car"] != "synonym in the sentence"


def test_a_wordnet_synonym_is_said_to_be_one(tmp_path):
    (tmp_path / "a.txt").write_text("The company was established by two chemists in Leeds. Its shares trade in London.",
                                    encoding="utf-8")
    result = Engine.load(tmp_path).ask("Who founded the company?", explain=True)
    found = {match.text: match.found.value for match in result.explanation.concepts}
    assert found["founded"] == "synonym in the sentence"


def test_without_vectors_the_threshold_chosen_for_that_reading_applies(family, without_word_vectors):
    model = family.model
    assert model.threshold_without_word_vectors is not None and model.threshold_without_word_vectors != model.threshold
    assert model.answering_threshold() == model.threshold_without_word_vectors
    explained = family.ask(QUESTION, explain=True).explanation
    assert explained is not None and explained.threshold == model.threshold_without_word_vectors


@needs_vectors
def test_with_vectors_the_model_s_own_threshold_applies(family):
    assert family.model.answering_threshold() == family.model.threshold
    explained = family.ask(QUESTION, explain=True).explanation
    assert explained is not None and explained.threshold == family.model.threshold
