"""The chat and the folder as it is: a file added while the chat is open is answered from; `o` opens a PDF at its page."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from chat_pilot import ask, chat, settle

from verbatim.retrieval import watch
from verbatim.retrieval.settings import Settings
from verbatim.tui.viewer import NoViewer, viewer_command
from verbatim.tui.widgets import AnswerCard, CorpusHeader, PassageRow

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
FERRY = "Ferries\n\nThe ferry numbered 7 crossed the bay at dawn. Its captain was Ada Brook.\n"
# Looks at the folder this often in the test, so that it does not wait seconds.
QUICK_POLL = 0.05
# The most pauses waited for the index read again: far more than it takes (bounds a hang).
MAX_PAUSES = 2000


async def wait_for(pilot, condition) -> bool:
    for _ in range(MAX_PAUSES):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


class TestFolderChanging:
    async def test_a_file_added_while_the_chat_is_open_is_answered_from(self, tmp_path, monkeypatch):
        monkeypatch.setattr(watch, "POLL_SECONDS", QUICK_POLL)
        folder = tmp_path / "corpus"
        folder.mkdir()
        shutil.copy(FIXTURES / "cxxtest-guide.odt", folder / "guide.odt")
        exports = folder / "exports"  # Verbatim's own folder inside the corpus: not the corpus's files
        exports.mkdir()
        app = chat(settings=Settings(str(folder), str(tmp_path / "index")), export_dir=exports)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            header = app.query_one(CorpusHeader)
            assert header.info is not None and header.info.articles == 1
            (exports / "notes.md").write_text("# Exported\n\nThe ferry numbered 9 sank.\n", encoding="utf-8")
            for _ in range(20):  # many looks at the folder: a file Verbatim wrote is no change
                await pilot.pause(QUICK_POLL)
            assert header.note == "" and header.info.articles == 1
            (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
            assert await wait_for(pilot, lambda: header.note == "1 file added, index updated")
            await ask(pilot, "Who was the captain of the ferry?")
            card = app.query(AnswerCard).last()
            assert card.result.answered
            assert card.result.answers[0].sentence == "Its captain was Ada Brook."

            refreshed = header.info
            (folder / "ferry.txt").unlink()
            assert await wait_for(pilot, lambda: header.note == "1 file removed, index updated")
            assert header.info.articles == refreshed.articles - 1

    async def test_a_question_asked_while_the_index_is_read_again_is_answered(self, tmp_path, monkeypatch):
        monkeypatch.setattr(watch, "POLL_SECONDS", QUICK_POLL)
        folder = tmp_path / "corpus"
        folder.mkdir()
        shutil.copy(FIXTURES / "cxxtest-guide.odt", folder / "guide.odt")
        app = chat(settings=Settings(str(folder), str(tmp_path / "index")))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
            # Asked at once: answered from the index as it was, or from the new one, never lost.
            await ask(pilot, "What does a test fixture represent?")
            header = app.query_one(CorpusHeader)
            assert await wait_for(pilot, lambda: header.note.endswith("index updated"))
            await ask(pilot, "Who was the captain of the ferry?")
            cards = list(app.query(AnswerCard))
            assert [c.result is not None and c.result.answered for c in cards] == [True, True]
            assert "test fixture represents" in cards[0].result.answers[0].sentence


    async def test_a_folder_with_nothing_to_read_is_read_once_a_file_comes(self, tmp_path, monkeypatch):
        monkeypatch.setattr(watch, "POLL_SECONDS", QUICK_POLL)
        folder = tmp_path / "corpus"
        folder.mkdir()
        app = chat(settings=Settings(str(folder), str(tmp_path / "index")))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.engine is None
            (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
            header = app.query_one(CorpusHeader)
            assert await wait_for(pilot, lambda: header.info is not None)
            await ask(pilot, "Who was the captain of the ferry?")
            assert app.query(AnswerCard).last().result.answers[0].sentence == "Its captain was Ada Brook."
            (folder / "bridge.txt").write_text("Bridges\n\nThe old bridge was built in 1887.\n", encoding="utf-8")
            assert await wait_for(pilot, lambda: header.note == "1 file added, index updated")


    async def test_a_file_added_and_then_skipped_is_not_counted_as_added(self, tmp_path, monkeypatch):
        monkeypatch.setattr(watch, "POLL_SECONDS", QUICK_POLL)
        folder = tmp_path / "corpus"
        folder.mkdir()
        (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
        app = chat(settings=Settings(str(folder), str(tmp_path / "index")))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            header = app.query_one(CorpusHeader)
            (folder / "blob.txt").write_bytes(b"\x00\x01binary\x00" * 50)  # listed, then skipped as binary
            (folder / "bridge.txt").write_text("Bridges\n\nThe old bridge was built in 1887.\n", encoding="utf-8")
            assert await wait_for(pilot, lambda: header.note.endswith("index updated"))
            assert header.note == "2 files changed (1 added, 1 skipped), index updated"
            assert header.info.articles == 2


class TestViewer:
    async def test_o_opens_a_pdf_at_the_cited_page_in_the_configured_viewer(self, tmp_path):
        folder = tmp_path / "corpus"
        folder.mkdir()
        shutil.copy(FIXTURES / "setspace-doc.pdf", folder / "my report.pdf")
        record = tmp_path / "argv.txt"
        script = tmp_path / "viewer.py"
        script.write_text(f"import sys\nopen({str(record)!r}, 'w').write('\\n'.join(sys.argv[1:]))\n", encoding="utf-8")
        app = chat(settings=Settings(str(folder), str(tmp_path / "index")),
                   viewer=f"{sys.executable} {script} --page={{page}} {{file}}")
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await ask(pilot, "What is the default spacing?")
            row = app.query_one(PassageRow)
            row.focus()
            await pilot.press("o")
            assert await wait_for(pilot, record.exists)
            await wait_for(pilot, lambda: record.read_text(encoding="utf-8").count("\n") == 1)
            assert record.read_text(encoding="utf-8").splitlines() == [
                f"--page={row.passage.page}", str(folder / "my report.pdf")]
            assert row.passage.page == 1


def test_viewer_commands_fill_in_the_page_and_keep_the_file_one_argument():
    assert viewer_command("/a b/$(x).pdf", 12, "zathura --page={page} {file}") == [
        "zathura", "--page=12", "/a b/$(x).pdf"]
    assert viewer_command("/r.pdf", None, None, which=lambda p: p if p == "evince" else None) == [
        "evince", "--page-label=1", "/r.pdf"]
    for bad in ("zathura --page={page}", "viewer 'unclosed"):
        try:
            viewer_command("/r.pdf", 1, bad)
        except NoViewer:
            continue
        raise AssertionError(bad)
    try:
        viewer_command("/r.pdf", 1, None, which=lambda p: None)
    except NoViewer as error:
        assert "viewer =" in str(error)
    else:
        raise AssertionError("no viewer installed must be said")
