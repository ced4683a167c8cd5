"""The log of every question and its answer, in SQLite under the user's data folder, by conversation."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from verbatim.places import UntrustedFolder, check_folder, make_folder, open_own_file, xdg_home
from verbatim.retrieval.models import Result

if TYPE_CHECKING:
    import sqlite3

SCHEMA_VERSION = 1
# Two processes logging at once wait for each other this long (seconds) before giving up.
BUSY_SECONDS = 5.0
# A conversation id is this many random bytes, written in hex: short enough to type.
ID_BYTES = 4
# The shortest prefix of an id that --cid accepts.
MIN_ID_PREFIX = 4
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    corpus TEXT NOT NULL,          -- the corpus path as given, '' for the bundled articles
    name TEXT NOT NULL,            -- the corpus's name when the conversation started
    started REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY,
    conversation TEXT NOT NULL REFERENCES conversations(id),
    asked REAL NOT NULL,
    question TEXT NOT NULL,
    answered INTEGER NOT NULL,
    answer TEXT NOT NULL,          -- the answer sentence, or '' when not answered
    result TEXT NOT NULL           -- the whole Result as JSON, with every citation
);
CREATE INDEX IF NOT EXISTS exchanges_by_conversation ON exchanges (conversation, id);
"""


class LogError(Exception):
    """The log cannot be read or written: one line for the user."""


class LogDamaged(LogError):
    """The log was damaged and has been moved aside: one line for the user, said once."""


def data_home() -> Path:
    """$XDG_DATA_HOME when it is an absolute path (the spec says to ignore a relative one),
    else ~/.local/share."""
    return xdg_home("XDG_DATA_HOME", ".local", "share")


def log_path() -> Path:
    return data_home() / "verbatim" / "logs.db"


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: str
    corpus: str  # '' for the bundled articles
    name: str
    started: float


@dataclass(frozen=True, slots=True)
class Exchange:
    conversation: ConversationRecord
    asked: float
    result: Result


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# sqlite's codes for a file that is not a database, or one whose pages or schema are damaged.
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26


def _damaged(error: BaseException) -> bool:
    """Whether sqlite's ``error`` says the file is damaged (not busy, not a full disk). Its
    message is not always UTF-8 when the damage is in the schema's text."""
    if isinstance(error, UnicodeDecodeError):
        return True
    code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)
    return type(error).__name__ == "DatabaseError"  # its subclasses are other troubles


def _reason(error: BaseException) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "sqlite's message about it is not text"
    if isinstance(error, OSError):
        return str(error.strerror or error)
    return str(error)


