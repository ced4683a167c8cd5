"""Features of candidate sentences: every measurement the ranker and the abstainer learn from."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from verbatim.corpus import UnitKind
from verbatim.corpus.segment import MASTHEAD_PARAGRAPHS
from verbatim.retrieval.index.terms import WORD, sentence_tokens, word_term
from verbatim.retrieval.index.terms import terms as text_terms
from verbatim.retrieval.reader.evidence import EVIDENCE_TYPES, Evidence, find_evidence, type_match
from verbatim.retrieval.reader.fields import FIELD_FEATURES, Entry, entry_at, field_features, signature_name
from verbatim.retrieval.reader.query import Query, documents_named
from verbatim.retrieval.reader.question import AnswerType
from verbatim.retrieval.words import english
from verbatim.retrieval.words.meaning import word_vectors

if TYPE_CHECKING:
    from verbatim.retrieval.index.protocol import Index
    from verbatim.retrieval.index.sentence_index import SentenceIndex

# How many of the pool get the slow reading (the best by the retrieve stage's score).
READ_POOL = 30

# Questions that ask what a term is or does ("What does DHOME do?", "What is PASS_MAX_DAYS?"),
# which its definition answers; a question of how or why is answered by prose.
ASKS_ABOUT_A_TERM = frozenset({AnswerType.OTHER, AnswerType.DEFINITION})

# The share of the question's topic (by IDF, the name of a document it names aside) its
# defined term must carry for the question to ask about the term itself: "What does DIR_MODE
# do?" asks about DIR_MODE, "What is the longest user name adduser takes?" about names,
# though adduser's page defines adduser.
TERM_ASKED_SHARE = 0.5

VALUE_ANSWERS = frozenset({AnswerType.DATE, AnswerType.NUMBER, AnswerType.COUNT, AnswerType.MONEY,
                           AnswerType.PERCENT, AnswerType.AGE})
NAME_ANSWERS = frozenset({AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.ENTITY, AnswerType.PLACE})

# Each kind of answer gets its own weight for "the sentence holds one": values and names are
# grouped, as their evidence is read alike.
_ANSWER_FEATURES = {AnswerType.REASON: "answer_reason", AnswerType.QUOTE: "answer_quote",
                    AnswerType.AUTHOR: "answer_author", AnswerType.DEFINITION: "answer_definition",
                    AnswerType.MANNER: "answer_manner"}


def answer_feature(kind: AnswerType) -> str:
    """The feature that says whether a sentence holds an answer of this kind."""
    if kind in VALUE_ANSWERS:
        return "answer_value"
    if kind in NAME_ANSWERS:
        return "answer_name"
    return _ANSWER_FEATURES.get(kind, "answer_other")


# Cheap features, measured for every candidate of the pool.
RETRIEVE_FEATURES = (
    "bm25_relative", "bm25_absolute", "paragraph_bm25", "article_bm25",
    "coverage_sentence", "coverage_forms", "coverage_synonyms", "coverage_specific",
    "coverage_paragraph", "coverage_article", "article_specific", "behind_paragraph_best", "behind_paragraph_bm25",
    "coverage_title", "answer_words", "neighbour_only",
    "kind_heading", "kind_boilerplate", "kind_code", "kind_header_row",
    *FIELD_FEATURES,  # the unit's place in its document's structure (fields.py)
    # Not weighed: what BM25F's fields add to the unit's BM25 (gather in retriever.py adds
    # them): the name of a document the question names, a definition's term, and that term
    # for the definition's later sentences.
    "named_field", "term_field", "entry_term_field",
)
# Features of the slower reading, for the best of the pool only.
READ_FEATURES = (
    "coverage_previous", "coverage_next", "coverage_heading", "refers_back",
    "proximity", "order", "phrase", "novelty", "log_length", "paragraph_opening", "masthead",
    "answer_value", "answer_name", "answer_reason", "answer_quote", "answer_author", "answer_definition",
    "answer_manner", "answer_other",
    "new_number", "new_name", "new_number_for_value", "new_name_for_name", "rarest_in_sentence",
    # Not weighed: what the unit is (may_answer in ranker.py reads it), like the kinds above.
    "asks_the_question", "numbering_label", "says_nothing_new", "only_names",
)
FEATURES = RETRIEVE_FEATURES + READ_FEATURES
COLUMN = {name: i for i, name in enumerate(FEATURES)}
# The cheap features a candidate has whichever others are chosen, measured by the index that
# holds it once the pool is chosen (the rest are set as the pool is chosen, or compare it
# with the others of its paragraph).
UNIT_FEATURES = (
    "coverage_sentence", "coverage_forms", "coverage_synonyms", "coverage_specific",
    "coverage_paragraph", "coverage_article", "article_specific", "coverage_title", "answer_words",
    "kind_heading", "kind_boilerplate", "kind_code", "kind_header_row",
    *FIELD_FEATURES, "named_field", "term_field", "entry_term_field",
)
UNIT_COLUMNS = np.array([COLUMN[name] for name in UNIT_FEATURES], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """The question's terms with their weights, split by what part they play."""

    content: tuple[str, ...]  # the topic: what a sentence must share with the question
    answer: tuple[str, ...]  # words that name the kind of answer ("year", "percentage", "said")
    carried: tuple[str, ...]  # from the previous turn of a conversation (also in ``content``)
    forms: dict[str, frozenset[str]]  # each term and its other forms in the corpus
    synonyms: dict[str, frozenset[str]]  # each content term with its forms, synonyms and derivations
    # Each content term's weight: its IDF, and how rare its word is in general English (plain
    # floats: the shares below run for every candidate, where NumPy scalars cost more).
    idf_weights: tuple[float, ...]
    specific_weights: tuple[float, ...]
    # Their sums, kept because every share divides by them.
    content_total: float
    specific_total: float
    named: tuple[str, ...] = ()  # Query.named: the name the question places itself in
    defines: bool = False  # the question asks what a term is or does (ASKS_ABOUT_A_TERM)
    surfaces: tuple[str, ...] = ()  # each content term as the question wrote it, lower case ("" if carried)

    @classmethod
    def of(cls, index: Index, query: Query) -> QueryTerms:
        question = query.question
        answer_words = {t.term for t in question.terms if t.weight < 1.0}
        # A follow-up's words carried from the previous turn are part of its topic, at the
        # share of the question the conversation gave them.
        weight_of: dict[str, float] = {}
        carried = []
        for concept in query.concepts:
            for term, idf in zip(concept.terms, concept.idfs):
                if concept.carried:
                    carried.append(term)
                    share = concept.weight / max(concept.idfs) if max(concept.idfs) > 0 else 0.0
                    weight_of.setdefault(term, idf * share)
                elif term not in answer_words:
                    weight_of[term] = idf
        content = list(weight_of)
        carried = list(dict.fromkeys(carried))
        answer = [t for t in dict.fromkeys(answer_words) if t not in weight_of]
        forms = {t: frozenset({t} | query.related.get(t, set())) for t in content + answer}
        surface: dict[str, str] = {}
        for t in question.terms:
            surface.setdefault(t.term, t.surface.strip("\"“”`'’").lower())
        synonyms = {t: forms[t] | _synonym_terms(surface.get(t, t)) for t in content}
        idf_weights = tuple(float(weight_of[t]) for t in content)
        # A carried word's rarity counts at the same share of the question as its IDF.
        specific_weights = tuple(specificity_of(surface.get(t, t)) * (w / idf if (idf := index.idf(t)) > 0 else 0.0)
                                 for t, w in zip(content, idf_weights))
        return cls(tuple(content), tuple(answer), tuple(carried), forms, synonyms, idf_weights,
                   specific_weights, sum(idf_weights) or 1.0, sum(specific_weights),
                   tuple(t for t in query.named if t in weight_of), question.answer_type in ASKS_ABOUT_A_TERM,
                   tuple(surface.get(t, "") for t in content))

    def _found(self, weights: tuple[float, ...], total: float, matches: dict[str, frozenset[str]] | None,
               present: frozenset[str] | set[str]) -> float:
        """Share of ``weights`` held by the content terms found in ``present``, each as itself
        or, with ``matches``, as any of its matching terms."""
        if not self.content or not total:
            return 0.0
        if matches is None:
            found = sum(w for t, w in zip(self.content, weights) if t in present)
        else:
            found = sum(w for t, w in zip(self.content, weights) if not matches[t].isdisjoint(present))
        return found / total

    def specific_share(self, present: frozenset[str] | set[str]) -> float:
        """Share of the content terms, weighted by rarity in general English, found with
        their synonyms in ``present``: a small corpus's IDF cannot tell "putting" from
        "parameters"; English can."""
        return self._found(self.specific_weights, self.specific_total, self.synonyms, present)

    def synonym_share(self, present: frozenset[str] | set[str]) -> float:
        """IDF-weighted share of the content terms found in any form, synonym or derivation."""
        return self._found(self.idf_weights, self.content_total, self.synonyms, present)

    def share(self, present: frozenset[str] | set[str], with_forms: bool = False) -> float:
        """IDF-weighted share of the content terms found in ``present`` (in any of their
        corpus forms, ``with_forms``)."""
        return self._found(self.idf_weights, self.content_total, self.forms if with_forms else None, present)

    @property
    def rarest(self) -> str | None:
        """The content term with the highest IDF."""
        if not self.content:
            return None
        return self.content[max(range(len(self.content)), key=self.idf_weights.__getitem__)]


