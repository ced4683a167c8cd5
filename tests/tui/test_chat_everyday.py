"""The chat for every day: welcome, the 80x24 layout, Tab to the latest answer, asking before clearing."""

from __future__ import annotations

from chat_pilot import ask, chat, screen_lines, settle
from textual.widgets import Footer

from retrieval.examples import example_questions
from tui.confirm import ConfirmScreen
from tui.widgets import AnswerCard, ExampleQuestion, PassageRow, QuestionInput, Welcome


def questions_asked(app) -> list[str]:
    return [card.question for card in app.query(AnswerCard)]


class TestWelcome:
    async def test_an_empty_chat_greets_with_the_corpus_and_questions_it_answers(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            welcome = app.query_one(Welcome)
            text = "\n".join(screen_lines(app))
            assert engine.info.name in text
            assert f"{engine.info.articles} articles · {engine.info.sentences} sentences" in text
            examples = example_questions(engine)
            assert [e.question for e in welcome.query(ExampleQuestion)] == examples
            for number, question in enumerate(examples, start=1):
                assert f"{number}   {question}" in text

    async def test_a_number_in_the_empty_box_asks_that_example(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            assert questions_asked(app) == [app.examples[1]]
            assert app.query_one(AnswerCard).result.answered
            assert not app.query(Welcome)
            assert app.query_one(QuestionInput).value == ""
            await pilot.press("1")  # the welcome is gone: a digit is text again
            assert app.query_one(QuestionInput).value == "1"
            assert len(questions_asked(app)) == 1

    async def test_a_digit_after_text_is_typed_not_asked(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("W", "h", "o", "space", "1")
            assert app.query_one(QuestionInput).value == "Who 1"
            assert app.query(Welcome) and not app.query(AnswerCard)

    async def test_clicking_an_example_asks_it(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            third = app.query(ExampleQuestion)[2]
            await pilot.click(third)
            await settle(pilot)
            assert questions_asked(app) == [third.question]

    async def test_the_welcome_comes_back_after_clearing(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, "What is CATL?")
            assert not app.query(Welcome)
            await pilot.press("ctrl+l", "y")
            await settle(pilot)
            assert app.query(Welcome) and not app.query(AnswerCard)
            await pilot.press("1")
            await settle(pilot)
            assert questions_asked(app) == [app.examples[0]]


def footer_keys_fit(app, width: int) -> None:
    footer = app.query_one(Footer)
    keys = [key for key in footer.query("FooterKey") if key.display]
    assert keys
    for key in keys:
        assert key.region.right <= width, f"{key.description!r} is cut off at {width} columns"


class TestEightyByTwentyFour:
    async def test_every_footer_key_fits_in_80_columns(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            footer_keys_fit(app, 80)
            descriptions = [k.description for k in app.query_one(Footer).query("FooterKey")]
            assert {"Export", "Clear", "Quit", "Help"} <= set(descriptions)
            await ask(pilot, "Who is Christopher Beddor?")
            await pilot.press("tab")  # an answer's own keys join the footer
            await settle(pilot)
            assert isinstance(app.focused, PassageRow)
            footer_keys_fit(app, 80)
            assert "Open" in [k.description for k in app.query_one(Footer).query("FooterKey")]

    async def test_the_strength_stays_on_the_line_of_the_place(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            # Its answer sits under a long section heading: the place wraps.
            await ask(pilot, "Who is Christopher Beddor?")
            row = app.query_one(PassageRow)
            [line] = [line for line in screen_lines(app) if "strength" in line]
            assert "strength ▮" in line and f"{row.passage.article.id}:{row.passage.line}" in line


class TestTab:
    async def test_the_first_tab_reaches_the_latest_answer(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, "What is CATL?")
            await ask(pilot, "Who is Christopher Beddor?")
            latest = app.query(AnswerCard).last()
            await pilot.press("tab")
            assert app.focused is latest.query(PassageRow).first()
            assert "Christopher Beddor" in app.focused.passage.sentence

    async def test_shift_tab_goes_back_and_ctrl_g_returns_to_the_latest(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, "What is CATL?")
            await ask(pilot, "Who is Christopher Beddor?")
            latest = app.query(AnswerCard).last().query(PassageRow).first()
            await pilot.press("tab", "shift+tab")
            assert app.focused is not latest and isinstance(app.focused, PassageRow)
            await pilot.press("ctrl+g")
            assert app.focused is latest
            app.query_one(QuestionInput).focus()
            await pilot.press("ctrl+g")
            assert app.focused is latest

    async def test_tab_with_no_answer_yet_stays_usable(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("tab")
            assert app.focused is None or app.focused is app.query_one(QuestionInput)


class TestClear:
    async def test_clear_asks_first_and_no_keeps_the_conversation(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, "What is CATL?")
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmScreen)
            assert len(app.query(AnswerCard)) == 1 and len(app.exchanges) == 1
            await pilot.press("ctrl+l", "escape")
            await settle(pilot)
            assert len(app.query(AnswerCard)) == 1

    async def test_yes_clears(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, "What is CATL?")
            await pilot.press("ctrl+l", "enter")
            await settle(pilot)
            assert not app.query(AnswerCard) and app.exchanges == []
            assert app.focused is app.query_one(QuestionInput)

    async def test_nothing_to_clear_is_said_not_asked(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmScreen)
            assert any("nothing to clear" in n.message for n in app._notifications)
