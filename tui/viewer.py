"""The command that shows a cited PDF at its page (or an EPUB, Word or OpenDocument file): a viewer, never an editor."""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable

# Viewers known to open a PDF at a page, tried in this order when the configuration names
# none: each one's arguments, {file} and {page} filled in ({page} counted from 1).
KNOWN_VIEWERS = (
    ("zathura", "zathura --page={page} {file}"),
    ("evince", "evince --page-label={page} {file}"),
    ("okular", "okular --page {page} {file}"),
    ("qpdfview", "qpdfview {file}#{page}"),
    ("mupdf", "mupdf {file} {page}"),
    ("xdg-open", "xdg-open {file}"),
    ("open", "open {file}"),  # macOS
)
# Formats a text editor would show as bytes: opened in a viewer.
VIEWED_FORMATS = frozenset({"pdf", "epub", "docx", "odt"})


class NoViewer(Exception):
    """No viewer to open the file with, or the configured one cannot be used: one line."""


def viewer_command(path: str, page: int | None, configured: str | None = None,
                   which: Callable[[str], str | None] = shutil.which) -> list[str]:
    """The argv that shows ``path`` at ``page``: the configured ``viewer`` (a command line
    with {file} and {page} placeholders, split as a shell would but run without one, so a
    file name is one argument whatever it holds), else the first known viewer installed.
    Without a page, a placeholder {page} reads as 1."""
    template = configured
    if template is None:
        template = next((line for program, line in KNOWN_VIEWERS if which(program)), None)
        if template is None:
            raise NoViewer('set viewer = "your-viewer --page={page} {file}" in config.toml')
    try:
        words = shlex.split(template)
    except ValueError as error:
        raise NoViewer(f"the viewer setting cannot be split into words ({error})") from None
    if not words or not any("{file}" in word for word in words):
        raise NoViewer("the viewer setting must name {file}")
    number = str(page or 1)
    # Placeholders replaced word by word: the file's name never becomes more than one word.
    return [word.replace("{page}", number).replace("{file}", path) if "{file}" in word or "{page}" in word else word
            for word in words]