# Zipf frequencies run from about 8 ("the") down to 0 (not among English's 100,000 most
# used words); specificity counts down from the top, so a word unknown to English weighs most.
ZIPF_CEILING = 8.0


def specificity_of(word: str) -> float:
    """How telling a word is in general English: 8 minus its Zipf frequency."""
    return max(0.0, ZIPF_CEILING - english.zipf(word))


def _synonym_terms(word: str) -> frozenset[str]:
    """The retrieval terms of a word's WordNet synonyms and derivations."""
    return frozenset(term for other in english.related_words(word) for term in (word_term(other),) if term)


# The least cosine between two words' vectors (words/meaning.py) at which a candidate's word
# counts as a synonym of the question's: chosen on the validation sets (SQuAD's and the
# FAQs', docs/training.md), the models kept.
NEAR_IN_MEANING = 0.4
# Words worth a vector: letters, three or more (shorter words are mostly function words the
# terms leave out anyway), and English ones (english.zipf above 0: among the lexicon's
# words). An identifier's vector is its pieces' ("NullSessionInterface" would meet
# "session"), and a name means itself: both are matched by their letters alone.
_MEANING_WORD = re.compile(r"[A-Za-z][a-z]{2,}")
# Nor the commonest words, more than one in a thousand of English's (Zipf 6: "just", "now", "new",
# "also", "said"): their vectors sit close to each other's ("now" and "new" at 0.4) and say
# little of a topic, and their forms and WordNet's synonyms already join them.
COMMON_ZIPF = 6.0


