"""Small edges of reading and of the command: a byte-order mark, a path echoed in an error, the version."""

from __future__ import annotations

import json

import pytest
from conftest import one_line_usage_error

from verbatim.corpus.segment import normalize_space
from verbatim.retrieval.engine import Engine
from verbatim.tui.cli import ExitCode

BOM = "\ufeff".encode()


@pytest.mark.parametrize("name, body", [
    ("ferry.txt", "Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n"),
    ("ferry.md", "# Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n"),
    ("ferry.rst", "Ferries\n=======\n\nThe ferry numbered 7 crossed the bay at dawn.\n"),
])
def test_offsets_count_a_utf8_byte_order_mark_as_the_files_text_does(tmp_path, cli, name, body):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / name).write_bytes(BOM + body.encode())
    run = cli("--corpus", str(folder), "--index-dir", str(tmp_path / "idx"), "--json",
              "--ask", "Which ferry crossed the bay?")
    assert run.code == ExitCode.ANSWERED
    answer = json.loads(run.out)["answers"][0]
    text = (folder / name).read_text(encoding="utf-8")  # the file's text: the mark is its first character
    assert normalize_space(text[answer["start"]:answer["end"]]) == answer["sentence"]
    assert answer["sentence"] == "The ferry numbered 7 crossed the bay at dawn."
    assert answer["article"]["title"] == "Ferries" and answer["line"] == 3 + name.endswith(".rst")


def test_an_unchanged_file_with_a_byte_order_mark_passes_the_quote_check(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "ferry.txt").write_bytes(BOM + b"Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n")
    engine = Engine.load(folder, index_dir=tmp_path / "idx")
    result = engine.ask("Which ferry crossed the bay?")
    assert result.answered and engine.outdated(result.answers) == []


def test_a_missing_corpus_path_is_echoed_escaped(cli, tmp_path):
    missing = tmp_path / "gone\x1b[2Jaway"
    run = cli("--corpus", str(missing), "--ask", "Which ferry crossed the bay?")
    one_line_usage_error(run, "no such file or folder", "gone\\x1b[2Jaway")
    assert "\x1b" not in run.err


def test_version_names_the_installed_distribution(cli):
    from importlib.metadata import version

    run = cli("--version")
    assert run.code == ExitCode.ANSWERED
    assert run.out.strip() == f"verbatim {version('verbatim-qa')}" and "unknown" not in run.out
