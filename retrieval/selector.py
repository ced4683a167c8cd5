"""The answer selector: rank retrieved sentences by how well they answer the question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus import UnitKind
from retrieval.answer_types import (
    SATISFIES,
    Evidence,
    defines,
    elaborates,
    find_evidence,
    is_attributed,
    is_byline,
)
from retrieval.index import SentenceIndex
from retrieval.question import FOCUS_NOUNS, VALUE_TYPES, AnswerType, Question
from retrieval.tokens import WORD, Token, sentence_tokens

# How many units BM25 hands the selector; around how many of them it also looks at the
# neighbours (an answer often sits next to the sentence that repeats the question); how
# many are read with their surroundings; and how many get the full, slowest reading.
POOL = 200
NEIGHBOUR_POOL = 15
CONTEXT_POOL = 60
DETAIL_POOL = 30

# A term found only in another form ("founder" for "founded") counts this much; a word the
# question writes in lower case found only inside a name ("people" in "People's Daily")
# counts this much; one part of a multi-word name, when the article has the whole name
# ("Li" for "Li Qiang"), counts this much.
RELATED_MATCH = 0.6
NAME_CASE_MATCH = 0.5
NAME_PART_MATCH = 0.8
# Names are the surest anchors a question has; its other parts of a multi-word name add
# this share of their weight to the strongest part.
PROPER_BOOST = 1.3
NAME_TAIL_SHARE = 0.3

# Secondary evidence: a question term found near the sentence rather than in it.
CONTEXT_WEIGHTS = {"previous": 0.5, "next": 0.3, "heading": 0.4, "title": 0.3, "source": 0.5}
# A headline, byline or dateline speaks for the whole article: its title, metadata and
# the other masthead lines are its context almost as if they were its own words.
MASTHEAD_PARAGRAPHS = 3
MASTHEAD_CONTEXT = 0.9
# A sentence that opens by pointing back ("It terminates ...", "Such companies ...") is
# about what the previous sentence named: it inherits that sentence's matches, a little
# discounted, as if they were its own; less so when it shares no word with the question
# itself, so that it does not outrank the sentence it leans on for free.
ANAPHORIC_PREVIOUS = 0.9
ANAPHORIC_PREVIOUS_ALONE = 0.6
_ANAPHORIC_OPENING = re.compile(
    r"^[\"“'‘(]*(?:this|these|that|those|such|it|its|they|their|them|he|his|she|her|both|"
    r"afterwards|then|there|the latter|the former)\b",
    re.IGNORECASE,
)
# The answer types whose reading needs the sentence's typed stretches (amounts, names, quotes).
EVIDENCE_TYPES = frozenset(SATISFIES) | {AnswerType.QUOTE, AnswerType.AUTHOR}
PRIORS = {
    UnitKind.TEXT: 0.0,
    UnitKind.HEADING: -0.20,
    UnitKind.BOILERPLATE: -0.35,
    UnitKind.CODE: -0.10,
}
WEIGHTS = {
    "coverage": 0.50,
    "own": 0.20,
    "bm25": 0.10,
    "proximity": 0.05,
    "order": 0.04,
    "phrase": 0.04,
    "title": 0.12,
}
# How much the answer type counts, by type: values are easy to see and decisive, names
# and places less reliable to spot without a tagger.
TYPE_WEIGHTS = {
    AnswerType.DATE: 0.20, AnswerType.NUMBER: 0.20, AnswerType.COUNT: 0.20, AnswerType.MONEY: 0.20,
    AnswerType.PERCENT: 0.20, AnswerType.AGE: 0.20, AnswerType.AUTHOR: 0.20,
    AnswerType.QUOTE: 0.20, AnswerType.REASON: 0.20, AnswerType.DEFINITION: 0.12,
    AnswerType.PERSON: 0.08, AnswerType.ORGANIZATION: 0.08, AnswerType.ENTITY: 0.08,
    AnswerType.PLACE: 0.08, AnswerType.OTHER: 0.06, AnswerType.MANNER: 0.08,
    AnswerType.YESNO: 0.0,
}
# A name of the asked kind within this many characters of a question word stands beside it.
NAME_BESIDE = 3
NAME_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.ENTITY})
# ... or as the agent of a question word: "founded by 40-year-old Liang Wenfeng".
_AGENT = re.compile(r"^\s+by\s+(?:\S+\s+){0,2}$")

# An answer says something the question does not: a sentence made almost only of the
# question's own words restates it. Below this share of new words the penalty grows.
NOVELTY_FLOOR = 0.34
NOVELTY_PENALTY = 0.15
# Sentences this alike are one sentence said twice (a repeated lead, a copied section).
DUPLICATE_JACCARD = 0.9


@dataclass(slots=True)
class WeightedConcept:
    """A question concept with the IDF of each of its terms and its weight in coverage."""

    terms: tuple[str, ...]
    idfs: tuple[float, ...]
    weight: float
    proper: bool
    carried: bool = False

    @property
    def idf_total(self) -> float:
        return sum(self.idfs)


@dataclass(slots=True)
class Query:
    """The question's concepts, weighted, and other forms of each of its terms."""

    question: Question
    concepts: list[WeightedConcept]
    related: dict[str, set[str]]
    total: float
    lower_case_terms: frozenset[str]

    @classmethod
    def of(cls, index: SentenceIndex, question: Question) -> Query:
        concepts = []
        for concept in question.concepts:
            idfs = tuple(index.idf(t) for t in concept.terms)
            strongest = max(idfs)
            weight = concept.weight * (strongest + NAME_TAIL_SHARE * (sum(idfs) - strongest))
            if concept.proper:
                weight *= PROPER_BOOST
            concepts.append(WeightedConcept(concept.terms, idfs, weight, concept.proper, concept.carried))
        own = sum(c.weight for c in concepts if not c.carried)
        carried = sum(c.weight for c in concepts if c.carried)
        cap = question.carry_share * own
        if carried > cap:  # the past informs a follow-up; it must not outvote it
            scale = cap / carried
            for c in concepts:
                if c.carried:
                    c.weight *= scale
        terms = {t for c in concepts for t in c.terms}
        related = {term: set(index.related(term)) for term in terms}
        lower = frozenset(t.term for t in question.terms if not t.proper and t.kind == WORD)
        return cls(question, concepts, related, sum(c.weight for c in concepts) or 1.0, lower)

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(t for c in self.concepts for t in c.terms))

    def forms(self, term: str) -> set[str]:
        return {term} | self.related[term]

    def match(self, term: str, present: set[str], weak: frozenset[str] = frozenset()) -> float:
        if term in present:
            return NAME_CASE_MATCH if term in weak else 1.0
        related = self.related[term]
        if related and not related.isdisjoint(present):
            return RELATED_MATCH
        return 0.0

    def concept_match(self, concept: WeightedConcept, present: set[str],
                      weak: frozenset[str] = frozenset()) -> float:
        """Share of the concept (its terms weighted by IDF) found in ``present``. Called for
        every candidate and every place around it: kept to plain loops."""
        terms = concept.terms
        if len(terms) == 1:
            return self.match(terms[0], present, weak)
        found = 0.0
        for term, weight in zip(terms, concept.idfs):
            found += weight * self.match(term, present, weak)
        return found / concept.idf_total