def _has_meaning(word: str) -> bool:
    return bool(_MEANING_WORD.fullmatch(word)) and 0.0 < english.zipf(word.lower()) < COMMON_ZIPF


def near_in_meaning(index: Index, terms: QueryTerms, uids: np.ndarray) -> QueryTerms:
    """``terms`` with each content term's synonyms joined by the words of the candidates
    ``uids`` whose vectors lie within NEAR_IN_MEANING of its own: "money" finds "funding",
    and "stock" "shares", as WordNet's synonyms find only some of them. Unchanged without
    word vectors."""
    vectors = word_vectors()
    if vectors is None or not len(uids):
        return terms
    asked = [n for n, surface in enumerate(terms.surfaces) if _has_meaning(surface)]
    if not asked:
        return terms
    term_of: dict[str, str] = {}
    seen: set[str] = set()
    for text in index.texts_of(uids.tolist()):
        for word in _MEANING_WORD.findall(text):
            lower = word.lower()
            if lower not in seen:
                seen.add(lower)
                if _has_meaning(lower) and (term := word_term(lower)):
                    term_of[lower] = term
    if not term_of:
        return terms
    words = list(term_of)
    similarity = vectors.of([terms.surfaces[n] for n in asked]) @ vectors.of(words).T
    synonyms = dict(terms.synonyms)
    for row, n in enumerate(asked):
        term = terms.content[n]
        synonyms[term] = synonyms[term] | {term_of[words[i]] for i in np.flatnonzero(similarity[row] >= NEAR_IN_MEANING)}
    return dataclasses.replace(terms, synonyms=synonyms)


