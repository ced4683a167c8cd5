"""The command that opens a cited file at its line: the reader's $VISUAL or $EDITOR, else their $PAGER."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

# Editors and pagers that go to a line given as "+N" before the file (vi's convention).
PLUS_LINE = frozenset({"vi", "vim", "nvim", "view", "gvim", "nano", "pico", "emacs", "emacsclient", "micro",
                       "kak", "joe", "jed", "ne", "mg", "less", "more", "most"})
# Editors that take "file:line" instead (and VS Code only after --goto).
COLON_LINE = frozenset({"subl", "hx", "helix", "zed"})
GOTO_LINE = frozenset({"code", "codium", "code-insiders"})
# Without $VISUAL, $EDITOR or $PAGER, this pager when it is installed.
FALLBACK_PAGER = "less"


class NoEditor(Exception):
    """No editor or pager to open a file with: one line for the reader."""


def open_command(path: str, line: int | None, env: Mapping[str, str] | None = None) -> list[str]:
    """The argv that shows ``path`` at ``line`` (counted from 1) in the reader's editor: from
    $VISUAL, $EDITOR or $PAGER (their words split as a shell would), else less. An editor
    that is not known to take a line gets the file alone."""
    env = os.environ if env is None else env
    for name in ("VISUAL", "EDITOR", "PAGER"):
        try:
            words = shlex.split(env.get(name, ""))
        except ValueError:  # an unclosed quote: as if unset
            words = []
        if words:
            break
    else:
        if shutil.which(FALLBACK_PAGER) is None:
            raise NoEditor("set $EDITOR (or $PAGER) to open the file")
        words = [FALLBACK_PAGER]
    program = Path(words[0]).name
    if line is None:
        return [*words, path]
    if program in PLUS_LINE:
        return [*words, f"+{line}", path]
    if program in COLON_LINE:
        return [*words, f"{path}:{line}"]
    if program in GOTO_LINE:
        return [*words, "--goto", f"{path}:{line}"]
    return [*words, path]
