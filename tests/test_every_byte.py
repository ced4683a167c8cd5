"""Every byte survives: names and questions that are not UTF-8, ASCII output, plain terminals."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, cli_env, verbatim_command

from verbatim.tui.cli import NOT_TEXT, ExitCode
from verbatim.tui.terminal import shows_styles

QUESTION = "Which ferry crossed the bay?"


def write_ferry(folder: Path, name: bytes = b"ferry.txt") -> Path:
    os.makedirs(os.fsencode(folder), exist_ok=True)
    with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
        handle.write(b"Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n")
    return folder


def test_a_file_name_that_is_not_utf8_is_read_saved_and_shown_escaped(tmp_path, verbatim):
    folder = write_ferry(tmp_path / "notes", b"bad\xffname.txt")
    index = ["--corpus", str(folder), "--index-dir", str(tmp_path / "idx")]
    run = verbatim(*index, "--ask", QUESTION)
    assert run.code == ExitCode.ANSWERED, run.err
    assert "[bad\\xffname.txt:3]" in run.out  # file:line
    as_json = verbatim(*index, "--json", "--ask", QUESTION)
    article = json.loads(as_json.out)["answers"][0]["article"]
    assert os.fsencode(article["id"]) == b"bad\xffname.txt"
    assert os.path.exists(os.fsencode(article["path"]))
    assert "up to date" in verbatim(*index, "--index").out  # the saved index kept the name


def test_a_folder_name_that_is_not_utf8_works(tmp_path, verbatim):
    folder = write_ferry(Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9")))
    run = verbatim("--corpus", str(folder), "--index-dir", str(tmp_path / "idx"), "--index")
    assert run.code == ExitCode.ANSWERED, run.err
    assert "Indexed caf\\xe9" in run.out


def test_a_folder_name_cannot_send_terminal_sequences(tmp_path, verbatim):
    folder = write_ferry(tmp_path / "\x1b]0;owned\x07\x1b[2J")
    run = verbatim("--corpus", str(folder), "--index-dir", str(tmp_path / "idx"), "--index")
    assert run.code == ExitCode.ANSWERED
    assert "\x1b" not in run.out + run.err and "\x07" not in run.out
    assert "\\x1b]0;owned\\x07\\x1b[2J" in run.out


def test_a_question_that_is_not_text_is_refused_and_the_batch_goes_on(empty_nltk_data):
    run = _run_bytes( b"Who founded DeepSeek?\n\xff\xfe bad\nHow old is Liang Wenfeng?\n",
                     "--ask", "-", "--json")
    assert run.returncode == ExitCode.ANSWERED, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["answered"] for r in results] == [True, False, True]
    assert results[1]["reason"] == NOT_TEXT and results[1]["question"] == "\\xff\\xfe bad"
    refusals = [line for line in run.stderr.decode().splitlines() if "line 2" in line]
    assert refusals == [f"verbatim: line 2: {NOT_TEXT}; not answered"]


def _run_bytes(stdin: bytes, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The real command with bytes in and out, as a terminal or a pipe passes them."""
    return subprocess.run([*verbatim_command(), *args], input=stdin, capture_output=True, timeout=120,
                          env=cli_env(Path(os.environ["NLTK_DATA"]), **env))


def test_a_question_argument_that_is_not_text_is_one_line_and_exit_2(empty_nltk_data):
    run = subprocess.run([*map(os.fsencode, verbatim_command()), b"--ask", b"bad \xff question"],
                         capture_output=True, timeout=120, env=cli_env(Path(os.environ["NLTK_DATA"])))
    assert run.returncode == ExitCode.USAGE
    assert run.stderr.decode() == f"verbatim: error: {NOT_TEXT}\n"


@pytest.mark.parametrize("env", [
    {"PYTHONIOENCODING": "ascii"},
    {"PYTHONIOENCODING": "", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
])
def test_an_ascii_stdout_gets_ascii_not_a_crash(empty_nltk_data, env):
    question = "How old is Liang Wenfeng?"  # its answer's citation holds ’ and —
    text = _run_bytes(b"", "--ask", question, **env)
    assert text.returncode == ExitCode.ANSWERED, text.stderr
    assert text.stdout.isascii() and b"\\u2014" in text.stdout
    as_json = _run_bytes(b"", "--json", "--ask", question, **env)
    assert as_json.returncode == ExitCode.ANSWERED and as_json.stdout.isascii()
    utf8 = _run_bytes(b"", "--json", "--ask", question)
    assert json.loads(as_json.stdout) == json.loads(utf8.stdout)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_styles_only_on_a_terminal_that_shows_them(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert shows_styles(_Terminal()) and not shows_styles(io.StringIO())
    monkeypatch.setenv("TERM", "dumb")
    assert not shows_styles(_Terminal())


def test_a_full_disk_leaves_no_empty_export(tmp_path):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root to mount a small file system for the full disk")
    disk = tmp_path / "disk"
    disk.mkdir()
    code = ("import errno, os, sys; from pathlib import Path; from tui.export import write_new_file\n"
            "try:\n    write_new_file(Path(sys.argv[1]), 'talk', 'x' * 200_000)\n"
            "except OSError as e:\n    print(errno.errorcode[e.errno])\n"
            "print(sorted(os.listdir(sys.argv[1])))\n")
    run = subprocess.run(["unshare", "--mount", "sh", "-c",
                          'mount -t tmpfs -o size=16k tmpfs "$1" && exec "$2" -c "$3" "$1"', "sh",
                          str(disk), sys.executable, code],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    if "mount:" in run.stderr:
        pytest.skip(f"cannot mount here: {run.stderr.strip()[-200:]}")
    assert run.stdout.split() == ["ENOSPC", "[]"], run.stderr
