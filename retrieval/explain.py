"""Explain an answer: where the question's words were found, each feature's weight and part."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from verbatim.retrieval.models import ANSWERED, ConceptMatch, EvidenceSpan, Explanation, FeatureContribution, Found
from verbatim.retrieval.reader.abstention import Decision
from verbatim.retrieval.reader.evidence import find_evidence
from verbatim.retrieval.reader.fields import entry_at
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.ranker import LinearModel, Ranking

if TYPE_CHECKING:
    from verbatim.retrieval.engine import Engine


def _where(engine: Engine, uid: int, query: Query, terms: tuple[str, ...],
           synonyms: dict[str, frozenset[str]]) -> Found:
    index = engine.index
    own = index.term_set(uid)
    if any(t in own for t in terms):
        return Found.SENTENCE
    if any(not query.related[t].isdisjoint(own) for t in terms):
        return Found.RELATED_FORM
    if any(not synonyms.get(t, frozenset()).isdisjoint(own) for t in terms):
        return Found.SYNONYM
    entry = entry_at(index, uid)
    if entry is not None and any(not query.forms(t).isdisjoint(entry.terms) for t in terms):
        return Found.ENTRY
    for place, other in ((Found.PREVIOUS, index.neighbour(uid, -1)), (Found.NEXT, index.neighbour(uid, 1))):
        if other is not None and any(not query.forms(t).isdisjoint(index.term_set(other)) for t in terms):
            return place
    if any(not query.forms(t).isdisjoint(index.title_terms(uid)) for t in terms):
        return Found.TITLE
    if any(not query.forms(t).isdisjoint(index.article_terms(uid)) for t in terms):
        return Found.ARTICLE
    return Found.MISSING


def _parts(model: LinearModel, row: np.ndarray) -> list[FeatureContribution]:
    """Each feature's raw value, its standardised value, its weight and their product."""
    standardised = model.standardise(row)
    return [
        FeatureContribution(name=name, value=round(float(value), 3), standardised=round(float(z), 3),
                            weight=round(float(weight), 3), contribution=round(float(z * weight), 3))
        for name, value, z, weight in zip(model.features, row.tolist(), standardised.tolist(),
                                          model.weights.tolist())
    ]


def explain(engine: Engine, query: Query, ranking: Ranking, decision: Decision,
            interpreted_as: str | None, position: int = 0, listed_as: str | None = None) -> Explanation:
    """Why the sentence at ``position`` of the ranking (0, the best) is where it is: for the
    best, why it won and the decision; for another, ``listed_as`` says how it was listed."""
    index = engine.index
    question = query.question
    total = sum(c.weight for c in query.concepts) or 1.0
    best_uid = int(ranking.pool.uids[ranking.order[position]]) if len(ranking.order) > position else None
    surfaces = {c.terms: c.surface for c in question.concepts}
    # The synonyms the pool was measured with: WordNet's, and words near in meaning.
    synonyms = ranking.pool.terms.synonyms if ranking.pool.terms is not None else {}
    concepts = [
        ConceptMatch(
            text=surfaces.get(concept.terms, " ".join(concept.terms)),
            terms=list(concept.terms),
            weight=round(concept.weight / total, 3),
            found=_where(engine, best_uid, query, concept.terms, synonyms) if best_uid is not None else Found.MISSING,
            carried=concept.carried,
        )
        for concept in query.concepts
    ]
    evidence, features, bias, score, runner_up, abstention = [], [], 0.0, 0.0, None, []
    if best_uid is not None:
        text = index.unit(best_uid).text
        evidence = [EvidenceSpan(kind=e.kind.value, text=text[e.start:e.end]) for e in find_evidence(text)]
        row = ranking.order[position]
        read = ranking.was_read(row)
        model = ranking.model.read if read else ranking.model.retrieve
        columns = ranking.model.read_columns if read else ranking.model.retrieve_columns
        features = _parts(model, ranking.features(row)[columns])
        bias = round(model.bias, 3)
        score = round(float(ranking.scores[position]), 4)
        if position == 0:  # the chance of answering is judged of the best sentence alone
            abstention = _parts(ranking.model.abstain, ranking.abstain_row[ranking.model.abstain_columns])
        # The best sentence's runner-up; another sentence's, the best one, which it is measured against.
        other = 1 if position == 0 else 0
        if len(ranking.order) > other and other != position:
            runner_up = engine.passage(ranking.found_in(int(ranking.order[other])), query,
                                       float(ranking.scores[other]))
    return Explanation(
        interpreted_as=interpreted_as,
        wh=question.wh,
        answer_type=question.answer_type.value,
        focus=question.focus,
        concepts=concepts,
        evidence=evidence,
        features=features,
        bias=bias,
        score=score,
        runner_up=runner_up,
        probability=round(decision.probability, 4),
        threshold=engine.abstainer.threshold_for(ranking),
        abstention=abstention,
        abstention_bias=round(ranking.model.abstain.bias, 3) if abstention else 0.0,
        rank=position + 1,
        decision=listed_as or (ANSWERED if decision.answered else f"not answered: {decision.reason}"),
    )

