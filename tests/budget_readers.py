"""Readers that misbehave, importable by name in a reading process (tests of corpus.budget)."""

from __future__ import annotations

import time

from verbatim.retrieval.index import build

SLOW_NAME = "never-ends"  # a file whose name holds this is never done reading


def never_ends(_task) -> None:
    while True:
        time.sleep(0.05)


def recursion(_task) -> None:
    raise RecursionError("maximum recursion depth exceeded")


def hungry(_task) -> bytes:
    return bytes(2**30)  # a gibibyte at once


def read_file_unless_slow(task, vocabulary=None):
    """The index's own per-file reading, except for the file that never ends."""
    if SLOW_NAME in task[0]:
        never_ends(task)
    return build._read_file(task, vocabulary)


def article_never_ends(_task) -> None:
    never_ends(_task)
