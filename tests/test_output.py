"""Text output on a terminal and off it: wrapping, links, the short answer, Markdown, and --explain of a refusal."""

from __future__ import annotations

import io
import re

import pytest

from verbatim.retrieval.models import ArticleRef, Passage, Result
from verbatim.tui.output import ANSI, PLAIN, Output, Style, render
from verbatim.tui.terminal import LINK_CLOSE, cell_width, plain, supports_hyperlinks, wrap

WORD = re.compile(r"\S+")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _words(text: str) -> list[str]:
    return WORD.findall(plain(text))


@pytest.fixture(scope="module")
def answered(engine) -> Result:
    return engine.ask("How old is Liang Wenfeng?")


@pytest.mark.parametrize("width", [44, 57, 80])  # wider than its longest word and indent
def test_wrapping_breaks_only_between_words_and_fits(answered, width):
    text = render(answered, ANSI)
    wrapped = wrap(text, width)
    assert _words(wrapped) == _words(text)  # no word cut, none lost
    for line in plain(wrapped).splitlines():
        assert cell_width(line) <= width, line


def test_wrapping_keeps_styles_per_line_and_indents_citations(answered):
    wrapped = wrap(render(answered, ANSI), 30)
    for line in wrapped.splitlines():
        if "\x1b[" in line:
            assert line.endswith("\x1b[0m") or line.endswith(LINK_CLOSE), repr(line)
    citation = [line for line in plain(wrapped).splitlines() if line.startswith("  — ")]
    after = plain(wrapped).splitlines().index(citation[0]) + 1
    assert plain(wrapped).splitlines()[after].startswith("    ")  # past the dash


def test_a_word_longer_than_the_line_is_cut_to_fit():
    assert plain(wrap("x" * 50, 20)).splitlines() == ["x" * 20, "x" * 20, "x" * 10]


def test_wide_characters_take_two_columns():
    for line in wrap("漢字漢字漢字 漢字漢字 漢字", 8).splitlines():
        assert cell_width(line) <= 8


def test_the_short_answer_line_only_when_it_is_not_highlighted(answered):
    assert answered.answers[0].span is not None
    assert "short answer: 40-year-old" in render(answered, PLAIN)
    styled = render(answered, ANSI)
    assert "short answer" not in styled
    assert "\x1b[1;4;33m40-year-old" in styled


def test_citations_link_to_their_file_only_when_asked(answered):
    linked = render(answered, Style(links=True))
    path = answered.answers[0].article.path
    assert f"\x1b]8;;file://{path}\x1b\\" in linked
    assert "\x1b]8" not in render(answered, PLAIN)


def test_a_hostile_path_cannot_escape_the_link():
    ref = ArticleRef(id="x", title="t", path="/tmp/a\x1b]8;;evil\x07b.txt")
    passage = Passage(sentence="s.", article=ref, paragraph=1, sentence_index=1, score=1, start=0, end=2)
    text = render(Result(question="q", answered=True, answers=[passage]), Style(links=True))
    uri = re.search(r"\x1b\]8;;([^\x1b]*)\x1b\\", text).group(1)
    assert uri.startswith("file:///tmp/a%1B") and "\x07" not in uri


@pytest.mark.parametrize("environ, expected", [
    ({"TERM": "xterm-kitty"}, True),
    ({"TERM": "xterm-256color", "VTE_VERSION": "7200"}, True),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app", "TERM_PROGRAM_VERSION": "3.0.1"}, False),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app", "TERM_PROGRAM_VERSION": "3.4.19"}, True),
    ({"TERM": "xterm-256color"}, False),
    ({"TERM": "dumb", "FORCE_HYPERLINK": "1"}, False),
    ({"TERM": "xterm-256color", "FORCE_HYPERLINK": "1"}, True),
    ({"TERM": "xterm-kitty", "FORCE_HYPERLINK": "0"}, False),
])
def test_hyperlinks_on_terminals_that_show_them(environ, expected):
    assert supports_hyperlinks(Terminal(), environ) is expected


def test_never_links_when_piped():
    assert not supports_hyperlinks(io.StringIO(), {"TERM": "xterm-kitty", "FORCE_HYPERLINK": "1"})


def test_output_to_a_terminal_wraps_and_styles(answered, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-kitty")
    text = Output.to(Terminal()).result(answered, header=False)
    assert max(cell_width(line) for line in plain(text).splitlines()) <= 40
    assert "\x1b[1m" in text and "\x1b]8;;file://" in text
    piped = Output.to(io.StringIO()).result(answered, header=False)
    assert "\x1b" not in piped and piped.splitlines()[0] == answered.answers[0].sentence


def test_markdown_quotes_cites_and_escapes(engine):
    result = engine.ask("What was Liang Wenfeng's job before DeepSeek?")
    text = Output(format="markdown").result(result, header=False)
    assert text.startswith("## What was Liang Wenfeng's job before DeepSeek?")
    for passage in result.answers:
        assert f"> {passage.sentence}" in text
        assert f"(`{passage.article.id}:{passage.line}`)" in text
    hostile = Result(question="**bold** [link](x) `code`", answered=False, reason="none")
    md = Output(format="markdown").result(hostile, header=False)
    assert "\\*\\*bold\\*\\* \\[link\\](x) \\`code\\`" in md


def test_explain_of_a_refusal_says_why_nothing_was_given(engine):
    result = engine.ask("Who won the 2022 FIFA World Cup?", explain=True)
    assert not result.answered
    text = Output().result(result, header=False, explain=True)
    assert "Why this sentence" not in text
    assert "Why no answer was given:" in text and "below the" in text
    answered = Output().result(engine.ask("How old is Liang Wenfeng?", explain=True), header=False, explain=True)
    assert "Why this sentence:" in answered and "Why no answer" not in answered


def test_explain_of_a_question_refused_before_reading(engine):
    result = engine.ask("How old is he?", explain=True)
    assert not result.answered and result.explanation is None
    text = Output().result(result, header=False, explain=True)
    assert "Why no answer was given:" in text and "needs the one before it" in text


@pytest.mark.subprocess
def test_a_real_terminal_gets_whole_words_within_its_width(empty_nltk_data):
    from conftest import cli_env, verbatim_command
    from test_hostile_input import read_pty

    env = cli_env(empty_nltk_data, COLUMNS="50", TERM="xterm-256color")
    code, screen = read_pty([*verbatim_command(), "--ask", "How old is Liang Wenfeng?"], env, "")
    assert code == 0, screen
    lines = plain(screen).replace("\r\n", "\n").rstrip("\n").split("\n")
    assert all(cell_width(line) <= 50 for line in lines), lines
    assert "\x1b]8" not in screen  # xterm-256color is not known to show links
    words = " ".join(lines).split()
    assert "40-year-old" in words and "Wenfeng" in words and "[rfa-deepseek-close-ties-to-beijing:11]" in words