@dataclass(slots=True)
class Scored:
    """A candidate sentence and every part of its score, for ranking and explaining."""

    uid: int
    bm25: float = 0.0
    own: float = 0.0
    context: float = 0.0
    proximity: float = 0.0
    order: float = 0.0
    phrase: float = 0.0
    novelty: float = 1.0
    title: float = -1.0  # share of the question in the article's title; -1 until measured
    type_match: float = 0.0
    prior: float = 0.0
    score: float = 0.0
    detailed: bool = False
    masthead: bool = False  # a headline, byline or dateline at the top of its article
    matched: dict[str, float] = field(default_factory=dict)
    context_matched: dict[str, str] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    anchors: list[tuple[int, int]] = field(default_factory=list)
    content_anchors: list[tuple[int, int]] = field(default_factory=list)
    term_spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        return self.own + self.context


def _min_window(positions: dict[str, list[int]]) -> int:
    """Length of the shortest stretch of tokens holding every matched term once."""
    events = sorted((p, term) for term, ps in positions.items() for p in ps)
    need = len(positions)
    counts: dict[str, int] = {}
    best = events[-1][0] - events[0][0] + 1
    left = 0
    for pos, term in events:
        counts[term] = counts.get(term, 0) + 1
        while len(counts) == need:
            best = min(best, pos - events[left][0] + 1)
            left_term = events[left][1]
            counts[left_term] -= 1
            if not counts[left_term]:
                del counts[left_term]
            left += 1
    return best


