"""The chat, driven through Textual's pilot: asking, reading, history, copy, export, help."""

from __future__ import annotations

import pytest
from chat_pilot import ask, chat, settle
from textual.widgets import Static

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.settings import Settings
from verbatim.tui.messages import AnswerReady, EngineReady, ReadingProgress
from verbatim.tui.screens import ArticleListScreen, ArticleScreen, HelpScreen
from verbatim.tui.widgets import AnswerCard, PassageRow, QuestionInput, Transcript


def plain(widget: Static | PassageRow) -> str:
    # A passage row is a sentence and its citation's lines, each a widget of its own.
    return widget.text if isinstance(widget, PassageRow) else str(widget.render())


async def test_asking_shows_a_card_with_the_sentence_and_its_article(engine):
    seen = []
    app = chat(engine)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        assert app.focused is app.query_one(QuestionInput)
        await ask(pilot, "How old is Liang Wenfeng?")
        [card] = app.query(AnswerCard)
        row = card.query_one(PassageRow)
        text = plain(row)
        assert "40-year-old Liang Wenfeng" in text
        assert "China’s DeepSee Has Close Ties to Beijing" in text
        assert "rfa-deepseek-close-ties-to-beijing:11" in text
        assert any(isinstance(m, AnswerReady) and m.result.answered for m in seen)
        assert app.query_one(QuestionInput).value == ""


async def test_no_answer_card_lists_closest_passages_as_not_answers(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "Who painted the Mona Lisa?")
        card = app.query_one(AnswerCard)
        assert "No answer in the corpus" in plain(card.query_one(".no-answer"))
        assert all(row.role == "closest" for row in card.query(PassageRow))


async def test_the_chat_reads_the_corpus_in_a_worker_and_answers_questions_asked_meanwhile():
    seen = []
    app = chat()
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        box = app.query_one(QuestionInput)
        box.value = "What is CATL?"
        await pilot.press("enter")
        await settle(pilot)
        assert any(isinstance(m, EngineReady) for m in seen)
        assert "CATL" in plain(app.query_one(PassageRow))
        assert "5 articles" in plain(app.query_one("#header-line"))


async def test_an_unreadable_corpus_shows_a_notice_not_a_crash(tmp_path):
    app = chat(settings=Settings(str(tmp_path / "missing")))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "no such file or folder" in plain(app.query_one(".problem"))
        assert app.is_running


async def test_a_folder_read_by_worker_processes_shows_progress_then_answers(tmp_path):
    from verbatim.retrieval.index.build import PARALLEL_FROM_FILES

    for n in range(PARALLEL_FROM_FILES + 6):
        (tmp_path / f"note{n:03}.txt").write_text(
            f"Note {n}\n\nThe lighthouse keeper number {n} painted the door {n} times.\n",
            encoding="utf-8")
    seen = []
    app = chat(settings=Settings(str(tmp_path), str(tmp_path.parent / "index")))
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        assert not app.query(".problem")
        assert any(isinstance(m, ReadingProgress) for m in seen)
        await ask(pilot, "How many times did lighthouse keeper number 7 paint the door?")
        assert "keeper number 7 painted" in plain(app.query_one(PassageRow))


