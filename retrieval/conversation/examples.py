"""Example questions for a corpus, made from the names in its titles, headings and text, and kept only when the corpus answers them well."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from verbatim.corpus.segment import Unit, UnitKind
from verbatim.retrieval.conversation.memory import name_kind
from verbatim.retrieval.reader.evidence import find_evidence
from verbatim.retrieval.reader.question import VALUE_TYPES, AnswerType
from verbatim.retrieval.words.lexicon import STOPWORDS

if TYPE_CHECKING:
    from verbatim.retrieval.engine import Engine

# How many examples a welcome shows.
EXAMPLE_COUNT = 3
# At most this many topics are asked before giving up: each costs one answer (tens of
# milliseconds), and a corpus whose best-known names are not answered has few that are.
MAX_TRIED = 30
# A topic is a name of at most this many words; a longer run of capitals is a headline.
MAX_NAME_WORDS = 3
# Headings are read from at most this many units: a huge corpus is judged by its start.
MAX_UNITS_READ = 200_000
# An example is offered only when its answer is at least this likely to be right (the
# abstention model's estimate that the corpus answers): the top step of the chat's strength indicator, so every
# example the welcome offers is answered at full strength.
EXAMPLE_PROBABILITY = 0.8

# A run of capitalised words ("Xi Jinping", "DeepSeek", "Built-in Types"), the way a title
# or heading names the people, organisations and things it is about.
_NAME = re.compile(r"[A-Z][\w’'-]*\w(?:\s+[A-Z][\w’'-]*\w)*")
_POSSESSIVE = re.compile(r"['’]s$")
# A name the text describes where it names it: set off by commas or a bracket, as an
# apposition is ("its founder, Liang Wenfeng, a former hedge fund manager"; "DeepSeek, which
# began as…"), or opening a sentence that goes on in lower case ("DeepSeek has emerged as…").
_APPOSITION = r"(?:^|,\s*){name}\s*[,(]"
_OPENING = r"^{name}\s+[a-z]"


def _topics(engine: Engine) -> list[str]:
    """Names from the titles and headings, and names the text describes, the most talked
    about first: in the most articles' text, then in the most sentences (headings themselves
    do not count)."""
    index = engine.index
    headings = [a.title for a in index.articles]
    body: list[tuple[int, str]] = []  # (article, text) of every sentence that is not a heading
    for article, units in _units(engine):
        opened = False  # whether the article's text has begun
        for unit in units:
            if unit.kind != UnitKind.HEADING:
                opened = True
                body.append((article, unit.text))
            elif opened:  # the headings above the text are its headline, byline, date
                headings.append(unit.text)
    names: dict[str, None] = {}
    for heading in headings:
        for match in _NAME.finditer(heading):
            for name in _names(match.group()):
                names[name] = None
    for _, text in body:
        for match in _NAME.finditer(text):
            if text[match.end():match.end() + 1] in ",(" and match.start() > 0:
                for name in _names(match.group()):
                    names.setdefault(name, None)
    if not names:
        return []
    # One pass per sentence, longest names first, so "Xi" inside "Xi Jinping" and
    # "DeepSee" inside "DeepSeek" do not count as mentions of their own.
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")\b")
    articles: Counter[str] = Counter()
    sentences: Counter[str] = Counter()
    seen: set[tuple[str, int]] = set()
    for article, text in body:
        for name in {m.group() for m in pattern.finditer(text)}:
            sentences[name] += 1
            if (name, article) not in seen:
                seen.add((name, article))
                articles[name] += 1
    found = [name for name in names if sentences[name]]
    return sorted(found, key=lambda name: (-articles[name], -sentences[name]))


def _units(engine: Engine) -> Iterator[tuple[int, list[Unit]]]:
    """Each article's number and units, in order, up to MAX_UNITS_READ units in all: one
    call to the index an article."""
    left = MAX_UNITS_READ
    for article in range(len(engine.articles)):
        if left <= 0:
            break
        units = engine.units_of(article)[:left]
        left -= len(units)
        yield article, units


def _names(run: str) -> list[str]:
    """Every stretch of a run of capitalised words that can name something: a title cases
    every word ("Why Alibaba and Tencent Are Diving In"), so the name is inside the run."""
    words = [_POSSESSIVE.sub("", w) for w in run.split()]
    found = []
    for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
        for first in range(len(words) - size + 1):
            part = words[first : first + size]
            if part[0].lower() in STOPWORDS or part[-1].lower() in STOPWORDS:
                continue
            name = " ".join(part)
            if not _is_value(name):
                found.append(name)
    return found


def _is_value(name: str) -> bool:
    """A date or an amount ("January", "March 2025") is not something to ask about."""
    return any(e.kind in VALUE_TYPES for e in find_evidence(name))


def _question(engine: Engine, name: str) -> str:
    # A person has a name and a surname, as the conversation's reading of "he" assumes.
    person = len(name.split()) > 1 and name_kind(name, engine.mentions(name)) is AnswerType.PERSON
    return f"Who is {name}?" if person else f"What is {name}?"


def describes(sentence: str, name: str) -> bool:
    """Whether ``sentence`` says what ``name`` is, rather than only mentioning it."""
    name = re.escape(name)
    return any(re.search(form.format(name=name), sentence) for form in (_APPOSITION, _OPENING))


def example_questions(engine: Engine, count: int = EXAMPLE_COUNT) -> list[str]:
    """Up to ``count`` questions about the names the corpus's titles, headings and text give,
    each asked of the corpus first and kept only when it answers at full strength with a
    sentence of its text (not a heading) that describes the name, no two with the same
    answer."""
    heading_texts = {unit.text for _, units in _units(engine) for unit in units if unit.kind == UnitKind.HEADING}
    chosen: list[str] = []
    answers: set[str] = set()
    for name in _topics(engine)[:MAX_TRIED]:
        question = _question(engine, name)
        result = engine.ask(question, top=1)
        if not result.answered or (result.probability or 0.0) < EXAMPLE_PROBABILITY:
            continue
        sentence = result.answers[0].sentence
        if sentence in heading_texts or sentence in answers or not describes(sentence, name):
            continue
        chosen.append(question)
        answers.add(sentence)
        if len(chosen) == count:
            break
    return chosen
