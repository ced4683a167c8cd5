"""The folder is the boundary: links out, system files, devices and unreadable folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_as_ordinary_user

from verbatim.corpus.reader import corpus_listing
from verbatim.retrieval.index.open import open_index
from verbatim.tui.cli import ExitCode

SECRET = "The password of the admin account is swordfish-4417."


def write_corpus(tmp_path: Path) -> Path:
    """A corpus folder beside a secret file and a secret folder, outside it."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "ferry.txt").write_text("Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n",
                                      encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "vault.md").write_text(SECRET + "\n", encoding="utf-8")
    return folder


def ids(listing: list[tuple[str, str]]) -> list[str]:
    return [rel for _, rel in listing]


def test_links_leading_outside_the_folder_are_skipped_with_one_warning_each(tmp_path, verbatim):
    folder = write_corpus(tmp_path)
    (folder / "s.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "linkdir").symlink_to(tmp_path / "secret")
    (folder / "relative.md").symlink_to("../secret.txt")
    run = verbatim("--corpus", str(folder), "--index-dir", str(tmp_path / "idx"),
                   "--ask", "What is the password of the admin account?")
    assert "swordfish" not in run.out
    warnings = [line for line in run.err.splitlines() if "leading outside the corpus folder" in line]
    assert len(warnings) == 3, run.err
    for name in ("s.txt", "linkdir", "relative.md"):
        assert sum(f"{folder / name}: skipped" in line for line in warnings) == 1
    assert all("--follow-links" in line for line in warnings)


def test_a_link_to_the_whole_filesystem_is_not_walked(tmp_path):
    folder = write_corpus(tmp_path)
    (folder / "all").symlink_to("/")
    listing, warnings = corpus_listing(folder)
    assert ids(listing) == ["ferry.txt"]
    assert len(warnings) == 1 and "all: skipped" in warnings[0]


def test_links_inside_the_folder_are_read(tmp_path):
    folder = write_corpus(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.md").write_text("The ferry numbered 8 was painted blue.\n", encoding="utf-8")
    (folder / "alias.txt").symlink_to("ferry.txt")
    (folder / "subalias").symlink_to("sub")
    listing, warnings = corpus_listing(folder)
    assert set(ids(listing)) >= {"alias.txt", "ferry.txt"}
    assert "sub/deep.md" in ids(listing) or "subalias/deep.md" in ids(listing)
    # The folder reached twice (by its name and by the link) is walked once.
    assert sum(rel.endswith("deep.md") for rel in ids(listing)) == 1
    assert len(warnings) == 1 and "loops back to a folder already read" in warnings[0]


def test_follow_links_reads_outside_but_never_a_folder_twice(tmp_path, verbatim):
    folder = write_corpus(tmp_path)
    (folder / "s.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "one").symlink_to(tmp_path / "secret")
    (folder / "two").symlink_to(tmp_path / "secret")
    (tmp_path / "secret" / "back").symlink_to(tmp_path)  # a loop through the outside
    listing, warnings = corpus_listing(folder, follow_links=True)
    vaults = [rel for rel in ids(listing) if rel.endswith("vault.md")]
    assert len(vaults) == 1 and "s.txt" in ids(listing)
    assert all("loops back" in w for w in warnings)
    run = verbatim("--corpus", str(folder), "--index-dir", str(tmp_path / "idx"), "--follow-links",
                   "--ask", "What is the password of the admin account?")
    assert run.code == ExitCode.ANSWERED and "swordfish-4417" in run.out


@pytest.mark.parametrize("follow", [False, True])
def test_system_files_are_never_read_and_the_index_stays_fresh(tmp_path, follow):
    folder = write_corpus(tmp_path)
    (folder / "environ.txt").symlink_to("/proc/self/environ")
    (folder / "null.txt").symlink_to("/dev/null")
    (folder / "kernel").symlink_to("/sys/kernel")
    listing, warnings = corpus_listing(folder, follow_links=follow)
    assert ids(listing) == ["ferry.txt"]
    assert len(warnings) == 3 and all("a symbolic link to a system file" in w for w in warnings)
    first = open_index(folder, index_dir=tmp_path / "idx", follow_links=follow)
    assert first.report is not None
    assert open_index(folder, index_dir=tmp_path / "idx", follow_links=follow).report is None


def test_a_device_in_the_folder_is_never_opened(tmp_path, monkeypatch):
    from verbatim.corpus import reader

    opened = []
    real_open = os.open

    def recording_open(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(reader.os, "open", recording_open)
    text, why = reader.read_text(Path("/dev/zero"))
    assert text is None and why == "skipped, not a regular file"
    os.mkfifo(tmp_path / "pipe.txt")
    assert reader.read_text(tmp_path / "pipe.txt") == (None, "skipped, not a regular file")
    assert opened == []


def test_a_path_longer_than_the_system_allows_is_one_warning(tmp_path):
    folder = write_corpus(tmp_path)
    # Folders made one inside the other, each relative to the last, until the whole path
    # is longer than PATH_MAX (4096 on Linux).
    part = "d" * 200
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(25):
            os.mkdir(part, dir_fd=fd)
            inner = os.open(part, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as handle:
            handle.write("A sentence nobody can reach.\n")
    finally:
        os.close(fd)
    listing, warnings = corpus_listing(folder)
    assert ids(listing) == ["ferry.txt"]
    assert len(warnings) == 1 and "folder skipped, cannot be read (File name too long)" in warnings[0]


def test_an_unreadable_folder_is_one_warning(tmp_path, empty_nltk_data):
    folder = write_corpus(tmp_path)
    (folder / "locked").mkdir()
    (folder / "locked" / "inside.txt").write_text("A hidden ferry sentence.\n", encoding="utf-8")
    (folder / "locked").chmod(0o000)
    try:
        run = run_as_ordinary_user(["--corpus", str(folder), "--index-dir", str(tmp_path / "idx"),
                                    "--ask", "Which ferry crossed the bay?"], empty_nltk_data)
    finally:
        (folder / "locked").chmod(0o755)
    assert run.returncode == ExitCode.ANSWERED, run.stderr
    lines = [line for line in run.stderr.splitlines() if "locked" in line]
    assert len(lines) == 1 and "folder skipped, cannot be read (Permission denied)" in lines[0]


@pytest.mark.parametrize("shards", [None, 2])
def test_an_index_folder_inside_the_corpus_is_not_read_and_the_index_stays_fresh(tmp_path, shards):
    from verbatim.retrieval.engine import Engine

    folder = write_corpus(tmp_path)
    index_dir = folder / "idx"
    first = Engine.load(folder, index_dir=index_dir, shards=shards)
    assert [a.rel for a in first.articles] == ["ferry.txt"]
    again = Engine.load(folder, index_dir=index_dir)
    assert again.opened.report is None  # fresh: the index's own files are not part of the corpus
    assert [a.rel for a in again.articles] == ["ferry.txt"]
    listing, warnings = corpus_listing(folder)
    assert ids(listing) == ["ferry.txt"] and len(warnings) == 1 and "a cache" in warnings[0]


def test_a_folder_with_a_file_named_like_a_cache_tag_but_no_signature_is_read(tmp_path):
    folder = write_corpus(tmp_path)
    (folder / "notes").mkdir()
    (folder / "notes" / "CACHEDIR.TAG").write_text("my own notes about caches\n", encoding="utf-8")
    (folder / "notes" / "tide.txt").write_text("The tide turned at noon.\n", encoding="utf-8")
    listing, warnings = corpus_listing(folder)
    assert ids(listing) == ["ferry.txt", "notes/tide.txt"] and warnings == []
