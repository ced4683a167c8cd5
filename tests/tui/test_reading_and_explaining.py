"""The reading pane hides the transcript, opens at the article list's filter, and the explanation names its sentence."""

from __future__ import annotations

import pytest
from chat_pilot import ask, chat, screen_lines, settle
from test_reading_pane import long_text, on_screen

from verbatim.retrieval.engine import Engine
from verbatim.tui.screens import ArticleScreen, ExplainScreen
from verbatim.tui.widgets import AnswerCard, PassageRow

# The mark down the left of every answer card in the transcript.
CARD_MARK = "▌"


async def test_the_reading_pane_at_80x24_shows_nothing_of_the_transcript(engine):
    app = chat(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "Who is Christopher Beddor?")
        assert any(CARD_MARK in line for line in screen_lines(app))
        app.query_one(PassageRow).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        assert not [line for line in screen_lines(app) if CARD_MARK in line]


@pytest.fixture
def long_corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "log.txt").write_text(long_text(400), encoding="utf-8")
    (folder / "notes.txt").write_text("Short notes about the harbour.\n", encoding="utf-8")
    return Engine.load(folder, index_dir=tmp_path / "index")


async def open_from_the_list(app, pilot, typed: str) -> ArticleScreen:
    await settle(pilot)
    await pilot.press("ctrl+o", *typed)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ArticleScreen)
    while not screen.view.ready:
        await pilot.pause()
    await settle(pilot)
    return screen


async def test_an_article_chosen_from_the_filtered_list_opens_at_the_match(long_corpus):
    app = chat(long_corpus)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_the_list(app, pilot, "lighthouse 350 painted")
        assert screen.article.id == "log.txt"
        assert len(screen.matches) == 1 and screen.current == 0
        assert any("lighthouse 350 painted" in line.text for line in on_screen(screen.view))
        assert screen.query_one("#article-find").display


async def test_an_article_chosen_by_its_name_opens_at_its_top(long_corpus):
    app = chat(long_corpus)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_from_the_list(app, pilot, "log.txt")
        assert screen.view.scroll_y == 0 and not screen.matches
        assert not screen.query_one("#article-find").display


async def test_the_explanation_names_the_sentence_it_explains(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(pilot, "Who is Liang Wenfeng?")
        card = app.query_one(AnswerCard)
        for row in card.query(PassageRow):
            row.focus()
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, ExplainScreen)
            named = str(app.screen.query_one("#explain-sentence").render())
            assert row.passage.sentence in named and f"{row.passage.article.id}:{row.passage.line}" in named
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("f2")  # the card's answer, from anywhere
        await settle(pilot)
        assert card.result.answers[0].sentence in str(app.screen.query_one("#explain-sentence").render())


async def test_an_article_over_its_reading_budget_is_one_line_not_a_hang(long_corpus, monkeypatch):
    """The reading pane reads an article as the build does, in a reading process within the
    budget of a file: one whose reading never ends (a hostile file's parser, here one that
    never returns) is given up at its budget and said in one line, and the chat stays up."""
    import budget_readers

    from verbatim.corpus import budget
    from verbatim.retrieval import engine as engine_module

    monkeypatch.setattr(budget, "TIME_PER_FILE", 2.0)
    monkeypatch.setattr(budget, "TIME_PER_MB", 0.0)
    monkeypatch.setattr(engine_module, "article_of_file", budget_readers.article_never_ends)
    app = chat(long_corpus)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o", *"log.txt")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ArticleScreen)
        said = [n.message for n in app._notifications]
        assert said == ["log.txt is not shown: not read within its budget of 2 s."]
        monkeypatch.undo()  # the file readable again: the next opening reads it, in a new process
        await pilot.press("ctrl+o", *"log.txt")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.id == "log.txt"
