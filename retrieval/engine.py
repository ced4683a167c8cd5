"""Ask a question of a corpus: retrieval, selection and abstention, as one call."""

from __future__ import annotations

import os
from pathlib import Path

from corpus import Article
from corpus.reader import read_article
from retrieval.build import ProgressCallback
from retrieval.confidence import decide
from retrieval.index import ArticleInfo
from retrieval.library import Opened, open_index
from retrieval.models import ArticleRef, CorpusInfo, Passage, Result
from retrieval.conversation import CARRY_WEIGHT, Conversation, FollowUp
from retrieval.explain import explain as explain_result
from retrieval.question import Concept, Question, analyze, check_length
from retrieval.selector import Query, Scored, rank
from retrieval.sources import agreement, short_answer, supporting
from retrieval.tokens import sentence_tokens, terms, tokens


class Engine:
    """A corpus, indexed, ready for questions."""

    def __init__(self, opened: Opened):
        self.opened = opened
        self.index = opened.index
        self._refs: dict[int, ArticleRef] = {}

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *,
             index_dir: str | os.PathLike[str] | None = None,
             progress: ProgressCallback | None = None) -> Engine:
        """The bundled articles when ``path`` is None, else the file or folder at ``path``:
        its saved index when fresh, refreshed or built otherwise (``progress`` hears how
        the build goes)."""
        return cls(open_index(path, index_dir=index_dir, progress=progress))

    @property
    def articles(self) -> list[ArticleInfo]:
        return self.index.articles

    @property
    def warnings(self) -> list[str]:
        """Files left out or repaired, when they were just read (a fresh load says nothing)."""
        return self.index.warnings if self.opened.report is not None else []

    @property
    def notices(self) -> list[str]:
        """About the saved index: damaged and rebuilt, or could not be saved."""
        return self.opened.notices

    def article(self, article_id: str) -> Article | None:
        """The whole article, read again from its file (the index keeps only its sentences)."""
        a = self.index.article_index(article_id)
        if a is None:
            return None
        info = self.index.articles[a]
        meta = {"id": info.id, "title": info.title, "source": info.source, "date": info.date,
                "authors": list(info.authors)}
        article, _ = read_article(Path(info.path), Path(self.index.root), meta)
        return article

    def ref(self, article: int) -> ArticleRef:
        found = self._refs.get(article)
        if found is None:
            a = self.index.articles[article]
            found = self._refs[article] = ArticleRef(id=a.id, title=a.title, path=a.path,
                                                     source=a.source, date=a.date)
        return found

    def conversation(self) -> Conversation:
        """A new conversation over this corpus, for follow-up questions."""
        return Conversation(self.mentions)

    def mentions(self, name: str, limit: int = 20) -> list[str]:
        """Sentences that name ``name``, best first."""
        found = [self.index.unit(uid).text for uid, _ in self.index.top(terms(name), limit)]
        return [text for text in found if name in text]

    @property
    def info(self) -> CorpusInfo:
        return CorpusInfo(
            name=self.index.name,
            path=self.index.root,
            articles=len(self.index.articles),
            sentences=len(self.index),
            warnings=self.warnings,
        )

    def passage(self, scored: Scored, query: Query) -> Passage:
        uid = scored.uid
        unit = self.index.unit(uid)
        return Passage(
            sentence=unit.text,
            article=self.ref(int(self.index.unit_article[uid])),
            paragraph=unit.paragraph,
            sentence_index=unit.sentence,
            score=round(scored.score, 4),
            start=unit.start,
            end=unit.end,
            span=short_answer(query, scored, unit.text),
            matches=question_words(unit.text, query),
        )

    def ask(self, question: str, top: int = 3, *, conversation: Conversation | None = None,
            explain: bool = False) -> Result:
        """Answer ``question`` with up to ``top`` sentences, or say the corpus does not.

        In a ``conversation``, a question that leans on the previous turn is read against
        it, and the turn is recorded. With ``explain``, the result says why it won.
        Raises QuestionTooLong past MAX_QUESTION_CHARS.
        """
        check_length(question)
        followup = conversation.resolve(question) if conversation else FollowUp(question)
        analysis = analyze(followup.text)
        analysis.concepts.extend(_carried(analysis, followup.context))
        analysis.carry_share = followup.carry_share
        exclude = frozenset(
            uid for uid in (self.index.uid_at(a, s) for a, s in followup.exclude) if uid is not None
        )
        interpreted = followup.text if followup.text != " ".join(question.split()) else None
        result = self._answer(question, analysis, top, exclude, explain, interpreted)
        if conversation is not None:
            conversation.record(question, followup, analysis, result)
        return result

    def candidates(self, question: str, k: int = 5) -> list[Passage]:
        """The ``k`` best sentences for ``question`` by the selector, answer or not."""
        analysis = analyze(question)
        query = Query.of(self.index, analysis)
        return [self.passage(s, query) for s in rank(self.index, query)[:k]]

    def _answer(self, question: str, analysis: Question, top: int, exclude: frozenset[int],
                explain: bool, interpreted: str | None) -> Result:
        if not analysis.concepts:
            return Result(question=question, answered=False, interpreted_as=interpreted,
                          reason="the question has no words to search for")
        query = Query.of(self.index, analysis)
        ranked = rank(self.index, query, exclude)
        best = ranked[0] if ranked else None
        decision = decide(self.index, query, best)
        explanation = None
        if explain:
            runner_up = self.passage(ranked[1], query) if len(ranked) > 1 else None
            explanation = explain_result(self.index, query, best, runner_up, decision, interpreted)
        if not decision.answered:
            closest = [self.passage(s, query) for s in ranked[:top] if s.coverage > 0]
            return Result(question=question, answered=False, closest=closest, reason=decision.reason,
                          interpreted_as=interpreted, explanation=explanation)
        chosen = [best, *supporting(self.index, query, ranked, top - 1)]
        answers = [self.passage(s, query) for s in chosen]
        spans = [p.sentence[p.span[0]:p.span[1]] for p in answers if p.span]
        return Result(question=question, answered=True, answers=answers,
                      agreement=agreement(spans) if len(spans) == len(answers) else None,
                      interpreted_as=interpreted, explanation=explanation)


def _carried(analysis: Question, context: list[str]) -> list[Concept]:
    """Words of the previous turn a follow-up carries along, the rarest kept."""
    own = {t.term for t in analysis.terms}
    seen: dict[str, str] = {}
    for text in context:
        for tok in tokens(text):
            if tok.term not in own and tok.term not in seen:
                seen[tok.term] = text[tok.start:tok.end]
    return [Concept((term,), False, CARRY_WEIGHT, surface, carried=True) for term, surface in seen.items()]


def question_words(sentence: str, query: Query) -> list[tuple[int, int]]:
    """Character spans of the question's own words (in any of their forms) in ``sentence``;
    words a follow-up carried from the previous turn are not marked."""
    own = {t for c in query.concepts if not c.carried for t in c.terms}
    forms = {form for term in own for form in query.forms(term)}
    spans: list[tuple[int, int]] = []
    for tok in sentence_tokens(sentence):
        if tok.term in forms and not (spans and spans[-1] == (tok.start, tok.end)):
            spans.append((tok.start, tok.end))
    return spans