# A sentence that opens by pointing back ("It terminates ...", "Such companies ...") is
# about what the previous sentence named.
_POINTING_BACK = re.compile(
    r"^[\"“'‘(]*(?:this|these|that|those|such|it|its|they|their|them|he|his|she|her|both|"
    r"afterwards|then|there|the latter|the former)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the slow reading found in a sentence: the question's words in it, the typed
    stretches it holds, and whether one is of the kind asked for."""

    uid: int
    evidence: tuple[Evidence, ...] = ()
    content_anchors: tuple[tuple[int, int], ...] = ()  # where the question's topic words are
    term_spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # each question term's places
    type_match: float = 0.0
    read: bool = False


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, no longer writable: a stage's output is read, never changed, by the next."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True)
class Pool:
    """The Retriever's output: the candidates of one question and their cheap features, in
    the order of ``uids`` (read-only arrays)."""

    uids: np.ndarray
    values: np.ndarray  # (candidates, len(FEATURES)); the read features are 0 (the read step's are its own)
    paragraph: np.ndarray  # each candidate's paragraph, named uniquely among every part's
    terms: QueryTerms | None = None  # the question's terms as the pool was measured with them

    def __post_init__(self) -> None:
        for array in (self.uids, self.values, self.paragraph):
            read_only(array)

    @classmethod
    def empty(cls) -> Pool:
        return cls(np.empty(0, dtype=np.int64), np.zeros((0, len(FEATURES))), np.empty(0, dtype=np.int64))


@dataclass(frozen=True, slots=True)
class HeadReading:
    """The read step's output: the slow reading of some candidates (the head of the pool), in
    the order asked: every feature of each, the read ones measured; what the reading found;
    and whether it was read (a shard that did not answer leaves its candidates unread, with
    their features as they were)."""

    values: np.ndarray  # (candidates read, len(FEATURES))
    read: np.ndarray  # bool, one a candidate
    readings: tuple[Reading, ...]

    def __post_init__(self) -> None:
        read_only(self.values)
        read_only(self.read)

    @classmethod
    def empty(cls) -> HeadReading:
        return cls(np.zeros((0, len(FEATURES))), np.zeros(0, dtype=bool), ())


def unit_features(index: SentenceIndex, terms: QueryTerms, uids: np.ndarray, values: np.ndarray) -> None:
    """The UNIT_FEATURES of the units ``uids`` of ``index``, into the rows of ``values``."""
    named = documents_named(index, terms.named) if terms.named else frozenset()
    in_named = np.array([int(index.data.unit_article[uid]) in named for uid in uids.tolist()], dtype=bool) \
        if named else np.zeros(len(uids), dtype=bool)
    weight = dict(zip(terms.content, terms.idf_weights))
    holds = []  # each unit's terms, with the fields read as its own
    # The question terms a field lends each unit: the name of the document it is in, when
    # the question names it; its entry's term (_entry_term).
    lent = np.zeros((len(uids), len(terms.content)), dtype=bool)
    for row, uid in enumerate(uids.tolist()):
        present = index.term_set(uid)
        given: frozenset[str] = frozenset()
        if in_named[row]:
            # Each name word the unit lacks adds about its IDF: its BM25 at tf 1 and mean length.
            values[row, COLUMN["named_field"]] = sum(weight[t] for t in terms.named
                                                     if terms.forms[t].isdisjoint(present))
            given = frozenset(terms.named)
        entry = entry_at(index, uid)
        if entry is not None:
            given |= _entry_term(index, terms, weight, entry, uid, present | given, values[row])
        lent[row] = [t in given for t in terms.content]
        holds.append(present | given)
    _coverage_around(index, terms, uids, values, index.paragraphs.of_unit, lent)
    for row, uid in enumerate(uids.tolist()):
        present = holds[row]
        values[row, COLUMN["coverage_sentence"]] = terms.share(present)
        values[row, COLUMN["coverage_forms"]] = terms.share(present, with_forms=True)
        values[row, COLUMN["coverage_synonyms"]] = terms.synonym_share(present)
        values[row, COLUMN["coverage_specific"]] = terms.specific_share(present)
        values[row, COLUMN["coverage_title"]] = terms.share(index.title_terms(uid), with_forms=True)
        if terms.answer:
            values[row, COLUMN["answer_words"]] = sum(
                1 for t in terms.answer if not terms.forms[t].isdisjoint(present)) / len(terms.answer)
        kind = index.unit(uid).kind
        values[row, COLUMN["kind_heading"]] = kind is UnitKind.HEADING
        values[row, COLUMN["kind_boilerplate"]] = kind is UnitKind.BOILERPLATE
        values[row, COLUMN["kind_code"]] = kind is UnitKind.CODE
        values[row, COLUMN["kind_header_row"]] = kind is UnitKind.HEADER_ROW
    # Structure (fields.py): the entry a unit sits in, its file's name, lines that point.
    values[:, [COLUMN[name] for name in FIELD_FEATURES]] = field_features(index, terms, uids)


def _entry_term(index: SentenceIndex, terms: QueryTerms, weight: dict[str, float], entry: Entry, uid: int,
                present: frozenset[str], values: np.ndarray) -> frozenset[str]:
    """The entry's term as a field of unit ``uid``: its BM25F weights into ``values``, and
    the question terms the unit is read as holding besides its own.

    The term a definition opens with ("EOPNOTSUPP The referenced socket ...", "shelfy.open(
    filename) Open a ...") or the API name an entry's heading gives is a field of its own: a
    question word that is the term counts again in the entry's opening sentence when the
    question asks what the term is or does. The entry's other sentences are about the term
    too ("Defaults to 0700."): one counts it, as if it held it, where it holds a question
    word the opening lacks, so that the question's other words choose the sentence and a
    question about the term alone keeps the opening. The name of a document the question
    names ("semver" of "semver.minVersion") is every unit's of it alike, and chooses nothing."""
    defined = [t for t in terms.content if not terms.forms[t].isdisjoint(entry.terms) and t not in terms.named]
    if not defined:
        return frozenset()
    if uid == entry.opening:
        asked = sum(weight[t] for t in defined)
        topic = sum(weight[t] for t in terms.content if t not in terms.named)
        if terms.defines and asked >= TERM_ASKED_SHARE * topic:
            values[COLUMN["term_field"]] = asked
    else:
        opening = entry.terms | (index.term_set(entry.opening) if entry.opening >= 0 else frozenset())
        if not any(terms.forms[t].isdisjoint(opening) and not terms.forms[t].isdisjoint(present)
                   for t in terms.content if t not in terms.named):
            return frozenset()
    lent = frozenset(t for t in defined if terms.forms[t].isdisjoint(present))
    values[COLUMN["entry_term_field"]] = sum(weight[t] for t in lent)
    return lent


def _behind_paragraph_best(paragraph_of: np.ndarray, values: np.ndarray) -> None:
    """How far each candidate falls behind the best candidate of its own paragraph, in
    coverage and in BM25: the answer is usually the paragraph's best match."""
    keys, inverse = np.unique(paragraph_of, return_inverse=True)
    for feature, source in (("behind_paragraph_best", "coverage_synonyms"), ("behind_paragraph_bm25", "bm25_relative")):
        best = np.full(len(keys), -np.inf)
        np.maximum.at(best, inverse, values[:, COLUMN[source]])
        values[:, COLUMN[feature]] = best[inverse] - values[:, COLUMN[source]]


def _coverage_around(index: SentenceIndex, terms: QueryTerms, uids: np.ndarray, values: np.ndarray,
                     paragraphs: np.ndarray, lent: np.ndarray) -> None:
    """IDF-weighted share of the content terms in each candidate's paragraph and article
    (``lent``: the content terms a field lends each candidate, which its paragraph and
    article then hold: a named document's name is in its every paragraph)."""
    if not terms.content:
        return
    bm25 = index.bm25
    grouping = index.paragraphs
    unit_article = index.data.unit_article
    cand_paras = paragraphs[uids]
    cand_arts = unit_article[uids]
    in_para = np.zeros(len(uids))
    in_art = np.zeros(len(uids))
    in_art_specific = np.zeros(len(uids))
    for n, (term, weight, specificity) in enumerate(zip(terms.content, terms.idf_weights, terms.specific_weights)):
        holders = []
        for form in terms.forms[term]:
            t = bm25.term_id.get(form)
            if t is not None:
                holders.append(bm25.units[int(bm25.ptr[t]):int(bm25.ptr[t + 1])])
        if not holders and not lent[:, n].any():
            continue
        units = np.concatenate(holders) if holders else np.empty(0, dtype=np.int64)
        held_paras, held_arts = paragraphs[units], unit_article[units]
        with grouping.lock:
            grouping.marks[held_paras] = True
            grouping.article_marks[held_arts] = True
            para_has = grouping.marks[cand_paras]
            article_has = grouping.article_marks[cand_arts]
            grouping.marks[held_paras] = False
            grouping.article_marks[held_arts] = False
        para_has, article_has = para_has | lent[:, n], article_has | lent[:, n]
        in_para += weight * para_has
        in_art += weight * article_has
        in_art_specific += specificity * article_has
    values[:, COLUMN["coverage_paragraph"]] = in_para / terms.content_total
    values[:, COLUMN["coverage_article"]] = in_art / terms.content_total
    values[:, COLUMN["article_specific"]] = in_art_specific / (terms.specific_total or 1.0)


def read(index: Index, query: Query, terms: QueryTerms, pool: Pool, rows: np.ndarray) -> HeadReading:
    """The read step: the slow reading of the pool's candidates at ``rows``, each by the part
    of the index that holds it (``read_units``)."""
    return index.read_rows(query, terms, pool.uids[rows], pool.values[rows])


def read_units(index: SentenceIndex, query: Query, terms: QueryTerms, uids: np.ndarray,
               values: np.ndarray) -> HeadReading:
    """The slow reading of the units ``uids`` of one index (``values``: their features): their
    surroundings, word positions and order, and whether they hold the kind of answer asked for."""
    measured = np.array(values, dtype=float)  # a copy: the features given are not changed
    readings = []
    question = query.question
    kind = question.answer_type
    group = answer_feature(kind)
    form_of = {form: term for term in terms.content + terms.answer for form in terms.forms[term]}
    # What a sentence says anew is measured against the words the user asked: a follow-up's
    # answer may lie among the words it carried from the previous answer ("How old is he?"
    # after an answer naming "40-year-old Liang Wenfeng").
    carried = set(terms.carried)
    own_forms = query.own_forms()
    ordered = [t.term for t in question.terms]
    question_pairs = set(zip(ordered, ordered[1:]))
    content = set(terms.content)
    rarest_term = terms.rarest  # None when the question has no content term
    rarest = terms.synonyms[rarest_term] if rarest_term is not None else None
    restated = restatement(question.text)
    asks_why = kind is AnswerType.REASON
    for row, uid in enumerate(uids.tolist()):
        unit = index.unit(uid)
        values = measured[row]
        previous, following = index.neighbour(uid, -1), index.neighbour(uid, 1)
        refers_back = opens_by_pointing_back(index, uid)
        if previous is not None:
            values[COLUMN["coverage_previous"]] = terms.share(index.term_set(previous), with_forms=True)
        if following is not None:
            values[COLUMN["coverage_next"]] = terms.share(index.term_set(following), with_forms=True)
        heading = int(index.heading_of[uid])
        if unit.kind is not UnitKind.HEADING:
            # The whole heading path is the unit's context ("cp › DESCRIPTION › OPTIONS").
            values[COLUMN["coverage_heading"]] = terms.share(index.section_terms(uid), with_forms=True)
        elif heading >= 0:
            values[COLUMN["coverage_heading"]] = terms.share(index.term_set(heading), with_forms=True)
        values[COLUMN["refers_back"]] = refers_back
        values[COLUMN["paragraph_opening"]] = unit.sentence == 1
        values[COLUMN["masthead"]] = unit.kind is UnitKind.HEADING and unit.paragraph <= MASTHEAD_PARAGRAPHS
        text = unit.text
        unit_tokens = sentence_tokens(text)
        values[COLUMN["log_length"]] = math.log1p(len(unit_tokens))
        positions: dict[str, list[int]] = {}
        anchors: list[tuple[int, int]] = []
        term_spans: dict[str, list[tuple[int, int]]] = {}
        for i, tok in enumerate(unit_tokens):
            term = form_of.get(tok.term)
            if term is not None:
                positions.setdefault(term, []).append(i)
                term_spans.setdefault(term, []).append((tok.start, tok.end))
                if term in content and term not in carried:
                    anchors.append((tok.start, tok.end))
        if len(positions) >= 2:
            values[COLUMN["proximity"]] = min(1.0, len(positions) / _min_window(positions))
            firsts = [positions[t][0] for t in dict.fromkeys(ordered) if t in positions]
            pairs = [(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1:]]
            if pairs:
                values[COLUMN["order"]] = sum(1 for a, b in pairs if a <= b) / len(pairs)
        if question_pairs:
            sequence = [form_of.get(t.term, t.term) for t in unit_tokens]
            values[COLUMN["phrase"]] = len(question_pairs & set(zip(sequence, sequence[1:]))) / len(question_pairs)
        if unit_tokens:
            values[COLUMN["novelty"]] = sum(1 for t in unit_tokens if t.term not in own_forms) / len(unit_tokens)
        # What the sentence says that the question does not, by kind: a number, a name.
        first_word = unit_tokens[0].start if unit_tokens else 0
        new_number = any(t.kind != WORD and t.term not in own_forms for t in unit_tokens)
        new_name = any(t.kind == WORD and t.start != first_word and text[t.start:t.start + 1].isupper()
                       and t.term not in own_forms for t in unit_tokens)
        values[COLUMN["new_number"]] = new_number
        values[COLUMN["new_name"]] = new_name
        values[COLUMN["new_number_for_value"]] = new_number and kind in VALUE_ANSWERS
        values[COLUMN["new_name_for_name"]] = new_name and kind in NAME_ANSWERS
        if rarest is not None:
            values[COLUMN["rarest_in_sentence"]] = not rarest.isdisjoint(index.term_set(uid))
        values[COLUMN["asks_the_question"]] = restated is not None and restated.search(text)
        values[COLUMN["numbering_label"]] = is_numbering_label(text)
        # A line that is only the name of what the question asks about ("matchBase",
        # "Limiter.reset()": a heading, a contents line) points to its entry and says
        # nothing of it.
        values[COLUMN["only_names"]] = terms.defines and _names_only(text, terms)
        evidence = find_evidence(text) if kind in EVIDENCE_TYPES else []
        values[COLUMN[group]] = type_match(question, text, evidence, anchors)
        # A sentence made of the question's own words (in any of their forms) and no reason
        # restates what a why-question asks about: "Leading zeros are not allowed." for "Why
        # are leading zeros not allowed?". (A value or a name asked for may repeat the
        # question's words, "keeper number 7 painted the door 7 times"; a stopword may be a
        # month, "in May"; so only the why-question is read so.)
        values[COLUMN["says_nothing_new"]] = (asks_why and values[COLUMN[group]] <= 0 and bool(unit_tokens)
                                              and values[COLUMN["novelty"]] == 0)
        readings.append(Reading(uid, tuple(evidence), tuple(anchors), term_spans, values[COLUMN[group]], True))
    return HeadReading(measured, np.ones(len(readings), dtype=bool), tuple(readings))


def _names_only(text: str, terms: QueryTerms) -> bool:
    """Whether ``text`` is only an API name that holds a term of the question."""
    name = signature_name(text)
    return name is not None and any(not terms.forms[t].isdisjoint(text_terms(name)) for t in terms.content)


# A unit that is only the number of the entry or section that follows ("1.4.", "3.1.7.",
# "Question 2.1.", "Q5.", "2."): the sentence splitter ends a unit at the number's dot, and
# what it labels is the next unit, so it says nothing itself. A number of one part past two
# digits ("2023.", "In 2023.") may be a value and is not one.
_NUMBERING_LABEL = re.compile(r"(?:[A-Z][A-Za-z]*\.?\s*)?\d+(?:\.\d+)+\.?\Z|(?:[A-Z]\.?\s*)?\d{1,2}\.\Z")


def is_numbering_label(text: str) -> bool:
    """True for a unit that is only an entry's or a section's number."""
    return _NUMBERING_LABEL.match(text.strip()) is not None


# What may stand between a restated question's last word and its question mark: closing
# quotes, brackets and spaces ("See 'How do I ...?'", "(... 19.95)?").
_QUESTION_CLOSE = r"[\s\"'”’)\]]*\?"


# The fewest of the question's first words a unit must consist of to say the question again
# without its question mark ("I've made a mistake in the last commit." as a heading, or one
# cut short at a line break): fewer ("What is Linux") name a topic, not the question.
RESTATED_WORDS = 4


@dataclass(frozen=True, slots=True)
class Restatement:
    """The question asked again, as a sentence may hold it: its words in order, whatever
    stands between them, then a question mark (an FAQ's heading, its line in a table of
    contents, "See How do I ...?" in another entry); or a unit that is nothing but the
    question's first words, at least RESTATED_WORDS of them (a heading that states rather
    than asks, or one the page cut short). It points to the answer; it is never the answer."""

    asked: re.Pattern[str]
    words: tuple[str, ...]  # the question's words, lower case

    def search(self, text: str) -> bool:
        if self.asked.search(text):
            return True
        said = [w.lower() for w in re.findall(r"\w+", text)]
        while said and said[0].isdigit():  # the entry's number, "1.2."
            said.pop(0)
        return len(said) >= RESTATED_WORDS and tuple(said) == self.words[:len(said)]


def restatement(question: str) -> Restatement | None:
    """How the question would be asked again (Restatement); None for a question without words."""
    words = re.findall(r"\w+", question)
    if not words:
        return None
    asked = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + _QUESTION_CLOSE, re.IGNORECASE)
    return Restatement(asked, tuple(w.lower() for w in words))


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


