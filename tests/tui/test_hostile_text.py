"""Corpus text, titles and questions are shown exactly: never read as markup or sent raw."""

from __future__ import annotations

import re

import pytest
from chat_pilot import ask, chat
from textual.widgets import Static

from verbatim.retrieval.engine import Engine
from verbatim.tui.screens import ArticleListScreen, ArticleScreen
from verbatim.tui.text import visible
from verbatim.tui.widgets import AnswerCard, PassageRow

HOSTILE = [
    "[0] x", "[/]", "[TODO] y", "[b]z", "[link=https://example.com]here[/link]", "\x1b[31mred",
    "\x1b[2J\x1b[H", "\x1b]52;c;ZXZpbA==\x07", "back\b\bspace", "zero\u200bwidth", "\u202eesrever\u202c",
    "🦓 动物园", "\x9b31m",
]
TREES = "alder birch cedar dogwood elm fir ginkgo hazel ilex juniper kapok larch maple".split()
# Everything that could act on a terminal, had it reached the screen raw.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


@pytest.fixture
def hostile_engine(tmp_path):
    for n, token in enumerate(HOSTILE):
        (tmp_path / f"note{n}.txt").write_text(
            f"{token} title line\n\n"
            f"The zebra named {TREES[n]} carries the marker {token} in its sentence.\n",
            encoding="utf-8",
        )
    return Engine.load(tmp_path)


def shown(token: str) -> str:
    return visible(token)


def screen_text(app) -> str:
    return "\n".join(str(widget.render()) for widget in app.screen.query(Static))


async def test_hostile_text_is_displayed_exactly(hostile_engine):
    app = chat(hostile_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        for n, token in enumerate(HOSTILE):
            question = f"What marker does the zebra named {TREES[n]} carry {token}?"
            await ask(pilot, question)
            card = app.query(AnswerCard).last()
            assert shown(question) in str(card.query_one(".question").render())
            row = card.query(PassageRow).first()
            text = row.text
            assert f"carries the marker {shown(token)} in its sentence." in text
            assert f"{shown(token)} title line" in text
            assert not RAW.search(screen_text(app))
            row.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ArticleScreen)
            assert shown(token) in str(app.screen.query_one("#article-title").render())
            assert not RAW.search(screen_text(app))
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ArticleListScreen)
        assert app.is_running


async def test_a_wall_of_text_question_is_refused_on_its_card(hostile_engine):
    app = chat(hostile_engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "What marker does the zebra named birch carry? " * 2_300)
        card = app.query(AnswerCard).last()
        assert "Not asked: the question is too long: 105,799 characters (at most 2,000)." in str(
            card.query_one(".problem").render())
        assert "… (105,799 characters)" in str(card.query_one(".question").render())
        await ask(pilot, "What marker does the zebra named birch carry?")
        assert "zebra named birch carries" in app.query(AnswerCard).last().query(PassageRow).first().text
