"""The chat remembers: its questions and answers go to the log, --continue and --cid carry a conversation on in it, and ↑ reaches questions of earlier chats."""

from __future__ import annotations

import sys

import pytest
from chat_pilot import ask, chat, settle
from conftest import one_line_usage_error

from verbatim.retrieval.conversation.log import Log, log_path
from verbatim.tui.logs import Recorder
from verbatim.tui.widgets import AnswerCard, PassageRow, QuestionInput


@pytest.fixture
def private_log(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("VERBATIM_NO_LOG", raising=False)
    return tmp_path / "data" / "verbatim" / "logs.db"


def logged() -> list[tuple[str, str]]:
    """(conversation id, question) of every logged question, oldest first."""
    if not log_path().exists():
        return []
    with Log(create=False) as log:
        return [(e.conversation.id, e.result.question) for e in log.exchanges()]


def fresh_recorder() -> Recorder:
    return Recorder(None, True, None, None)


async def test_the_chat_logs_its_questions_as_one_conversation(engine, private_log):
    app = chat(engine, recorder=fresh_recorder())
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "Who is Christopher Beddor?")
        await ask(pilot, "What did he say?")
    rows = logged()
    assert [q for _, q in rows] == ["Who is Christopher Beddor?", "What did he say?"]
    assert len({cid for cid, _ in rows}) == 1
    with Log(create=False) as log:
        follow_up = list(log.exchanges())[-1].result
    assert follow_up.interpreted_as == "What did Christopher Beddor say?"
    assert follow_up.answered and follow_up.answers[0].article.id


async def test_clearing_starts_a_new_conversation_in_the_log(engine, private_log):
    app = chat(engine, recorder=fresh_recorder())
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "What is CATL?")
        await pilot.press("ctrl+l", "y")
        await settle(pilot)
        await ask(pilot, "Who is Christopher Beddor?")
    first, second = logged()
    assert first[0] != second[0]


async def test_with_logging_off_nothing_is_logged(engine, private_log):
    app = chat(engine, recorder=Recorder(None, False, None, None))
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "What is CATL?")
    assert logged() == []


async def test_up_reaches_the_questions_of_an_earlier_chat(engine, private_log):
    app = chat(engine, recorder=fresh_recorder())
    async with app.run_test(size=(80, 24)) as pilot:
        for question in ("What is CATL?", "Who is Christopher Beddor?", "What is CATL?"):
            await ask(pilot, question)
    again = chat(engine, recorder=fresh_recorder())
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = again.query_one(QuestionInput)
        await pilot.press("up")
        assert box.value == "What is CATL?"
        await pilot.press("up")
        assert box.value == "Who is Christopher Beddor?"
        await pilot.press("up")  # each question once
        assert box.value == "Who is Christopher Beddor?"
        assert not again.query(AnswerCard)  # remembered questions, not a resumed conversation


@pytest.fixture
def chat_started(monkeypatch):
    """What `verbatim` on a terminal would start the chat with, instead of starting it."""
    started = {}

    def run_chat(settings, **kwargs):
        started.update(kwargs, settings=settings)
        return 0

    import verbatim.tui.app

    monkeypatch.setattr(verbatim.tui.app, "run_chat", run_chat)
    return started


def on_a_terminal(monkeypatch) -> None:
    """Standard output as captured now is a terminal (the chat refuses to start without one)."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)


def test_the_chat_is_started_with_logging_as_the_options_say(cli, chat_started, monkeypatch):
    on_a_terminal(monkeypatch)
    assert cli(terminal=True).code == 0
    assert chat_started["recorder"].log_on
    on_a_terminal(monkeypatch)
    assert cli("--no-log", terminal=True).code == 0
    assert not chat_started["recorder"].log_on
    monkeypatch.setenv("VERBATIM_NO_LOG", "1")
    on_a_terminal(monkeypatch)
    assert cli(terminal=True).code == 0
    assert not chat_started["recorder"].log_on


def test_the_chat_is_given_the_settings_the_command_line_and_configuration_make(cli, chat_started, monkeypatch,
                                                                                 tmp_path):
    from verbatim.retrieval.settings import Settings

    config = tmp_path / "config" / "verbatim"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("threshold = 0.5\n", encoding="utf-8")
    on_a_terminal(monkeypatch)
    assert cli("--corpus", str(tmp_path), "--exclude", "*.md", "--follow-links", terminal=True).code == 0
    assert chat_started["settings"] == Settings(str(tmp_path), None, (), ("*.md",), follow_links=True, threshold=0.5)


def test_continue_in_the_chat_without_a_conversation_is_one_line(cli, chat_started, monkeypatch):
    on_a_terminal(monkeypatch)
    one_line_usage_error(cli("--continue", terminal=True), "no questions logged yet")
    assert not chat_started


async def test_continue_carries_the_last_conversation_on_in_the_chat(cli, chat_started, engine, monkeypatch):
    assert cli("--ask", "Who is Christopher Beddor?", "--no-log").code == 0  # not logged: not carried on
    assert cli("--ask", "Who is Christopher Beddor?").code == 0
    [(cid, _)] = logged()
    on_a_terminal(monkeypatch)
    assert cli("--continue", terminal=True).code == 0
    recorder = chat_started["recorder"]
    app = chat(engine, recorder=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        [earlier] = app.query(AnswerCard)
        assert earlier.question == "Who is Christopher Beddor?"
        assert "Christopher Beddor" in earlier.query_one(PassageRow).passage.sentence
        assert any(cid in n.message for n in app._notifications)
        await ask(pilot, "What did he say?")
        card = app.query(AnswerCard).last()
        assert "What did Christopher Beddor say?" in str(card.query_one(".read-as").render())
    assert [c for c, _ in logged()] == [cid, cid]


def test_cid_names_the_conversation_to_carry_on_in_the_chat(cli, chat_started, monkeypatch):
    assert cli("--ask", "What is CATL?").code == 0
    assert cli("--ask", "Who is Christopher Beddor?").code == 0
    (first, _), _ = logged()
    on_a_terminal(monkeypatch)
    assert cli("--cid", first[:6], terminal=True).code == 0
    recorder = chat_started["recorder"]
    assert recorder.conversation.id == first
    assert [r.question for r in recorder.history()] == ["What is CATL?"]


async def test_the_chat_starts_and_logs_over_a_damaged_log(engine, private_log):
    from test_own_folders import damaged_log

    damaged_log(private_log)
    app = chat(engine, recorder=fresh_recorder())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot, "What is CATL?")
        assert app.query(AnswerCard)
    assert [q for _, q in logged()] == ["What is CATL?"]  # in a new log
    assert len(list(private_log.parent.glob("logs.db.damaged-*"))) == 1