def _is_anaphoric(index: SentenceIndex, uid: int) -> bool:
    return index.remembered("anaphoric", uid, _opens_by_pointing_back)


def _opens_by_pointing_back(index: SentenceIndex, uid: int) -> bool:
    unit = index.unit(uid)
    return (
        unit.kind is UnitKind.TEXT
        and index.neighbour(uid, -1) is not None
        and bool(_ANAPHORIC_OPENING.match(unit.text))
    )


def _contexts(index: SentenceIndex, uid: int) -> list[tuple[str, float, set[str]]]:
    unit = index.unit(uid)
    if unit.kind is UnitKind.HEADING and unit.paragraph <= MASTHEAD_PARAGRAPHS:
        return [
            ("masthead", MASTHEAD_CONTEXT, index.masthead_terms(uid)),
            ("title", MASTHEAD_CONTEXT, index.title_terms(uid)),
            ("source", MASTHEAD_CONTEXT, index.meta_terms(uid)),
        ]
    contexts = []
    previous = index.neighbour(uid, -1)
    if previous is not None and not _is_anaphoric(index, uid):
        contexts.append(("previous", CONTEXT_WEIGHTS["previous"], index.term_set(previous)))
    following = index.neighbour(uid, 1)
    if following is not None:
        contexts.append(("next", CONTEXT_WEIGHTS["next"], index.term_set(following)))
    heading = index.heading_of[uid]
    if heading >= 0:
        contexts.append(("heading", CONTEXT_WEIGHTS["heading"], index.term_set(heading)))
    contexts.append(("title", CONTEXT_WEIGHTS["title"], index.title_terms(uid)))
    contexts.append(("source", CONTEXT_WEIGHTS["source"], index.meta_terms(uid)))
    return contexts


def _coverage(index: SentenceIndex, query: Query, scored: Scored, present: set[str],
              weak: frozenset[str], with_context: bool = True) -> None:
    """Fill own and context coverage: how much of the question's weight the sentence
    carries itself, and how much more its surroundings add."""
    scored.own = scored.context = 0.0
    scored.matched.clear()
    scored.context_matched.clear()
    contexts = None
    title_terms = index.title_terms(scored.uid) if scored.title < 0 else None
    if title_terms is not None:
        scored.title = 0.0
    referent = None
    if _is_anaphoric(index, scored.uid):
        referent = index.term_set(index.neighbour(scored.uid, -1))
        shares = any(query.match(t, present) for c in query.concepts for t in c.terms)
        inherit = ANAPHORIC_PREVIOUS if shares else ANAPHORIC_PREVIOUS_ALONE
    for concept in query.concepts:
        if title_terms is not None:
            scored.title += concept.weight * query.concept_match(concept, title_terms)
        own = query.concept_match(concept, present, weak)
        if referent is not None and own < 1.0:
            inherited = inherit * query.concept_match(concept, referent)
            if inherited > own:
                own = inherited
                for term in concept.terms:
                    scored.context_matched.setdefault(term, "previous (it refers back)")
        if concept.proper and len(concept.terms) > 1 and 0 < own < NAME_PART_MATCH:
            if any(t in present for t in concept.terms) and set(concept.terms) <= index.article_terms(scored.uid):
                own = NAME_PART_MATCH
        for term in concept.terms:
            strength = query.match(term, present, weak)
            if strength:
                scored.matched[term] = strength
        gain = 0.0
        if own < 1.0 and with_context:
            contexts = contexts if contexts is not None else _contexts(index, scored.uid)
            for name, weight, terms_near in contexts:
                found = weight * query.concept_match(concept, terms_near)
                if found - own > gain:
                    gain = found - own
                    for term in concept.terms:
                        scored.context_matched.setdefault(term, name)
        scored.own += concept.weight * own
        scored.context += concept.weight * gain
    scored.own /= query.total
    scored.context /= query.total
    if title_terms is not None:
        scored.title /= query.total


def _weak_terms(query: Query, unit_tokens: list[Token], text: str) -> frozenset[str]:
    """Lower-case question words that the sentence has only inside names."""
    opening = next((t.start for t in unit_tokens), 0)
    seen: dict[str, bool] = {}
    for tok in unit_tokens:
        if tok.term in query.lower_case_terms:
            surface = text[tok.start : tok.end].lstrip("\"“`")
            in_name = surface[:1].isupper() and tok.start != opening
            seen[tok.term] = seen.get(tok.term, True) and in_name
    return frozenset(term for term, only_names in seen.items() if only_names)


