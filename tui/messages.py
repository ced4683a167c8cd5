"""Messages that carry the workers' results back to the chat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from retrieval.engine import Engine
    from retrieval.models import Result


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
    """Answering one question went wrong."""

    exchange: int
    error: str
