"""Honest abstention: decide whether the best sentence answers, or the corpus does not say."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.index import SentenceIndex
from retrieval.selector import Query, Scored

# Calibrated on three question sets (the dev set, a second DeepSeek set and a set on the
# Python language reference; see tests/eval), at round values between the answerable and
# the unanswerable questions rather than at the edge of either.
#
# A name the corpus never uses ("Mona Lisa", "Elon Musk") that carries this share of the
# question's weight means the question is about something the corpus does not cover.
UNKNOWN_NAME_SHARE = 0.25
# The best sentence (with what its neighbours add) must carry this share of the question.
MIN_COVERAGE = 0.33
# ... and score this much overall, answer type and all.
MIN_SCORE = 0.42


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether to answer, and in words why not."""

    answered: bool
    reason: str | None = None


def _unknown(index: SentenceIndex, query: Query, term: str) -> bool:
    """A term neither the corpus nor its other forms use ("Japanese" is known by "Japan")."""
    return index.is_unknown(term) and not query.related.get(term)


def unknown_name_share(index: SentenceIndex, query: Query) -> float:
    """Share of the question's weight held by name parts the corpus never uses."""
    unknown = 0.0
    for concept in query.concepts:
        if not concept.proper:
            continue
        missing = sum(idf for term, idf in zip(concept.terms, concept.idfs) if _unknown(index, query, term))
        unknown += concept.weight * missing / sum(concept.idfs)
    return unknown / query.total


def decide(index: SentenceIndex, query: Query, best: Scored | None) -> Decision:
    """Answer only when the best sentence really matches the question's content."""
    if not query.concepts:
        return Decision(False, "the question has no words to search for")
    if unknown_name_share(index, query) >= UNKNOWN_NAME_SHARE:
        missing = [
            concept.surface
            for concept in query.question.concepts
            if concept.proper and any(_unknown(index, query, t) for t in concept.terms)
        ]
        return Decision(False, f"the corpus never mentions {', '.join(dict.fromkeys(missing))}")
    if best is None:
        return Decision(False, "nothing in the corpus matches the question's words")
    if best.coverage < MIN_COVERAGE or best.score < MIN_SCORE:
        return Decision(False, "no sentence matches enough of the question")
    return Decision(True)
