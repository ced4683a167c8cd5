"""Messages that carry the workers' results back to the chat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from verbatim.corpus import Article
    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.models import Result


@dataclass
class EngineReady(Message):
    """The corpus is read and indexed."""

    engine: Engine


@dataclass
class EngineFailed(Message):
    """The corpus could not be read."""

    error: str


@dataclass
class ReadingProgress(Message):
    """Files read so far while indexing."""

    done: int
    total: int
    sentences: int


@dataclass
class AnswerReady(Message):
    """The answer to one question."""

    exchange: int
    result: Result


@dataclass
class AnswerFailed(Message):
    """Answering one question went wrong: a bug, or a question that cannot be asked."""

    exchange: int
    error: str
    refused: bool = False  # the question itself was refused (too long): not a bug


@dataclass
class ArticleRead(Message):
    """An article read again from its file for the reading pane; None when it cannot be."""

    article_id: str
    article: Article | None
    cited: tuple[int, int] | None
    find: str = ""  # the article list's filter it was chosen with: the pane opens at its first match
    why: str = ""  # when it was not read within its budget: why, in a few words


@dataclass
class ExamplesFound(Message):
    """Example questions the corpus answers, for the welcome."""

    questions: list[str]


@dataclass
class FolderLooked(Message):
    """The corpus folder was looked at and the index still holds it (or a change is settling)."""


@dataclass
class IndexRefreshed(Message):
    """Files of the corpus changed while the chat was open: the index read them again."""

    engine: Engine
    summary: str  # "2 files changed"
