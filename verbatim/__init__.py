"""Verbatim: answers from a folder of articles, quoted word for word with their source.

    import verbatim

    library = verbatim.open("~/articles")          # or verbatim.open() for the bundled ones
    answer = library.ask("Who founded DeepSeek?")   # a verbatim.retrieval.models.Result
    if answer.answered:
        print(answer.answers[0].sentence, answer.answers[0].article.title)
    library.ask("How old is he?")                   # a follow-up, read after the question before

The installed package holds ``verbatim.corpus``, ``verbatim.retrieval`` and ``verbatim.tui``;
nothing here imports Textual, and importing this module reads no file.
"""

from __future__ import annotations

import os as _os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verbatim.retrieval.conversation.memory import Conversation
    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.models import Result

__all__ = ["Library", "open"]


class Library:
    """A corpus opened for questions; ``ask`` keeps one conversation, so follow-ups work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conversation: Conversation = engine.conversation()

    def ask(self, question: str, *, top: int = 3, explain: bool = False, follow_up: bool = True) -> Result:
        """The answer to ``question``: the quoted sentences with their sources, or why none.
        With ``follow_up`` (the default) it is read after the questions asked before."""
        return self.engine.ask(question, top=top, explain=explain,
                               conversation=self.conversation if follow_up else None)

    def new_conversation(self) -> None:
        """Forget the questions asked so far: the next one is read on its own."""
        self.conversation = self.engine.conversation()


def open(path: str | _os.PathLike[str] | None = None, *, index_dir: str | _os.PathLike[str] | None = None,
         include: list[str] | None = None, exclude: list[str] | None = None,
         follow_links: bool = False, threshold: float | None = None) -> Library:
    """The corpus at ``path`` (a folder or a file; the bundled articles when None), from its
    saved index when it is fresh, built or refreshed otherwise. ``threshold`` is the least
    probability answered (the shipped reader's when None). Raises
    ``verbatim.corpus.CorpusError`` when there is nothing to read."""
    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.settings import Settings

    folder = None if path is None else _os.path.expanduser(_os.fspath(path))
    settings = Settings(folder, None if index_dir is None else _os.fspath(index_dir), tuple(include or ()),
                        tuple(exclude or ()), follow_links, threshold=threshold)
    return Library(Engine.open(settings))
