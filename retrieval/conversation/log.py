"""The log of every question and its answer, in SQLite under the user's data folder, by conversation."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from verbatim.retrieval.models import Result
from verbatim.retrieval.places import xdg_home

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


class Log:
    """An open log database. Every method raises LogError, never sqlite3's errors."""

    def __init__(self, path: Path | None = None, *, create: bool = True) -> None:
        import sqlite3  # only when a question is logged or the log is read

        self._sqlite3 = sqlite3
        self.path = path or log_path()
        try:
            if create:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            elif not self.path.exists():
                raise LogError(f"no questions logged yet (the log would be {self.path})")
            new = not self.path.exists()
            self._db: sqlite3.Connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
            if new:
                os.chmod(self.path, 0o600)  # questions can be private
            # Write-ahead logging, synced at checkpoints: a question is logged without
            # waiting for the disk twice, and a crash loses at most the last questions.
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            with self._db:
                self._db.executescript(_SCHEMA)
                found = self._db.execute("PRAGMA user_version").fetchone()[0]
                if found > SCHEMA_VERSION:
                    raise LogError(f"{self.path}: written by a newer Verbatim (schema {found})")
                if found < SCHEMA_VERSION:
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (sqlite3.Error, OSError) as error:
            raise LogError(f"{self.path}: {error}") from None

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
        except self._sqlite3.Error as error:
            raise LogError(f"{self.path}: {error}") from None

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
            except self._sqlite3.Error as error:
                raise LogError(f"{self.path}: {error}") from None

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

