"""The command line run in process through main(): flags honoured or refused, formats, help, config."""

from __future__ import annotations

import json

import pytest
from conftest import one_line_usage_error

from verbatim.corpus.reader import SUFFIXES
from verbatim.tui.cli import MAX_TOP, ExitCode


@pytest.mark.parametrize("args, words", [
    (("--json",), ["--json", "chat"]),
    (("--format", "markdown"), ["--format markdown", "chat"]),
    (("--explain",), ["--explain", "F2"]),
    (("--conversation",), ["--conversation", "chat"]),
])
def test_answer_flags_on_a_terminal_without_a_question_are_refused_not_ignored(cli, args, words):
    one_line_usage_error(cli(*args, terminal=True), *words)


@pytest.mark.parametrize("args, words", [
    (("--ask", "What is CATL?", "--conversation"), ["--conversation", "--continue"]),
    (("--index", "--json"), ["--json", "--index"]),
    (("--index", "--top", "5"), ["--top", "--index"]),
    (("--json", "--format", "markdown", "--ask", "x"), ["two formats"]),
    (("--continue", "--cid", "abcd", "--ask", "x"), ["--cid"]),
])
def test_flags_that_mean_nothing_together_are_refused(cli, args, words):
    one_line_usage_error(cli(*args), *words)


def test_corpus_given_twice_is_refused_in_one_line(cli, tmp_path):
    one_line_usage_error(cli("--corpus", str(tmp_path), "--corpus", str(tmp_path), "--ask", "x"),
                         "--corpus was given twice")


def test_help_lists_every_format_read_the_top_maximum_and_the_commands():
    from verbatim.corpus.formats import ROFF_SUFFIXES
    from verbatim.tui.cli import build_parser

    text = " ".join(build_parser().format_help().split())
    for suffix in SUFFIXES:
        assert suffix in ROFF_SUFFIXES or suffix in text, suffix
    assert "manual pages (.5.gz, .3, ...)" in text  # the many manual page suffixes, named by example
    assert f"at most {MAX_TOP}" in text
    for command in ("verbatim logs", "verbatim indexes", "verbatim completion"):
        assert command in text


def test_format_markdown_quotes_and_cites(cli):
    run = cli("--ask", "How old is Liang Wenfeng?", "--format", "markdown")
    assert run.code == ExitCode.ANSWERED, run.err
    assert run.out.startswith("## How old is Liang Wenfeng?\n\n> ")
    assert "(`rfa-deepseek-close-ties-to-beijing:11`)" in run.out
    assert "Short answer: **40-year-old**" in run.out


def test_markdown_for_every_piped_question(cli):
    run = cli("--format", "markdown", stdin="What is CATL?\nWho painted the Mona Lisa?\n")
    assert run.code == ExitCode.ANSWERED
    assert run.out.count("\n## ") + run.out.startswith("## ") == 2
    assert "*No answer in the corpus" in run.out


def test_explain_on_a_refused_question_says_why_nothing_was_given(cli):
    run = cli("--ask", "Who won the 2022 FIFA World Cup?", "--explain")
    assert run.code == ExitCode.NO_ANSWER
    assert "Why this sentence" not in run.out
    assert "Why no answer was given:" in run.out


def test_piped_output_prints_the_short_answer_line(cli):
    run = cli("--ask", "How old is Liang Wenfeng?")
    assert "  short answer: 40-year-old" in run.out.splitlines()
    assert "\x1b" not in run.out


def test_top_and_corpus_from_the_configuration(cli, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "garden.txt").write_text("The tomatoes were planted on 3 May.\n", encoding="utf-8")
    (notes / "diary.txt").write_text("The tomatoes were planted on 3 May, in the rain.\n", encoding="utf-8")
    config = tmp_path / "config" / "verbatim" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'corpus = "garden"\ntop = 1\n\n[corpora]\ngarden = "{notes}"\n', encoding="utf-8")
    run = cli("--ask", "When were the tomatoes planted?", "--json")
    assert run.code == ExitCode.ANSWERED, run.err
    data = json.loads(run.out)
    assert data["answers"][0]["article"]["path"].startswith(str(notes)) and len(data["answers"]) == 1
    run = cli("--ask", "When were the tomatoes planted?", "--json", "--top", "2", "-c", "garden")
    assert len(json.loads(run.out)["answers"]) == 2  # the command line wins


@pytest.mark.parametrize("text, words", [
    ("top = 'many'\n", ["top must be a int"]),
    ("colour = 1\n", ["unknown setting 'colour'"]),
    ("top = [\n", ["config.toml"]),
    ("top = 99\n", ["top must be between 1 and"]),
])
def test_a_bad_configuration_is_one_line(cli, tmp_path, text, words):
    config = tmp_path / "config" / "verbatim" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(text, encoding="utf-8")
    one_line_usage_error(cli("--ask", "What is CATL?"), *words)
