"""The chat quotes only what the files say now, and answers every question it accepted."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from retrieval.engine import Engine
from tui.widgets import AnswerCard, PassageRow

from chat_pilot import ask, chat, settle


def plain(widget: Static) -> str:
    return str(widget.render())


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
