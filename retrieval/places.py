"""The XDG base folders Verbatim keeps things in: one rule for all of them."""

from __future__ import annotations

import os
from pathlib import Path


def xdg_home(variable: str, *fallback: str) -> Path:
    """$``variable`` when it is an absolute path (the XDG specification says to ignore a
    relative one), else the ``fallback`` folders under the home folder."""
    base = os.environ.get(variable, "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), *fallback)
    return Path(base)
