"""The shell examples of README.md and docs/ are run, and their output compared with what they show.

An example is a fenced block marked ``console``: each line starting with ``$ `` is a command
(a line ending in ``\\`` goes on to the next), and the lines up to the next command are what
it prints, standard output and standard error together as a terminal shows them. The
commands of one block run one after another in bash, in a new empty folder that is also
``$HOME`` (and holds the cache, the log and the configuration), with ``verbatim`` and
the ``python3`` that has it installed on the ``PATH``, no network, no colours and the bundled articles as the default corpus. Blocks
marked ``sh`` show commands without output and are not run.

What the expected output may leave open, written once here:

- a line holding only ``...`` stands for any number of lines, none included;
- ``...`` inside a line stands for any text on that line;
- runs of spaces compare as one space, and spaces at the ends of lines are ignored;
- what changes with a retrain, a machine or a clock is compared by its shape only (see
  ``SHAPES``): a number with a decimal point (scores, probabilities, weights, timings), a
  size (``84 kB``), a duration (``0.4 s``), a date or time, a hexadecimal id (a
  conversation's, an index folder's); and the example's folder is shown as ``/home/me``.

An example whose output no longer matches fails with both texts: run it and paste what it
prints now. Integers (lines, paragraphs, counts, exit statuses) are compared exactly, so a
citation that moves is caught.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, cli_env, verbatim_command

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
HOME_SHOWN_AS = "/home/me"

# What differs between runs, machines and retrains, each replaced by a mark in both texts.
SHAPES = [
    (re.compile(r"\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?"), "<date>"),
    (re.compile(r"\b[0-9a-f]{8,}\b"), "<hex>"),
    (re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)? ?(?:B|kB|MB|GB|MiB|GiB)\b"), "<size>"),
    (re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)? ?(?:ms|s)\b"), "<time>"),
    (re.compile(r"(?<![\w.])[+-]?\d+\.\d+(?![\w.]*\d)"), "<n>"),
]


@dataclass(frozen=True)
class Command:
    line: int  # where the command stands in its document, from 1
    text: str
    expected: str


@dataclass(frozen=True)
class Example:
    document: Path
    line: int
    commands: tuple[Command, ...]

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def examples_of(document: Path) -> list[Example]:
    """Every ``console`` block of a Markdown file, its commands and their shown output."""
    found, lines = [], document.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("````"):  # a longer fence shows fences as text: skip to its end
            i += 1
            while i < len(lines) and not lines[i].startswith("````"):
                i += 1
            i += 1
            continue
        if lines[i].strip() != "```console":
            i += 1
            continue
        start, i = i + 1, i + 1
        commands: list[Command] = []
        command: list[str] = []
        output: list[str] = []
        at = 0
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            if line.startswith("$ ") and not (command and command[-1].endswith("\\")):
                if command:
                    commands.append(Command(at, "\n".join(command), "\n".join(output)))
                command, output, at = [line[2:]], [], i + 1
            elif command and command[-1].endswith("\\"):
                command.append(line)
            else:
                output.append(line)
            i += 1
        if command:
            commands.append(Command(at, "\n".join(command), "\n".join(output)))
        found.append(Example(document, start, tuple(commands)))
        i += 1
    return found


def normalised(text: str, home: str | None = None) -> str:
    if home:
        text = text.replace(home, HOME_SHOWN_AS)
    for pattern, mark in SHAPES:
        text = pattern.sub(mark, text)
    return "\n".join(re.sub(r" {2,}", " ", line).rstrip() for line in text.strip("\n").splitlines())


def pattern_of(expected: str) -> re.Pattern[str]:
    """The expected output as a pattern: ``...`` lines and ``...`` in a line match anything."""
    parts = []
    for line in normalised(expected).splitlines():
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(map(re.escape, line.split("..."))) + r"\n")
    return re.compile("".join(parts))


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is what ``expected`` shows, both normalised."""
    actual = normalised(actual)
    return pattern_of(expected).fullmatch(actual + "\n" if actual else "") is not None


EXAMPLES = [example for document in DOCUMENTS for example in examples_of(document)]


