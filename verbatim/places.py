"""The folders Verbatim keeps things in (XDG base folders), and the checks that they are the user's own."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def xdg_home(variable: str, *fallback: str) -> Path:
    """$``variable`` when it is an absolute path (the XDG specification says to ignore a
    relative one), else the ``fallback`` folders under the home folder."""
    base = os.environ.get(variable, "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), *fallback)
    return Path(base)


class UntrustedFolder(OSError):
    """A folder (or a file in it) this user did not make for itself: a link, another
    user's, or writable by others. It is neither read nor written."""


def untrusted(folder: Path) -> str | None:
    """Why ``folder`` cannot be trusted with what Verbatim keeps (an index, the log, the
    state, the configuration), or None: the checks OpenSSH makes of ~/.ssh. A folder that
    does not exist yet is fine (it will be made private)."""
    try:
        info = os.lstat(folder)
        parent = os.stat(folder.parent)
    except OSError:  # not there (or cannot be): making it will fail or make it private
        return None
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    return _not_own(info) or (
        f"anyone can rename it: {folder.parent} is writable by all without the sticky bit"
        if parent.st_mode & stat.S_IWOTH and not parent.st_mode & stat.S_ISVTX else None)


def _not_own(info: os.stat_result) -> str | None:
    if info.st_uid != os.geteuid():
        return "it belongs to another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "other users can write to it"
    return None


def check_folder(folder: Path, what: str) -> None:
    """Raise UntrustedFolder unless ``folder`` is missing or the user's own, private one;
    ``what`` names it in the message ("index folder")."""
    why = untrusted(folder)
    if why is not None:
        raise UntrustedFolder(errno.EPERM, f"refusing the {what} {folder}: {why}")


def make_folder(folder: Path, what: str) -> None:
    """Make ``folder`` private to this user (its parents as the umask says), or check the
    one that exists: another user may have made it first."""
    check_folder(folder, what)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=PRIVATE_FOLDER)
    check_folder(folder, what)


def open_own_file(path: Path, flags: int, what: str) -> int:
    """A descriptor of ``path`` in a folder checked with :func:`check_folder`, opened
    without following a link and without blocking, and checked for what it is: a regular
    file of this user's that no one else can write. A file made by this call is private.
    Raises UntrustedFolder (refused) or another OSError (cannot be opened)."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY, PRIVATE_FILE)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UntrustedFolder(errno.EPERM, f"refusing the {what} {path}: it is a symbolic link") from None
        raise
    try:
        info = os.fstat(fd)
        why = "it is not a regular file" if not stat.S_ISREG(info.st_mode) else _not_own(info)
        if why is not None:
            raise UntrustedFolder(errno.EPERM, f"refusing the {what} {path}: {why}")
    except BaseException:
        os.close(fd)
        raise
    return fd
