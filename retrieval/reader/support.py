"""Every source: other sentences that answer as well, their short answers, and whether they agree."""

from __future__ import annotations

import math

from verbatim.corpus import UnitKind
from verbatim.corpus.document import CELL_SEPARATOR
from verbatim.retrieval.index.protocol import Index
from verbatim.retrieval.index.terms import terms
from verbatim.retrieval.reader.evidence import SATISFIES, Evidence, value_extent
from verbatim.retrieval.reader.features import READ_POOL, Reading
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import VALUE_TYPES, AnswerType
from verbatim.retrieval.reader.ranker import Ranking

# Sentences this alike are one sentence said twice (a repeated lead, a copied section).
DUPLICATE_JACCARD = 0.9
# How much more the asked-for noun counts than the heaviest question word when choosing the
# short answer among several candidates in a sentence.
FOCUS_PULL = 3.0
# A name right after the asked-for noun is its apposition, and the answer: "media outlet The
# Paper", "the Communist Party newspaper the People's Daily"; a value follows its noun a
# little further off: "its valuation to as much as 400 billion RMB".
APPOSITION_GAP = 6
VALUE_REACH = 30
# A short answer stands at most this many characters from a word of the question the sentence
# holds: farther off, it answers something else the sentence says ("founded by ... knocked a
# hole ... on Monday" does not say when it was founded). Measured on the spans given for 2,000
# SQuAD train questions (the shipped models): those farther than 60 characters were right 4
# times in 30, those within it 360 in 598 (60%); on validation 32 in 134 and 57%. A cut at 40
# (right 15 in 65 beyond it) would also drop a date that ends its sentence, "was listed as
# a National High-tech Enterprise by authorities in its home province of Zhejiang in
# December 2023", 50 characters from the question's last word.
SPAN_REACH = 60
# How far back a table row looks for its table's header row: a table longer than this is
# read without its column names.
TABLE_ROWS = 200

# Question types whose answer is a short stretch worth pointing at inside the sentence.
SPAN_TYPES = frozenset(
    {AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.ENTITY, AnswerType.PLACE,
     AnswerType.AUTHOR, AnswerType.QUOTE}
) | VALUE_TYPES
_SPAN_KINDS = {**SATISFIES, AnswerType.AUTHOR: frozenset({AnswerType.PERSON, AnswerType.ENTITY})}


def supporting(index: Index, query: Query, ranking: Ranking, count: int) -> list[tuple[Reading, float]]:
    """Up to ``count`` further sentences that also answer, with their scores, best first,
    the first sentence of each other article before more of an article already listed, and
    no two alike. The best one's own paragraph is not left out: on SQuAD's validation sample
    leaving it out lost 40 answers from the five listed and gained 10 (MRR@5 0.673 to 0.662)."""
    if count <= 0 or len(ranking.order) < 2:
        return []
    best_uid = int(ranking.pool.uids[int(ranking.order[0])])
    best_score = float(ranking.scores[0])
    kept_terms = [index.term_set(best_uid)]
    seen = {int(index.unit_article[best_uid])}
    first: list[tuple[Reading, float]] = []
    rest: list[tuple[Reading, float]] = []
    for row, score in zip(ranking.order[1:READ_POOL].tolist(), ranking.scores[1:READ_POOL].tolist()):
        # About as likely to answer as the best, not merely next (the cut is learned).
        if math.exp(score - best_score) < ranking.model.support_ratio or len(first) == count:
            break
        uid = int(ranking.pool.uids[row])
        terms = index.term_set(uid)
        if is_repeated(terms, kept_terms):
            continue
        kept_terms.append(terms)
        article = int(index.unit_article[uid])
        (rest if article in seen else first).append((ranking.found_in(row), score))
        seen.add(article)
    return (first + rest)[:count]


def is_repeated(terms: frozenset[str], kept: list[frozenset[str]]) -> bool:
    """Whether a sentence with these terms says again what one already kept says."""
    return any(_jaccard(terms, other) >= DUPLICATE_JACCARD for other in kept)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def header_cells(index: Index, uid: int) -> list[str] | None:
    """The column names of the table whose row is unit ``uid``: the cells of its header row.
    None when the unit is not a table row, or its table has no header row."""
    if index.unit(uid).kind is not UnitKind.ROW:
        return None
    other: int | None = uid
    for _ in range(TABLE_ROWS):
        other = index.neighbour(other, -1) if other is not None else None
        if other is None:
            return None
        unit = index.unit(other)
        if unit.kind is UnitKind.HEADER_ROW:
            return unit.text.split(CELL_SEPARATOR)
        if unit.kind is not UnitKind.ROW:
            return None
    return None