def test_the_documents_have_examples():
    """The harness found the examples it is meant to check (a renamed fence would hide them)."""
    assert len(EXAMPLES) >= 6
    assert any(e.document.name == "README.md" for e in EXAMPLES)


def test_every_command_shown_with_a_prompt_is_checked():
    """A ``$ `` prompt outside a ``console`` block would show output nobody checks."""
    unchecked = []
    for document in DOCUMENTS:
        fence, outer = None, False
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("````"):
                outer = not outer
            elif not outer and line.startswith("```"):
                fence = None if fence is not None else line[3:].strip()
            elif fence not in (None, "console") and line.startswith("$ "):
                unchecked.append(f"{document.relative_to(ROOT)}:{number}: {line}")
    assert not unchecked, "\n".join(unchecked)


def headings_of(document: Path) -> set[str]:
    """The anchors a Markdown renderer gives a document's headings (GitHub's rule)."""
    return {re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            for line in document.read_text(encoding="utf-8").splitlines() if line.startswith("#")}


def test_links_between_the_documents_lead_somewhere():
    broken = []
    for document in DOCUMENTS:
        for link in re.finditer(r"\]\(([^)#\s]*)(#[^)\s]+)?\)", document.read_text(encoding="utf-8")):
            path, anchor = link.groups()
            if path.startswith(("http://", "https://")):
                continue
            target = document.parent / path if path else document
            if not target.is_file() or (anchor and anchor[1:] not in headings_of(target)):
                broken.append(f"{document.relative_to(ROOT)}: {link.group(0)}")
    assert not broken, "\n".join(broken)


def test_placeholders_match_what_they_stand_for_and_nothing_else():
    assert matches("score 13.498: the bias\n...\ndone", "score 7.1: the bias\na\nb\ndone")
    assert matches("a ... z", "a anything z")
    assert matches("built 2025-05-02 in 0.4 s, 84 kB", "built 2026-12-07 in 12 s, 5 kB")
    assert matches("conversation 3f2a9c81", "conversation 08255faa")
    assert not matches("[budget.txt:4]", "[budget.txt:5]")
    assert not matches("one\ntwo", "one\ntwo\nthree")
    assert not matches("Q: How old?", "Q: How young?")


@pytest.fixture(scope="module")
def command_folder(tmp_path_factory) -> Path:
    """``verbatim`` on the PATH, the command the other tests run, and ``python3``, the Python
    that has Verbatim installed (as in the virtual environment the README makes)."""
    folder = tmp_path_factory.mktemp("bin")
    for name, command in (("verbatim", verbatim_command()), ("python3", [sys.executable])):
        script = folder / name
        script.write_text("#!/bin/sh\nexec " + " ".join(f"'{part}'" for part in command) + ' "$@"\n',
                          encoding="utf-8")
        script.chmod(0o755)
    return folder


@pytest.mark.subprocess
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_prints_what_the_document_shows(example, tmp_path, empty_nltk_data, command_folder):
    home = tmp_path / "home"
    home.mkdir()
    env = cli_env(
        empty_nltk_data,
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        PATH=os.pathsep.join([str(command_folder), os.environ.get("PATH", "")]),
        PYTHONUNBUFFERED="1",
        TERM="dumb",
    )
    env.pop("VERBATIM_NO_LOG", None)
    env.pop("FORCE_HYPERLINK", None)
    failures = []
    for command in example.commands:
        # Output flushed as written (PYTHONUNBUFFERED), so stderr and stdout interleave as on a terminal.
        proc = subprocess.run(["bash", "-c", command.text], cwd=home, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        actual = normalised(proc.stdout, str(home))
        if not matches(command.expected, actual):
            failures.append(f"{example.document.name}:{command.line}: $ {command.text}\n"
                            f"--- shown (normalised)\n{normalised(command.expected)}\n"
                            f"--- printed now (normalised)\n{actual}\n")
    assert not failures, "\n".join(failures)


if __name__ == "__main__":  # python tests/test_docs_examples.py: list the examples found
    for example in EXAMPLES:
        print(example.name, *(f"  $ {c.text}" for c in example.commands), sep="\n", file=sys.stdout)
