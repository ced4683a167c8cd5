"""The chat's theme and keys: the configuration's theme at start, the theme chosen in the chat remembered in the program's state file, a keymap from the configuration, and bad values refused in one line."""

from __future__ import annotations

import json

import pytest
from chat_pilot import chat, settle
from conftest import ROOT, one_line_usage_error

from verbatim.tui.app import SettingError, binding_ids, check_settings
from verbatim.tui.config import load_config
from verbatim.tui.screens import HelpScreen
from verbatim.tui.state import state_path


@pytest.fixture
def homes(monkeypatch, tmp_path):
    """A private configuration folder and state folder; the configuration file's path."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = tmp_path / "config" / "verbatim" / "config.toml"
    config.parent.mkdir(parents=True)
    return config


def configured(config, text: str) -> dict:
    """What the chat is given from a configuration file holding ``text``."""
    config.write_text(text, encoding="utf-8")
    settings = load_config()
    return {"theme": settings.theme, "keymap": settings.keymap}


async def choose_theme(pilot, name: str) -> None:
    """Pick a theme as a reader does: the command palette's theme list, type, Enter."""
    pilot.app.action_change_theme()
    await settle(pilot)
    await pilot.press(*name, "enter")
    await settle(pilot)


def remembered() -> object:
    return json.loads(state_path().read_text(encoding="utf-8")).get("theme")


async def test_the_configured_theme_is_the_one_shown_at_start(engine, homes):
    app = chat(engine, **configured(homes, 'theme = "nord"\n'))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "nord" and app.has_class("-theme-nord")
        assert app.screen.styles.background == app.get_theme("nord").to_color_system().background


async def test_a_theme_chosen_in_the_chat_is_the_next_chats(engine, homes):
    app = chat(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await choose_theme(pilot, "dracula")
        assert app.theme == "dracula"
    assert remembered() == "dracula"
    assert [p.name for p in state_path().parent.iterdir()] == ["state.json"]  # no temporary left
    again = chat(engine)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "dracula"


async def test_the_configured_theme_wins_over_the_remembered_one_and_says_so(engine, homes):
    state_path().parent.mkdir(parents=True)
    state_path().write_text('{"theme": "dracula"}', encoding="utf-8")
    app = chat(engine, **configured(homes, 'theme = "nord"\n'))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        await choose_theme(pilot, "monokai")
        notices = [n.message for n in app._notifications]
        assert any('theme = "nord"' in n and "next chat" in n for n in notices), notices
    assert remembered() == "monokai"
    assert homes.read_text(encoding="utf-8") == 'theme = "nord"\n'  # the user's file is untouched


@pytest.mark.parametrize("damaged", ["{not json", "[1, 2]", '{"theme": 7}', '{"theme": "gone-theme"}', "\udcff"])
async def test_a_damaged_state_file_is_forgotten_and_replaced(engine, homes, damaged):
    state_path().parent.mkdir(parents=True)
    state_path().write_bytes(damaged.encode("utf-8", "surrogateescape"))
    app = chat(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await choose_theme(pilot, "nord")
    assert remembered() == "nord"


def test_an_unknown_theme_or_binding_id_is_refused_by_the_app_factory(engine, homes):
    with pytest.raises(SettingError, match="'nrod' is not a theme.*nord"):
        chat(engine, **configured(homes, 'theme = "nrod"\n'))
    with pytest.raises(SettingError, match="keymap.app.nope is not a key.*app.help"):
        chat(engine, **configured(homes, '[keymap]\n"app.nope" = "f5"\n'))


@pytest.mark.parametrize(("text", "words"), [
    ('theme = "nrod"\n', ["config.toml", "'nrod' is not a theme of the chat"]),
    ("theme = 3\n", ["config.toml", "theme must be a str"]),
    ('[keymap]\n"app.nope" = "f5"\n', ["config.toml", "keymap.app.nope is not a key of the chat"]),
    ('[keymap]\n"app.help" = "f 5"\n', ["config.toml", "keymap.app.help must be keys"]),
    ('keymap = "f5"\n', ["config.toml", "keymap must be a dict"]),
    ('[keymap]\napp.help = "f5"\n', ["config.toml", '"app.help"']),
])
def test_bad_theme_and_keymap_values_are_one_line_and_exit_2(cli, homes, text, words):
    homes.write_text(text, encoding="utf-8")
    one_line_usage_error(cli(terminal=True), *words)


async def test_the_keymap_moves_a_key_and_the_help_follows(engine, homes):
    app = chat(engine, **configured(homes, '[keymap]\n"app.help" = "f5"\n'))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        anywhere = {what: keys for place, keys, what in app.key_table() if place == "Anywhere"}
        assert anywhere["Show every key"].lower() == "f5"  # F1 no more


CONFIGURATION_DOC = ROOT / "docs" / "configuration.md"


def test_every_binding_id_is_documented():
    documented = CONFIGURATION_DOC.read_text(encoding="utf-8")
    missing = [binding for binding in binding_ids() if f"`{binding}`" not in documented]
    assert not missing


def test_the_documented_configuration_example_is_accepted(homes):
    documented = CONFIGURATION_DOC.read_text(encoding="utf-8")
    example = documented.split("```toml\n", 1)[1].split("```", 1)[0]
    settings = configured(homes, example)
    check_settings(settings["theme"], settings["keymap"])
    assert settings["theme"] == "nord" and settings["keymap"]["app.help"] == "f5"


async def test_a_state_folder_that_cannot_be_written_costs_a_notice_not_the_chat(engine, homes, monkeypatch, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))  # its verbatim/ folder cannot be made
    app = chat(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await choose_theme(pilot, "nord")
        assert app.theme == "nord"
        assert any("could not be remembered" in n.message for n in app._notifications)
