"""A question as the index sees it: its concepts with their IDF, and other forms of each term."""

from __future__ import annotations

from dataclasses import dataclass

from verbatim.retrieval.index.protocol import Index
from verbatim.retrieval.reader.question import Question, document_names, placed_name, qualifier_name, read_as_pointing


@dataclass(frozen=True, slots=True)
class WeightedConcept:
    """A question concept with the IDF of each of its terms and its weight."""

    terms: tuple[str, ...]
    idfs: tuple[float, ...]
    weight: float  # its share of the question: the IDF of its strongest term, scaled by the analysis
    proper: bool
    carried: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """The question's concepts, weighted, and the corpus's other forms of each of its terms."""

    question: Question
    concepts: tuple[WeightedConcept, ...]
    related: dict[str, frozenset[str]]
    # The terms of a name the question places itself in ("… do in adduser.conf?") when a
    # document's title, source, authors or file name hold them all: in that document every
    # unit has them, as a BM25F title field lends its words to the whole document.
    named: tuple[str, ...] = ()

    @classmethod
    def of(cls, index: Index, question: Question) -> Query:
        names = [name for name in document_names(question)
                 if names_a_document(index, [question.terms[i].term for i in name])]
        question = read_as_pointing(question, names)
        # The name may be followed by what it is ("in the ssh_config file"): the longest
        # start of the words that names a document is the name.
        named = _naming_start(index, question, placed_name(question))
        qualifier = qualifier_name(question)
        if not named and qualifier and not names_a_document(
                index, [question.terms[i].term for i in (*qualifier, qualifier[-1] + 1)]):
            # A dotted name's qualifier may be the page of its module ("semver.minVersion"),
            # where the whole is no document's name ("widget.conf" is a file's).
            named = _naming_start(index, question, qualifier)
        concepts = []
        for concept in question.concepts:
            idfs = tuple(index.idf(t) for t in concept.terms)
            concepts.append(WeightedConcept(concept.terms, idfs, concept.weight * max(idfs), concept.proper,
                                            concept.carried))
        own = sum(c.weight for c in concepts if not c.carried)
        carried = sum(c.weight for c in concepts if c.carried)
        cap = question.carry_share * own
        if carried > cap:  # the past informs a follow-up; it must not outvote it
            scale = cap / carried
            concepts = [WeightedConcept(c.terms, c.idfs, c.weight * scale, c.proper, c.carried) if c.carried else c
                        for c in concepts]
        terms = {t for c in concepts for t in c.terms}
        return cls(question, tuple(concepts), {term: frozenset(index.related(term)) for term in terms}, named)

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(t for c in self.concepts for t in c.terms))

    def forms(self, term: str) -> frozenset[str]:
        return self.related[term] | {term}

    def own_terms(self) -> list[str]:
        """The question's own terms (not those a follow-up carried along)."""
        return list(dict.fromkeys(t for c in self.concepts if not c.carried for t in c.terms))

    def own_forms(self) -> set[str]:
        """Every form of the question's own words (not those a follow-up carried along)."""
        return {form for t in self.own_terms() for form in self.forms(t)}


def _naming_start(index: Index, question: Question, words: tuple[int, ...]) -> tuple[str, ...]:
    """The terms of the longest start of ``words`` (indices into the question's terms) that
    names a document, () when none does."""
    placed = [question.terms[i].term for i in words]
    while placed and not names_a_document(index, placed):
        placed.pop()
    return tuple(dict.fromkeys(placed))


def names_a_document(index: Index, name: list[str]) -> bool:
    """True when one document's title, source, authors or file name holds every term of ``name``."""
    return bool(documents_named(index, tuple(name)))


def documents_named(index: Index, name: tuple[str, ...]) -> frozenset[int]:
    """The documents of ``index`` whose title, source, authors or file name hold every term of ``name``."""
    holders = _documents_by_field_term(index)
    found = [holders.get(term, frozenset()) for term in name]
    return frozenset.intersection(*found) if found else frozenset()


def _documents_by_field_term(index: Index) -> dict[str, frozenset[int]]:
    """Each term of a document's title, source, authors and file name -> the documents whose
    fields hold it. Kept on the index, which is read-only once open."""
    kept = vars(index).get("_documents_by_field_term")
    if kept is None:
        from pathlib import PurePosixPath

        from verbatim.retrieval.index.terms import terms
        from verbatim.retrieval.reader.fields import file_name_terms

        found: dict[str, set[int]] = {}
        for number, info in enumerate(index.articles):
            named = file_name_terms(PurePosixPath(info.rel or info.path).stem)
            for term in named.union(*(terms(text) for text in (info.title, info.source or "", *info.authors))):
                found.setdefault(term, set()).add(number)
        kept = vars(index)["_documents_by_field_term"] = {term: frozenset(held) for term, held in found.items()}
    return kept
