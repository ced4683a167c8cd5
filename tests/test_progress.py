"""The build's progress line on a terminal."""

from __future__ import annotations

import io

from retrieval.index.build import BuildProgress
from tui.output import ProgressLine


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
