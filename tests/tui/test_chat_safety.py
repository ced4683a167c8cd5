"""The chat quotes only what the files say now, and answers every question it accepted."""

from __future__ import annotations

from pathlib import Path

from chat_pilot import ask, chat, settle
from textual.widgets import Static

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.settings import Settings
from verbatim.tui.widgets import AnswerCard, PassageRow


def plain(widget: Static | PassageRow) -> str:
    # A passage row is a sentence and its citation's lines, each a widget of its own.
    return widget.text if isinstance(widget, PassageRow) else str(widget.render())


def write_ferries(folder: Path, number: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ferry.txt").write_text(
        f"Ferries\n\nThe ferry numbered {number} crossed the bay at dawn. Its captain was Ada Brook.\n",
        encoding="utf-8")
    return folder


async def test_the_chat_does_not_quote_a_sentence_its_file_no_longer_says(tmp_path):
    folder = write_ferries(tmp_path / "notes", 7)
    app = chat(Engine.load(folder, index_dir=tmp_path / "idx"), export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "Which ferry crossed the bay at dawn?")
        write_ferries(folder, 9)
        await ask(pilot, "Which ferry crossed the bay at dawn?")
        first, second = app.query(AnswerCard)
        assert "numbered 7" in plain(first.query_one(PassageRow))
        assert "numbered 9" in plain(second.query_one(PassageRow))
        assert any("read it again" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await settle(pilot)
        [export] = tmp_path.glob("verbatim-conversation-*.md")
        text = export.read_text(encoding="utf-8")
        assert "numbered 7" not in text and "numbered 9" in text
        assert "no longer in its file" in text


async def test_every_question_asked_while_the_corpus_loads_is_answered_in_order(tmp_path, monkeypatch):
    import threading

    folder = write_ferries(tmp_path / "notes", 7)
    loaded = threading.Event()
    real_load = Engine.load.__func__

    def slow_load(cls, *args, **kwargs):
        loaded.wait(30)  # the questions below are all asked before the corpus is read
        return real_load(cls, *args, **kwargs)

    monkeypatch.setattr(Engine, "load", classmethod(slow_load))
    questions = ["Which ferry crossed the bay at dawn?", "Who was the captain of the ferry?",
                 "When did the ferry cross the bay?"]
    app = chat(settings=Settings(str(folder), str(tmp_path / "idx")))
    async with app.run_test(size=(100, 30)) as pilot:
        box = app.query_one("#question")
        for question in questions:
            box.value = question
            await pilot.press("enter")
        assert all(result is None for _, result in app.exchanges)
        loaded.set()
        for _ in range(50):
            await settle(pilot)
            if all(result is not None for _, result in app.exchanges):
                break
        assert [question for question, _ in app.exchanges] == questions
        assert all(result is not None and result.question == question for question, result in app.exchanges)
        assert not app.query(".problem")


async def test_questions_asked_in_a_row_are_all_answered(engine):
    questions = ["What is CATL?", "How old is Liang Wenfeng?", "Who founded DeepSeek?", "What is Alibaba?"]
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        box = app.query_one("#question")
        for question in questions:
            box.value = question
            await pilot.press("enter")
        for _ in range(50):
            await settle(pilot)
            if all(result is not None for _, result in app.exchanges):
                break
        assert [result.question for _, result in app.exchanges] == questions
        assert all(card.result is not None for card in app.query(AnswerCard))
