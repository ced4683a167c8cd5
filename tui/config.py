"""The user's defaults, from $XDG_CONFIG_HOME/verbatim/config.toml: corpus, named corpora, top, logging, the chat's theme and keys."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verbatim.retrieval.places import xdg_home


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
    Nothing is imported to parse TOML unless the file exists, so a run without one starts
    as fast as before."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    try:
        values = parse_toml(text)
    except ValueError as error:
        raise ConfigError(f"{path}: {error}") from None
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


def parse_toml(text: str) -> dict[str, Any]:
    """TOML with tomllib (Python 3.11+), else with the small reader below; raises ValueError."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)
    return parse_simple_toml(text)


# What the reader for Python 3.10 understands: the part of TOML a configuration like this
# one uses. Anything else is refused with its line number, never misread.
_TABLE = re.compile(r"\[\s*([A-Za-z0-9_-]+)\s*\]")
_PAIR = re.compile(r"""([A-Za-z0-9_-]+|"[^"\\]*")\s*=\s*(.+)""")
_BASIC = re.compile(r'"((?:[^"\\\x00-\x1f]|\\["\\nt])*)"')
_LITERAL = re.compile(r"'([^'\x00-\x1f]*)'")
_INTEGER = re.compile(r"[+-]?(?:0|[1-9](?:_?[0-9])*)")
_ESCAPES = {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t"}


def _value(raw: str, line: int) -> Any:
    for pattern, convert in (
        (_BASIC, lambda m: re.sub(r'\\["\\nt]', lambda e: _ESCAPES[e.group()], m.group(1))),
        (_LITERAL, lambda m: m.group(1)),
    ):
        match = pattern.match(raw)
        if match:
            rest = raw[match.end():].strip()
            if rest and not rest.startswith("#"):
                raise ValueError(f"line {line}: unexpected text after the value")
            return convert(match)
    value = raw.split("#", 1)[0].strip()
    if value in ("true", "false"):
        return value == "true"
    if _INTEGER.fullmatch(value):
        return int(value.replace("_", ""))
    raise ValueError(f"line {line}: unsupported value {value!r} (use a string, an integer, true or false)")


def parse_simple_toml(text: str) -> dict[str, Any]:
    """Key = value pairs (strings, integers, booleans) at the top and in [tables]."""
    document: dict[str, Any] = {}
    table = document
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _TABLE.fullmatch(line.split("#", 1)[0].strip())
        if header:
            name = header.group(1)
            if name in document:
                raise ValueError(f"line {number}: table [{name}] defined twice")
            table = document[name] = {}
            continue
        pair = _PAIR.fullmatch(line)
        if not pair:
            raise ValueError(f"line {number}: expected key = value")
        key = pair.group(1).strip('"')
        if key in table:
            raise ValueError(f"line {number}: {key} defined twice")
        table[key] = _value(pair.group(2).strip(), number)
    return document
