"""Question analysis: the asking wh-word, the answer type, the focus noun and the concepts."""

from __future__ import annotations

import pytest

from verbatim.retrieval.reader.question import AnswerType, analyze


@pytest.mark.parametrize(
    "question, kind",
    [
        ("How old is Liang Wenfeng?", AnswerType.AGE),
        ("At what age did she retire?", AnswerType.AGE),
        ("How many A100 chips did the Firefly-2 have?", AnswerType.COUNT),
        ("How much money is DeepSeek raising?", AnswerType.MONEY),
        ("How much did the round cost?", AnswerType.MONEY),
        ("How much less energy did it use?", AnswerType.NUMBER),
        ("By what percentage did Nvidia's shares fall?", AnswerType.PERCENT),
        ("What valuation could the round give DeepSeek?", AnswerType.MONEY),
        ("When did OpenAI suspend its services?", AnswerType.DATE),
        ("What year was it founded?", AnswerType.DATE),
        ("When is it useful?", AnswerType.OTHER),
        ("Where was DeepSeek's founder seen?", AnswerType.PLACE),
        ("In which province is High-Flyer registered?", AnswerType.PLACE),
        ("Why did DeepSeek limit registrations?", AnswerType.REASON),
        ("What is the reason for the sell-off?", AnswerType.REASON),
        ("Who is Christopher Beddor?", AnswerType.DEFINITION),
        ("What does MLA stand for?", AnswerType.DEFINITION),
        ("What is a block in a Python program?", AnswerType.DEFINITION),
        ("Who founded DeepSeek?", AnswerType.ENTITY),
        ("DeepSeek was founded by whom?", AnswerType.ENTITY),
        ("Which company makes batteries?", AnswerType.ORGANIZATION),
        ("Which analyst spoke about the meeting?", AnswerType.PERSON),
        ("What did Li Qiang say after the symposium?", AnswerType.QUOTE),
        ("What has Trump said about DeepSeek?", AnswerType.QUOTE),
        ("Who wrote the China Watch article?", AnswerType.AUTHOR),
        ("How did DeepSeek beat its rivals?", AnswerType.MANNER),
        ("Is DeepSeek open source?", AnswerType.YESNO),
        ("What is described as the most reliable growth engine?", AnswerType.OTHER),
        ("Which exception is raised when you delete an unbound name?", AnswerType.OTHER),
        ("What does the del statement do?", AnswerType.OTHER),
    ],
)
def test_answer_types(question, kind):
    assert analyze(question).answer_type is kind


@pytest.mark.parametrize(
    "question, focus",
    [
        ("Which media outlet reported on the Firefly-2 computer?", "outlet"),
        ("Which suite runs when all the expressions are false?", "suite"),
        ("What export controls does the industry face?", "controls"),
        ("What is the capital of France?", "capital"),
        ("Which persistent issues is China combating?", "issues"),
        ("What does MLA stand for?", None),
    ],
)
def test_focus_noun(question, focus):
    assert analyze(question).focus == focus


def test_the_asking_wh_word_is_not_one_in_a_clause():
    question = analyze("Which exception is raised when you delete a name?")
    assert question.wh == "which"


def test_a_multi_word_name_is_one_concept():
    question = analyze("Who edited the Radio Free Asia article?")
    names = [c for c in question.concepts if c.proper]
    assert [(c.terms, c.surface) for c in names] == [(("radio", "free", "asia"), "Radio Free Asia")]


def test_words_that_describe_the_answer_weigh_less():
    weights = {t.surface: t.weight for t in analyze("Which newspaper reported it in the article?").terms}
    assert weights["newspaper"] < 1 and weights["article"] < weights["newspaper"] < weights["reported"]
    cue = {t.surface: t.weight for t in analyze("What did Li Qiang say?").terms}
    assert cue["say"] < cue["Li"]


def test_names_are_capitalised_words_not_at_the_start():
    proper = {t.surface: t.proper for t in analyze("Where does Christopher Beddor work in 2024?").terms}
    assert proper == {"Christopher": True, "Beddor": True, "work": False, "2024": True}
