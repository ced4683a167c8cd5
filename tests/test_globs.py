"""Globs of --include/--exclude and .verbatimignore: a bad one is one line, and none backtracks."""

from __future__ import annotations

import time

import pytest
from conftest import one_line_usage_error

from verbatim.corpus.reader import corpus_listing
from verbatim.corpus.select import GlobError, Selection, compile_glob

BAD_GLOBS = ["[z-a]", "[]", "[!]", "docs/[9-0]*.md", "[", "notes[1", "*.[md"]


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "fox.txt").write_text("The quick brown fox was named Felix by the farmer.\n", encoding="utf-8")
    (root / "cat.md").write_text("The old cat slept on the warm porch all afternoon.\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("pattern", BAD_GLOBS)
def test_a_bad_glob_is_refused_by_name(pattern):
    with pytest.raises(GlobError, match="empty character class|runs backwards|never closed"):
        compile_glob(pattern)


@pytest.mark.parametrize("option", ["--include", "--exclude", "-g"])
@pytest.mark.parametrize("pattern", ["[z-a]", "[]", "[!]", "![z-a]", "[", "*.[md"])
def test_a_bad_glob_on_the_command_line_is_a_usage_error(cli, corpus, tmp_path, option, pattern):
    if option != "-g" and pattern.startswith("!"):
        pytest.skip("'!' takes files back only in --include")
    run = cli("--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"), option, pattern,
              "--ask", "What was the fox named?")
    one_line_usage_error(run, "not a usable glob", pattern)


def test_a_bad_line_of_the_ignore_file_is_one_warning_and_the_rest_applies(cli, corpus, tmp_path):
    (corpus / ".verbatimignore").write_text("# notes\n[z-a]\n*.md\n[]\n", encoding="utf-8")
    run = cli("--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"), "--json", "--ask",
              "What was the fox named?")
    assert run.code == 0, run
    warnings = [line for line in run.err.splitlines() if "warning" in line]
    assert len(warnings) == 2, run.err
    assert ".verbatimignore: line 2:" in warnings[0] and "[z-a]" in warnings[0]
    assert ".verbatimignore: line 4:" in warnings[1] and "[]" in warnings[1]
    listing, _ = corpus_listing(corpus)
    assert [rel for _, rel in listing] == ["fox.txt"]  # *.md on line 3 still applies


# A file name's most, in bytes, on the common file systems.
LONGEST_NAME = 255
# Stars that made the translated regular expression try every split of a long name.
HOSTILE = ["**a**a**a**a**a**b", "*a*a*a*a*a*a*a*b", "**/a*a*a*a*a*b/**", "a/**/a/**/a/**/a/**/b"]


@pytest.mark.parametrize("pattern", HOSTILE)
def test_globs_match_long_names_in_time_linear_in_the_name(pattern):
    glob = compile_glob(pattern)

    def cost(length: int) -> float:
        name = "a" * (length - 4) + ".txt"
        paths = [name, "a/" * (length // 2) + name]
        started = time.perf_counter()
        for _ in range(20):
            assert not any(glob.matches(p) for p in paths)
        return time.perf_counter() - started

    cost(32)  # warm up
    short, long = min(cost(32) for _ in range(3)), min(cost(LONGEST_NAME) for _ in range(3))
    # Eight times the name: linear is 8 times the cost; the backtracking matcher was 8**6.
    assert long < 64 * short + 0.05, (short, long)


def test_a_hostile_ignore_pattern_with_a_255_character_name_lists_at_once(corpus):
    (corpus / ("a" * (LONGEST_NAME - 4) + ".txt")).write_text("Some words about a dog.\n", encoding="utf-8")
    (corpus / ".verbatimignore").write_text("\n".join(HOSTILE) + "\n", encoding="utf-8")
    started = time.perf_counter()
    listing, warnings = corpus_listing(corpus)
    # It took 100 s; a second is a hundred times what it takes on a slow machine.
    assert time.perf_counter() - started < 10
    assert len(listing) == 3 and not warnings


@pytest.mark.parametrize("pattern, path, expected", [
    ("*.md", "a/b/c.md", True),
    ("*.md", "a/b.md/c.txt", True),  # a name at any depth, and what is under it
    ("/*.md", "a/c.md", False),
    ("api/**", "api/x/y.md", True),
    ("api/**", "api.md", False),
    ("a/**/b.md", "a/b.md", True),
    ("a/**/b.md", "a/x/y/b.md", True),
    ("**/b.md", "b.md", True),
    ("_sources/", "_sources/x.txt", True),
    ("_sources/", "_sources", False),
    ("[!a]*.md", "b.md", True),
    ("[!a]*.md", "a.md", False),
    ("?.md", "/.md", False),
    ("a*b*c", "axxbyyc", True),
    ("a*b*c", "axxbyy", False),
    ("a*b*c", "ab/c", False),  # a star stays inside one folder name
    ("**a**b", "xaxb", True),  # ** inside a name is a star, as gitignore has it
    ("**a**b", "a/b", False),
    ("CHANGELOG*", "CHANGELOG.md", True),
])
def test_glob_semantics(pattern, path, expected):
    assert compile_glob(pattern).matches(path) is expected


def test_a_selection_made_by_hand_skips_a_bad_glob(tmp_path):
    chosen = Selection(include=("[z-a]", "*.md"))
    assert chosen.apply([("p/a.md", "a.md"), ("p/b.txt", "b.txt")]) == [("p/a.md", "a.md")]


def test_a_literal_bracket_is_written_as_a_class():
    assert compile_glob("notes[[]1].txt").matches("notes[1].txt")