def _type_match(query: Query, text: str, scored: Scored, focus_spans: list[tuple[int, int]]) -> float:
    """From -1 to +1: does the sentence hold the kind of thing the question asks for,
    beyond what the question already names?"""
    question = query.question
    kind = question.answer_type
    anchors = scored.content_anchors

    def is_new(e: Evidence) -> bool:  # words that only say what kind is asked do not count
        return not any(s < e.end and e.start < t for s, t in anchors)

    evidence = scored.evidence
    if kind is AnswerType.QUOTE:
        attribution = is_attributed(text, evidence, scored.content_anchors)
        if attribution:
            return attribution
        return -0.5 if any(e.kind is AnswerType.QUOTE for e in evidence) else -1.0
    if kind is AnswerType.AUTHOR:
        return 1.0 if is_byline(text) else -0.5
    if kind is AnswerType.DEFINITION:
        return 1.0 if defines(text, scored.content_anchors) else -0.3
    if kind is AnswerType.OTHER:
        return 1.0 if focus_spans and elaborates(text, focus_spans) else 0.0
    wanted = SATISFIES.get(kind)
    if not wanted:
        return 0.0
    found = [e for e in evidence if e.kind in wanted and is_new(e)]
    if found:
        # A name set right beside a word of the question ("its founder, Liang Wenfeng")
        # is its answer more surely than one elsewhere in the sentence.
        beside = any(
            0 <= e.start - t <= NAME_BESIDE or 0 <= s - e.end <= NAME_BESIDE
            or (0 <= e.start - t and _AGENT.match(text[t : e.start]))
            for e in found for s, t in anchors
        )
        return 1.5 if beside and kind in NAME_TYPES else 1.0
    if kind in VALUE_TYPES:
        return -1.0
    return -1.0 if kind is AnswerType.REASON else 0.0


def _detail(index: SentenceIndex, query: Query, scored: Scored) -> None:
    """The slower reading of a candidate: positions, case, order, novelty, answer type."""
    unit = index.unit(scored.uid)
    text = unit.text
    unit_tokens = sentence_tokens(text)
    present = {t.term for t in unit_tokens}
    weak = _weak_terms(query, unit_tokens, text) if unit.kind is UnitKind.TEXT else frozenset()
    if weak:
        _coverage(index, query, scored, present, weak)
    question_terms = query.terms
    form_of = {form: term for term in question_terms for form in query.forms(term)}
    content = {t.term for t in query.question.terms if t.weight >= 1.0}
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(unit_tokens):
        term = form_of.get(tok.term)
        if term is not None:
            positions.setdefault(term, []).append(i)
            scored.anchors.append((tok.start, tok.end))
            scored.term_spans.setdefault(term, []).append((tok.start, tok.end))
            if term in content:
                scored.content_anchors.append((tok.start, tok.end))
    for term, source in scored.context_matched.items():
        if source.startswith("previous (") and term not in positions:
            positions[term] = [0]  # the opening "It", "Such companies" stands for it
    if len(positions) >= 2:
        scored.proximity = min(1.0, len(positions) / _min_window(positions))
        firsts = [positions[t][0] for t in question_terms if t in positions]
        pairs = [(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1 :]]
        scored.order = sum(1 for a, b in pairs if a <= b) / len(pairs)
    ordered = [t.term for t in query.question.terms]
    question_pairs = set(zip(ordered, ordered[1:]))
    if question_pairs:
        sequence = [form_of.get(t.term, t.term) for t in unit_tokens]
        scored.phrase = len(question_pairs & set(zip(sequence, sequence[1:]))) / len(question_pairs)
    if unit_tokens:  # measured against the question's own words, not words carried along
        own = {form for c in query.concepts if not c.carried for t in c.terms for form in query.forms(t)}
        scored.novelty = sum(1 for t in unit_tokens if t.term not in own) / len(unit_tokens)
    focus = query.question.focus
    focus_spans = []
    if focus and focus not in FOCUS_NOUNS:
        focus_terms = {t.term for t in query.question.terms if t.surface.lower() == focus}
        focus_spans = [(t.start, t.end) for t in unit_tokens if t.term in focus_terms]
    # Typed stretches are the slowest part of the reading; only some questions look at them.
    if query.question.answer_type in EVIDENCE_TYPES:
        scored.evidence = find_evidence(text)
    scored.type_match = _type_match(query, text, scored, focus_spans)
    scored.detailed = True


