"""The Verifier: a quoted sentence is its file's text now, or the file is read again and the question answered anew."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from verbatim.corpus import Article
from verbatim.corpus.budget import OverBudget, within_budget
from verbatim.corpus.reader import FileNow, article_of_text, corpus_boundary, corpus_file, file_now
from verbatim.corpus.segment import normalize_space
from verbatim.retrieval.models import Passage, Result

if TYPE_CHECKING:
    from verbatim.retrieval.index.open import Opened
    from verbatim.retrieval.index.protocol import Index


class Verifier:
    """The quote check over the index in use (``current()``: it changes when files are read again)."""

    def __init__(self, current: Callable[[], Opened]):
        self.current = current

    @property
    def opened(self) -> Opened:
        return self.current()

    @property
    def index(self) -> Index:
        return self.current().index

    def stale_files(self, result: Result) -> list[str]:
        """Ids of the files where a sentence the result quotes is not the file's text at its
        offsets now. One read of each file quoted."""
        passages = [*result.answers, *result.closest]
        if result.explanation is not None and result.explanation.runner_up is not None:
            passages.append(result.explanation.runner_up)
        return list(dict.fromkeys(self._rel(p.article.id) for p in self.outdated(passages)))

    def outdated(self, passages: list[Passage]) -> list[Passage]:
        """The passages whose sentence is not their file's text at their offsets now (the
        file edited, or the index damaged). One read of each file.

        A plain-text file whose bytes are the ones the index was made from (same digest) is
        not split into sentences again: its units are what this code made of these bytes,
        and a unit's text is the file's text at its offsets with white space collapsed, so
        that is compared. A changed file, or one with markup, is read as the index reads it
        and the unit at the passage's offsets compared."""
        files: dict[str, FileNow | None] = {}
        root = Path(self.index.root)
        inside = corpus_boundary(root, self.opened.follow_links)
        found = []
        for passage in passages:
            rel = self._rel(passage.article.id)
            if rel not in files:
                path = corpus_file(root, rel, self.opened.follow_links)
                files[rel] = None if path is None else file_now(path, inside)
            now = files[rel]
            if now is None or now.text is None:
                found.append(passage)
            elif self._unchanged_plain_text(passage.article.id, now):
                start, end = passage.start, passage.end
                if not (0 <= start < end <= len(now.text)) or normalize_space(now.text[start:end]) != passage.sentence:
                    found.append(passage)
            else:
                article = self._article_now(passage.article.id, now)
                unit = None if article is None else article.unit_at(passage.start, passage.end)
                if unit is None or unit.text != passage.sentence:
                    found.append(passage)
        return found

    def _article_now(self, article_id: str, now: FileNow) -> Article | None:
        """The file as the index reads it now. Bytes the index was made from were read within
        the budget then, and are split again here; other bytes are read by a reading process
        within the budget (corpus.budget), and are None (not quotable) when they are not."""
        if self._read_before(article_id, now):
            return now.article
        try:
            return within_budget(article_of_text, (now.path, now.text))
        except OverBudget:
            return None

    def _read_before(self, article_id: str, now: FileNow) -> bool:
        a = self.index.article_index(article_id)
        info = None if a is None else self.index.articles[a]
        return info is not None and bool(info.digest) and info.digest == now.digest

    def _unchanged_plain_text(self, article_id: str, now: FileNow) -> bool:
        """True when the article's file is plain text (read without markup) and its bytes
        now are those the index was made from."""
        a = self.index.article_index(article_id)
        info = None if a is None else self.index.articles[a]
        return info is not None and info.format == "text" and bool(info.digest) and info.digest == now.digest

    def _rel(self, article_id: str) -> str:
        a = self.index.article_index(article_id)
        return self.index.articles[a].rel if a is not None else article_id

    def without(self, result: Result, stale: list[str]) -> Result:
        """``result`` without the passages of the files named: no answer when its best
        sentence was one of them."""
        if not stale:
            return result
        gone = set(stale)

        def kept(passages: list[Passage]) -> list[Passage]:
            return [p for p in passages if self._rel(p.article.id) not in gone]

        if result.answered and self._rel(result.answers[0].article.id) in gone:
            return Result(question=result.question, answered=False, closest=kept(result.answers[1:]),
                          reason="the file that answers it changes while it is read",
                          interpreted_as=result.interpreted_as)
        return result.model_copy(update={"answers": kept(result.answers), "closest": kept(result.closest),
                                         "explanation": None if result.explanation is None else
                                         result.explanation.model_copy(update={"runner_up": None})})
