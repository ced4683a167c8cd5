"""Honest abstention: answer when the learned probability that the corpus answers clears the threshold, else say why not."""

from __future__ import annotations

from dataclasses import dataclass

from verbatim.retrieval.index.protocol import Index
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.ranker import ABSTAIN_FEATURES, Ranking

# The share of the question's content, by IDF, that words the corpus never uses must hold
# before the refusal names them: below it, the words are a detail, not why it failed.
NAMED_UNKNOWN_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether to answer, the probability it rests on, and in words why not."""

    answered: bool
    probability: float = 0.0
    reason: str | None = None


def unknown_names(index: Index, query: Query) -> list[str]:
    """The question's own words, as written, that neither the corpus nor their other forms use."""
    return list(dict.fromkeys(
        analysed.surface
        for concept, analysed in zip(query.concepts, query.question.concepts)
        if not concept.carried and any(index.is_unknown(t) and not query.related.get(t) for t in concept.terms)
    ))


@dataclass(frozen=True, slots=True)
class Abstainer:
    """The abstention stage: the reader model's probability that the best sentence answers
    (its abstain part, learned by training/train.py) against the least probability answered:
    ``threshold`` when the configuration sets one, else the threshold of the model that read
    the question (each kind of text has its own, chosen on its validation sets by
    training/threshold.py)."""

    threshold: float | None = None  # set by the user; None: each reading model's own

    def threshold_for(self, ranking: Ranking) -> float:
        """The least probability answered for a question read as ``ranking``."""
        return least_answered(ranking, self.threshold)

    def decide(self, index: Index, query: Query, ranking: Ranking) -> Decision:
        return decide(index, query, ranking, self.threshold)


def least_answered(ranking: Ranking, set_threshold: float | None) -> float:
    """The threshold set by the user, else that of the model that read the question."""
    return ranking.model.answering_threshold() if set_threshold is None else set_threshold


def decide(index: Index, query: Query, ranking: Ranking, set_threshold: float | None = None) -> Decision:
    """Answer only when the best sentence is likely enough to answer the question. Under a
    threshold set by the user other than the reading model's, a refusal that names no
    unknown word says the probability was below that threshold, with both numbers."""
    threshold = least_answered(ranking, set_threshold)
    if not query.concepts:
        return Decision(False, 0.0, "the question has no words to search for")
    if not len(ranking.order):
        return Decision(False, 0.0, "nothing in the corpus matches the question's words")
    probability = ranking.probability
    if probability >= threshold:
        return Decision(True, probability)
    missing = unknown_names(index, query)
    share = float(ranking.abstain_row[ABSTAIN_FEATURES.index("unknown_share")])
    if missing and share >= NAMED_UNKNOWN_SHARE:
        return Decision(False, probability, f"the corpus never mentions {', '.join(missing)}")
    if set_threshold is not None and set_threshold != ranking.model.answering_threshold():
        shown, least = _below(probability, threshold)
        return Decision(False, probability, f"the probability that the corpus answers, {shown}, is below "
                                            f"the threshold set, {least}")
    return Decision(False, probability, "no sentence matches enough of the question")


def _below(probability: float, threshold: float) -> tuple[str, str]:
    """The probability and the threshold it fell below, written so that the one reads below
    the other: the threshold as set (0.999), the probability to as many places as that takes."""
    least = f"{threshold:g}"
    places = max(2, len(least.partition(".")[2]))
    shown = f"{probability:.{places}f}"
    while float(shown) >= threshold and places < 8:
        places += 1
        shown = f"{probability:.{places}f}"
    return shown, least
