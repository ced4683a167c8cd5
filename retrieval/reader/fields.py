"""Features of a unit's place in its document's structure: its entry's heading, its file's name, lines that point."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import numpy as np

from verbatim.corpus import Unit, UnitKind
from verbatim.corpus.segment import name_line_names
from verbatim.retrieval.index.protocol import Index
from verbatim.retrieval.index.terms import terms as text_terms

if TYPE_CHECKING:
    from verbatim.retrieval.reader.features import QueryTerms

# The features this module measures, in the order of its columns.
FIELD_FEATURES = (
    "entry_coverage", "entry_distance", "repeated_in_document", "paragraph_units", "asks",
    "coverage_filename",
)
# The features that match the question against a heading (switched off together with
# ``--drop`` to measure how much an answer owes to a heading that restates the question).
HEADING_MATCH_FEATURES = ("entry_coverage", "coverage_heading", "coverage_previous")
# How far back an entry's heading is looked for, in units: the longest FAQ answers of the
# shared sets run to about 9,000 characters, some 120 sentences.
ENTRY_REACH = 200
# A paragraph this short that ends in a question mark stands as a heading (an FAQ's question
# set as its own paragraph) even where the format marks no heading.
HEADING_PARAGRAPH_UNITS = 2
# A document with this many pointing lines that ask is made of entries (see _measure).
STRUCTURED_POINTERS = 3


# A heading that names a piece of an API, as reference documentation heads each entry:
# "fs.readFile(path[, options])", "Class: fs.Dir", "filehandle.fd", "matchBase" ("Name:"
# prefixes allowed). A name holds a dot, an underscore, "::" or "#", or a capital inside a
# word, or is followed by its parameters; a heading of plain words ("Installation") names
# nothing.
_SIGNATURE = re.compile(r"(?:[A-Z][\w ]{0,30}:\s+)?"
                        r"(?P<name>[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*)\s*(?P<args>\(.*\))?\s*")
_NAME_MARKS = (".", "_", "::", "#")
_CAMEL = re.compile(r"[a-z][A-Z]")
# A definition's term is its first run of non-space characters up to a parenthesis:
# "EXTRA_GROUPS", "shelfy.open(filename)", "--recursive".
_TERM = re.compile(r"\S+?(?=[\s(]|$)")


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry of reference documentation: the term it documents (a definition's term, or
    the API name its heading gives) and the unit that opens its description (the
    definition's first sentence, the first sentence of prose under the heading), -1 if none."""

    terms: frozenset[str]
    opening: int
    head: int  # the unit that gives the term: the heading, or the definition's first sentence


@dataclass(frozen=True, slots=True)
class Structure:
    """One article's pointing lines: the units that head an entry (headings, lines repeated
    elsewhere in the document such as a table of contents and the heading it points to, and
    questions set as their own paragraph), and how often each unit's words recur."""

    pointers: np.ndarray  # unit ids, ascending
    repeats: np.ndarray  # per unit of the article: how many units of the article have its words
    paragraph_units: np.ndarray  # per unit of the article: how many units its paragraph has
    filename_terms: frozenset[str]
    structured: bool  # entries headed by pointing lines: an FAQ, a reference page
    entry_of: np.ndarray  # per unit of the article: its Entry's number in ``entries``, -1 if none
    entries: tuple[Entry, ...]  # in the order of their heads


def structure(index: Index, article: int) -> Structure:
    """The article's Structure, kept on the index: articles are few and it is read often."""
    kept: dict[int, Structure] = vars(index).setdefault("_entry_structure", {})
    found = kept.get(article)
    if found is None:
        found = kept[article] = _measure(index, article)
    return found


def _measure(index: Index, article: int) -> Structure:
    info = index.articles[article]
    first = info.first
    units = index.units_of(article)  # one call, whatever holds the article
    count = len(units)
    # Words only: "1.1. How ..." in a table of contents and "How ..." as the heading are one
    # line. A unit's terms are those the index keeps for it (terms of its text).
    keys = [tuple(t for t in text_terms(unit.text) if any(c.isalpha() for c in t)) for unit in units]
    counted: dict[tuple[str, ...], int] = {}
    for key in keys:
        counted[key] = counted.get(key, 0) + 1
    repeats = np.array([counted[k] if len(k) >= 2 else 1 for k in keys], dtype=np.int64)
    paragraphs = np.array([unit.paragraph for unit in units], dtype=np.int64)
    _, inverse, sizes = np.unique(paragraphs, return_inverse=True, return_counts=True)
    paragraph_units = sizes[inverse]
    kinds = [unit.kind for unit in units]
    asks = [unit.text.rstrip().endswith("?") for unit in units]
    pointers = []
    for n in range(count):
        if kinds[n] == UnitKind.HEADING or repeats[n] >= 2:
            pointers.append(first + n)
        elif paragraph_units[n] <= HEADING_PARAGRAPH_UNITS and kinds[n] != UnitKind.CODE and asks[n]:
            pointers.append(first + n)
    name = PurePosixPath(info.rel or info.path).name
    # Entries headed by questions make an FAQ: lines that ask and point (repeated in a table
    # of contents, or set apart as their own paragraph). Headings alone do not (a news story
    # has a headline, an encyclopaedia article its sections), nor lines repeated without
    # asking (a news story's standfirst over its first paragraph, a program's code lines):
    # on the shared sets' corpora no SQuAD article, bundled story or Perl FAQ entry has more
    # than two such lines, and 17 of the 21 FAQs have three or more.
    asking = sum(1 for p in pointers
                 if kinds[p - first] not in (UnitKind.HEADING, UnitKind.BOILERPLATE, UnitKind.CODE)
                 and asks[p - first])
    entry_of, entries = _entries(units, first)
    return Structure(np.array(pointers, dtype=np.int64), repeats, paragraph_units,
                     file_name_terms(name),
                     asking >= STRUCTURED_POINTERS, entry_of, entries)


