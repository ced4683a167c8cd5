"""Snapshots of the chat's main states at 80x24 and 120x40, grouped by feature.

Refresh after an intended change with: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from chat_pilot import ask, chat, settle

from verbatim.tui.widgets import PassageRow

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "docs"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


# The snapshots draw the chat, not the reading: they read as an install without the meaning
# extra does, so that a probability on an answer card is the same with it or not.
pytestmark = pytest.mark.usefixtures("without_word_vectors")


class TestStart:
    @pytest.mark.parametrize("size", SIZES)
    def test_empty_chat(self, snap_compare, engine, size):
        """The welcome: the corpus, its counts and three example questions."""
        assert snap_compare(chat(engine), terminal_size=size, run_before=settle)


class TestFooter:
    def test_footer_with_an_answer_chosen(self, snap_compare, engine):
        """At 80 columns the footer keeps every key, an answer's Enter included, and the
        strength stays on the line of the place."""
        async def run_before(pilot):
            await ask(pilot, "Who is Christopher Beddor?")
            await pilot.press("tab")
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=(80, 24), run_before=run_before)


class TestClear:
    def test_confirm_clear(self, snap_compare, engine):
        async def run_before(pilot):
            await ask(pilot, "What is CATL?")
            await pilot.press("ctrl+l")
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=(80, 24), run_before=run_before)


class TestAnswers:
    @pytest.mark.parametrize("size", SIZES)
    def test_answer_card(self, snap_compare, engine, size):
        async def run_before(pilot):
            await ask(pilot, "Which companies are leading DeepSeek's funding talks?")

        assert snap_compare(chat(engine), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_no_answer_card(self, snap_compare, engine, size):
        async def run_before(pilot):
            await ask(pilot, "Who won the 2022 FIFA World Cup?")

        assert snap_compare(chat(engine), terminal_size=size, run_before=run_before)


class TestReading:
    @pytest.mark.parametrize("size", SIZES)
    def test_article_pane(self, snap_compare, engine, size):
        async def run_before(pilot):
            await ask(pilot, "Who edited the article?")
            pilot.app.query_one(PassageRow).focus()
            await pilot.press("enter")
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_article_find(self, snap_compare, engine, size):
        async def run_before(pilot):
            await ask(pilot, "Who edited the article?")
            pilot.app.query_one(PassageRow).focus()
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("slash", *"deepseek", "enter", "n", "n")
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_markdown_pane(self, snap_compare, engine, size):
        from verbatim.corpus.article import make_article
        from verbatim.tui.screens import ArticleScreen

        guide = FIXTURES / "guide.md"
        article = make_article("guide.md", str(guide), guide.read_text(encoding="utf-8"))
        cited = next(u for u in article.units if u.text.startswith("Second line"))

        async def run_before(pilot):
            await settle(pilot)
            await pilot.app.push_screen(ArticleScreen(article, (cited.start, cited.end)))
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize("size", SIZES)
    def test_article_list(self, snap_compare, engine, size):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("ctrl+o")
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=size, run_before=run_before)


class TestArticleList:
    def test_filtered_list(self, snap_compare, engine):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("ctrl+o", *"funding")
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=(80, 24), run_before=run_before)

    def test_no_match(self, snap_compare, engine):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("ctrl+o", *"zqxj")
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=(80, 24), run_before=run_before)


class TestHelp:
    @pytest.mark.parametrize("size", SIZES)
    def test_help_screen(self, snap_compare, engine, size):
        async def run_before(pilot):
            await settle(pilot)
            await pilot.press("f1")
            await settle(pilot)

        assert snap_compare(chat(engine), terminal_size=size, run_before=run_before)
