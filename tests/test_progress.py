"""The build's progress line on a terminal."""

from __future__ import annotations

import io

from verbatim.retrieval.index.build import BuildProgress
from verbatim.tui.output import ProgressLine


def test_progress_line_shows_files_sentences_time_and_rate():
    stream = io.StringIO()
    bar = ProgressLine(stream)
    bar(BuildProgress(5, 10, 1200, 2.0))
    bar(BuildProgress(10, 10, 2400, 4.0))
    bar.close()
    text = stream.getvalue()
    assert "10/10 files · 2,400 sentences · 4.0 s · 600 sentences/s" in text
    assert text.endswith("\n") and "\r" in text


def test_nothing_is_printed_when_nothing_was_built():
    stream = io.StringIO()
    ProgressLine(stream).close()
    assert stream.getvalue() == ""


def test_time_left_once_the_rate_is_known_and_the_line_fits_the_terminal():
    stream = io.StringIO()
    bar = ProgressLine(stream, columns=200)
    bar(BuildProgress(1, 100, 50, 0.2))
    assert "estimating time left" in stream.getvalue()
    bar._last = 0.0
    bar(BuildProgress(25, 100, 5000, 10.0))
    assert "about 30 s left" in stream.getvalue()
    narrow = io.StringIO()
    ProgressLine(narrow, columns=80)(BuildProgress(25, 100, 5000, 10.0))
    shown = narrow.getvalue().split("\x1b[2K")[-1]
    assert len(shown) <= 79 and "about 30 s left" in shown
