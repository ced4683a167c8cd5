"""Retrieval of known sentences, the answer selector's preferences, and abstention."""

from __future__ import annotations

from pathlib import Path

import pytest

from verbatim.corpus import UnitKind
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.terms import terms


def corpus_of(tmp_path: Path, **files: str) -> Engine:
    for name, text in files.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    return Engine.load(tmp_path)


def test_bm25_finds_a_sentence_by_its_rare_words(engine):
    [(uid, _), *_] = engine.index.top(terms("reliable growth engine"), 5)
    assert engine.index.unit(uid).text.startswith("Big tech companies are perhaps the most reliable")


def test_the_answer_is_a_sentence_of_the_corpus_with_its_place(engine):
    result = engine.ask("How old is Liang Wenfeng?")
    assert result.answered
    best = result.answers[0]
    assert "40-year-old Liang Wenfeng" in best.sentence
    article = engine.article(best.article.id)
    assert " ".join(article.text[best.start : best.end].split()) == best.sentence
    unit = next(u for u in article.units if u.start == best.start)
    assert (unit.paragraph, unit.sentence) == (best.paragraph, best.sentence_index)


def test_a_sentence_holding_the_asked_kind_wins(tmp_path):
    engine = corpus_of(
        tmp_path,
        acme="Acme Corp was founded by Jane Roe, a chemist. "
        "Acme Corp was founded in 1999 in Springfield. "
        "Acme Corp makes anvils for the export market.",
    )
    assert "in 1999" in engine.ask("When was Acme Corp founded?").answers[0].sentence
    assert "Jane Roe" in engine.ask("Who founded Acme Corp?").answers[0].sentence


def test_a_sentence_that_points_back_inherits_its_subject(tmp_path):
    engine = corpus_of(
        tmp_path,
        engines="The Zephyr engine was redesigned for the new airliner last year.\n"
        "It now burns hydrogen instead of kerosene, its makers say.\n\n"
        "Other engines in the fleet were left as they were.",
    )
    result = engine.ask("What fuel does the Zephyr engine burn now?")
    assert result.answered
    assert result.answers[0].sentence.startswith("It now burns hydrogen")


def test_a_reason_beats_a_restatement(tmp_path):
    engine = corpus_of(
        tmp_path,
        notes="Leading zeros in a decimal number are not allowed.\n"
        "This is because they would be confused with octal literals.",
    )
    result = engine.ask("Why are leading zeros in a decimal number not allowed?")
    assert result.answers[0].sentence.startswith("This is because")


def test_boilerplate_is_not_chosen_over_content(engine):
    ranked = engine.candidates("Who edited the Radio Free Asia article?", k=5)
    assert ranked[0].sentence == "Edited by Malcolm Foster."
    kinds = {u.text: u.kind for a in engine.articles for u in engine.article(a.id).units}
    assert all(kinds[p.sentence] is not UnitKind.BOILERPLATE for p in ranked)  # furniture never answers


@pytest.mark.parametrize(
    "question",
    [
        "Who painted the Mona Lisa?",
        "What is the capital of France?",
        "What did Elon Musk say about DeepSeek?",
        "How much does one DeepSeek API call cost?",
    ],
)
def test_questions_the_corpus_does_not_answer_are_refused(engine, question):
    result = engine.ask(question)
    assert not result.answered
    assert result.answers == []
    assert result.reason


def test_a_question_without_content_words_is_refused(engine):
    result = engine.ask("What was there then?")
    assert not result.answered and "no words" in result.reason
    result = engine.ask("What is it?")  # the one word it has points at an earlier turn
    assert not result.answered and "needs the one before it" in result.reason


def test_an_unanswered_result_lists_the_closest_sentences_apart(engine):
    result = engine.ask("What did Elon Musk say about DeepSeek?")
    assert not result.answered
    assert result.closest and not result.answers


def test_supporting_sentences_come_after_the_answer(engine):
    result = engine.ask("Which companies are leading DeepSeek's funding talks?", top=3)
    assert result.answered and 1 <= len(result.answers) <= 3
    scores = [p.score for p in result.answers]
    assert scores[0] == max(scores)


def test_top_limits_the_list(engine):
    assert len(engine.ask("Who is CATL?", top=1).answers) == 1


GUIDE = """# Building the site

The generator writes every page into the public folder when you build the site.

```
site build --output public --clean
```

Copyright 2024 The Site Authors. All rights reserved.
"""


def test_code_answers_only_a_question_that_asks_for_a_command(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "guide.md").write_text(GUIDE, encoding="utf-8")
    engine = Engine.load(tmp_path / "corpus", index_dir=tmp_path / "index")
    prose = engine.ask("Where does the build put the site's pages?")
    assert prose.answered and prose.answers[0].sentence.startswith("The generator writes")
    assert not any(p.sentence.startswith("site build") for p in engine.candidates("How do I build the site?", k=5))
    asked = engine.candidates("What command builds the site into the public folder?", k=5)
    assert any(p.sentence.startswith("site build") for p in asked)
    # Page furniture shares the question's words but never answers.
    assert not any("Copyright" in p.sentence for p in engine.candidates("Who are the site's authors?", k=5))
