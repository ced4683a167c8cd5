"""Hostile text in articles, titles, file names and questions, through the real command:
nothing is interpreted, nothing reaches the terminal raw, and --json keeps the text itself."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess

import pytest
from conftest import cli_env, verbatim_command

from verbatim.tui.text import visible

# Each payload sits in a sentence about an animal no other article names.
PAYLOADS = {
    "quokka": "keeps [b]bold[/b], [link=https://example.com]a link[/link] and [/] as text",
    "axolotl": "hides \x1b[2J\x1b[H a clear-screen sequence",
    "pangolin": "hides \x1b]52;c;ZXZpbA==\x07 a clipboard write",
    "narwhal": "hides back\b\b\bspaces and a bell\x07",
    "tapir": "hides zero\u200bwidth\u200d joiners and a \ufeff byte-order mark",
    "okapi": "hides \u202eesrever\u202c and \u2066isolated\u2069 direction controls",
    "dugong": "lives in 动物园 with 🦓 and ñandú friends",
    "gharial": "hides a C1 \x9b31m control and a DEL\x7f",
}
# Everything that could act on a terminal; a newline is the only control allowed out.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the command's own styling
PROGRESS = re.compile(r"\r\x1b\[2K")  # and its progress line redrawing itself


def sentence(animal: str) -> str:
    return f"The {animal} {PAYLOADS[animal]}."


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "zoo"
    folder.mkdir()
    for n, animal in enumerate(PAYLOADS):
        name = f"{animal}\x1b[31m.txt" if n % 2 else f"{animal}.txt"
        title = f"[b]{animal.title()}[/b] \x1b[7mnotes\x1b[0m {PAYLOADS[animal][-12:]}"
        (folder / name).write_text(f"{title}\n\n{sentence(animal)}\n", encoding="utf-8")
    (folder / "evil\x1b]52;c;aGk=\x07name.txt").write_bytes(b"\x00\x01binary")
    return folder


def test_piped_output_shows_controls_escaped_and_markup_as_text(hostile, verbatim):
    questions = "".join(f"What does the {animal} hide?\n" for animal in PAYLOADS)
    proc = verbatim("--corpus", str(hostile), "--ask", "-", stdin=questions)
    assert proc.code == 0, proc.err
    assert not RAW.search(proc.out) and not RAW.search(proc.err)
    for animal in PAYLOADS:
        assert visible(sentence(animal)) in proc.out
    assert "[b]bold[/b], [link=https://example.com]a link[/link] and [/] as text" in proc.out
    assert "\\x1b[2J\\x1b[H" in proc.out and "\\x1b]52;c;ZXZpbA==\\x07" in proc.out
    assert "\\u202eesrever\\u202c" in proc.out and "🦓" in proc.out
    assert "\\x1b]52;c;aGk=\\x07name.txt: skipped, binary file" in proc.err
    assert "[b]Quokka[/b] \\x1b[7mnotes\\x1b[0m" in proc.out


def test_json_returns_the_text_itself(hostile, verbatim):
    questions = "".join(f"What does the {animal} hide?\n" for animal in PAYLOADS)
    proc = verbatim("--corpus", str(hostile), "--ask", "-", "--json", stdin=questions)
    assert proc.code == 0, proc.err
    assert not RAW.search(proc.out)  # escaped inside the JSON strings
    results = [json.loads(line) for line in proc.out.splitlines()]
    for animal, result in zip(PAYLOADS, results):
        best = result["answers"][0]
        assert best["sentence"] == sentence(animal)
        assert best["article"]["title"].startswith(f"[b]{animal.title()}[/b] \x1b[7mnotes")
        assert best["article"]["id"] in (f"{animal}.txt", f"{animal}\x1b[31m.txt")


def read_pty(command: list[str], env: dict[str, str], stdin: str) -> tuple[int, str]:
    """Run ``command`` with stdout and stderr on a terminal and ``stdin`` piped in; (exit
    code, what the terminal received)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(command, stdout=follower, stderr=follower, stdin=subprocess.PIPE, env=env)
    os.close(follower)
    proc.stdin.write(stdin.encode("utf-8"))
    proc.stdin.close()
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", errors="replace")


