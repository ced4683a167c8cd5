"""`verbatim indexes`: listing saved indexes with size and corpus, pruning those whose corpus is gone."""

from __future__ import annotations

import fcntl
import json
import os
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
    leftover = store / f"x-{'0' * 16}"  # Verbatim's lock left by a build that stopped: removed
    leftover.mkdir()
    (leftover / "lock").touch()
    empty = store / f"y-{'0' * 16}"  # named like one, but Verbatim never wrote in it: left
    empty.mkdir()
    run = cli("indexes", "--prune", "--index-dir", str(store))
    assert run.code == ExitCode.ANSWERED
    assert "2 indexes removed" in run.err
    assert not (store / corpus_key(str(gone))).exists() and not leftover.exists() and empty.exists()
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


def test_prune_never_removes_a_users_folder_named_like_an_index(cli, tmp_path):
    work = tmp_path / "work"
    photos = work / "photos-0123456789abcdef"
    photos.mkdir(parents=True)
    (photos / "img.txt").write_text("x\n", encoding="utf-8")
    (photos / "lock").write_text("a file of the user's called lock\n", encoding="utf-8")
    run = cli("indexes", "--prune", "--index-dir", str(work))
    assert run.code == ExitCode.ANSWERED
    assert "removed" not in run.out and "0 indexes removed" in run.err
    assert (photos / "img.txt").read_text(encoding="utf-8") == "x\n" and (photos / "lock").exists()
    assert saved_indexes(work) == []  # not listed either: not an index


def test_a_live_sharded_index_is_listed_and_never_pruned(cli, tmp_path):
    corpus = _corpus(tmp_path / "kept")
    store = tmp_path / "indexes"
    Engine.load(corpus, index_dir=store, shards=2)
    (listed,) = saved_indexes(store)
    assert listed.usable and listed.corpus == str(corpus.resolve()) and listed.corpus_exists
    assert listed.articles == 1 and listed.sentences == 1
    run = cli("indexes", "--index-dir", str(store))
    assert "(no readable index)" not in run.out and str(corpus.resolve()) in run.out
    assert prune(store) == [] and (store / corpus_key(str(corpus)) / "sharded").is_dir()
    shutil.rmtree(corpus)  # its corpus gone, it is stale and goes
    assert [s.folder.name for s in prune(store)] == [corpus_key(str(tmp_path / "kept"))]
    assert list(store.iterdir()) == []


def test_prune_skips_a_folder_in_use_or_not_the_users_own_and_goes_on(tmp_path):
    store = tmp_path / "indexes"
    folders = []
    for name in ("busy", "shared", "gone"):
        Engine.load(_corpus(tmp_path / name), index_dir=store)
        folders.append(store / corpus_key(str(tmp_path / name)))
        shutil.rmtree(tmp_path / name)
    busy, shared, gone = folders
    shared.chmod(0o777)  # writable by others: not this user's own to remove
    held = os.open(busy / "lock", os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)  # a build of another process holds it
    skipped: list[str] = []
    try:
        removed = prune(store, skipped)
    finally:
        os.close(held)
    assert [s.folder for s in removed] == [gone] and not gone.exists()
    assert busy.exists() and shared.exists()
    assert sorted(skipped) == sorted([f"{busy}: left, in use by another process",
                                      f"{shared}: left, other users can write to it"])


def test_prune_skips_another_users_folder(tmp_path):
    if os.geteuid() != 0:
        import pytest

        pytest.skip("giving a folder to another user needs root")
    store = tmp_path / "indexes"
    for name in ("theirs", "gone"):
        Engine.load(_corpus(tmp_path / name), index_dir=store)
        shutil.rmtree(tmp_path / name)
    theirs = store / corpus_key(str(tmp_path / "theirs"))
    os.chown(theirs, 4321, 4321)
    skipped: list[str] = []
    assert [s.folder.name for s in prune(store, skipped)] == [corpus_key(str(tmp_path / "gone"))]
    assert theirs.exists() and skipped == [f"{theirs}: left, it belongs to another user"]
