"""Ask a question of a corpus: retrieval, selection and abstention, as one call."""

from __future__ import annotations

import os

from corpus import Corpus, load_bundled, read_corpus
from corpus.reader import Progress
from retrieval.confidence import decide
from retrieval.index import SentenceIndex
from retrieval.models import ArticleRef, CorpusInfo, Passage, Result
from retrieval.conversation import CARRY_WEIGHT, Conversation, FollowUp
from retrieval.explain import explain as explain_result
from retrieval.question import Concept, Question, analyze
from retrieval.selector import Query, Scored, rank
from retrieval.sources import agreement, short_answer, supporting
from retrieval.tokens import terms, tokens


class Engine:
    """A corpus, indexed, ready for questions."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.index = SentenceIndex.build(corpus)
        self._refs = [
            ArticleRef(id=a.id, title=a.title, path=a.path, source=a.source, date=a.date)
            for a in corpus.articles
        ]

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None,
             progress: Progress | None = None) -> Engine:
        """The bundled articles when ``path`` is None, else the file or folder at ``path``.
        ``progress`` hears (files read, files in all) as reading goes."""
        corpus = load_bundled(progress) if path is None else read_corpus(path, progress=progress)
        return cls(corpus)

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
            name=self.corpus.name,
            path=self.corpus.root,
            articles=len(self.corpus.articles),
            sentences=len(self.index),
            warnings=list(self.corpus.warnings),
        )

    def passage(self, scored: Scored, query: Query) -> Passage:
        uid = scored.uid
        unit = self.index.unit(uid)
        return Passage(
            sentence=unit.text,
            article=self._refs[self.index.unit_article[uid]],
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
        """
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
        return [self.passage(s, query) for s in rank(self.index, analysis)[:k]]

    def _answer(self, question: str, analysis: Question, top: int, exclude: frozenset[int],
                explain: bool, interpreted: str | None) -> Result:
        if not analysis.concepts:
            return Result(question=question, answered=False, interpreted_as=interpreted,
                          reason="the question has no words to search for")
        ranked = rank(self.index, analysis, exclude)
        best = ranked[0] if ranked else None
        query = Query.of(self.index, analysis)
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
    for tok in tokens(sentence):
        if tok.term in forms and not (spans and spans[-1] == (tok.start, tok.end)):
            spans.append((tok.start, tok.end))
    return spans
