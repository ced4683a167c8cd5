"""The program's state file: where it is, written whole, other entries kept, damage forgotten."""

from __future__ import annotations

import json

from verbatim.tui.state import read_state, remember, state_path


def test_the_state_lives_under_xdg_state_home_and_ignores_a_relative_one(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert state_path() == tmp_path / "state" / "verbatim" / "state.json"
    monkeypatch.setenv("XDG_STATE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert state_path() == tmp_path / ".local" / "state" / "verbatim" / "state.json"


def test_remember_keeps_other_entries_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "verbatim" / "state.json"
    remember("theme", "nord", path)
    remember("other", 1, path)
    remember("theme", "dracula", path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"theme": "dracula", "other": 1}
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]


def test_a_damaged_state_file_reads_as_nothing_and_is_replaced(tmp_path):
    path = tmp_path / "state.json"
    path.write_bytes(b"\xff{")
    assert read_state(path) == {}
    remember("theme", "nord", path)
    assert read_state(path) == {"theme": "nord"}
