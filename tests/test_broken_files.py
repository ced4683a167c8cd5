"""Broken files and folders: each gives one clear line and the documented exit code, no half
index survives, and the reader's files are never written to."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import cli_env, ordinary_user_prefix, run_as_ordinary_user, verbatim_command

from verbatim.corpus import reader
from verbatim.retrieval.index import build as build_module
from verbatim.retrieval.index import store
from verbatim.retrieval.index.build import build
from verbatim.retrieval.index.open import open_index
from verbatim.tui.cli import ExitCode, main


def write_notes(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"note{n:04}.txt").write_text(
            f"Note {n}\n\nThe ferry numbered {n} crossed the bay at dawn.\n", encoding="utf-8")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under ``folder``: its bytes, modification time and mode."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            found[str(path.relative_to(folder))] = (path.read_bytes(), info.st_mtime_ns, info.st_mode)
    return found


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# -- folders that cannot be used at all -----------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda root: None, "no such file or folder"),
    (lambda root: root.mkdir(), "no readable text"),
    (lambda root: (root.mkdir(), (root / "a.txt").write_bytes(b"\x00\x01\x02"),
                   (root / "b.md").write_bytes(b"\x7fELF\x00\x00")),
     "no readable text (txt/md/rst/html/pdf/epub/docx/odt) found; 2 files skipped (binary file: 2)"),
    (lambda root: (root.mkdir(), (root / "a.txt").write_text("  \n\n", encoding="utf-8")),
     "found; 1 file skipped (empty: 1)"),
    (lambda root: (root.mkdir(), (root / "photo.jpg").write_bytes(b"\xff\xd8")),
     "found; 1 file skipped (not a format Verbatim reads (.jpg): 1)"),
    # Every reason counted: what a new user sees of a folder of files it cannot read.
    (lambda root: (root.mkdir(), (root / "a.txt").write_bytes(b"\x00\x01\x02"),
                   (root / "b.txt").write_bytes(b"\x00\x09"), (root / "c.md").write_text("\n"),
                   (root / "d.bin").write_bytes(b"\x01"), (root / "e").write_bytes(b"\x01")),
     "found; 5 files skipped (binary file: 2; empty: 1; not a format Verbatim reads (.bin, no suffix): 2)"),
])
def test_an_unusable_corpus_is_one_line_and_exit_2(verbatim, tmp_path, make, message):
    root = tmp_path / "corpus"
    make(root)
    run = verbatim("--corpus", str(root), "--ask", "Which ferry crossed the bay?")
    assert run.code == ExitCode.USAGE and run.out == ""
    assert message in one_error_line(run.err)
    index = verbatim("--corpus", str(root), "--index")
    assert index.code == ExitCode.USAGE and message in one_error_line(index.err)


# -- files that change under the reader ------------------------------------------------------
def test_a_file_that_disappears_while_indexing_is_skipped_then_forgotten(tmp_path):
    folder = tmp_path / "notes"
    write_notes(folder, 5)

    def delete_the_next(step):
        if step.files_done == 1:
            (folder / "note0002.txt").unlink()

    data, report = build(folder, progress=delete_the_next, parallel=False)
    assert report.skipped == 1 and len(data.articles) == 4
    assert any("note0002.txt: skipped, cannot be read (No such file or directory)" in line
               for line in data.notes["note0002.txt"])
    again = open_index(folder, index_dir=tmp_path / "idx")
    assert [a.rel for a in again.index.articles] == ["note0000.txt", "note0001.txt", "note0003.txt",
                                                      "note0004.txt"]
    assert not again.index.warnings


def test_a_file_that_changes_while_indexing_is_read_again_next_time(tmp_path):
    folder = tmp_path / "notes"
    write_notes(folder, 4)
    index_dir = tmp_path / "idx"

    def grow_the_next(step):
        if step.files_done == 1:
            with open(folder / "note0002.txt", "a", encoding="utf-8") as handle:
                handle.write("A late line says the ferry numbered 2 was repainted blue.\n")

    first = open_index(folder, index_dir=index_dir, progress=grow_the_next)
    assert any("note0002.txt: changed while it was being read" in w for w in first.index.warnings)
    second = open_index(folder, index_dir=index_dir)
    assert second.report is not None and second.report.read == 1 and second.report.reused == 3
    assert not second.index.warnings
    assert open_index(folder, index_dir=index_dir).report is None


def test_a_named_pipe_is_skipped_not_waited_on(tmp_path, verbatim):
    folder = tmp_path / "notes"
    write_notes(folder, 2)
    os.mkfifo(folder / "pipe.txt")
    run = verbatim("--corpus", str(folder), "--ask", "Which ferry was numbered 1?")
    assert run.code == ExitCode.ANSWERED
    assert "pipe.txt: skipped, not a regular file" in run.err
    assert "1 file skipped, 2 read" in run.err


def test_a_symbolic_link_loop_is_one_warning(tmp_path, verbatim):
    folder = tmp_path / "notes"
    write_notes(folder, 2)
    (folder / "again").symlink_to(folder)
    (folder / "self.txt").symlink_to(folder / "self.txt")
    run = verbatim("--corpus", str(folder), "--ask", "Which ferry was numbered 1?")
    assert run.code == ExitCode.ANSWERED
    warnings = [line for line in run.err.splitlines() if "warning" in line]
    assert len(warnings) == 2
    assert any("symbolic link loops back" in line for line in warnings)
    assert any("self.txt: skipped, cannot be read" in line for line in warnings)


# -- permissions --------------------------------------------------------------------------------
def test_a_file_without_read_permission_is_skipped(tmp_path, empty_nltk_data):
    folder = tmp_path / "notes"
    write_notes(folder, 3)
    (folder / "note0001.txt").chmod(0o000)
    run = run_as_ordinary_user(["--corpus", str(folder), "--index-dir", str(tmp_path / "idx"), "--ask",
                                "Which ferry was numbered 2?"], empty_nltk_data)
    assert run.returncode == ExitCode.ANSWERED, run.stderr
    assert "note0001.txt: skipped, cannot be read (Permission denied)" in run.stderr
    assert "1 file skipped, 2 read" in run.stderr


def test_a_read_only_cache_works_without_saving_and_says_so_once(tmp_path, empty_nltk_data):
    folder = tmp_path / "notes"
    write_notes(folder, 3)
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    questions = "Which ferry was numbered 1?\nWhich ferry was numbered 2?\nWho painted the Mona Lisa?\n"
    # Given with --index-dir, as $XDG_CACHE_HOME, and as the home folder's ~/.cache.
    for extra, env in ((["--index-dir", str(cache)], {}), ([], {"XDG_CACHE_HOME": str(cache)}),
                       ([], {"XDG_CACHE_HOME": "", "HOME": str(cache)})):
        run = subprocess.run([*ordinary_user_prefix(), *verbatim_command(), "--corpus", str(folder), *extra,
                              "--ask", "-"], input=questions, capture_output=True, text=True, timeout=300,
                             env=cli_env(empty_nltk_data, **env))
        assert run.returncode == ExitCode.ANSWERED, run.stderr
        notes = [line for line in run.stderr.splitlines() if "cannot save the index" in line]
        assert len(notes) == 1 and "Permission denied" in notes[0], run.stderr
        assert "working without saving it" in notes[0]
        assert run.stdout.count("Q: ") == 3
    assert not any(cache.iterdir())


def test_a_cache_path_that_cannot_be_a_folder_works_without_saving(tmp_path, verbatim):
    folder = tmp_path / "notes"
    write_notes(folder, 2)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    run = verbatim("--corpus", str(folder), "--index-dir", str(blocker / "cache"), "--ask",
                   "Which ferry was numbered 1?")
    assert run.code == ExitCode.ANSWERED
    assert run.err.count("cannot save the index") == 1 and "Not a directory" in run.err


# -- a damaged saved index ---------------------------------------------------------------------
def flip_a_byte(path: Path, at: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))


def swapped(pointers: np.ndarray) -> np.ndarray:
    pointers = pointers.copy()
    pointers[1], pointers[2] = pointers[2], pointers[1]
    return pointers


@pytest.mark.parametrize("damage, message", [
    (lambda v: flip_a_byte(v / "text.bin", 10), "text.bin does not match its checksum"),
    (lambda v: np.save(v / "post_unit.npy", np.full_like(np.load(v / "post_unit.npy"), 10**6)),
     "post_unit points outside its table"),
    (lambda v: np.save(v / "post_weight.npy", np.full_like(np.load(v / "post_weight.npy"), np.nan)),
     "post_weight holds values that are not numbers"),
    (lambda v: np.save(v / "term_ptr.npy", swapped(np.load(v / "term_ptr.npy"))), "term_ptr is not in order"),
    (lambda v: (v / "term_ids.npy").write_bytes(b""), "term_ids.npy is 0 bytes"),
    (lambda v: (v / "manifest.json").write_bytes(b"\x00" * 64), "manifest cannot be read"),
])
def test_a_corrupted_index_is_reported_in_one_line_and_rebuilt(verbatim, tmp_path, damage, message):
    folder = tmp_path / "notes"
    write_notes(folder, 3)
    index_dir = tmp_path / "idx"
    assert verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--index").code == 0
    damage(store.current_version(next(index_dir.iterdir())))
    run = verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--ask", "Which ferry was numbered 2?")
    assert run.code == ExitCode.ANSWERED
    notes = run.err.splitlines()
    assert len(notes) == 1 and message in notes[0] and "rebuilding it" in notes[0], run.err
    again = verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--ask", "Which ferry was numbered 2?")
    assert again.code == ExitCode.ANSWERED and again.err == ""


def test_a_build_killed_midway_leaves_no_half_index(tmp_path, empty_nltk_data):
    folder = tmp_path / "notes"
    write_notes(folder, 3000)
    index_dir = tmp_path / "idx"
    command = [*verbatim_command(), "--corpus", str(folder), "--index-dir", str(index_dir), "--index"]
    proc = subprocess.Popen(command, env=cli_env(empty_nltk_data), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while not index_dir.exists() and time.monotonic() < deadline:  # the build has started
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    corpus_dir = next(index_dir.iterdir())
    assert store.current_version(corpus_dir) is None or store.load(
        store.current_version(corpus_dir), str(folder)).size > 0
    opened = open_index(folder, index_dir=index_dir)
    assert len(opened.index.articles) == 3000 and not opened.notices
    assert [p.name for p in corpus_dir.iterdir() if p.name.startswith("v-")] == [
        store.current_version(corpus_dir).name]


def test_ctrl_c_while_indexing_is_one_line_and_exit_130(tmp_path, empty_nltk_data):
    folder = tmp_path / "notes"
    write_notes(folder, 3000)  # long enough to be interrupted while worker processes read
    index_dir = tmp_path / "idx"
    command = [*verbatim_command(), "--corpus", str(folder), "--index-dir", str(index_dir), "--index"]
    proc = subprocess.Popen(command, env=cli_env(empty_nltk_data), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not index_dir.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: to every process of the group
    out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the build finished before the interrupt arrived")
    assert proc.returncode == ExitCode.INTERRUPTED
    assert err == "verbatim: interrupted\n" and out == ""
    assert store.current_version(next(index_dir.iterdir())) is None  # nothing half saved


# -- the reader's files ---------------------------------------------------------------------------
def test_the_readers_files_are_never_written_to(tmp_path, verbatim):
    folder = tmp_path / "notes"
    write_notes(folder, 80)  # enough to be read by worker processes
    (folder / "page.html").write_text("<title>T</title><p>The ferry numbered 99 sank.</p>", encoding="utf-8")
    (folder / "latin.txt").write_bytes("Caf\xe9 ferry numbered 100.".encode("latin-1"))
    (folder / "blob.txt").write_bytes(b"\x00binary")
    before = snapshot(folder)
    for args in (["--index"], ["--ask", "Which ferry sank?"], ["--ask", "-", "--conversation"]):
        run = verbatim("--corpus", str(folder), *args, stdin="Which ferry sank?\nWhen?\n")
        assert run.code in (0, 1), run.err
    assert snapshot(folder) == before
    (folder / "note0003.txt").write_text("Note 3\n\nThe ferry numbered 3 was sold.\n", encoding="utf-8")
    before = snapshot(folder)
    assert verbatim("--corpus", str(folder), "--index").code == 0
    assert snapshot(folder) == before


# -- limits ----------------------------------------------------------------------------------------
def run_in_process(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_more_files_than_the_limit_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    write_notes(tmp_path / "notes", 6)
    monkeypatch.setattr(reader, "MAX_FILES", 5)
    code, out, err = run_in_process(capsys, "--corpus", str(tmp_path / "notes"), "--index-dir",
                                    str(tmp_path / "idx"), "--ask", "Which ferry?")
    assert code == ExitCode.USAGE and out == ""
    assert "more than 5 article files; Verbatim reads at most 5" in one_error_line(err)


def test_more_sentences_than_the_limit_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    write_notes(tmp_path / "notes", 6)
    monkeypatch.setattr(build_module, "MAX_SENTENCES", 7)
    code, out, err = run_in_process(capsys, "--corpus", str(tmp_path / "notes"), "--index-dir",
                                    str(tmp_path / "idx"), "--index")
    assert code == ExitCode.USAGE and out == ""
    assert "more than 7 sentences; Verbatim indexes at most 7" in one_error_line(err)
    assert not list((tmp_path / "idx").rglob("current"))  # nothing saved


def test_a_file_over_the_size_limit_is_skipped_with_a_warning(tmp_path, capsys, monkeypatch):
    write_notes(tmp_path / "notes", 2)
    (tmp_path / "notes" / "huge.txt").write_text("The ferry log. " * 100, encoding="utf-8")
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1000)
    code, out, err = run_in_process(capsys, "--corpus", str(tmp_path / "notes"), "--index-dir",
                                    str(tmp_path / "idx"), "--ask", "Which ferry was numbered 1?")
    assert code == ExitCode.ANSWERED
    assert "huge.txt: skipped, larger than 1,000 bytes (the most read from one file)" in err
    assert "1 file skipped, 2 read" in err


def test_text_saved_as_utf16_by_windows_tools_is_read(tmp_path, verbatim):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "win.txt").write_text("Windows notes\n\nThe kettle was descaled on Tuesday.\n", encoding="utf-16")
    (folder / "big-endian.txt").write_bytes("The boiler was bled in May.".encode("utf-16-be").join(
        [b"\xfe\xff", b""]))
    run = verbatim("--corpus", str(folder), "--ask", "-", "--json",
                   stdin="When was the kettle descaled?\nWhen was the boiler bled?\n")
    assert run.code == ExitCode.ANSWERED and run.err == ""
    answers = [json.loads(line)["answers"][0]["sentence"] for line in run.out.splitlines()]
    assert answers == ["The kettle was descaled on Tuesday.", "The boiler was bled in May."]


def test_a_sharded_index_of_a_folder_without_text_says_why_each_file_was_skipped(cli, tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_bytes(b"\x00\x01\x02")
    (root / "b.md").write_text("\n", encoding="utf-8")
    (root / "c.bin").write_bytes(b"\x01")
    run = cli("--corpus", str(root), "--index-dir", str(tmp_path / "idx"), "--index", "--shards", "2")
    assert run.code == ExitCode.USAGE and run.out == ""
    assert one_error_line(run.err).endswith(
        "found; 3 files skipped (binary file: 1; empty: 1; not a format Verbatim reads (.bin): 1)")