def test_a_terminal_receives_only_the_commands_own_styles(hostile, empty_nltk_data):
    env = cli_env(empty_nltk_data, COLUMNS="10000")  # wide: each sentence whole on its line
    env.pop("NO_COLOR")
    questions = "".join(f"\x1b]52;c;aGk=\x07What does the {animal} hide?\b\n" for animal in PAYLOADS)
    code, screen = read_pty([*verbatim_command(), "--corpus", str(hostile), "--ask", "-", "--explain"],
                            env, questions)
    assert code == 0, screen
    assert SGR.search(screen), "styled output was expected on a terminal"
    bare = PROGRESS.sub("", SGR.sub("", screen)).replace("\r\n", "\n")
    assert not RAW.search(bare), bare
    for animal in PAYLOADS:
        assert visible(sentence(animal)) in bare


def test_a_hostile_question_is_echoed_escaped_and_answered(hostile, verbatim):
    question = "\x1b[2J\x1b]52;c;aGk=\x07What does the [b]quokka[/b] keep\b?\u202e"
    proc = verbatim("--corpus", str(hostile), "--ask", "-", stdin=question + "\n")
    assert proc.code == 0
    assert f"Q: {visible(question)}" in proc.out and not RAW.search(proc.out)
    assert visible(sentence("quokka")) in proc.out
    as_json = json.loads(verbatim("--corpus", str(hostile), "--ask", question, "--json").out)
    assert as_json["question"] == question


def long_prose(needle: str, size: int) -> str:
    filler = ("The harbour ferry left the quay at dawn while gulls circled over the grey water. "
              "Fishermen mended nets on the pier and talked about the weather. ")
    half = filler * (size // (2 * len(filler)) + 1)
    return half + needle + " " + half


def test_a_one_megabyte_single_line_file_is_read_and_quoted(tmp_path, verbatim):
    folder = tmp_path / "big"
    folder.mkdir()
    needle = "The lighthouse keeper Margarethe Oyelaran repainted the lamp room in 1887."
    text = long_prose(needle, 1_000_000)
    assert "\n" not in text and len(text) >= 1_000_000
    (folder / "one-line.txt").write_text(text, encoding="utf-8")
    (folder / "no-stops.txt").write_text("pebble " * 150_000 + "cormorant nests here", encoding="utf-8")
    proc = verbatim("--corpus", str(folder), "--ask", "Who repainted the lamp room?", "--json")
    assert proc.code == 0, proc.err
    best = json.loads(proc.out)["answers"][0]
    assert best["sentence"] == needle and best["article"]["id"] == "one-line.txt"
    assert text[best["start"]:best["end"]] == needle
    piece = verbatim("--corpus", str(folder), "--ask", "Where does the cormorant nest?", "--json")
    assert piece.code in (0, 1), piece.err
    for passage in [*json.loads(piece.out)["answers"], *json.loads(piece.out)["closest"]]:
        assert len(passage["sentence"]) <= 4000 and passage["sentence"] in ("pebble " * 150_000 + "cormorant nests here")


def test_a_100_kilobyte_question_is_refused_in_one_line(hostile, verbatim):
    question = "Who " + "keeps bold text " * 6_400
    proc = verbatim("--corpus", str(hostile), "--ask", question)
    assert proc.code == 2
    assert proc.err.strip().count("\n") == 0
    assert "the question is too long: 102,403 characters (at most 2,000)" in proc.err
    batch = verbatim("--corpus", str(hostile), "--ask", "-", "--json",
                     stdin=f"{question}\nWhat does the quokka keep?\n")
    assert batch.code == 0
    first, second = [json.loads(line) for line in batch.out.splitlines()]
    assert not first["answered"] and "too long" in first["reason"]
    assert second["answers"][0]["sentence"] == sentence("quokka")
    assert "line 1: the question is too long" in batch.err