def _move_aside(path: Path) -> Path:
    """Rename a damaged log (and its write-ahead files) out of the way, keeping it: the
    questions in it may still be recovered by hand. Returns its new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    os.rename(path, aside)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.rename(f"{path}{suffix}", f"{aside}{suffix}")
    return aside


class Log:
    """An open log database. Every method raises LogError, never sqlite3's errors."""

    def __init__(self, path: Path | None = None, *, create: bool = True) -> None:
        import sqlite3  # only when a question is logged or the log is read

        self._sqlite3 = sqlite3
        self.path = path or log_path()
        # Said once by whoever logs: the log was found damaged and a new one begun.
        self.notice: str | None = None
        try:
            if create:
                make_folder(self.path.parent, "log folder")
            else:
                check_folder(self.path.parent, "log folder")
                if not self.path.exists():
                    raise LogError(f"no questions logged yet (the log would be {self.path})")
            # Made or checked here, never through a link, never another user's or writable by
            # others; sqlite then opens it by name in a folder only this user can change.
            os.close(open_own_file(self.path, os.O_RDWR | (os.O_CREAT if create else 0), "log"))
            try:
                self._db = self._connect()
            except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
                if not _damaged(error):
                    raise
                aside = _move_aside(self.path)
                why = f"{self.path} is damaged ({_reason(error)}); it was moved aside to {aside.name}"
                if not create:
                    raise LogDamaged(why) from None
                os.close(open_own_file(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, "log"))
                self._db = self._connect()
                self.notice = f"{why} and a new log begun"
        except (sqlite3.Error, OSError, UnicodeDecodeError) as error:
            raise LogError(_reason(error) if isinstance(error, UntrustedFolder) else
                           f"{self.path}: {_reason(error)}") from None

    def _connect(self) -> sqlite3.Connection:
        db = self._sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        try:
            # Write-ahead logging, synced at checkpoints: a question is logged without
            # waiting for the disk twice, and a crash loses at most the last questions.
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            with db:
                db.executescript(_SCHEMA)
                found = db.execute("PRAGMA user_version").fetchone()[0]
                if found > SCHEMA_VERSION:
                    raise LogError(f"{self.path}: written by a newer Verbatim (schema {found})")
                if found < SCHEMA_VERSION:
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Log:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            with self._db:
                return self._db.execute(sql, params).fetchall()
        except (self._sqlite3.Error, UnicodeDecodeError) as error:
            raise LogError(f"{self.path}: {_reason(error)}") from None

    # -- writing ------------------------------------------------------------------------------
    def start(self, corpus: str, name: str) -> ConversationRecord:
        """A new conversation over ``corpus`` ('' for the bundled articles)."""
        while True:
            record = ConversationRecord(os.urandom(ID_BYTES).hex(), corpus, name, time.time())
            try:
                with self._db:
                    self._db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?)",
                                     (record.id, record.corpus, record.name, record.started))
                return record
            except self._sqlite3.IntegrityError:
                continue  # that id is taken: draw another
            except (self._sqlite3.Error, UnicodeDecodeError) as error:
                raise LogError(f"{self.path}: {_reason(error)}") from None

    def record(self, conversation: ConversationRecord, result: Result) -> None:
        """Add a question and its result, with every citation, to ``conversation``."""
        answer = result.answers[0].sentence if result.answered and result.answers else ""
        self._run(
            "INSERT INTO exchanges (conversation, asked, question, answered, answer, result) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (conversation.id, time.time(), result.question, int(result.answered), answer,
             result.to_json(explanation=False, ascii_only=True)),
        )

    # -- reading ------------------------------------------------------------------------------
    def conversation(self, cid: str) -> ConversationRecord:
        """The conversation whose id is or starts with ``cid``."""
        if len(cid) < MIN_ID_PREFIX:
            raise LogError(f"conversation id {cid!r} is too short (at least {MIN_ID_PREFIX} characters)")
        rows = self._run("SELECT * FROM conversations WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                         (_like(cid)[1:],))
        if not rows:
            raise LogError(f"no conversation {cid!r} in the log")
        if len(rows) > 1:
            raise LogError(f"conversation id {cid!r} is ambiguous: give more of it")
        return ConversationRecord(*rows[0])

    def latest(self, corpus: str) -> ConversationRecord | None:
        """The conversation over ``corpus`` with the most recent question, if any."""
        rows = self._run(
            "SELECT c.* FROM conversations c JOIN exchanges e ON e.conversation = c.id "
            "WHERE c.corpus = ? ORDER BY e.id DESC LIMIT 1", (corpus,))
        return ConversationRecord(*rows[0]) if rows else None

    def questions(self, corpus: str, limit: int) -> list[str]:
        """The last ``limit`` different questions asked of ``corpus``, oldest first."""
        rows = self._run(
            "SELECT e.question FROM exchanges e JOIN conversations c ON c.id = e.conversation "
            "WHERE c.corpus = ? GROUP BY e.question ORDER BY MAX(e.id) DESC LIMIT ?", (corpus, int(limit)))
        return [row[0] for row in reversed(rows)]

    def results(self, conversation: ConversationRecord) -> list[Result]:
        """The turns of ``conversation``, in order."""
        rows = self._run("SELECT result FROM exchanges WHERE conversation = ? ORDER BY id",
                         (conversation.id,))
        return [self._result(row[0]) for row in rows]

    def _result(self, stored: str) -> Result:
        try:
            return Result.model_validate(json.loads(stored))
        except ValueError as error:  # pydantic's ValidationError is one
            raise LogError(f"{self.path}: a logged answer cannot be read ({error.__class__.__name__})") from None

    def exchanges(self, *, query: str | None = None, cid: str | None = None,
                  limit: int | None = None) -> Iterator[Exchange]:
        """The logged questions, oldest first: the last ``limit`` of them, only those whose
        question or answer holds ``query`` (any case), only of conversation ``cid``."""
        where, params = [], []
        if query:
            where.append("(e.question LIKE ? ESCAPE '\\' OR e.answer LIKE ? ESCAPE '\\')")
            params += [_like(query)] * 2
        if cid:
            where.append("c.id = ?")
            params.append(self.conversation(cid).id)
        sql = ("SELECT c.id, c.corpus, c.name, c.started, e.asked, e.result FROM exchanges e "
               "JOIN conversations c ON c.id = e.conversation"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY e.id DESC")
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = self._run(sql, tuple(params))
        for cid_, corpus, name, started, asked, result in reversed(rows):
            yield Exchange(ConversationRecord(cid_, corpus, name, started), asked, self._result(result))

