"""The log, state and configuration folders trust only what the user made: no links, no other user's files, no damage that stops a command."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import one_line_usage_error

from verbatim.retrieval.conversation.log import Log, LogError
from verbatim.tui.cli import ExitCode
from verbatim.tui.config import ConfigError, load_config
from verbatim.tui.state import read_state, remember

QUESTION = "Who founded DeepSeek?"
OTHER_USER = 4321


def foreign(folder: Path) -> str:
    """Make ``folder`` another user's when this runs as root, else writable by everyone:
    either way not this user's own. Returns the reason the checks give."""
    if os.geteuid() == 0:
        os.chown(folder, OTHER_USER, OTHER_USER)
        return "it belongs to another user"
    folder.chmod(0o777)
    return "other users can write to it"


def shared_data_home(tmp_path: Path) -> Path:
    """$XDG_DATA_HOME shared by all, as /tmp is (mode 1777)."""
    shared = tmp_path / "data"
    shared.mkdir()
    shared.chmod(0o1777)
    return shared


# -- the log ----------------------------------------------------------------------------------
def test_another_users_log_folder_is_never_written_through(cli, tmp_path, monkeypatch):
    shared = shared_data_home(tmp_path)
    monkeypatch.setattr("verbatim.retrieval.conversation.log.data_home", lambda: shared)
    planted = shared / "verbatim"
    planted.mkdir()
    target = tmp_path / "where-the-link-points.db"
    (planted / "logs.db").symlink_to(target)
    why = foreign(planted)
    run = cli("--ask", QUESTION)
    assert run.code == ExitCode.ANSWERED and "Liang Wenfeng" in run.out
    assert not target.exists()
    notes = [line for line in run.err.splitlines() if "not logged" in line]
    assert len(notes) == 1 and f"refusing the log folder {planted}: {why}" in notes[0]


def test_a_log_file_that_is_a_link_or_writable_by_others_is_refused(tmp_path):
    folder = tmp_path / "verbatim"
    folder.mkdir(mode=0o700)
    target = tmp_path / "elsewhere.db"
    (folder / "logs.db").symlink_to(target)
    with pytest.raises(LogError, match="it is a symbolic link"):
        Log(folder / "logs.db")
    assert not target.exists()
    (folder / "logs.db").unlink()
    left = folder / "logs.db"
    left.touch()
    left.chmod(0o666)  # left there for the user's questions to be read by anyone
    with pytest.raises(LogError, match="other users can write to it"):
        Log(left)
    assert left.stat().st_size == 0


def test_the_log_is_made_private(tmp_path):
    path = tmp_path / "new" / "verbatim" / "logs.db"
    Log(path).close()
    assert path.parent.stat().st_mode & 0o777 == 0o700 and path.stat().st_mode & 0o777 == 0o600


def damaged_log(path: Path) -> None:
    """A log with one byte of its schema flipped to one that is not UTF-8: sqlite's error
    message then holds that byte."""
    Log(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    data = bytearray(path.read_bytes())
    at = data.index(b"CREATE TABLE conversations (") + len("CREATE TABLE conversations ")
    data[at] = 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_log_is_moved_aside_and_the_answer_still_prints(cli, tmp_path):
    path = tmp_path / "data" / "verbatim" / "logs.db"
    damaged_log(path)
    before = path.read_bytes()
    run = cli("--ask", QUESTION)
    assert run.code == ExitCode.ANSWERED and "Liang Wenfeng" in run.out
    (note,) = [line for line in run.err.splitlines() if "damaged" in line]
    assert f"{path} is damaged" in note and "moved aside to logs.db.damaged-" in note
    (aside,) = path.parent.glob("logs.db.damaged-*")
    assert aside.read_bytes() == before  # kept as it was, for the questions in it
    logs = cli("logs")
    assert logs.code == ExitCode.ANSWERED and QUESTION in logs.out  # the new log has the question


def test_verbatim_logs_on_a_damaged_log_is_one_line(cli, tmp_path):
    damaged_log(tmp_path / "data" / "verbatim" / "logs.db")
    one_line_usage_error(cli("logs"), "is damaged", "moved aside")
    assert cli("--ask", QUESTION).code == ExitCode.ANSWERED


# -- the state --------------------------------------------------------------------------------
def test_the_state_is_read_and_written_only_in_the_users_own_folder(tmp_path):
    folder = tmp_path / "state" / "verbatim"
    remember("theme", "nord", folder / "state.json")
    assert read_state(folder / "state.json") == {"theme": "nord"}
    assert folder.stat().st_mode & 0o777 == 0o700
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"theme": "planted"}', encoding="utf-8")
    (folder / "state.json").unlink()
    (folder / "state.json").symlink_to(elsewhere)
    assert read_state(folder / "state.json") == {}  # not through a link
    theirs = tmp_path / "theirs" / "verbatim"
    theirs.mkdir(parents=True)
    (theirs / "state.json").write_text('{"theme": "planted"}', encoding="utf-8")
    why = foreign(theirs)
    assert read_state(theirs / "state.json") == {}
    with pytest.raises(OSError, match=why):
        remember("theme", "nord", theirs / "state.json")
    assert sorted(p.name for p in theirs.iterdir()) == ["state.json"]


# -- the configuration --------------------------------------------------------------------------
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "verbatim" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_a_configuration_nested_500_deep_is_one_line(cli, tmp_path):
    path = config_file(tmp_path)
    path.write_text("top = " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    one_line_usage_error(cli("--ask", QUESTION), str(path), "nested too deeply")


def test_a_configuration_that_is_a_named_pipe_is_refused_at_once(cli, tmp_path):
    path = config_file(tmp_path)
    os.mkfifo(path)
    started = time.monotonic()
    run = cli("--ask", QUESTION)
    assert time.monotonic() - started < 60  # it used to wait forever for a writer
    one_line_usage_error(run, str(path), "not a regular file")


def test_a_configuration_too_large_to_be_one_is_refused(tmp_path):
    path = config_file(tmp_path)
    path.write_text("# " + "x" * (2 << 20) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than"):
        load_config(path)


def test_a_configuration_through_a_link_or_of_another_user_is_refused(cli, tmp_path):
    path = config_file(tmp_path)
    planted = tmp_path / "planted.toml"
    planted.write_text("top = 1\n", encoding="utf-8")
    path.symlink_to(planted)
    one_line_usage_error(cli("--ask", QUESTION), str(path), "it is a symbolic link")
    path.unlink()
    path.write_text("top = 2\n", encoding="utf-8")
    assert load_config(path).top == 2
    why = foreign(path.parent)
    with pytest.raises(ConfigError, match=f"refusing the configuration folder .*: {why}"):
        load_config(path)


@pytest.mark.parametrize("text", ["top = [1, 2]\n", "top = 1.5\n", "corpus\n", "top = 1\ntop = 2\n",
                                  "[t]\n[t]\n", 'x = "a" b\n', "top = 1\x00\n"])
def test_every_toml_error_is_one_line_naming_the_file(tmp_path, text):
    path = config_file(tmp_path)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        load_config(path)
