"""Each choice of files (--include, --exclude, --follow-links) keeps a saved index of its own,
single or sharded: switching back and forth between choices reads no file again."""

from __future__ import annotations

import pytest

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.shards.sharded import ShardedIndex

CHOICES = [
    {},
    {"include": ["*.txt"]},
    {"exclude": ["ferry.*"]},
    {"follow_links": True},
    {"include": ["*.txt"], "follow_links": True},
]


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "ferry.txt").write_text("Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n", encoding="utf-8")
    (folder / "library.md").write_text("# Library\n\nThe new library is designed by Ana Ruiz.\n", encoding="utf-8")
    (folder / "budget.txt").write_text("The council approved a budget of 4.2 million euros.\n", encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "harbour.txt").write_text("The harbour master is named Tomas Berg.\n", encoding="utf-8")
    (folder / "harbour.txt").symlink_to(outside / "harbour.txt")  # read only with --follow-links
    return folder


def articles(engine: Engine) -> list[str]:
    return sorted(a.rel for a in engine.articles)


EXPECTED = [
    ["budget.txt", "ferry.txt", "library.md"],
    ["budget.txt", "ferry.txt"],
    ["budget.txt", "library.md"],
    ["budget.txt", "ferry.txt", "harbour.txt", "library.md"],
    ["budget.txt", "ferry.txt", "harbour.txt"],
]


@pytest.mark.parametrize("shards", [None, 2], ids=["single", "sharded"])
def test_switching_the_choice_of_files_back_and_forth_reads_nothing_again(folder, tmp_path, shards):
    index_dir = tmp_path / "idx"
    for choice, expected in zip(CHOICES, EXPECTED):  # each choice built once
        engine = Engine.load(folder, index_dir=index_dir, shards=shards, **choice)
        assert articles(engine) == expected, choice
        assert engine.opened.report is not None and engine.opened.report.read == len(expected), choice
    for _ in range(2):  # and then, back and forth, each one is its own saved index, read as it is
        for choice, expected in [*zip(CHOICES, EXPECTED), *reversed(list(zip(CHOICES, EXPECTED)))]:
            # A sharded index is found again without --shards, under its own choice.
            engine = Engine.load(folder, index_dir=index_dir, **choice)
            assert articles(engine) == expected, choice
            assert engine.opened.report is None, (choice, engine.opened.report)
            assert isinstance(engine.index, ShardedIndex) == bool(shards), choice
