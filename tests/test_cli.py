"""The real command in a fresh process: output, exit codes, JSON, stdin and --corpus."""

from __future__ import annotations

import json

import pytest

from verbatim.tui.cli import ExitCode


def test_ask_prints_the_sentence_then_its_citation(verbatim):
    run = verbatim("--ask", "How old is Liang Wenfeng?")
    assert run.code == ExitCode.ANSWERED, run.err
    first, second, *_ = run.out.splitlines()
    assert "40-year-old Liang Wenfeng" in first
    assert "China’s DeepSee Has Close Ties to Beijing" in second
    assert "[rfa-deepseek-close-ties-to-beijing:11]" in second  # file:line; a news masthead heads no section
    assert "\x1b[" not in run.out  # piped: plain text
    assert run.err == ""


def test_no_answer_exits_1_and_says_so(verbatim):
    run = verbatim("--ask", "Who painted the Mona Lisa?")
    assert run.code == ExitCode.NO_ANSWER
    assert run.out.startswith("No answer in the corpus")


def test_json_fields(verbatim):
    run = verbatim("--ask", "How old is Liang Wenfeng?", "--json", "--top", "2")
    assert run.code == ExitCode.ANSWERED
    data = json.loads(run.out)
    assert data["question"] == "How old is Liang Wenfeng?"
    assert data["answered"] is True
    assert 1 <= len(data["answers"]) <= 2
    answer = data["answers"][0]
    assert "40-year-old Liang Wenfeng" in answer["sentence"]
    assert set(answer["article"]) >= {"id", "title", "path"}
    assert answer["article"]["id"] == "rfa-deepseek-close-ties-to-beijing"
    assert isinstance(answer["paragraph"], int) and isinstance(answer["sentence_index"], int)
    assert isinstance(answer["score"], float)
    assert 0 <= data["probability"] <= 1 and answer["probability"] == data["probability"]


def test_json_when_not_answered_keeps_closest_apart(verbatim):
    run = verbatim("--ask", "What did Elon Musk say about DeepSeek?", "--json")
    assert run.code == ExitCode.NO_ANSWER
    data = json.loads(run.out)
    assert data["answered"] is False and data["answers"] == []
    assert data["reason"]


def test_stdin_batch_answers_every_line_in_order(verbatim):
    questions = ["How old is Liang Wenfeng?", "", "Who painted the Mona Lisa?", "  ", "What is CATL?"]
    run = verbatim("--ask", "-", "--json", stdin="\n".join(questions) + "\n")
    assert run.code == ExitCode.ANSWERED, run.err
    lines = [json.loads(line) for line in run.out.splitlines()]
    assert [d["question"] for d in lines] == [q for q in questions if q.strip()]
    assert [d["answered"] for d in lines] == [True, False, True]


def test_piped_questions_without_ask_are_answered(verbatim):
    run = verbatim(stdin="How old is Liang Wenfeng?\n")
    assert run.code == ExitCode.ANSWERED
    assert run.out.startswith("Q: How old is Liang Wenfeng?")
    assert "40-year-old" in run.out


def test_corpus_folder(verbatim, tmp_path):
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "garden.txt").write_text(
        "Garden notes\n\nThe tomatoes were planted on 3 May. They need water every evening.\n",
        encoding="utf-8",
    )
    (folder / "sub" / "bees.md").write_text(
        "# Bees\n\nThe hive was moved to the orchard because the neighbours complained.\n",
        encoding="utf-8",
    )
    (folder / "ignored.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    run = verbatim("--corpus", str(folder), "--ask", "Why was the hive moved?", "--json")
    assert run.code == ExitCode.ANSWERED, run.err
    answer = json.loads(run.out)["answers"][0]
    assert answer["sentence"] == "The hive was moved to the orchard because the neighbours complained."
    assert answer["article"]["id"] == "sub/bees.md"
    assert answer["article"]["title"] == "Bees"


def test_corpus_single_file(verbatim, tmp_path):
    file = tmp_path / "one.txt"
    file.write_text("The bridge opened in 1932 after six years of work.\n", encoding="utf-8")
    run = verbatim("--corpus", str(file), "--ask", "When did the bridge open?")
    assert run.code == ExitCode.ANSWERED, run.err
    assert run.out.startswith("The bridge opened in 1932")


def test_missing_corpus_path_is_one_line_and_exit_2(verbatim, tmp_path):
    run = verbatim("--corpus", str(tmp_path / "nowhere"), "--ask", "Anything?")
    assert run.code == ExitCode.USAGE
    assert run.err.count("\n") == 1 and "no such file or folder" in run.err
    assert "Traceback" not in run.err


def test_folder_without_text_is_unusable(verbatim, tmp_path):
    (tmp_path / "data.bin").write_bytes(b"\x00\x01")
    run = verbatim("--corpus", str(tmp_path), "--ask", "Anything?")
    assert run.code == ExitCode.USAGE and "no readable text" in run.err


@pytest.mark.parametrize("args", [("--ask", ""), ("--ask", "   "), ("--top", "0", "--ask", "x"),
                                  ("--bogus",), ("--top", "many")])
def test_usage_errors_are_one_line_exit_2(verbatim, args):
    run = verbatim(*args)
    assert run.code == ExitCode.USAGE
    assert run.err.startswith("verbatim: error:") and run.err.count("\n") == 1
    assert run.out == ""


def test_help_documents_exit_codes(verbatim):
    run = verbatim("--help")
    assert run.code == 0
    for code in ("0 ", "1 ", "2 ", "130"):
        assert f"\n  {code}" in run.out


def test_works_from_any_directory(verbatim, tmp_path):
    elsewhere = tmp_path / "x" / "y"
    elsewhere.mkdir(parents=True)
    run = verbatim("--ask", "What is CATL?", cwd=elsewhere)
    assert run.code == ExitCode.ANSWERED and "CATL" in run.out


def test_every_flag_is_in_the_help_and_the_documentation(verbatim):
    from conftest import ROOT

    from verbatim.tui.cli import build_parser

    readme = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    help_text = verbatim("--help").out
    flags = [o for action in build_parser()._actions for o in action.option_strings if o.startswith("--")]
    assert {"--reindex", "--follow-links"} <= set(flags)
    for flag in flags:
        assert flag in help_text and (flag == "--help" or f"`{flag}" in readme), flag