def signature_name(heading: str) -> str | None:
    """The API name a heading gives, or None for a heading of plain words."""
    found = _SIGNATURE.fullmatch(heading.strip())
    if found is None:
        return None
    name = found["name"]
    named = found["args"] is not None or any(mark in name for mark in _NAME_MARKS) or _CAMEL.search(name)
    return name if named else None


def _entries(units: list[Unit], first: int) -> tuple[np.ndarray, tuple[Entry, ...]]:
    """Each unit's entry: a definition runs on through the paragraphs that follow it until
    the next definition or heading (a manual page's option continues in its own paragraphs);
    a heading that names an API runs to the next heading at its depth or above (its own
    subsections, "Example", are part of it). Neither runs past ENTRY_REACH units."""
    entry_of = np.full(len(units), -1, dtype=np.int64)
    entries: list[Entry] = []
    current = api = -1  # the open entry, and the open entry an API heading gives
    api_depth = 0
    for n, unit in enumerate(units):
        if unit.kind == UnitKind.HEADING:
            if api >= 0 and unit.level > api_depth:
                current = api  # a subsection of the API's entry ends a definition in it
            else:
                current = api = -1
            name = signature_name(unit.text) if unit.level > 0 else None  # a masthead's line heads nothing
            if name is not None:
                opening = -1
                for m in range(n + 1, min(len(units), n + ENTRY_REACH)):
                    if units[m].kind == UnitKind.HEADING:
                        break
                    if units[m].kind == UnitKind.TEXT:
                        opening = first + m
                        break
                entries.append(Entry(frozenset(text_terms(name)), opening, first + n))
                current = api = len(entries) - 1
                api_depth = unit.level
            continue
        if unit.kind == UnitKind.DEFINITION and unit.sentence == 1:
            # A definition is an entry of its own, inside an API's entry too (its parameters).
            entries.append(Entry(frozenset(text_terms(_defined_term(unit.text))), first + n, first + n))
            current = len(entries) - 1
        elif api >= 0 and current != api and unit.paragraph != units[entries[current].head - first].paragraph:
            current = api  # inside an API's entry, a definition is one paragraph
        if current >= 0 and first + n - entries[current].head > ENTRY_REACH:
            current = api = -1
        if current >= 0:
            entry_of[n] = current
    return entry_of, tuple(entries)


def _defined_term(text: str) -> str:
    """The term a definition opens with: every name before the dash of a manual page's NAME
    line ("accept, accept4"), else its first run of non-space characters up to a
    parenthesis."""
    names = name_line_names(text)
    if names is not None:
        return names
    term = _TERM.match(text)
    return term.group() if term is not None else ""


def entry_at(index: Index, uid: int) -> Entry | None:
    """The entry of reference documentation unit ``uid`` belongs to, if any."""
    article = int(index.unit_article[uid])
    found = structure(index, article)
    at = int(found.entry_of[uid - index.articles[article].first])
    return found.entries[at] if at >= 0 else None


def opening_under(index: Index, uid: int) -> int:
    """The opening sentence of the entry heading ``uid`` gives the name of, -1 if none: the
    pool takes it with the heading, as it takes a sentence's neighbours (a parameter list
    may stand between them)."""
    entries = structure(index, int(index.unit_article[uid])).entries
    at = bisect.bisect_left(entries, uid, key=lambda entry: entry.head)
    return entries[at].opening if at < len(entries) and entries[at].head == uid else -1


def file_name_terms(name: str) -> frozenset[str]:
    """The terms of a file's name, its dots, underscores and hyphens read as spaces."""
    return frozenset(text_terms(name.replace(".", " ").replace("_", " ").replace("-", " ")))


def structured_share(index: Index, uids: np.ndarray) -> float:
    """The share of ``uids`` that sit in documents made of entries."""
    if not len(uids):
        return 0.0
    of_units = np.array([index.unit_article[int(uid)] for uid in uids.tolist()], dtype=np.int64)
    structured = {int(a) for a in np.unique(of_units).tolist() if structure(index, int(a)).structured}
    return float(np.isin(of_units, list(structured)).mean()) if structured else 0.0


def field_features(index: Index, terms: QueryTerms, uids: np.ndarray) -> np.ndarray:
    """The FIELD_FEATURES of the units ``uids`` of ``index``, one row each."""
    out = np.zeros((len(uids), len(FIELD_FEATURES)))
    for row, uid in enumerate(uids.tolist()):
        article = int(index.unit_article[uid])
        found = structure(index, article)
        first = index.articles[article].first
        at = int(np.searchsorted(found.pointers, uid)) - 1  # the nearest pointer before the unit
        if at >= 0 and uid - int(found.pointers[at]) <= ENTRY_REACH:
            head = int(found.pointers[at])
            out[row, 0] = terms.share(index.term_set(head), with_forms=True)
            out[row, 1] = math.log1p(uid - head - 1)
        else:
            out[row, 1] = math.log1p(ENTRY_REACH)
        out[row, 2] = math.log(found.repeats[uid - first])
        out[row, 3] = math.log(found.paragraph_units[uid - first])
        out[row, 4] = index.text_of(uid).rstrip().endswith("?")
        out[row, 5] = terms.share(found.filename_terms, with_forms=True)
    return out
