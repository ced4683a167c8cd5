"""The user's defaults, from $XDG_CONFIG_HOME/verbatim/config.toml: corpus, named corpora, top, logging, the chat's theme and keys."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verbatim.places import UntrustedFolder, check_folder, open_own_file, xdg_home


class ConfigError(Exception):
    """The configuration file cannot be used: one line for the user."""


@dataclass(frozen=True, slots=True)
class Config:
    corpus: str | None = None  # the default corpus, a path or a name from corpora
    top: int | None = None
    log: bool = True
    index_dir: str | None = None
    corpora: dict[str, str] = field(default_factory=dict)  # name -> path
    theme: str | None = None  # the chat's theme, a name Textual knows (checked when the chat starts)
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys, e.g. "ctrl+k" or "f5,ctrl+k"
    path: Path | None = None  # the file read, if any
    # The command `o` shows a PDF (EPUB, Word, OpenDocument file) with: {file} and {page}
    # placeholders, e.g. "zathura --page={page} {file}"; run without a shell.
    viewer: str | None = None
    threshold: float | None = None  # the least probability answered (the shipped reader's when None)


# A configuration is a few lines; a file larger than this is not one, and is not read.
MAX_CONFIG_BYTES = 1 << 20
_KEYS = {"corpus": str, "top": int, "log": bool, "index_dir": str, "corpora": dict, "theme": str, "keymap": dict,
         "viewer": str, "threshold": float}
# A key as Textual names it: "f5", "ctrl+k", "shift+tab", "question_mark", or one character.
_KEY = re.compile(r"(?:[a-z]+\+)*(?:[A-Za-z0-9_]+|[^\s,+])")


def config_home() -> Path:
    """$XDG_CONFIG_HOME when it is an absolute path (a relative one is ignored, as the spec
    says), else ~/.config."""
    return xdg_home("XDG_CONFIG_HOME", ".config")


def config_path() -> Path:
    return config_home() / "verbatim" / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """The configuration at ``path`` (the XDG place by default); defaults when there is none.
    Read only from a regular file of the user's own (never through a link, never another
    user's), in a folder of the user's own, and at most MAX_CONFIG_BYTES. Nothing is
    imported to parse TOML unless the file exists, so a run without one starts as fast as
    before."""
    path = path or config_path()
    text = read_config_text(path)
    if text is None:
        return Config()
    values = parse_toml(text, path)
    for key, value in values.items():
        kind = _KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{path}: unknown setting {key!r} (known: {', '.join(_KEYS)})")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(f"{path}: {key} must be a {kind.__name__}, not {type(value).__name__}")
    corpora = values.get("corpora", {})
    for name, where in corpora.items():
        if not isinstance(where, str):
            raise ConfigError(f"{path}: corpora.{name} must be a path (a string)")
    keymap = values.get("keymap", {})
    for binding, keys in keymap.items():
        if isinstance(keys, dict):  # app.help = ... unquoted is a table in TOML
            raise ConfigError(f'{path}: keymap: put a binding id in quotes, as "{binding}.{next(iter(keys), "")}" = "f5"')
        if not isinstance(keys, str) or not all(_KEY.fullmatch(key.strip()) for key in keys.split(",")):
            raise ConfigError(f"{path}: keymap.{binding} must be keys such as \"ctrl+k\" or \"f5,ctrl+k\"")
    return Config(values.get("corpus"), values.get("top"), values.get("log", True),
                  values.get("index_dir"), dict(corpora), values.get("theme"), dict(keymap), path,
                  values.get("viewer"), values.get("threshold"))


def read_config_text(path: Path) -> str | None:
    """The text of the configuration file at ``path``, None when there is none; ConfigError
    when it cannot be used."""
    try:
        check_folder(path.parent, "configuration folder")
        with open(open_own_file(path, os.O_RDONLY, "configuration file"), "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except UntrustedFolder as error:
        raise ConfigError(str(error.strerror)) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} kB, which no configuration is")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: cannot be read (not UTF-8 text)") from None


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """TOML with the standard library's tomllib (Python 3.11+), else with tomli, the same
    parser; any error it raises is a ConfigError naming ``path``. Both recurse into nested
    arrays and tables, so a deeply nested file ends in RecursionError: one line too."""
    if not text.strip():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise ConfigError(f"{path}: {reason}") from None
