"""`verbatim indexes`: listing saved indexes with size and corpus, pruning those whose corpus is gone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.saved import prune, saved_indexes
from verbatim.retrieval.index.store import corpus_key
from verbatim.tui.cli import ExitCode


def _corpus(folder, text="The bridge opened in 1932 after six years of work.\n"):
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    return folder


def _one_corpus_gone(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two corpora indexed into one folder, then the second corpus removed."""
    kept, gone = _corpus(tmp_path / "kept"), _corpus(tmp_path / "gone")
    store = tmp_path / "indexes"
    for folder in (kept, gone):
        Engine.load(folder, index_dir=store)
    shutil.rmtree(gone)
    return kept, gone, store


def test_list_shows_name_size_counts_and_corpus(cli, tmp_path):
    kept, gone, store = _one_corpus_gone(tmp_path)
    run = cli("indexes", "--index-dir", str(store))
    assert run.code == ExitCode.ANSWERED
    lines = run.out.splitlines()
    assert len(lines) == 2
    (gone_line,) = [line for line in lines if line.startswith("gone ")]
    assert str(gone) in gone_line and "(corpus gone)" in gone_line and "1 articles" in gone_line
    (kept_line,) = [line for line in lines if line.startswith("kept ")]
    assert str(kept) in kept_line and "gone)" not in kept_line and " kB" in kept_line
    assert "1 stale" in run.err
    data = [json.loads(line) for line in cli("indexes", "--index-dir", str(store), "--json").out.splitlines()]
    assert {d["corpus"]: d["stale"] for d in data} == {str(kept): False, str(gone): True}
    assert all(d["size"] > 0 for d in data)


def test_prune_removes_only_indexes_whose_corpus_is_gone(cli, tmp_path):
    kept, gone, store = _one_corpus_gone(tmp_path)
    mine = store / "notes-of-mine"  # not an index folder: never touched
    mine.mkdir()
    (mine / "keep.txt").write_text("mine", encoding="utf-8")
    foreign = store / f"x-{'0' * 16}"  # named like one, holding no index: removed
    foreign.mkdir()
    run = cli("indexes", "--prune", "--index-dir", str(store))
    assert run.code == ExitCode.ANSWERED
    assert "2 indexes removed" in run.err
    assert not (store / corpus_key(str(gone))).exists() and not foreign.exists()
    assert (store / corpus_key(str(kept))).exists() and (mine / "keep.txt").exists()
    assert [s.corpus for s in saved_indexes(store)] == [str(kept.resolve())]
    assert prune(store) == []


def test_an_index_whose_manifest_names_another_corpus_is_not_trusted(tmp_path):
    a, b = _corpus(tmp_path / "a"), _corpus(tmp_path / "b")
    store = tmp_path / "indexes"
    Engine.load(a, index_dir=store)
    Engine.load(b, index_dir=store)
    folder_a = store / corpus_key(str(a))
    shutil.rmtree(folder_a)
    shutil.copytree(store / corpus_key(str(b)), folder_a)  # b's index under a's name
    (described,) = [s for s in saved_indexes(store) if s.folder == folder_a]
    assert not described.usable


def test_no_index_folder_lists_nothing(cli, tmp_path):
    run = cli("indexes", "--index-dir", str(tmp_path / "none"))
    assert run.code == ExitCode.ANSWERED and run.out == "" and "0 saved indexes" in run.err
