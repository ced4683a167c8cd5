"""Honest edges: the case of a question, a question that points back, and who agrees with whom."""

from __future__ import annotations

import json
import math
import re

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



def test_a_refusal_under_a_threshold_set_high_says_the_probability_was_below_it(engine):
    from verbatim.retrieval.engine import Engine

    answered = engine.ask("What is CATL?")
    assert answered.answered and answered.probability < 0.995
    strict = Engine.load(threshold=0.995)
    result = strict.ask("What is CATL?")
    assert not result.answered and result.probability == answered.probability
    found = re.fullmatch(r"the probability that the corpus answers, (0\.\d+), is below the threshold set, 0\.995",
                         result.reason or "")
    assert found, result.reason
    assert abs(float(found.group(1)) - result.probability) < 0.001
    # A question the corpus does not know keeps its own reason, whatever the threshold.
    assert strict.ask("Who won the 2022 FIFA World Cup?").reason.startswith("the corpus never mentions")


def test_the_probability_and_threshold_are_written_so_the_one_reads_below_the_other():
    from verbatim.retrieval.reader.abstention import _below

    assert _below(0.9934, 0.999) == ("0.993", "0.999")
    assert _below(0.9989, 0.999) == ("0.9989", "0.999")
    assert _below(0.41, 0.5) == ("0.41", "0.5")

def test_explain_lists_every_feature_with_its_weight_and_part(engine):
    from verbatim.retrieval.reader.ranker import shipped_model

    explanation = engine.ask("How old is Liang Wenfeng?", explain=True).explanation
    names = [f.name for f in explanation.features]
    assert names == list(shipped_model().read.features)
    model = shipped_model().read
    for f in explanation.features:
        i = names.index(f.name)
        assert f.standardised == pytest.approx((f.value - model.mean[i]) / model.scale[i], abs=2e-3)
        assert f.contribution == pytest.approx((f.value - model.mean[i]) / model.scale[i] * model.weights[i],
                                               rel=0.02, abs=0.01)
    assert explanation.bias == pytest.approx(model.bias, abs=1e-3)
    assert sum(f.contribution for f in explanation.features) + explanation.bias == pytest.approx(
        explanation.score, abs=1e-2)


FEATURE_LINE = re.compile(r"^    (\w+) +(-?\d+\.\d{3}) → +([+-]\d+\.\d{3}) × +([+-]\d+\.\d{3}) = +([+-]\d+\.\d{3})$")


@pytest.mark.parametrize("question", ["How old is Liang Wenfeng?", "Who won the 2022 FIFA World Cup?",
                                      "What is CATL?"])
def test_printed_explanation_adds_up(engine, question):
    """What --explain prints can be checked by hand: each contribution is the printed
    standardised value times the printed weight, and the bias and the contributions add up
    to the printed score, each to the rounding of three decimals."""
    from verbatim.tui.output import render_explanation

    text = render_explanation(engine.ask(question, explain=True).explanation)
    lines = text.splitlines()
    rows = [m.groups() for m in map(FEATURE_LINE.match, lines) if m]
    assert len(rows) > 10, text
    printed_half_unit = 0.0005
    for name, _value, standardised, weight, contribution in rows:
        z, w, c = float(standardised), float(weight), float(contribution)
        assert abs(z * w - c) <= printed_half_unit * (abs(z) + abs(w) + 1) + 1e-9, name
    bias = float(next(line for line in lines if line.startswith("    bias ")).split()[-1])
    score = float(re.search(r"^  score (-?\d+\.\d{3}):", text, re.M).group(1))
    total = bias + sum(float(row[4]) for row in rows)
    assert abs(total - score) <= printed_half_unit * (len(rows) + 2), (total, score)
    logit = re.search(r"chance it answers: (\d\.\d\d), the logistic of ([+-]\d+\.\d\d)", text)
    if logit:
        assert float(logit.group(1)) == pytest.approx(1 / (1 + math.exp(-float(logit.group(2)))), abs=0.006)
