"""The configuration file: where it is, and the TOML reader used on Python 3.10 agreeing with tomllib."""

from __future__ import annotations

import sys

import pytest

from verbatim.tui.config import ConfigError, config_home, load_config, parse_simple_toml

SAMPLES = [
    'corpus = "~/articles"\ntop = 5\nlog = false\n',
    "# comment\ncorpus = 'C:\\\\literal'  # trailing\n\n[corpora]\npydocs = \"/d/py\"\n\"my notes\" = '/n'\n",
    'index_dir = "/tmp/x \\"quoted\\" \\\\ back"\ntop = +1_0\n',
    'theme = "nord"\n[keymap]\n"app.help" = "f5"\n"app.copy" = "ctrl+k,ctrl+y"\n',
]
BAD = ["top = [1, 2]\n", "top = 1.5\n", "corpus\n", "top = 1\ntop = 2\n", '[t]\n[t]\n', 'x = "a" b\n']


@pytest.mark.parametrize("text", SAMPLES)
def test_the_simple_reader_reads_what_tomllib_reads(text):
    if sys.version_info < (3, 11):
        pytest.skip("tomllib is in Python 3.11+")
    import tomllib

    assert parse_simple_toml(text) == tomllib.loads(text)


@pytest.mark.parametrize("text", BAD)
def test_the_simple_reader_refuses_what_it_does_not_understand(text):
    with pytest.raises(ValueError, match="line"):
        parse_simple_toml(text)


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
