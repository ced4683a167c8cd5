"""Every source: the other sentences that answer, their short answers, and whether they agree."""

from __future__ import annotations

from retrieval.answer_types import SATISFIES, Evidence
from retrieval.confidence import MIN_COVERAGE, MIN_SCORE
from retrieval.index import SentenceIndex
from retrieval.question import VALUE_TYPES, AnswerType
from retrieval.selector import Query, Scored
from retrieval.tokens import terms

# A supporting sentence must itself read as an answer: score at least this share of the
# best answer's score, and repeat at least this share of what the best answer matched of
# the question (a sentence sharing only the question's lesser words says something else).
SUPPORT_SHARE = 0.75
SHARED_MATCH = 0.5
# A sentence that states a figure of the asked kind (a valuation, a count) answers even
# when it words the rest differently: these looser bars let the figures of every source in.
FIGURE_SUPPORT_SHARE = 0.65
FIGURE_SHARED_MATCH = 0.5

# How much more the asked-for noun counts than the heaviest question word when choosing the
# short answer among several candidates in a sentence.
FOCUS_PULL = 3.0
# A name right after the asked-for noun is its apposition, and the answer: "media outlet The
# Paper", "the Communist Party newspaper the People's Daily"; a value follows its noun a
# little further off: "its valuation to as much as 400 billion RMB".
APPOSITION_GAP = 6
VALUE_REACH = 30

# Question types whose answer is a short stretch worth pointing at inside the sentence.
SPAN_TYPES = frozenset(
    {AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.ENTITY, AnswerType.PLACE,
     AnswerType.AUTHOR, AnswerType.QUOTE}
) | VALUE_TYPES
_SPAN_KINDS = {**SATISFIES, AnswerType.AUTHOR: frozenset({AnswerType.PERSON, AnswerType.ENTITY})}


def shared_match(query: Query, best: Scored, other: Scored) -> float:
    """Share of the best answer's own matches (by weight) that ``other`` also has."""
    mine, theirs = set(best.matched), set(other.matched)
    total = shared = 0.0
    for concept in query.concepts:
        found = query.concept_match(concept, mine)
        total += concept.weight * found
        shared += concept.weight * min(found, query.concept_match(concept, theirs))
    return shared / total if total else 0.0


def supporting(index: SentenceIndex, query: Query, ranked: list[Scored], count: int) -> list[Scored]:
    """Further sentences that also answer, best first, sentences from other articles first."""
    if count <= 0 or not ranked:
        return []
    best = ranked[0]
    figures = query.question.answer_type in VALUE_TYPES and best.type_match > 0

    def answers_too(s: Scored) -> bool:
        if not s.detailed or s.coverage < MIN_COVERAGE and not (figures and s.type_match > 0):
            return False
        # When the answer holds what is asked (a name beside the question's words), a
        # supporting sentence must hold it as surely.
        if s.type_match < min(best.type_match, 0.0) or (best.type_match > 0 and s.type_match < best.type_match):
            return False
        if figures and s.type_match > 0:
            share, match = FIGURE_SUPPORT_SHARE, FIGURE_SHARED_MATCH
        else:
            share, match = SUPPORT_SHARE, SHARED_MATCH
        return s.score >= max(MIN_SCORE, best.score * share) and shared_match(query, best, s) >= match

    seen = {index.unit_article[best.uid]}
    first, rest = [], []
    for scored in filter(answers_too, ranked[1:]):
        article = index.unit_article[scored.uid]
        (rest if article in seen else first).append(scored)
        seen.add(article)
    return (first + rest)[:count]


def short_answer(query: Query, scored: Scored, sentence: str) -> tuple[int, int] | None:
    """The stretch of the sentence that answers a who/when/how-many question: evidence of the
    asked kind that the question does not already name, nearest the question's weightiest
    words. None when nothing fits well: no pointer is better than a wrong one."""
    kind = query.question.answer_type
    if kind not in SPAN_TYPES or not scored.detailed:
        return None
    wanted = _SPAN_KINDS[kind]
    anchors = scored.content_anchors

    def is_new(e: Evidence) -> bool:
        return not any(s < e.end and e.start < t for s, t in anchors)

    def is_clear(e: Evidence) -> bool:
        text = sentence[e.start : e.end]
        if e.kind is AnswerType.QUOTE:
            return e.end - e.start > 12 and text[:1] in "“\"«"
        if e.kind is AnswerType.ENTITY:  # an uncued single capitalised word is too often not it
            return " " in text
        return True

    found = [e for e in scored.evidence if e.kind in wanted and is_new(e) and is_clear(e)]
    if not found:
        return None
    placed = []  # (weight, character spans) of each question concept the sentence holds
    for concept in query.concepts:
        spans = [span for term in concept.terms for span in scored.term_spans.get(term, [])]
        if spans:
            placed.append((concept.weight, spans))
    # The noun the question asks for ("which newspaper") sits next to its answer ("the
    # Communist Party newspaper the People's Daily"): it outweighs every other word.
    focus = query.question.focus
    focus_terms = {t.term for t in query.question.terms if t.surface.lower() == focus}
    focus_spans = [span for term in focus_terms for span in scored.term_spans.get(term, [])]
    if focus_spans and placed:
        placed.append((FOCUS_PULL * max(w for w, _ in placed), focus_spans))

    def distance(e: Evidence) -> float:
        if not placed:
            return 0.0
        return sum(
            weight * min(max(s - e.end, e.start - t, 0) for s, t in spans) for weight, spans in placed
        ) / sum(weight for weight, _ in placed)

    reach = VALUE_REACH if kind in VALUE_TYPES else APPOSITION_GAP
    appositions = [e for e in found if any(0 <= e.start - t <= reach for _, t in focus_spans)]
    best = min(appositions or found, key=lambda e: (distance(e), -(e.end - e.start), e.start))
    return best.start, best.end


def agreement(values: list[str]) -> str | None:
    """'agree' when every source's short answer says the same, 'differ' when they do not."""
    if len(values) < 2:
        return None
    normal = {tuple(sorted(terms(v))) or (v.casefold(),) for v in values}
    return "agree" if len(normal) == 1 else "differ"
