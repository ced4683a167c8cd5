"""What a terminal can do: its width, hyperlinks (OSC 8), and styled text wrapped at word boundaries."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Mapping
from typing import TextIO

RESET = "\x1b[0m"
LINK_CLOSE = "\x1b]8;;\x1b\\"
# The sequences Verbatim itself writes (untrusted text never holds a raw ESC: it is shown
# escaped first): SGR styles, and OSC 8 hyperlinks opened or closed. They take no room.
_SEQUENCE = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b\x07]*;[^\x1b\x07]*\x1b\\")
# A citation line opens with this mark; its continuation lines are indented past it.
_HANGING_MARKS = ("— ",)

# Terminals known to show OSC 8 hyperlinks, by the variables they set (the same evidence the
# supports-hyperlinks package reads). Elsewhere the sequence could print as garbage.
_LINK_PROGRAMS = {  # TERM_PROGRAM: the first version with hyperlinks
    "iTerm.app": (3, 1), "WezTerm": (0,), "vscode": (1, 72), "ghostty": (0,), "Hyper": (0,),
}
_LINK_TERMS = ("xterm-kitty", "alacritty", "foot", "wezterm", "xterm-ghostty")
VTE_LINKS_SINCE = 5000  # VTE 0.50 (GNOME Terminal, Tilix, ...)


def shows_styles(stream: TextIO) -> bool:
    """ANSI styles only on a terminal that shows them, and not when NO_COLOR asks."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def terminal_width(stream: TextIO, fallback: int = 80) -> int:
    """Columns of the terminal ``stream`` writes to ($COLUMNS wins, as for every tool)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = shutil.get_terminal_size((fallback, 24)).columns
    return columns or fallback  # a terminal that reports no size (a bare pty)


def _version(text: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", text)[:3]
    return tuple(int(p) for p in parts) or (0,)


def supports_hyperlinks(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """True when ``stream`` is a terminal that shows OSC 8 links: never when piped, never
    with TERM=dumb; FORCE_HYPERLINK=1 or 0 overrides what the terminal is taken to be."""
    try:
        if not stream.isatty():
            return False
    except (ValueError, AttributeError):
        return False
    term = environ.get("TERM", "")
    if term == "dumb":
        return False
    forced = environ.get("FORCE_HYPERLINK")
    if forced is not None:
        return forced not in ("", "0", "false", "no")
    if environ.get("WT_SESSION") or environ.get("DOMTERM") or environ.get("KONSOLE_VERSION"):
        return True
    if environ.get("VTE_VERSION", "").isdigit() and int(environ["VTE_VERSION"]) >= VTE_LINKS_SINCE:
        return True
    program = environ.get("TERM_PROGRAM", "")
    if program in _LINK_PROGRAMS:
        return _version(environ.get("TERM_PROGRAM_VERSION", "")) >= _LINK_PROGRAMS[program]
    return term in _LINK_TERMS


def hyperlink(text: str, uri: str) -> str:
    """``text`` as an OSC 8 link to ``uri`` (which must hold no control character)."""
    return f"\x1b]8;;{uri}\x1b\\{text}{LINK_CLOSE}"


def cell_width(text: str) -> int:
    """Columns ``text`` takes on screen: wide East Asian characters two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def plain(text: str) -> str:
    """``text`` without Verbatim's style and link sequences."""
    return _SEQUENCE.sub("", text)


class _Lines:
    """Fills lines word by word, carrying open styles and links across each break."""

    def __init__(self, width: int, hang: int) -> None:
        self.width, self.hang = width, hang
        self.done: list[str] = []
        self.line: list[str] = []
        self.col = 0
        self.styles: list[str] = []
        self.link: str | None = None
        self.pending: list[str] = []  # spaces and sequences met since the last word
        self.has_word = False

    def _apply(self, sequence: str) -> None:
        if sequence == RESET:
            self.styles = []
        elif sequence.startswith("\x1b["):
            self.styles.append(sequence)
        else:
            self.link = None if sequence == LINK_CLOSE else sequence

    def _commit(self, items: list[str]) -> None:
        for item in items:
            if item.startswith("\x1b"):
                self._apply(item)
            else:
                self.col += cell_width(item)
            self.line.append(item)

    def _pending_width(self) -> int:
        return sum(cell_width(i) for i in self.pending if not i.startswith("\x1b"))

    def break_line(self) -> None:
        close = ([RESET] if self.styles else []) + ([LINK_CLOSE] if self.link else [])
        self.done.append("".join(self.line + close))
        for item in self.pending:  # spaces at a break are dropped; their styles still hold
            if item.startswith("\x1b"):
                self._apply(item)
        self.pending = []
        self.line = [" " * self.hang] + ([self.link] if self.link else []) + self.styles
        self.col = self.hang
        self.has_word = False

    def word(self, word: str) -> None:
        while word:
            room = self.width - self.col - self._pending_width()
            if cell_width(word) <= room:
                self._commit(self.pending + [word])
                self.pending, self.has_word = [], True
                return
            if self.has_word:
                self.break_line()
                continue
            # A word longer than the line: cut it where the line ends (at least one character).
            cut, used = 0, 0
            while cut < len(word) and used + cell_width(word[cut]) <= max(room, 1):
                used += cell_width(word[cut])
                cut += 1
            self._commit(self.pending + [word[: max(cut, 1)]])
            self.pending, self.has_word = [], True
            word = word[max(cut, 1):]
            if word:
                self.break_line()

    def finish(self) -> str:
        self.line += [i for i in self.pending if i.startswith("\x1b")]
        self.done.append("".join(self.line))
        return "\n".join(self.done)


def wrap_line(line: str, width: int) -> str:
    """One line of styled text broken at spaces to fit ``width`` columns; continuation lines
    keep its indentation (and go past a citation's dash)."""
    shown = plain(line)
    if width <= 0 or cell_width(shown) <= width:
        return line
    indent = len(shown) - len(shown.lstrip(" "))
    hang = indent + next((len(m) for m in _HANGING_MARKS if shown[indent:].startswith(m)), 0)
    lines = _Lines(width, hang if hang < width // 2 else 0)
    for piece in re.split(f"({_SEQUENCE.pattern}| )", line):
        if not piece:
            continue
        if piece == " " or piece.startswith("\x1b"):
            lines.pending.append(piece)
        else:
            lines.word(piece)
    return lines.finish()


def wrap(text: str, width: int) -> str:
    """Every line of ``text`` wrapped to ``width`` columns at word boundaries."""
    return "\n".join(wrap_line(line, width) for line in text.split("\n"))
