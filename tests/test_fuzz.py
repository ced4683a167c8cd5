"""Fuzzing the core with arbitrary Unicode: no exceptions, answers quoted exactly, spans in
place, finite scores, and the same answer every time."""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from verbatim.corpus.article import make_article
from verbatim.corpus.reader import decode
from verbatim.corpus.segment import MAX_UNIT_CHARS, normalize_space, segment
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.build import build
from verbatim.retrieval.index.open import Opened
from verbatim.retrieval.index.sentence_index import SentenceIndex
from verbatim.retrieval.index.terms import sentence_tokens, terms, tokens
from verbatim.retrieval.reader.question import AnswerType, analyze

# Pieces that exercise the splitter and the detectors, mixed with arbitrary characters.
PIECES = [
    "The", "company", "said", "DeepSeek", "Liang", "Wenfeng", "founded", "in", "2023", ".", ",",
    "?", "!", "\n", "\n\n", "  ", "\t", "Jan.", "U.S.", "Dr.", "$7.4 billion", "17%", "40-year-old",
    "10,000", "“quoted”", '"', "(", ")", "# ", "- ", "1.", "    ", "===", "```", "[b]", "[/]",
    "\x1b[2J", "\x1b]52;c;aGk=\x07", "\r", "\b", "\u200b", "\u202e", "\ufeff", "😀", "中文", "é",
    "\u0301", "http://example.com", "Who", "What", "how many", "when", "it", "he",
]
texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=120).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=200).map("".join),
)
questions = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=15).map(" ".join),
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(texts)
def test_segmenting_any_text_gives_units_that_quote_it(text):
    units = segment(text)
    last_end = 0
    for unit in units:
        assert 0 <= last_end <= unit.start < unit.end <= len(text)
        assert unit.text == normalize_space(text[unit.start : unit.end])
        assert unit.text and len(unit.text) <= MAX_UNIT_CHARS
        last_end = unit.end
    assert [u.paragraph for u in units] == sorted(u.paragraph for u in units)


@FUZZ
@given(texts)
def test_tokens_of_any_text_lie_inside_it(text):
    found = sentence_tokens(text)
    for token in found:
        assert 0 <= token.start < token.end <= len(text)
    assert all(isinstance(term, str) and term for term in terms(text))
    for token in tokens(text):
        assert 0 <= token.start < token.end <= len(text)


@FUZZ
@given(questions)
def test_any_question_can_be_analysed(question):
    analysis = analyze(question)
    assert isinstance(analysis.answer_type, AnswerType)
    for concept in analysis.concepts:
        assert concept.terms and all(isinstance(t, str) and t for t in concept.terms)
        assert math.isfinite(concept.weight)


def engine_over(articles: list[str], folder: Path) -> Engine:
    for n, text in enumerate(articles):
        (folder / f"article{n}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
    data, report = build(folder, parallel=False)
    return Engine(Opened(SentenceIndex(data), None, report))


def check_passage(passage, folder: Path) -> None:
    text, _ = decode((folder / passage.article.id).read_bytes())
    assert normalize_space(text[passage.start : passage.end]) == passage.sentence
    assert normalize_space(passage.sentence) in normalize_space(text)
    assert math.isfinite(passage.score)
    for start, end in [passage.span, *passage.matches] if passage.span else passage.matches:
        assert 0 <= start < end <= len(passage.sentence)


# Articles with enough real words that questions find something, and enough noise to hurt.
articles = st.lists(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=80).map(" ".join).filter(str.strip),
    min_size=1, max_size=3,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles, st.data())
def test_the_whole_ask_path_quotes_the_corpus_exactly_and_repeats_itself(texts_, data):
    # A corpus with no words to read is refused before any question (a usage error, tested
    # elsewhere); markup such as a code fence's info string is not words to read.
    if not any(terms(u.text) for t in texts_ for u in make_article("a", "a.txt", t, None).units):
        texts_ = [*texts_, "The company said it was founded in 2023."]
    words = sorted({w for t in texts_ for w in t.split()})
    from_corpus = st.lists(st.sampled_from(words), min_size=1, max_size=8).map(
        lambda ws: " ".join(["Who", *ws]) + "?")
    asked = data.draw(st.lists(st.one_of(questions, from_corpus), min_size=1, max_size=3))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = engine_over(texts_, folder)
        conversation = engine.conversation()
        for question in asked:
            result = engine.ask(question, top=3, explain=True)
            assert result.answered == bool(result.answers)
            event(f"answered={result.answered}")
            for passage in [*result.answers, *result.closest]:
                check_passage(passage, folder)
            again = engine.ask(question, top=3, explain=True)
            assert again.model_dump() == result.model_dump()
            followed = engine.ask(question, top=3, conversation=conversation)
            for passage in [*followed.answers, *followed.closest]:
                check_passage(passage, folder)
        fresh = engine_over(texts_, folder)
        assert fresh.ask(asked[0]).model_dump() == engine.ask(asked[0]).model_dump()


# Inputs that make careless patterns backtrack: each is read in well under a second per
# hundred kilobytes when the code is linear, and for hours when it is not.
LONG_LINES = {
    "prose": "The cat sat on the mat. ",
    "no stops": "word ",
    "wide spaces": "a" + " " * 500,
    "one word": "a",
    "numbers": "1,",
    "money": "$1,",
    "years": "1999 ",
    "abbreviations": "Dr. ",
    "initials": "A. ",
    "months": "Jan. ",
    "dots": ".",
    "brackets": "[",
    "quotes": '"',
    "short lines": "a\n",
    "list items": "- a\n",
    "indented": "    x\n",
    "heading marks": "# ",
    "escapes": "\x1b[2J",
    "emoji": "😀",
}
LONG_LINE_SCRIPT = """
import json, sys
from verbatim.corpus.segment import segment
from verbatim.retrieval.reader.evidence import find_evidence
from verbatim.retrieval.reader.question import analyze
from verbatim.retrieval.index.terms import sentence_tokens, terms
for name, piece in json.loads(sys.argv[1]).items():
    text = piece * (100_000 // len(piece))
    units = segment(text)
    terms(text)
    for unit in units[:50]:
        find_evidence(unit.text)
        sentence_tokens(unit.text)
    analyze(("Who " + piece * 2000)[:2000])
    print(name, len(units), flush=True)
"""


# Linear reading takes a few seconds even on a loaded two-core machine running the suite in
# parallel; a quadratic regression takes far longer. Bounded so it fails in minutes, not
# after hanging CI for a quarter of an hour.
LONG_LINES_TIMEOUT = 120


@pytest.mark.subprocess
def test_long_hostile_lines_are_read_in_linear_time(empty_nltk_data):
    import json

    from conftest import cli_env

    # A guard against a hang, not a speed test: linear code needs a few seconds in all.
    proc = subprocess.run([sys.executable, "-c", LONG_LINE_SCRIPT, json.dumps(LONG_LINES)],
                          capture_output=True, text=True, timeout=LONG_LINES_TIMEOUT,
                          env=cli_env(empty_nltk_data))
    assert proc.returncode == 0, proc.stderr[-2000:]
    read = dict(line.rsplit(" ", 1) for line in proc.stdout.splitlines())
    assert set(read) == set(LONG_LINES)
    assert all(int(count) >= 1 for count in read.values())