def opens_by_pointing_back(index: SentenceIndex, uid: int) -> bool:
    """True for a sentence that opens by pointing back at the one before it."""
    def compute(index: SentenceIndex, uid: int) -> bool:
        unit = index.unit(uid)
        return (unit.kind is UnitKind.TEXT and index.neighbour(uid, -1) is not None
                and bool(_POINTING_BACK.match(unit.text)))

    return index.remembered("points back", uid, compute)


def question_features(index: Index, query: Query, terms: QueryTerms) -> dict[str, float]:
    """What the question itself says about whether the corpus can answer it: how much of it
    the corpus never uses (as written or in any form; with synonyms too, by English rarity)."""
    unknown = unknown_specific = unknown_most = 0.0
    for term, weight, specific in zip(terms.content, terms.idf_weights, terms.specific_weights):
        if all(index.is_unknown(f) for f in terms.forms[term]):
            unknown += weight
        if all(index.is_unknown(f) for f in terms.synonyms[term]):
            unknown_specific += specific
            unknown_most = max(unknown_most, specific)
    return {
        "unknown_share": unknown / terms.content_total if terms.content else 1.0,
        "unknown_specific": unknown_specific / terms.specific_total if terms.specific_total else 1.0,
        "unknown_most_specific": unknown_most / ZIPF_CEILING,
        "content_terms": float(len(terms.content)),
        "mean_idf": terms.content_total / len(terms.content) / math.log1p(len(index) + 0.5) if terms.content else 0.0,
    }