def combine(scored: Scored, best_bm25: float, question: Question) -> float:
    # A byline or dateline holding what is asked is an answer like any sentence.
    prior = 0.0 if scored.masthead and scored.type_match > 0 else scored.prior
    score = (
        WEIGHTS["coverage"] * scored.coverage
        + WEIGHTS["own"] * scored.own
        + WEIGHTS["bm25"] * (scored.bm25 / best_bm25 if best_bm25 > 0 else 0.0)
        + WEIGHTS["proximity"] * scored.proximity
        + WEIGHTS["order"] * scored.order
        + WEIGHTS["phrase"] * scored.phrase
        + WEIGHTS["title"] * scored.title
        + TYPE_WEIGHTS.get(question.answer_type, 0.0) * scored.type_match
        + prior
    )
    if question.answer_type is not AnswerType.YESNO and scored.novelty < NOVELTY_FLOOR:
        score -= NOVELTY_PENALTY * (NOVELTY_FLOOR - scored.novelty) / NOVELTY_FLOOR
    return score


def candidates(index: SentenceIndex, query: Query) -> dict[int, float]:
    """Unit ids to consider, with their BM25 scores for the question's own words: the best
    by BM25, their neighbours, and, for a follow-up, the best by the words it carries."""
    own = [t for c in query.concepts if not c.carried for t in c.terms]
    search = own + [form for t in own for form in sorted(query.related[t])]
    ranked = index.top(search, POOL)
    pool = dict(ranked)
    carried = [t for c in query.concepts if c.carried for t in c.terms]
    if carried:
        extra = [uid for uid, _ in index.top(search + carried, POOL // 2) if uid not in pool]
        pool.update(zip(extra, index.scores_of(search, extra)))
    for uid, _ in ranked[:NEIGHBOUR_POOL]:
        for step in (-1, 1):
            other = index.neighbour(uid, step)
            if other is not None and other not in pool:
                pool[other] = 0.0
    return pool


def rank(index: SentenceIndex, query: Query, exclude: frozenset[int] = frozenset()) -> list[Scored]:
    """Candidate sentences for the question, best answer first; ``exclude`` holds unit ids
    that may not be chosen (answers already given, for "what else")."""
    question = query.question
    if not query.concepts:
        return []
    pool = {uid: bm25 for uid, bm25 in candidates(index, query).items() if uid not in exclude}
    best_bm25 = max(pool.values(), default=0.0)
    scored = []
    for uid, bm25 in pool.items():
        if _is_anaphoric(index, uid):
            bm25 = max(bm25, ANAPHORIC_PREVIOUS * pool.get(index.neighbour(uid, -1), 0.0))
        unit = index.unit(uid)
        candidate = Scored(uid=uid, bm25=bm25, prior=PRIORS[unit.kind],
                           masthead=unit.kind is UnitKind.HEADING and unit.paragraph <= MASTHEAD_PARAGRAPHS)
        _coverage(index, query, candidate, index.term_set(uid), frozenset(), with_context=False)
        candidate.score = combine(candidate, best_bm25, question)
        scored.append(candidate)
    scored.sort(key=lambda s: (-s.score, s.uid))
    # The sentence's surroundings are read for the most promising candidates only, and for
    # the neighbours pulled in because an answer often sits beside the matching sentence.
    for candidate in [s for i, s in enumerate(scored) if i < CONTEXT_POOL or pool[s.uid] == 0.0]:
        _coverage(index, query, candidate, index.term_set(candidate.uid), frozenset())
        candidate.score = combine(candidate, best_bm25, question)
    scored.sort(key=lambda s: (-s.score, s.uid))
    for candidate in scored[:DETAIL_POOL]:
        _detail(index, query, candidate)
        candidate.score = combine(candidate, best_bm25, question)
    head = sorted(scored[:DETAIL_POOL], key=lambda s: (-s.score, s.uid))
    return _distinct(index, head) + scored[DETAIL_POOL:]


def _distinct(index: SentenceIndex, ranked: list[Scored]) -> list[Scored]:
    """Drop sentences that repeat a better-ranked one (a repeated lead, a copied page)."""
    kept: list[tuple[Scored, set[str]]] = []
    for candidate in ranked:
        terms = index.term_set(candidate.uid)
        if not any(_jaccard(terms, other) >= DUPLICATE_JACCARD for _, other in kept):
            kept.append((candidate, terms))
    return [candidate for candidate, _ in kept]


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
