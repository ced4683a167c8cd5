"""Ask a question of a corpus: retrieval, selection and abstention, as one call."""

from __future__ import annotations

import os

from corpus import Corpus, load_bundled, read_corpus
from corpus.reader import Progress
from retrieval.confidence import MIN_COVERAGE, MIN_SCORE, decide
from retrieval.index import SentenceIndex
from retrieval.models import ArticleRef, CorpusInfo, Passage, Result
from retrieval.question import analyze
from retrieval.selector import Query, Scored, WeightedConcept, rank
from retrieval.tokens import tokens

# A supporting sentence must itself pass as an answer, score at least this share of the
# answer's score and cover at least this share of what the answer covers.
SUPPORT_SHARE = 0.75
SUPPORT_COVERAGE = 0.8


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
            matches=question_words(unit.text, query),
        )

    def ask(self, question: str, top: int = 3) -> Result:
        """Answer ``question`` with up to ``top`` sentences, or say the corpus does not."""
        analysis = analyze(question)
        if not analysis.concepts:
            return Result(question=question, answered=False,
                          reason="the question has no words to search for")
        ranked = rank(self.index, analysis)
        best = ranked[0] if ranked else None
        query = Query.of(self.index, analysis)
        decision = decide(self.index, query, best)
        if not decision.answered:
            closest = [self.passage(s, query) for s in ranked[:top] if s.coverage > 0]
            return Result(question=question, answered=False, closest=closest, reason=decision.reason)
        chosen = [best, *supporting(self.index, query, ranked, top - 1)]
        return Result(question=question, answered=True,
                      answers=[self.passage(s, query) for s in chosen])


def question_words(sentence: str, query: Query) -> list[tuple[int, int]]:
    """Character spans of the question's words (in any of their forms) in ``sentence``."""
    forms = {form for term in query.terms for form in query.forms(term)}
    spans: list[tuple[int, int]] = []
    for tok in tokens(sentence):
        if tok.term in forms and not (spans and spans[-1] == (tok.start, tok.end)):
            spans.append((tok.start, tok.end))
    return spans


def _key_concept(query: Query, best: Scored) -> WeightedConcept | None:
    """The weightiest concept the answer itself matches: a supporting sentence must say the
    same thing, not merely share the question's lesser words."""
    matched = [c for c in query.concepts if query.concept_match(c, set(best.matched)) >= 0.5]
    return max(matched, key=lambda c: c.weight) if matched else None


def supporting(index: SentenceIndex, query: Query, ranked: list[Scored], count: int) -> list[Scored]:
    """Further sentences that also answer, from other articles first, best first."""
    if count <= 0 or not ranked:
        return []
    best = ranked[0]
    key = _key_concept(query, best)
    floor = max(MIN_SCORE, best.score * SUPPORT_SHARE)
    coverage = max(MIN_COVERAGE, best.coverage * SUPPORT_COVERAGE)
    eligible = [
        s for s in ranked[1:]
        if s.detailed and s.score >= floor and s.coverage >= coverage
        and s.type_match >= min(best.type_match, 0.0)
        and (key is None or query.concept_match(key, set(s.matched)) >= 0.5)
    ]
    seen = {index.unit_article[best.uid]}
    first, rest = [], []
    for scored in eligible:
        article = index.unit_article[scored.uid]
        (rest if article in seen else first).append(scored)
        seen.add(article)
    return (first + rest)[:count]
