"""The configuration file: where it is, and what it holds."""

from __future__ import annotations

import pytest

from verbatim.tui.config import ConfigError, config_home, load_config

SAMPLES = [
    ('corpus = "~/articles"\ntop = 5\nlog = false\n', {"corpus": "~/articles", "top": 5, "log": False}),
    ("# comment\n[corpora]\npydocs = \"/d/py\"\n\"my notes\" = '/n'\n",
     {"corpora": {"pydocs": "/d/py", "my notes": "/n"}}),
    ('theme = "nord"\n[keymap]\n"app.help" = "f5"\n', {"theme": "nord", "keymap": {"app.help": "f5"}}),
]


@pytest.mark.parametrize("text, expected", SAMPLES)
def test_the_configuration_is_read_as_toml(tmp_path, text, expected):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    for key, value in expected.items():
        assert getattr(config, key) == value


def test_config_home_ignores_a_relative_xdg_config_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_home() == tmp_path / ".config"


def test_no_file_gives_the_defaults(tmp_path):
    config = load_config(tmp_path / "none.toml")
    assert config.corpus is None and config.top is None and config.log is True


def test_a_corpus_name_must_map_to_a_path(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[corpora]\nx = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="corpora.x"):
        load_config(path)
