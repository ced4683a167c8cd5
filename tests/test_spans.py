"""Short answers: the span inside the sentence that answers a who/when/how-many question."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    "question, short",
    [
        ("How old is Liang Wenfeng?", "40-year-old"),
        ("Who edited the Radio Free Asia article?", "Malcolm Foster"),
        ("When was High-Flyer listed as a National High-tech Enterprise?", "December 2023"),
        ("How many companies were hit by Washington's new export control package?", "140"),
        ("By what percentage did Nvidia's shares fall?", "17%"),
        ("Which newspaper reported that Liang was invited to Beijing?", "People’s Daily"),
        ("Which media outlet reported on the Firefly-2 computer?", "The Paper"),
        ("What valuation could the new funding round give DeepSeek?", "400 billion RMB ($59 billion)"),
        ("What did Trump call DeepSeek?", "“wake-up call”"),
    ],
)
def test_short_answer_spans(engine, question, short):
    result = engine.ask(question)
    first = result.answers[0]
    start, end = first.span
    assert 0 <= start < end <= len(first.sentence)
    assert first.sentence[start:end] == short


def test_no_span_for_questions_that_do_not_ask_for_a_value_or_name(engine):
    assert engine.ask("What promise is DeepSeek selling?").answers[0].span is None


def test_every_span_lies_in_its_sentence(engine):
    for question in ("Who founded DeepSeek?", "What valuation could the new funding round give DeepSeek?",
                     "When did OpenAI suspend its services to China?"):
        for passage in engine.ask(question).answers:
            if passage.span:
                assert 0 <= passage.span[0] < passage.span[1] <= len(passage.sentence)


@pytest.mark.xfail(strict=True, reason="the learned reader lists the $20 billion sentence too far below the best "
                   "to count as support (issue 9)")
def test_sources_that_give_different_figures_are_listed_together(engine):
    result = engine.ask("What valuation could the new funding round give DeepSeek?")
    assert result.agreement == "differ"
    assert len({p.article.id for p in result.answers}) >= 2


def test_span_in_json(verbatim):
    run = verbatim("--ask", "How old is Liang Wenfeng?", "--json")
    answer = json.loads(run.out)["answers"][0]
    start, end = answer["span"]
    assert answer["sentence"][start:end] == "40-year-old"


def test_a_value_far_from_every_word_of_the_question_is_not_its_short_answer(tmp_path):
    """The date ends a sentence about something else the museum did: pointing at it would
    answer a question the sentence does not."""
    from verbatim.retrieval.engine import Engine

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "museum.txt").write_text(
        "The museum founded by the Harbor Trust reopened its east wing to large crowds of visitors "
        "from every corner of the region on Monday.\n", encoding="utf-8")
    (folder / "bridge.txt").write_text("The old bridge was repaired on 3 May 2021.\n", encoding="utf-8")
    engine = Engine.load(folder, index_dir=tmp_path / "index")
    far = engine.ask("When was the museum founded?")
    assert far.answered and far.answers[0].sentence.startswith("The museum founded")
    assert far.answers[0].span is None
    near = engine.ask("When was the old bridge repaired?")
    first = near.answers[0]
    assert first.span and first.sentence[first.span[0]:first.span[1]] == "3 May 2021"
