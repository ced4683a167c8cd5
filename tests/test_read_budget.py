"""Every file is read within a budget of time and memory, by a process that can be ended; the
readers that were slow on hostile text are linear."""

from __future__ import annotations

import os
import threading
import time

import pytest

from verbatim.corpus import budget
from verbatim.corpus.budget import OverBudget, Readers, within_budget
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index import build as build_module
from verbatim.retrieval.index.build import build

FOX = "The quick brown fox was named Felix by the farmer. Felix lived on the hill for ten years.\n"


def cost(function, argument) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        function(argument)
        best = min(best, time.perf_counter() - started)
    return best


def grows_linearly(read, make, small: int) -> None:
    """Four times the input costs about four times as much (sixteen when quadratic)."""
    read(make(small // 4))  # imports, caches
    few, many = cost(read, make(small)), cost(read, make(4 * small))
    assert many < 10 * few + 0.05, (few, many)


# -- the readers that were not linear ---------------------------------------------------------
def test_markdown_brackets_cost_linear_time():
    from verbatim.corpus.markdown import read_markdown

    grows_linearly(read_markdown, lambda n: "[" * n + "]" * n, 3000)
    grows_linearly(read_markdown, lambda n: "![" * n + "x" + "](y)" * n, 3000)


def test_an_html_comment_never_closed_costs_linear_time_and_the_page_before_it_is_read():
    from verbatim.corpus.html import read_html

    grows_linearly(read_html, lambda n: "<!--" * n, 20000)
    grows_linearly(read_html, lambda n: "<a b='" * n, 20000)
    page = read_html("<p>One sentence here.</p><p>Two <b>bold</b> words.</p><!-- never closed <p>Gone.</p>")
    assert [block.text.text for block in page.blocks] == ["One sentence here.", "Two bold words."]


def test_a_rest_list_nested_600_deep_is_read_without_recursion_error():
    from verbatim.corpus.rst import read_rst

    source = "".join("  " * depth + f"- item {depth}\n\n" for depth in range(600))
    document = read_rst(source)
    texts = [" ".join(b.text.text.split()) for b in document.blocks]
    assert len(texts) == 600 and all(text.endswith(f"item {d}") for d, text in enumerate(texts)), texts[:45]


def test_a_run_of_abbreviations_is_split_in_linear_time():
    from verbatim.corpus.sentences import sentence_spans

    grows_linearly(sentence_spans, lambda n: "Mr. " * n, 5000)


# -- the budget ---------------------------------------------------------------------------
@pytest.fixture
def short_budget(monkeypatch):
    """Ten seconds a file: the misbehaving readers here never end, and the others take under a
    second (the first one a process reads imports the sentence splitter)."""
    monkeypatch.setattr(budget, "TIME_PER_FILE", 10.0)
    monkeypatch.setattr(budget, "TIME_PER_MB", 0.0)


def test_a_reader_that_never_ends_is_ended_at_its_budget(short_budget):
    import budget_readers

    started = time.monotonic()
    with pytest.raises(OverBudget, match="not read within its budget of 10 s"):
        within_budget(budget_readers.never_ends, ("file",))
    assert time.monotonic() - started < 60  # a second's budget, and a process started


@pytest.mark.parametrize("reader, why", [("recursion", "nested too deep"), ("hungry", "more memory")])
def test_a_reader_that_fails_or_needs_too_much_memory_is_one_file_given_up(monkeypatch, reader, why):
    import budget_readers

    if reader == "hungry" and not os.path.exists("/proc/self/statm"):
        pytest.skip("the memory budget is kept where the process's size can be read (Linux)")
    monkeypatch.setattr(budget, "MEMORY_PER_FILE", 64 * 2**20)
    with pytest.raises(OverBudget, match=why):
        within_budget(getattr(budget_readers, reader), ("file",))


def test_the_readers_go_on_after_a_file_over_budget(short_budget):
    import budget_readers

    tasks = [("a.txt", "", 0, 0, None, False), (f"{budget_readers.SLOW_NAME}.txt", "", 0, 0, None, False),
             ("b.txt", "", 0, 0, None, False)]
    with Readers(2) as readers:
        results = list(readers.map(budget_readers.read_file_unless_slow, tasks, lambda task, why: (task[0], why)))
    assert results[1] == (tasks[1][0], "not read within its budget of 10 s")
    assert [r.warnings[0] for r in (results[0], results[2])] == [
        "a.txt: skipped, cannot be read (No such file or directory)",
        "b.txt: skipped, cannot be read (No such file or directory)"]  # read, as files that are not there


def corpus_with_a_slow_file(root):
    root.mkdir()
    (root / "fox.txt").write_text(FOX, encoding="utf-8")
    (root / "cat.md").write_text("# Cats\n\nThe old cat slept on the warm porch all afternoon.\n", encoding="utf-8")
    (root / "never-ends.txt").write_text("Felix the fox was named after a cat from a cartoon.\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("parallel", [False, True])
def test_a_file_over_its_budget_is_skipped_with_one_warning_and_the_rest_answers(tmp_path, monkeypatch, short_budget,
                                                                                 parallel):
    import budget_readers

    monkeypatch.setattr(build_module, "READ_FILE", budget_readers.read_file_unless_slow)
    root = corpus_with_a_slow_file(tmp_path / "corpus")
    data, report = build(root, parallel=parallel)
    assert [a.rel for a in data.articles] == ["cat.md", "fox.txt"]
    assert report.skipped == 1
    assert data.notes["never-ends.txt"] == [f"{root / 'never-ends.txt'}: skipped, not read within its budget of 10 s"]


def test_the_quote_check_reads_a_changed_file_within_the_budget(tmp_path, monkeypatch, short_budget):
    import budget_readers

    root = tmp_path / "corpus"
    root.mkdir()
    (root / "fox.md").write_text("# Foxes\n\n" + FOX, encoding="utf-8")
    (root / "cat.txt").write_text("The old cat slept on the warm porch all afternoon.\n", encoding="utf-8")
    engine = Engine.load(root, index_dir=tmp_path / "idx")
    assert engine.ask("What was the fox named?").answered
    # The file changes into one whose reading never ends: the quote check gives up on it in
    # its budget, the file is read again (and skipped), and the question is answered anew.
    (root / "fox.md").write_text("# Foxes\n\nThe quick brown fox was named Rufus by the farmer.\n", encoding="utf-8")
    monkeypatch.setattr("verbatim.retrieval.verifier.article_of_text", budget_readers.article_never_ends)
    monkeypatch.setattr(build_module, "READ_FILE", budget_readers.never_ends)
    started = time.monotonic()
    result = engine.ask("What was the fox named?")
    assert time.monotonic() - started < 120
    assert not result.answered or all(p.article.id != "fox.md" for p in result.answers)
    assert engine.index.data.notes["fox.md"][0].endswith("skipped, not read within its budget of 10 s")


def test_the_quote_check_of_unchanged_files_starts_no_reading_process(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "fox.md").write_text("# Foxes\n\n" + FOX, encoding="utf-8")
    (root / "cat.txt").write_text("The old cat slept on the warm porch all afternoon.\n", encoding="utf-8")
    Engine.load(root, index_dir=tmp_path / "idx")
    engine = Engine.load(root, index_dir=tmp_path / "idx")

    def no_process(*_args, **_kwargs):
        raise AssertionError("a reading process was started for a file read before")

    monkeypatch.setattr(budget, "Readers", no_process)
    assert engine.ask("What was the fox named?").answers[0].article.id == "fox.md"
    assert engine.ask("Where did the old cat sleep?").answers[0].article.id == "cat.txt"


def test_hostile_files_are_each_one_warning_and_the_corpus_answers(cli, tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "fox.txt").write_text(FOX, encoding="utf-8")
    (root / "brackets.md").write_text("[" * 50000 + "]" * 50000, encoding="utf-8")
    (root / "comments.html").write_text("<!--" * 80000, encoding="utf-8")
    (root / "deep.rst").write_text("".join("  " * d + "- item\n\n" for d in range(600)), encoding="utf-8")
    (root / "oops.html").write_text("<![" * 2000, encoding="utf-8")  # the standard parser raises on it
    run = cli("--corpus", str(root), "--index-dir", str(tmp_path / "idx"), "--ask", "What was the fox named?")
    assert run.code == 0, run
    assert "Felix" in run.out
    warned = [line for line in run.err.splitlines() if "warning" in line]
    assert len(warned) == len({line.split(": skipped")[0] for line in warned}) <= 4, run.err


def test_the_reading_pane_reads_a_file_within_its_memory_budget(tmp_path, monkeypatch):
    """An article read whole for the reading pane gets the budget of a file, as the build
    does: with no memory to spare, a file of a few hundred kilobytes is given up (not read
    in this process), and with the budget back it is read."""
    from verbatim.retrieval import engine as engine_module

    if not os.path.exists("/proc/self/statm"):
        pytest.skip("the memory budget is kept where the process's size can be read (Linux)")
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "fox.txt").write_text(FOX * 4000, encoding="utf-8")
    engine = Engine.load(root, index_dir=tmp_path / "idx")
    engine_module.ARTICLE_READER.close()  # a reading process of its own, whatever ran before
    # The chat reads from a thread beside its own, so its reading process is started afresh,
    # not forked with this process's free memory (which a file could use unbudgeted).
    chat_running = threading.Event()
    threading.Thread(target=chat_running.wait, daemon=True).start()
    monkeypatch.setattr(budget, "MEMORY_PER_FILE", 0)
    monkeypatch.setattr(budget, "MEMORY_PER_CHARACTER", 0)
    with pytest.raises(OverBudget, match="more memory than its budget allows"):
        engine.article("fox.txt")
    monkeypatch.undo()
    assert engine.article("fox.txt").text == FOX * 4000
    engine_module.ARTICLE_READER.close()
    chat_running.set()
