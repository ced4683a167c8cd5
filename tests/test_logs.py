"""The log of questions and answers: where it is, what it keeps, listing, searching and carrying on."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import one_line_usage_error

from verbatim.retrieval.conversation.log import Log, LogError, data_home, log_path
from verbatim.tui.cli import ExitCode


def test_the_log_lives_under_xdg_data_home_and_ignores_a_relative_one(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert log_path() == tmp_path / "verbatim" / "logs.db"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_home() == tmp_path / "home" / ".local" / "share"


def test_every_question_is_logged_with_its_citations(cli, tmp_path):
    cli("--ask", "How old is Liang Wenfeng?")
    cli("--ask", "Who painted the Mona Lisa?")
    db = sqlite3.connect(tmp_path / "data" / "verbatim" / "logs.db")
    rows = db.execute("SELECT question, answered, result FROM exchanges ORDER BY id").fetchall()
    assert [(q, a) for q, a, _ in rows] == [("How old is Liang Wenfeng?", 1), ("Who painted the Mona Lisa?", 0)]
    cited = json.loads(rows[0][2])["answers"][0]
    assert cited["article"]["id"] == "rfa-deepseek-close-ties-to-beijing" and cited["paragraph"] == 6
    assert len({c for (c,) in db.execute("SELECT conversation FROM exchanges")}) == 2


def test_logging_is_off_with_the_option_the_variable_or_the_config(cli, tmp_path, monkeypatch):
    cli("--ask", "What is CATL?", "--no-log")
    monkeypatch.setenv("VERBATIM_NO_LOG", "1")
    cli("--ask", "What is CATL?")
    monkeypatch.delenv("VERBATIM_NO_LOG")
    config = tmp_path / "config" / "verbatim" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("log = false\n", encoding="utf-8")
    cli("--ask", "What is CATL?")
    assert not (tmp_path / "data" / "verbatim" / "logs.db").exists()


def test_continue_reads_the_question_as_the_next_turn_of_the_last_conversation(cli):
    batch = cli("--conversation", "--json", stdin="Who is Christopher Beddor?\nWhat did he say?\n")
    expected = [json.loads(line) for line in batch.out.splitlines()][1]
    cli("--ask", "Who is Christopher Beddor?", "--no-log")  # not logged: not carried on
    cli("--ask", "Who is Christopher Beddor?")
    carried = cli("--ask", "What did he say?", "--continue", "--json")
    assert carried.code == ExitCode.ANSWERED, carried.err
    result = json.loads(carried.out)
    assert result["interpreted_as"] == expected["interpreted_as"] == "What did Christopher Beddor say?"
    assert result["answers"] == expected["answers"]
    alone = json.loads(cli("--ask", "What did he say?", "--json").out)
    assert not alone["answered"]  # without --continue it stands alone


def test_cid_carries_on_a_chosen_conversation_by_a_prefix_of_its_id(cli, tmp_path):
    cli("--ask", "Who is Christopher Beddor?")
    cli("--ask", "What is CATL?")
    with Log() as log:
        first = next(log.exchanges(query="Beddor")).conversation
    run = cli("--ask", "What did he say?", "--cid", first.id[:5], "--json")
    assert json.loads(run.out)["interpreted_as"] == "What did Christopher Beddor say?"
    with Log() as log:
        assert [r.question for r in log.results(log.conversation(first.id))] == [
            "Who is Christopher Beddor?", "What did he say?"]


def test_continue_without_a_conversation_and_an_unknown_cid_are_one_line(cli):
    cli("--ask", "What is CATL?", "--no-log")
    one_line_usage_error(cli("--ask", "And Tencent?", "--continue"), "logged")
    cli("--ask", "What is CATL?")
    one_line_usage_error(cli("--ask", "And Tencent?", "--cid", "ffffffff"), "no conversation")
    one_line_usage_error(cli("--ask", "And Tencent?", "--cid", "ab"), "too short")


def test_logs_lists_searches_and_prints_json(cli):
    cli("--ask", "How old is Liang Wenfeng?")
    cli("--ask", "What is CATL?")
    listed = cli("logs")
    assert listed.code == ExitCode.ANSWERED
    assert listed.out.index("Q: How old is Liang Wenfeng?") < listed.out.index("Q: What is CATL?")
    assert "— China’s DeepSee Has Close Ties to Beijing [rfa-deepseek-close-ties-to-beijing:11]" in listed.out
    found = cli("logs", "-q", "catl")
    assert "Q: What is CATL?" in found.out and "Liang" not in found.out.split("Q: What is CATL?")[0]
    latest = cli("logs", "-n", "1", "--json")
    (record,) = [json.loads(line) for line in latest.out.splitlines()]
    assert record["result"]["question"] == "What is CATL?" and record["conversation"]
    assert cli("logs", "-q", "nothing like this").code == ExitCode.NO_ANSWER


def test_search_takes_wildcards_literally(cli):
    cli("--ask", "What is CATL?")
    assert cli("logs", "-q", "%").code == ExitCode.NO_ANSWER
    assert cli("logs", "-q", "_").code == ExitCode.NO_ANSWER


def test_logs_path_and_an_unusable_log(cli, tmp_path):
    assert cli("logs", "--path").out.strip() == str(tmp_path / "data" / "verbatim" / "logs.db")
    db = tmp_path / "data" / "verbatim" / "logs.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"not a database, just bytes" * 100)
    one_line_usage_error(cli("logs"), "logs.db", "moved aside")  # kept beside, for what it holds
    assert [p.name.startswith("logs.db.damaged-") for p in db.parent.iterdir()] == [True]
    run = cli("--ask", "What is CATL?")  # the answer is given, and logged in a new log
    assert run.code == ExitCode.ANSWERED and "CATL" in run.out and run.err == ""
    assert "What is CATL?" in cli("logs").out


def test_a_log_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "logs.db"
    Log(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(LogError, match="newer"):
        Log(path)