def _cells(row: str) -> list[tuple[int, int]]:
    """Where each cell of a table row's text lies."""
    spans, start = [], 0
    for cell in row.split(CELL_SEPARATOR):
        spans.append((start, start + len(cell)))
        start += len(cell) + len(CELL_SEPARATOR)
    return spans


def short_answer(query: Query, reading: Reading, sentence: str,
                 columns: list[str] | None = None) -> tuple[int, int] | None:
    """The stretch of the sentence that answers a who/when/how-many question: evidence of the
    asked kind that the question does not already name, nearest the question's weightiest
    words, a value with its range and unit. In a table row with ``columns`` (its header's
    cells), the cell under a column the question names answers first. None when nothing
    fits well: no pointer is better than a wrong one."""
    kind = query.question.answer_type
    if kind not in SPAN_TYPES or not reading.read:
        return None
    wanted = _SPAN_KINDS[kind]
    anchors = reading.content_anchors

    def is_new(e: Evidence) -> bool:
        return not any(s < e.end and e.start < t for s, t in anchors)

    def is_clear(e: Evidence) -> bool:
        text = sentence[e.start : e.end]
        if e.kind is AnswerType.QUOTE:
            return e.end - e.start > 12 and text[:1] in "“\"«"
        if e.kind is AnswerType.ENTITY:  # an uncued single capitalised word is too often not it
            return " " in text
        return True

    found = [e for e in reading.evidence if e.kind in wanted and is_new(e) and is_clear(e)]
    if not found:
        return None
    cells = _cells(sentence) if columns else []
    if columns and len(cells) == len(columns):
        # The column the question names first is what it asks for ("how much caffeine ... in a
        # serving"): the wh-phrase leads the question.
        named = []
        for place, term in enumerate(query.question.terms):
            forms = query.related.get(term.term, frozenset()) | {term.term}
            named += [(place, cell) for cell, name in zip(cells, columns) if not forms.isdisjoint(terms(name))]
        for _, (s, t) in sorted(named):
            under = [e for e in found if s <= e.start and e.end <= t]
            if under:
                found = under
                break
    placed = []  # (weight, character spans) of each question concept the sentence holds
    for concept in query.concepts:
        spans = [span for term in concept.terms for span in reading.term_spans.get(term, [])]
        if spans:
            placed.append((concept.weight, spans))
    # The noun the question asks for ("which newspaper") sits next to its answer ("the
    # Communist Party newspaper the People's Daily"): it outweighs every other word.
    focus = query.question.focus
    focus_terms = {t.term for t in query.question.terms if t.surface.lower() == focus}
    focus_spans = [span for term in focus_terms for span in reading.term_spans.get(term, [])]
    if focus_spans and placed:
        placed.append((FOCUS_PULL * max(w for w, _ in placed), focus_spans))

    total = sum(weight for weight, _ in placed)

    def distance(e: Evidence) -> float:
        # Words of no weight (a follow-up's carried context can be all the question holds)
        # place nothing: every candidate is as near as any other.
        if total <= 0:
            return 0.0
        return sum(
            weight * min(max(s - e.end, e.start - t, 0) for s, t in spans) for weight, spans in placed
        ) / total

    reach = VALUE_REACH if kind in VALUE_TYPES else APPOSITION_GAP
    appositions = [e for e in found if any(0 <= e.start - t <= reach for _, t in focus_spans)]
    best = min(appositions or found, key=lambda e: (distance(e), -(e.end - e.start), e.start))
    own = [span for term in query.own_terms() for span in reading.term_spans.get(term, [])]
    if not any(max(s - best.end, best.start - t, 0) <= SPAN_REACH for s, t in own):
        return None
    # A value answers with its range and unit ("25 to 30 seconds", "63 mg"), not a bare number.
    return value_extent(sentence, best, frozenset(t.term for t in query.question.terms))


def agreement(values: list[tuple[str, str]]) -> str | None:
    """'agree' when the short answers of different articles say the same, 'differ' when they
    do not; None when fewer than two articles give one (an article does not confirm itself).
    ``values`` holds (article id, short answer), best first."""
    by_article: dict[str, str] = {}
    for article, value in values:
        by_article.setdefault(article, value)
    if len(by_article) < 2:
        return None
    normal = {tuple(sorted(terms(v))) or (v.casefold(),) for v in by_article.values()}
    return "agree" if len(normal) == 1 else "differ"
