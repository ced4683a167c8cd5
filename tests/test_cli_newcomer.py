"""The one-shot command as a newcomer meets it: how a carried-on question was read, an index per choice of files, counts that agree."""

from __future__ import annotations

import re

import pytest
from conftest import one_line_usage_error

from verbatim.retrieval.conversation.log import Log
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.saved import saved_indexes
from verbatim.tui.cli import ExitCode

READ_AS = "read as: What did Christopher Beddor say?"


def test_continue_in_text_says_how_the_question_was_read(cli):
    cli("--ask", "Who is Christopher Beddor?")
    run = cli("--ask", "What did he say?", "--continue")
    assert run.code == ExitCode.ANSWERED, run.err
    lines = run.out.splitlines()
    assert "Christopher Beddor" in lines[0] and "read as" not in lines[0]  # the answer stays first
    assert READ_AS in run.out


def test_cid_in_text_says_how_the_question_was_read(cli):
    cli("--ask", "Who is Christopher Beddor?")
    cli("--ask", "What is CATL?")
    with Log() as log:
        first = next(log.exchanges(query="Beddor")).conversation
    run = cli("--ask", "What did he say?", "--cid", first.id[:5])
    assert READ_AS in run.out


def test_a_question_standing_alone_has_no_read_as_line(cli):
    assert "read as" not in cli("--ask", "Who is Christopher Beddor?").out


def corpus(tmp_path):
    root = tmp_path / "notes"
    root.mkdir()
    (root / "alpha.txt").write_text("The alpha lighthouse was painted red in 1901.\n", encoding="utf-8")
    (root / "beta.txt").write_text("The beta lighthouse was painted white in 1923.\n", encoding="utf-8")
    (root / "gamma.txt").write_text("The gamma lighthouse was painted blue in 1950.\n", encoding="utf-8")
    return root


def test_each_choice_of_files_keeps_an_index_of_its_own(tmp_path):
    root, index_dir = corpus(tmp_path), tmp_path / "index"
    loads = {}
    for name, choice in [("all", {}), ("alpha", {"include": ["alpha*"]}), ("not-beta", {"exclude": ["beta*"]})]:
        engine = Engine.load(root, index_dir=index_dir, **choice)
        assert engine.opened.report is not None and engine.opened.report.read == len(engine.articles)
        loads[name] = (engine, choice)
    assert len({engine.opened.folder for engine, _ in loads.values()}) == 3
    # Back to each choice: its own index is fresh, and no file is read again.
    for engine, choice in loads.values():
        again = Engine.load(root, index_dir=index_dir, **choice)
        assert again.opened.report is None
        assert again.opened.folder == engine.opened.folder
        assert [a.id for a in again.articles] == [a.id for a in engine.articles]
    # Each is listed as Verbatim's own index of the corpus (so `indexes` can show and prune it).
    listed = saved_indexes(index_dir)
    assert len(listed) == 3 and all(saved.corpus == str(root.resolve()) for saved in listed)


def test_the_skip_counts_on_stdout_and_stderr_agree(cli, tmp_path):
    root = corpus(tmp_path)
    (root / "blob.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    (root / "empty.md").write_text("", encoding="utf-8")
    run = cli("--corpus", str(root), "--index-dir", str(tmp_path / "index"), "--index")
    assert run.code == ExitCode.ANSWERED, run.err
    counts = re.search(r"\((\d+) read, (\d+) unchanged, (\d+) removed, (\d+) skipped\)", run.out)
    assert counts, run.out
    read, unchanged, _, skipped = map(int, counts.groups())
    assert (read, unchanged, skipped) == (3, 0, 2)
    assert "2 files skipped, 3 read" in run.err
    # One file changed: the counts still agree, the unchanged ones counted apart.
    (root / "alpha.txt").write_text("The alpha lighthouse was painted green in 1902.\n", encoding="utf-8")
    run = cli("--corpus", str(root), "--index-dir", str(tmp_path / "index"), "--index")
    assert "(1 read, 2 unchanged, 0 removed, 2 skipped)" in run.out
    assert "2 files skipped, 1 read, 2 unchanged" in run.err


def test_counts_of_one_are_singular(cli, tmp_path):
    root = tmp_path / "one"
    root.mkdir()
    (root / "alpha.txt").write_text("The alpha lighthouse was painted red in 1901.\n", encoding="utf-8")
    index = ("--corpus", str(root), "--index-dir", str(tmp_path / "index"), "--index")
    run = cli(*index)
    assert run.code == ExitCode.ANSWERED, run.err
    assert run.out.startswith("Indexed one: 1 file (1 read, 0 unchanged, 0 removed, 0 skipped), 1 sentence in "), run.out
    again = cli(*index)
    assert again.out.startswith("Index of one is up to date: 1 article, 1 sentence, "), again.out
    (root / "blob.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    assert "1 file skipped, 0 read, 1 unchanged" in cli(*index).err
    sharded = cli("--corpus", str(root), "--index-dir", str(tmp_path / "sharded"), "--index", "--shards", "1")
    assert " in 1 shard at " in sharded.out, sharded.out


@pytest.mark.parametrize("stdin", ["", "\n  \n\n"])
def test_no_question_on_stdin_is_a_usage_error(cli, stdin):
    one_line_usage_error(cli("--ask", "-", stdin=stdin), "no question on stdin")
