"""Corpus text, titles and questions are shown exactly: never read as markup or sent raw."""

from __future__ import annotations

import pytest

from retrieval.engine import Engine
from tui.screens import ArticleListScreen, ArticleScreen
from tui.widgets import AnswerCard, PassageRow

from chat_pilot import ask, chat

HOSTILE = ["[0] x", "[/]", "[TODO] y", "[b]z", "[link=https://example.com]here[/link]", "\x1b[31mred"]


@pytest.fixture
def hostile_engine(tmp_path):
    for n, token in enumerate(HOSTILE):
        (tmp_path / f"note{n}.txt").write_text(
            f"{token} title line\n\n"
            f"The zebra number {n} carries the marker {token} in its sentence.\n",
            encoding="utf-8",
        )
    return Engine.load(tmp_path)


def shown(token: str) -> str:
    return token.replace("\x1b", "\\x1b")


async def test_hostile_text_is_displayed_exactly(hostile_engine):
    app = chat(hostile_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        for n, token in enumerate(HOSTILE):
            question = f"What marker does zebra number {n} carry {token}?"
            await ask(pilot, question)
            card = app.query(AnswerCard).last()
            assert shown(question) in str(card.query_one(".question").render())
            row = card.query(PassageRow).first()
            text = str(row.render())
            assert f"carries the marker {shown(token)} in its sentence." in text
            assert f"{shown(token)} title line" in text
            assert "\x1b" not in text
            row.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ArticleScreen)
            assert shown(token) in str(app.screen.query_one("#article-title").render())
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ArticleListScreen)
        assert app.is_running
