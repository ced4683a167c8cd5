"""Explain an answer: which words matched where, what kind of answer was found, the scores."""

from __future__ import annotations

from retrieval import confidence
from retrieval.answer_types import find_evidence
from retrieval.confidence import Decision, unknown_name_share
from retrieval.index import SentenceIndex
from retrieval.models import ConceptMatch, EvidenceSpan, Explanation, Passage
from retrieval.selector import RELATED_MATCH, Query, Scored


def _where(query: Query, scored: Scored, terms: tuple[str, ...]) -> str:
    strengths = [scored.matched.get(t, 0.0) for t in terms]
    if any(s >= 1.0 for s in strengths):
        return "sentence"
    if any(s >= RELATED_MATCH for s in strengths):
        return "related form in the sentence"
    if any(s > 0 for s in strengths):
        return "sentence, inside a name"
    places = [scored.context_matched[t] for t in terms if t in scored.context_matched]
    return places[0] if places else "missing"


def explain(index: SentenceIndex, query: Query, best: Scored | None, runner_up: Passage | None,
            decision: Decision, interpreted_as: str | None) -> Explanation:
    question = query.question
    total = query.total
    concepts = []
    surfaces = {c.terms: c.surface for c in question.concepts}
    for concept in query.concepts:
        concepts.append(ConceptMatch(
            text=surfaces.get(concept.terms, " ".join(concept.terms)),
            terms=list(concept.terms),
            weight=round(concept.weight / total, 3),
            found=_where(query, best, concept.terms) if best else "missing",
            carried=concept.carried,
        ))
    evidence, features, score = [], {}, 0.0
    if best is not None:
        text = index.unit(best.uid).text
        evidence = [EvidenceSpan(kind=e.kind.value, text=text[e.start:e.end]) for e in find_evidence(text)]
        features = {
            "coverage": best.coverage, "own": best.own, "context": best.context,
            "bm25": best.bm25, "proximity": best.proximity, "order": best.order,
            "phrase": best.phrase, "title": best.title, "answer_type": best.type_match,
            "novelty": best.novelty, "prior": best.prior,
        }
        features = {k: round(v, 3) for k, v in features.items()}
        score = round(best.score, 4)
    return Explanation(
        interpreted_as=interpreted_as,
        wh=question.wh,
        answer_type=question.answer_type.value,
        focus=question.focus,
        concepts=concepts,
        evidence=evidence,
        features=features,
        score=score,
        runner_up=runner_up,
        decision="answered" if decision.answered else f"not answered: {decision.reason}",
        thresholds={
            "min_coverage": confidence.MIN_COVERAGE,
            "min_score": confidence.MIN_SCORE,
            "unknown_name_share": confidence.UNKNOWN_NAME_SHARE,
            "question_unknown_name_share": round(unknown_name_share(index, query), 3),
        },
    )
