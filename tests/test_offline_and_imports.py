"""The core runs without Textual, without NLTK data and without the network."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from conftest import NetworkBlocked, cli_env, verbatim_command


def test_sockets_are_blocked_in_tests():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.com", 80))


def test_nltk_has_no_data_here(empty_nltk_data):
    import nltk

    with pytest.raises(LookupError):
        nltk.data.find("tokenizers/punkt_tab")


def test_core_and_one_shot_path_import_no_textual(empty_nltk_data):
    code = (
        "import sys, corpus, retrieval.engine, tui.cli, tui.output\n"
        "from retrieval.engine import Engine\n"
        "Engine.load().ask('How old is Liang Wenfeng?')\n"
        "loaded = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=cli_env(empty_nltk_data), timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_one_shot_command_imports_no_textual(empty_nltk_data, tmp_path):
    proc = subprocess.run(
        [*verbatim_command(), "--ask", "What is CATL?"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env=cli_env(empty_nltk_data, PYTHONVERBOSE="1"),
    )
    assert proc.returncode == 0
    assert "import 'textual" not in proc.stderr


def test_subprocesses_have_the_network_blocked(empty_nltk_data):
    code = "import socket\nsocket.create_connection(('example.com', 80))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=cli_env(empty_nltk_data), timeout=60)
    assert proc.returncode != 0 and "NetworkBlocked" in proc.stderr
