"""The chat for every day: welcome, the 80x24 layout, Tab to the latest answer, asking before clearing."""

from __future__ import annotations

from chat_pilot import ask, chat, screen_lines, settle
from textual.widgets import Footer

from verbatim.retrieval.conversation.examples import example_questions
from verbatim.tui.confirm import ConfirmScreen
from verbatim.tui.widgets import AnswerCard, ExampleQuestion, PassageRow, QuestionInput, Welcome


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
            last = app.query(ExampleQuestion).last()
            await pilot.click(last)
            await settle(pilot)
            assert questions_asked(app) == [last.question]

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


def list_text(app) -> str:
    return "\n".join(screen_lines(app))


class TestArticleList:
    async def test_filtering_shows_how_many_of_all(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert f"Articles ({len(engine.articles)})" in list_text(app)
            await pilot.press(*"funding")
            await settle(pilot)
            titles = [a for a in engine.articles if "funding" in a.title.casefold() or "funding" in a.id]
            everywhere = [a for a in engine.articles
                          if "funding" in " ".join(engine.index.text_of(u) for u in range(a.first, a.first + a.count))
                          .casefold() or a in titles]
            assert 0 < len(titles) < len(everywhere) <= len(engine.articles)
            count = app.screen.query_one("#articles-count")
            assert f"{len(everywhere)} of {len(engine.articles)}" in str(count.render())
            assert app.screen.query_one("OptionList").option_count == len(everywhere)

    async def test_the_text_is_searched_and_the_match_shown(self, engine):
        app = chat(engine)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+o")
            await pilot.press(*"Malcolm Foster")  # only in the text of one article
            await settle(pilot)
            options = app.screen.query_one("OptionList")
            assert options.option_count == 1
            prompt = str(options.get_option_at_index(0).prompt)
            assert "rfa-deepseek-close-ties-to-beijing" in prompt and "Malcolm Foster" in prompt
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.article.id == "rfa-deepseek-close-ties-to-beijing"

    async def test_the_id_is_searched(self, engine):
        app = chat(engine)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+o", *"rfa-")
            await settle(pilot)
            options = app.screen.query_one("OptionList")
            assert options.option_count == 1

    async def test_no_match_says_so(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+o", *"zqxj")
            await settle(pilot)
            text = list_text(app)
            assert f"0 of {len(engine.articles)}" in text
            assert "No article's title, id or text holds “zqxj”." in text
            await pilot.press("backspace", "backspace", "backspace", "backspace")
            await settle(pilot)
            assert "No article" not in list_text(app)
            assert f"Articles ({len(engine.articles)})" in list_text(app)

    async def test_down_from_the_filter_walks_the_list(self, engine):
        app = chat(engine)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+o", "down", "down", "enter")
            await settle(pilot)
            assert app.screen.article.id == engine.articles[1].id


class TestHelp:
    async def test_help_is_made_from_the_bindings_one_section_per_place(self, engine):
        from textual.screen import Screen

        from verbatim.tui.screens import ArticleListScreen, ArticleScreen, HelpScreen

        app = chat(engine)
        async with app.run_test(size=(100, 60)) as pilot:
            await pilot.press("f1")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            places = [place for place, _, _ in app.key_table()]
            headings = list(dict.fromkeys(places))
            # Each place's rows together, under one heading.
            assert places == sorted(places, key=headings.index)
            text = app.screen.text
            for heading in headings:
                assert text.count(f"\n{heading}\n") == 1
            for owner in (app, QuestionInput, PassageRow, ArticleListScreen, ArticleScreen):
                for binding in owner.BINDINGS:
                    if binding.system:
                        continue
                    assert (binding.tooltip or binding.description) in text, binding
            assert "shift+tab" in text
            for binding in Screen.BINDINGS:
                keys = [app.get_key_display(type(binding)(k, binding.action)) for k in binding.key.split(",")]
                assert any(key in text for key in keys)
            assert "Article list (Ctrl+O)" in headings


async def open_every_fold(pilot, card: AnswerCard) -> AnswerCard:
    """The card with its folded sources shown, so that each passage row can take focus."""
    from textual.widgets import Collapsible

    for fold in card.query(Collapsible):
        fold.collapsed = False
    await settle(pilot)
    return card


class TestExplainOneSentence:
    async def test_e_on_a_further_source_explains_that_sentence(self, engine):
        from verbatim.tui.screens import ExplainScreen

        app = chat(engine)
        async with app.run_test(size=(100, 40)) as pilot:
            await ask(pilot, "Who is Liang Wenfeng?")
            card = await open_every_fold(pilot, app.query_one(AnswerCard))
            top, *others = card.query(PassageRow)
            assert others, "the question should have further sources"
            row = others[-1]
            row.focus()
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, ExplainScreen)
            text = str(app.screen.query_one("#explain-text").render())
            assert text.startswith("Why this sentence is listed")
            rank = card.result.explanations[len(others)].rank
            assert rank > 1 and f"ranked {rank}" in text
            assert top.passage.sentence in text  # measured against the best sentence
            explanation = card.result.explanations[len(others)]
            assert all(span.text in row.passage.sentence for span in explanation.evidence)
            await pilot.press("escape")
            top.focus()
            await pilot.press("e")
            await settle(pilot)
            assert str(app.screen.query_one("#explain-text").render()).startswith("Why this sentence:")

    async def test_e_on_a_closest_passage_says_it_does_not_answer(self, engine):
        from verbatim.tui.screens import ExplainScreen

        app = chat(engine)
        async with app.run_test(size=(100, 40)) as pilot:
            await ask(pilot, "What is the capital of Peru?")
            card = await open_every_fold(pilot, app.query_one(AnswerCard))
            rows = list(card.query(PassageRow))
            assert len(rows) > 1
            rows[1].focus()
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, ExplainScreen)
            text = str(app.screen.query_one("#explain-text").render())
            assert "listed as a closest passage" in text and "does not answer" in text


