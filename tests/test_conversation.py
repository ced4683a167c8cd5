"""Follow-up questions lean on the previous turn; questions that stand alone do not."""

from __future__ import annotations

import json

import pytest


def converse(engine, *turns):
    conversation = engine.conversation()
    return [engine.ask(turn, conversation=conversation) for turn in turns]


@pytest.mark.parametrize(
    "turns, read_as, answer",
    [
        (["Who founded DeepSeek?", "How old is he?"], "How old is Liang Wenfeng?", "40-year-old"),
        (["What did Trump say about DeepSeek?", "Which companies joined his AI initiative?"],
         "Which companies joined Trump's AI initiative?", "Texas-based Oracle"),
        (["Which outlet reported on the Firefly-2?", "How many chips did it have?"],
         "How many chips did Firefly-2 have?", "10,000 A100 GPU chips"),
        (["Who is Christopher Beddor?", "What did he say?"], "What did Christopher Beddor say?",
         "tacit acknowledgement"),
        (["What is CATL?", "And Tencent?"], "What is Tencent?", "Tencent"),
    ],
)
def test_follow_ups_are_read_against_the_previous_turn(engine, turns, read_as, answer):
    *_, last = converse(engine, *turns)
    assert last.interpreted_as == read_as
    assert last.answered and answer in last.answers[0].sentence


def test_a_question_that_stands_alone_is_not_bent(engine):
    alone = engine.ask("What did Xi Jinping urge tech leaders to do?")
    _, follow = converse(engine, "Who is Christopher Beddor?", "What did Xi Jinping urge tech leaders to do?")
    assert follow.interpreted_as is None
    assert follow.answers[0].sentence == alone.answers[0].sentence


def test_a_demonstrative_carries_the_previous_answer(engine):
    _, follow = converse(engine, "Where was DeepSeek's founder seen a week ago?", "Who hosted that meeting?")
    assert "Xi Jinping" in follow.answers[0].sentence


def test_what_else_does_not_repeat_the_answer_given(engine):
    first, _, again = converse(engine, "Who is Christopher Beddor?", "What did he say?", "What else did he say?")
    given = {p.sentence for p in first.answers}
    assert not again.answered or again.answers[0].sentence not in given


def test_without_a_conversation_pronouns_are_not_resolved(engine):
    engine.ask("Who founded DeepSeek?")
    assert engine.ask("How old is he?").interpreted_as is None


def test_an_expletive_it_is_left_alone(engine):
    _, follow = converse(engine, "What is CATL?", "Is it true that DeepSeek uses Nvidia chips?")
    assert "CATL" not in (follow.interpreted_as or "")


def test_cli_conversation_and_independent_lines(verbatim):
    stdin = "Who is Christopher Beddor?\nWhat did he say?\n"
    lines = [json.loads(line) for line in verbatim("--ask", "-", "--json", "--conversation", stdin=stdin).out.splitlines()]
    assert lines[1]["interpreted_as"] == "What did Christopher Beddor say?"
    assert "tacit acknowledgement" in lines[1]["answers"][0]["sentence"]
    lines = [json.loads(line) for line in verbatim("--ask", "-", "--json", stdin=stdin).out.splitlines()]
    assert lines[1]["interpreted_as"] is None


def test_a_long_conversation_keeps_only_the_turns_follow_ups_read(engine):
    from verbatim.retrieval.conversation.memory import KEPT_TURNS

    conversation = engine.conversation()
    questions = ["Who is Christopher Beddor?", "What did he say?", "What is CATL?", "And Tencent?"]
    for n in range(6 * KEPT_TURNS):
        engine.ask(questions[n % len(questions)], conversation=conversation)
    assert len(conversation.turns) == KEPT_TURNS
    assert conversation.turns[-1].question == questions[(6 * KEPT_TURNS - 1) % len(questions)]
    # Still reads a follow-up against the last turn.
    engine.ask("Who is Christopher Beddor?", conversation=conversation)
    assert engine.ask("What did he say?", conversation=conversation).interpreted_as is not None
