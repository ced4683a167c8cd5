"""What the chat remembers between runs (the theme chosen in it), in a file of its own under $XDG_STATE_HOME/verbatim."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from verbatim.places import check_folder, make_folder, open_own_file, xdg_home


def state_path() -> Path:
    """$XDG_STATE_HOME/verbatim/state.json, else ~/.local/state/verbatim/state.json: the
    program's file, never the user's config.toml."""
    return xdg_home("XDG_STATE_HOME", ".local", "state") / "verbatim" / "state.json"


# The state is a few settings; a larger file is not the one this program writes.
MAX_STATE_BYTES = 1 << 16


def read_state(path: Path | None = None) -> dict[str, Any]:
    """What was remembered; nothing when the file is missing, unreadable or not what this
    program writes (a damaged file is forgotten, and replaced at the next change), and
    nothing from a folder or file that is not the user's own, or through a link."""
    path = path or state_path()
    try:
        check_folder(path.parent, "state folder")
        with open(open_own_file(path, os.O_RDONLY, "state file"), "rb") as handle:
            values = json.loads(handle.read(MAX_STATE_BYTES + 1).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return values if isinstance(values, dict) else {}


def remember(key: str, value: Any, path: Path | None = None) -> None:
    """Set ``key`` in the state file, written whole to a new file that then takes the old
    one's place: a crash leaves the old file or the new, never half of one. Raises OSError."""
    path = path or state_path()
    values = {**read_state(path), key: value}
    make_folder(path.parent, "state folder")  # UntrustedFolder, an OSError, when it is not the user's own
    handle, temporary = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(values, stream, indent=2, sort_keys=True)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