FAKE_EDITOR = """#!/bin/sh
# Records its arguments, one a line, and whether it had the terminal to itself.
for arg in "$@"; do printf '%s\\n' "$arg"; done > "{record}"
"""


def fake_editor(tmp_path, name: str):
    record = tmp_path / "args.txt"
    script = tmp_path / name
    script.write_text(FAKE_EDITOR.format(record=record), encoding="utf-8")
    script.chmod(0o755)
    return script, record


def allow_suspend(app, monkeypatch, seen: list[str]) -> None:
    """The test driver has no terminal to hand over: pretend it has, and note each handover."""
    driver = type(app._driver)
    monkeypatch.setattr(driver, "can_suspend", property(lambda self: True), raising=False)
    monkeypatch.setattr(driver, "suspend_application_mode", lambda self: seen.append("suspend"))
    monkeypatch.setattr(driver, "resume_application_mode", lambda self: seen.append("resume"))


class TestEditor:
    async def test_o_opens_the_cited_file_at_its_line_in_the_editor(self, engine, tmp_path, monkeypatch):
        editor, record = fake_editor(tmp_path, "vim")
        monkeypatch.setenv("EDITOR", f"{editor} -R")
        monkeypatch.delenv("VISUAL", raising=False)
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            seen: list[str] = []
            allow_suspend(app, monkeypatch, seen)
            await ask(pilot, "Who edited the article?")
            row = app.query_one(PassageRow)
            row.focus()
            await pilot.press("o")
            await settle(pilot)
            assert record.read_text(encoding="utf-8").splitlines() == [
                "-R", f"+{row.passage.line}", row.passage.article.path]
            assert seen == ["suspend", "resume"]
            assert app.is_running and app.focused is row

    async def test_an_unknown_editor_gets_the_file_alone_and_a_pager_serves_too(self, engine, tmp_path, monkeypatch):
        editor, record = fake_editor(tmp_path, "my-editor")
        monkeypatch.delenv("VISUAL", raising=False)
        monkeypatch.delenv("EDITOR", raising=False)
        monkeypatch.setenv("PAGER", str(editor))
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            allow_suspend(app, monkeypatch, [])
            await ask(pilot, "Who edited the article?")
            app.query_one(PassageRow).focus()
            await pilot.press("o")
            await settle(pilot)
            assert record.read_text(encoding="utf-8").splitlines() == [app.query_one(PassageRow).passage.article.path]

    async def test_an_editor_that_cannot_run_is_said(self, engine, tmp_path, monkeypatch):
        monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            seen: list[str] = []
            allow_suspend(app, monkeypatch, seen)
            await ask(pilot, "Who edited the article?")
            app.query_one(PassageRow).focus()
            await pilot.press("o")
            await settle(pilot)
            assert seen == ["suspend", "resume"]  # the terminal is taken back
            assert any("Cannot run" in n.message and "no-such-editor" in n.message for n in app._notifications)


def test_editor_commands_by_convention():
    from verbatim.tui.editor import open_command

    assert open_command("/a b/f.md", 7, {"EDITOR": "nvim"}) == ["nvim", "+7", "/a b/f.md"]
    assert open_command("/f.md", 7, {"VISUAL": "code --wait", "EDITOR": "vi"}) == [
        "code", "--wait", "--goto", "/f.md:7"]
    assert open_command("/f.md", 7, {"EDITOR": "hx"}) == ["hx", "/f.md:7"]
    assert open_command("/f.md", 7, {"PAGER": "less -R"}) == ["less", "-R", "+7", "/f.md"]
    assert open_command("/f.md", None, {"EDITOR": "vim"}) == ["vim", "/f.md"]
