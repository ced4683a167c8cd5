"""Honest edges: the case of a question, a question that points back, and who agrees with whom."""

from __future__ import annotations

import json

import pytest
from conftest import EVAL

from verbatim.retrieval.conversation.memory import points_back
from verbatim.retrieval.reader.support import agreement

DEV = [json.loads(line)["question"] for line in (EVAL / "dev-questions.jsonl").read_text(encoding="utf-8").splitlines()
       if line.strip()]


def answer_of(engine, question: str):
    result = engine.ask(question)
    return result.answered, [(p.article.id, p.start) for p in result.answers]


@pytest.mark.parametrize("question", DEV)
def test_capital_letters_never_change_the_answer(engine, question):
    expected = answer_of(engine, question)
    for variant in (question.lower(), question.upper(), question.title()):
        assert answer_of(engine, variant) == expected, variant


@pytest.mark.parametrize("question", ["How old is he?", "What is its valuation?", "Where was she born?",
                                      "What did they say about it?"])
def test_a_question_that_points_back_needs_the_one_before(engine, question):
    assert points_back(question)
    result = engine.ask(question)
    assert not result.answered
    assert "needs the one before it" in result.reason


@pytest.mark.parametrize("question", ["How old is Liang Wenfeng?", "Is it true that DeepSeek is valued at $20 billion?",
                                      "What did Liang Wenfeng say when he met Li Qiang?"])
def test_a_question_that_names_its_subject_stands_alone(question):
    assert not points_back(question)


def test_sources_agree_or_differ_only_across_articles():
    assert agreement([("a", "10,000"), ("a", "10,000")]) is None
    assert agreement([("a", "10,000"), ("a", "20 billion")]) is None
    assert agreement([("a", "10,000"), ("b", "10,000")]) == "agree"
    assert agreement([("a", "$20 billion"), ("b", "$59 billion"), ("a", "$20 billion")]) == "differ"


@pytest.mark.parametrize("question", DEV[:8] + ["Who won the 2022 FIFA World Cup?"])
def test_answered_exactly_when_the_probability_reaches_the_threshold(engine, question):
    from verbatim.retrieval.reader.ranker import shipped_model

    result = engine.ask(question)
    assert result.probability is not None and 0.0 <= result.probability <= 1.0
    assert result.answered == (result.probability >= shipped_model().threshold)
    if result.answered:
        assert result.answers[0].probability == result.probability


def test_explain_lists_every_feature_with_its_weight_and_part(engine):
    from verbatim.retrieval.reader.ranker import shipped_model

    explanation = engine.ask("How old is Liang Wenfeng?", explain=True).explanation
    names = [f.name for f in explanation.features]
    assert names == list(shipped_model().read.features)
    model = shipped_model().read
    for f in explanation.features:
        i = names.index(f.name)
        assert f.contribution == pytest.approx((f.value - model.mean[i]) / model.scale[i] * model.weights[i],
                                               rel=0.02, abs=0.01)
    assert sum(f.contribution for f in explanation.features) + shipped_model().read.bias == pytest.approx(
        explanation.score, abs=1e-2)
