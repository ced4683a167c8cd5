"""A file swapped for a link between the walk's check and the open is never read out of the folder."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from link_race_corpus import QUESTION, quoted, write_corpus

import verbatim as api
from verbatim.corpus import reader
from verbatim.retrieval.engine import Engine
from verbatim.tui.cli import ExitCode

RENAME_EXCHANGE = 2  # from <linux/fs.h>
# The loop tests: enough swaps to meet the race many times, few enough to run in a minute:
# asks of an open library (each reads s.txt for the quote check), opens (each walks and reads
# it again, since the swaps change its size and time) and runs of the command.
API_ASKS = 1000
API_OPENS = 150
CLI_RUNS = 20


def renameat2():
    """libc's renameat2, or a skip where the system has none."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        pytest.skip("renameat2 is not available here")
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


def exchange(function, one: Path, two: Path) -> None:
    at_cwd = -100  # AT_FDCWD
    if function(at_cwd, os.fsencode(one), at_cwd, os.fsencode(two), RENAME_EXCHANGE) != 0:
        error = ctypes.get_errno()
        pytest.skip(f"RENAME_EXCHANGE is not supported here ({os.strerror(error)})")


class Swapper:
    """A thread exchanging two names as fast as it can, until stopped: s.txt is a regular
    file one moment and a link out the next."""

    def __init__(self, one: Path, two: Path) -> None:
        self.function = renameat2()
        exchange(self.function, one, two)  # once here, so an unsupported system skips
        exchange(self.function, one, two)
        self.one, self.two = os.fsencode(one), os.fsencode(two)
        self.stop = threading.Event()
        self.swaps = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            self.function(-100, self.one, -100, self.two, RENAME_EXCHANGE)
            self.swaps += 1

    def __enter__(self) -> Swapper:
        self.switch = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)  # the swaps land between any two steps of the reader
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        sys.setswitchinterval(self.switch)


# -- deterministic: the swap lands exactly between the check and the open --------------------
def swap_at_open(monkeypatch, folder: Path, link: Path) -> Callable[[], list[str]]:
    """Make s.txt a link out just before the reader opens it; returns what tells the paths
    opened (written to a file: a file is read in a reading process, not only in this one)."""
    record = folder.parent / "opened.txt"

    def swap(path: str) -> None:
        with open(record, "a", encoding="utf-8") as opened:
            opened.write(path + "\n")
        if path == str(folder / "s.txt") and not (folder / "s.txt").is_symlink():
            os.replace(folder / "s.txt", folder.parent / "was-s.txt")
            os.symlink(link.resolve(), folder / "s.txt")

    monkeypatch.setattr(reader, "before_open", swap)
    return lambda: record.read_text(encoding="utf-8").splitlines() if record.exists() else []


def test_a_link_swapped_in_after_the_walk_is_not_read_when_indexing(tmp_path, monkeypatch):
    folder, link = write_corpus(tmp_path)
    opened = swap_at_open(monkeypatch, folder, link)
    engine = Engine.load(folder, index_dir=tmp_path / "idx")
    assert str(folder / "s.txt") in opened()  # the walk listed it as a regular file
    assert [a.rel for a in engine.articles] == ["ferry.txt"]
    warnings = [w for w in engine.warnings if "s.txt" in w]
    assert len(warnings) == 1 and "leading outside the corpus folder" in warnings[0], engine.warnings
    assert "swordfish" not in "".join(quoted(engine.ask(QUESTION)))


def test_a_link_swapped_in_before_the_quote_check_is_not_quoted(tmp_path, monkeypatch):
    folder, link = write_corpus(tmp_path)
    engine = Engine.load(folder, index_dir=tmp_path / "idx")
    assert "s.txt" in [a.rel for a in engine.articles]
    opened = swap_at_open(monkeypatch, folder, link)
    result = engine.ask(QUESTION)
    assert str(folder / "s.txt") in opened()  # the quote check opened it after the swap
    assert "swordfish" not in "".join(quoted(result))
    assert all(p.article.id != "s.txt" for p in [*result.answers, *result.closest])


def test_a_link_that_stops_being_one_while_checked_skips_that_file(tmp_path, monkeypatch):
    folder, _ = write_corpus(tmp_path)
    (folder / "alias.txt").symlink_to("s.txt")

    realpath = os.path.realpath

    def changing(path, *args, **kwargs) -> str:
        if str(path).endswith("alias.txt"):  # what readlink says of a link just replaced
            raise OSError(22, "Invalid argument", path)
        return realpath(path, *args, **kwargs)

    monkeypatch.setattr(reader.os.path, "realpath", changing)
    listing, warnings = reader.corpus_listing(folder)
    assert [rel for _, rel in listing] == ["ferry.txt", "s.txt"]
    assert len(warnings) == 1 and "alias.txt: skipped, cannot be read" in warnings[0]
    assert reader.corpus_file(folder, "alias.txt") is None


# -- the race run for real, in a loop ---------------------------------------------------------
def test_a_swapping_link_never_quotes_outside_through_the_api(tmp_path):
    folder, link = write_corpus(tmp_path)
    library = api.open(folder, index_dir=tmp_path / "idx")
    leaked = []
    with Swapper(folder / "s.txt", link) as swapper:
        for _ in range(API_ASKS):
            leaked += [s for s in quoted(library.ask(QUESTION, follow_up=False)) if "swordfish" in s]
        for _ in range(API_OPENS):  # and opened anew while it swaps: walked, read, refreshed
            fresh = api.open(folder, index_dir=tmp_path / "idx")
            leaked += [s for s in quoted(fresh.ask(QUESTION)) if "swordfish" in s]
    assert swapper.swaps > API_ASKS  # the race was run, not a quiet file
    assert leaked == []


# The same swaps from a process of their own: the command runs in another process anyway,
# and a thread here would only compete with this process for its interpreter lock.
SWAPPING = """
import ctypes, ctypes.util, os, sys
libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
one, two = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])
while True:
    libc.renameat2(-100, one, -100, two, 2)
"""


def test_a_swapping_link_never_quotes_outside_through_the_command(tmp_path, verbatim):
    folder, link = write_corpus(tmp_path)
    exchange(renameat2(), folder / "s.txt", link)  # an unsupported system skips here
    exchange(renameat2(), folder / "s.txt", link)
    index_dir = str(tmp_path / "idx")
    assert verbatim("--corpus", str(folder), "--index-dir", index_dir, "--index").code == ExitCode.ANSWERED
    runs = []
    swapper = subprocess.Popen([sys.executable, "-c", SWAPPING, str(folder / "s.txt"), str(link)])
    try:
        for _ in range(CLI_RUNS):
            runs.append(verbatim("--corpus", str(folder), "--index-dir", index_dir, "--json", "--ask", QUESTION))
    finally:
        swapper.kill()
        swapper.wait()
    assert [(run.code, run.err) for run in runs if run.code not in (ExitCode.ANSWERED, ExitCode.NO_ANSWER)] == []
    assert [run.out for run in runs if "swordfish" in run.out] == []
    assert all("Traceback" not in run.err for run in runs)