async def test_a_failure_while_reading_is_shown_not_swallowed(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk caught fire [b]really[/b]")

    monkeypatch.setattr(Engine, "load", broken)
    app = chat(settings=Settings(str(tmp_path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "RuntimeError: the disk caught fire [b]really[/b]" in plain(app.query_one(".problem"))
        assert app.is_running


async def test_selecting_an_answer_opens_the_article_at_the_sentence(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "Who edited the article?")
        row = app.query_one(PassageRow)
        row.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        body = app.screen.query_one("#article-body")
        await settle(pilot)
        drawn = [body.render_line(y) for y in range(body.size.height)]
        reversed_text = "".join(s.text for strip in drawn for s in strip if s.style and s.style.reverse)
        assert reversed_text == "Edited by Malcolm Foster."
        assert body.scroll_y > 0  # the sentence is near the end: scrolled into view
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ArticleScreen)


async def test_clicking_an_answer_opens_the_article(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "What is CATL?")
        await pilot.click(PassageRow)
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)


async def test_the_article_list_opens_any_article(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ArticleListScreen)
        await pilot.press(*"infusion")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article.id == "deepseek-capital-infusion"


async def test_up_and_down_recall_questions_and_the_draft(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        for question in ("What is CATL?", "Who is Christopher Beddor?", "What is CATL?"):
            await ask(pilot, question)
        box = app.query_one(QuestionInput)
        box.value = "half-typed"
        await pilot.press("up")
        assert box.value == "What is CATL?"
        await pilot.press("up")
        assert box.value == "Who is Christopher Beddor?"
        await pilot.press("up")  # the older duplicate was dropped: nothing further back
        assert box.value == "Who is Christopher Beddor?"
        await pilot.press("down")
        assert box.value == "What is CATL?"
        await pilot.press("down")
        assert box.value == "half-typed"


async def test_blank_questions_are_ignored_quietly(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        for blank in ("", "   "):
            app.query_one(QuestionInput).value = blank
            await pilot.press("enter")
            await settle(pilot)
        assert not app.query(AnswerCard)
        assert not app._notifications


async def test_copy_puts_the_answer_and_its_citation_on_the_clipboard(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "Who edited the article?")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert app.clipboard == (
            "“Edited by Malcolm Foster.”\n— China’s DeepSee Has Close Ties to Beijing "
            "[rfa-deepseek-close-ties-to-beijing:55 § U.S. Restrictions]"
        )
        assert any("Copied" in n.message for n in app._notifications)


async def test_export_writes_the_conversation_without_overwriting(engine, tmp_path):
    existing = tmp_path / "keep.md"
    existing.write_text("mine", encoding="utf-8")
    app = chat(engine, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "How old is Liang Wenfeng?")
        await ask(pilot, "Who painted the Mona Lisa?")
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+s")
        await pilot.pause()
        exports = sorted(tmp_path.glob("verbatim-conversation-*.md"))
        assert len(exports) == 2 and existing.read_text(encoding="utf-8") == "mine"
        text = exports[0].read_text(encoding="utf-8")
        assert "## How old is Liang Wenfeng?" in text
        assert "40-year-old Liang Wenfeng" in text
        assert "(`rfa-deepseek-close-ties-to-beijing:11`" in text
        assert "## Who painted the Mona Lisa?" in text and "No answer in the corpus" in text
        assert any(str(exports[0]) in n.message for n in app._notifications)


async def test_help_lists_every_key(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        for binding in [*app.BINDINGS, *QuestionInput.BINDINGS, *PassageRow.BINDINGS]:
            assert (binding.tooltip or binding.description) in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_clear_empties_the_transcript(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "What is CATL?")
        await pilot.press("ctrl+l", "y")
        await settle(pilot)
        assert not app.query(AnswerCard) and app.exchanges == []


async def test_the_transcript_follows_only_a_reader_at_the_bottom(engine):
    app = chat(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(4):
            await ask(pilot, "Which companies are leading DeepSeek's funding talks?")
        transcript = app.query_one(Transcript)
        assert transcript.scroll_y == transcript.max_scroll_y > 0
        transcript.scroll_home(animate=False)
        await pilot.pause()
        await ask(pilot, "What is CATL?")
        assert transcript.scroll_y == 0
        transcript.scroll_end(animate=False)
        await pilot.pause()
        await ask(pilot, "Who is Christopher Beddor?")
        assert transcript.scroll_y == transcript.max_scroll_y


async def test_commands_are_in_the_palette(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)):
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Articles", "Copy answer", "Export conversation", "Clear transcript", "Help"} <= titles


async def test_a_follow_up_leans_on_the_previous_question(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "Who is Christopher Beddor?")
        await ask(pilot, "What did he say?")
        card = app.query(AnswerCard).last()
        assert "read as: What did Christopher Beddor say?" in plain(card.query_one(".read-as"))
        assert "tacit acknowledgement" in plain(card.query_one(PassageRow))


async def test_clearing_forgets_the_conversation(engine):
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "Who is Christopher Beddor?")
        await pilot.press("ctrl+l", "y")
        await ask(pilot, "What did he say?")
        assert not app.query(".read-as")


async def test_why_shows_the_explanation(engine):
    from verbatim.tui.screens import ExplainScreen

    app = chat(engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await ask(pilot, "How old is Liang Wenfeng?")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
        text = plain(app.screen.query_one("#explain-text"))
        assert "question: how → age" in text and "decision: answered" in text
        assert "Liang Wenfeng" in text


@pytest.mark.xfail(strict=True, reason="the learned reader lists the $20 billion sentence too far below the best "
                   "to count as support (issue 9)")
async def test_sources_that_disagree_are_shown_together(engine):
    app = chat(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot, "What valuation could the new funding round give DeepSeek?")
        line = plain(app.query_one(".agreement"))
        assert line.startswith("Sources differ:")
        assert "400 billion RMB ($59 billion)" in line and "$20 billion" in line
