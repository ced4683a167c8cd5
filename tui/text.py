"""Make untrusted text safe to show: control and direction characters become visible escapes."""

from __future__ import annotations

import re

# C0 and C1 controls (ESC starts every terminal sequence), DEL, zero-width characters,
# bidirectional overrides and isolates (they reorder what is shown), the byte-order mark,
# and lone surrogates (the bytes of a file name that is not UTF-8, as Python keeps them).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb"
    "\ud800-\udfff]"
)
# A byte that is not UTF-8, kept in a str as U+DC80..U+DCFF (Python's surrogateescape).
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in _ESCAPED_BYTES:  # shown as the byte it stands for: bad\xffname.txt
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def counted(n: int, singular: str, plural: str = "") -> str:
    """``n`` and the noun in the number it takes: "1 file", "2 files", "1,024 sentences"."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def visible(text: str) -> str:
    """``text`` with every character that could act on a terminal shown as an escape."""
    return _UNSAFE.sub(_escape, text)


def json_safe(line: str) -> str:
    """A JSON line with direction and zero-width characters written as \\u escapes: the
    same JSON value, but it cannot reorder or hide text on a terminal."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


# A question is shown whole up to this length; a pasted document is shown by its start.
QUESTION_SHOWN_CHARS = 400


def shown_question(question: str) -> str:
    """The question as echoed on screen: safe, and cut short when it is a wall of text."""
    if len(question) <= QUESTION_SHOWN_CHARS:
        return visible(question)
    return f"{visible(question[:QUESTION_SHOWN_CHARS])}… ({len(question):,} characters)"
