"""Retrieval terms from text: NLTK regexp tokens, Porter stems, amounts kept whole."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nltk.stem.porter import PorterStemmer
from nltk.tokenize import RegexpTokenizer

from retrieval.lexicon import (
    CURRENCY_CODES,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    GLUED_ONLY_SCALES,
    IRREGULAR_FORMS,
    LATIN_ABBREVIATIONS,
    NUMBER_WORDS,
    SCALES,
    STOPWORDS,
)

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_PATTERN = rf"""
    (?:[A-Z]{{1,2}}\$|[$€£¥₹₩₽])\s?{_NUMBER}(?:[A-Za-z]{{1,3}}\b)?   # US$600bn, $7.4, €5m
  | {_NUMBER}(?:%|[A-Za-z]+\b)?                                   # 10,000  17%  1990s  600bn
  | [A-Za-z](?:\.[A-Za-z])+(?!\w)\.?                              # U.S.  D.C.  e.g.
  | ["“`][^\W\d_]\w*["”`]                                         # "from": a word as a name
  | [^\W\d_]\w*(?:['’]\w+)*                                       # words, A100, don't
"""
_TOKENIZER = RegexpTokenizer(_PATTERN, flags=re.VERBOSE | re.UNICODE)
# The same pattern on the standard engine, for indexing in bulk: NLTK 3.10 runs every match
# of its tokenizer under a ReDoS timer, which makes it about 2.7 times slower; the tokens
# are the same (a test checks it).
_BULK = re.compile(_PATTERN, re.VERBOSE | re.UNICODE)
# Tokens the fast path hands to the full normaliser: numbers, amounts, quoted names.
_SPECIAL_START = frozenset("0123456789$€£¥₹₩₽\"“`")
_ARTICLE_FORMS = frozenset({"the", "The", "THE", "a", "A", "an", "An", "AN"})
_MISSING = object()
_STEMMER = PorterStemmer()
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th", "s"})
_QUOTES = "\"“”`"
_ARTICLES = frozenset({"the", "a", "an"})
# Stopwords that still read as stopwords after "the": "the most", "the other".
_DETERMINER_STOPWORDS = frozenset(
    "most more other others same only few very such own all both each any some".split()
)

# Kinds of term, so question analysis can tell a count from a word.
WORD, NUMBER, MONEY, PERCENT, CURRENCY = "word", "number", "money", "percent", "currency"


@dataclass(frozen=True, slots=True)
class Token:
    """A retrieval term and the characters of the text it was read from."""

    term: str
    start: int
    end: int
    kind: str = WORD


def _canonical(value: float) -> str:
    if value == int(value) and abs(value) < 1e18:
        return str(int(value))
    return f"{value:.6g}"


def _parse_number(text: str) -> float:
    return float(text.replace(",", ""))


_word_cache: dict[str, str | None] = {}


def word_term(surface: str) -> str | None:
    """The term for one word, or None for a stopword. Cached: the vocabulary is small."""
    term = _word_cache.get(surface)
    if term is None and surface not in _word_cache:
        term = _word_term(surface)
        _word_cache[surface] = term
    return term


def _word_term(surface: str) -> str | None:
    if "." in surface:  # a dotted acronym: "U.S." is the country, never the pronoun
        acronym = surface.replace(".", "").lower()
        return None if acronym in LATIN_ABBREVIATIONS else acronym
    lower = surface.lower().replace("’", "'")
    if lower.endswith("'s"):
        lower = lower[:-2]
    elif lower.endswith("'"):
        lower = lower[:-1]
    shouted_acronym = len(surface) == 2 and surface.isupper()  # US, IT
    if (lower in STOPWORDS and not shouted_acronym) or len(lower) < 2:
        return None
    if lower in NUMBER_WORDS:
        return NUMBER_WORDS[lower]
    if lower in CURRENCY_WORDS:
        return CURRENCY_WORDS[lower]
    return _stem(IRREGULAR_FORMS.get(lower, lower))


_stem_cache: dict[str, str] = {}


def _stem(word: str) -> str:
    """Porter's stem, cached by the lower-case word (the surface cache above is keyed by the
    word as written, so "Market", "market" and "MARKET" share one stemming)."""
    stem = _stem_cache.get(word)
    if stem is None:
        stem = _stem_cache[word] = _STEMMER.stem(word, to_lowercase=False)
    return stem


def _mentioned(raw: list[str], i: int) -> bool:
    """True when a stopword is used as a name rather than as glue, between an article and
    a noun: "the with statement", "an else clause". (A quoted word is always kept.)"""
    lower = raw[i].lower()
    if i == 0 or raw[i - 1].lower() not in _ARTICLES or lower in _DETERMINER_STOPWORDS:
        return False
    if i + 1 >= len(raw) or not raw[i + 1][0].isalpha():
        return False
    return word_term(raw[i + 1]) is not None


def _word_term_kept(surface: str) -> str | None:
    lower = surface.lower()
    return _stem(IRREGULAR_FORMS.get(lower, lower)) if lower else None


def _split_amount(raw: str) -> tuple[str | None, str, str]:
    """(currency code or None, digits, glued suffix) of a raw number or money token."""
    currency = None
    if not raw[0].isdecimal():
        cut = raw.index("$") + 1 if "$" in raw[:4] else 1
        currency = CURRENCY_SYMBOLS.get(raw[:cut].lower(), "usd" if "$" in raw[:cut] else None)
        raw = raw[cut:].lstrip()
    end = 0
    while end < len(raw) and (raw[end].isdecimal() or raw[end] in ",."):
        end += 1
    digits = raw[:end].rstrip(".,")
    return currency, digits, raw[len(digits):]


def _normalize(raw: list[str]) -> list[tuple[str, int, int, str]]:
    """(term, first raw token, last raw token, kind) for a list of raw tokens."""
    out: list[tuple[str, int, int, str]] = []
    i, n = 0, len(raw)
    while i < n:
        tok = raw[i]
        first = tok[0]
        if not (first.isdecimal() or first in "$€£¥₹₩₽" or (first.isupper() and "$" in tok[:3])):
            if first in _QUOTES:
                term = word_term(tok.strip(_QUOTES)) or _word_term_kept(tok.strip(_QUOTES))
            else:
                term = _word_cache.get(tok, _MISSING)
                if term is _MISSING:
                    term = word_term(tok)
                if term is None and i and raw[i - 1] in _ARTICLE_FORMS and _mentioned(raw, i):
                    term = _word_term_kept(tok)
            if term is not None:
                out.append((term, i, i, CURRENCY if term in CURRENCY_CODES else WORD))
            i += 1
            continue
        currency, digits, suffix = _split_amount(tok)
        start = i
        if not digits:
            i += 1
            continue
        value = _parse_number(digits)
        kind = MONEY if currency else NUMBER
        lowered = suffix.lower()
        if lowered == "%":
            kind = PERCENT
        elif lowered in SCALES:
            value *= SCALES[lowered]
        elif lowered and lowered not in _ORDINAL_SUFFIXES:
            # "3D", "5G": a name that starts with a digit, kept as a word.
            out.append((tok.lower(), i, i, WORD))
            i += 1
            continue
        # Words after the number that belong to it: scale, currency, percent.
        nxt = raw[i + 1].lower() if i + 1 < n else ""
        if nxt in SCALES and nxt not in GLUED_ONLY_SCALES and lowered not in SCALES:
            value *= SCALES[nxt]
            i += 1
            nxt = raw[i + 1].lower() if i + 1 < n else ""
        if nxt in CURRENCY_WORDS and kind is not PERCENT:
            currency = CURRENCY_WORDS[nxt]
            kind = MONEY
            i += 1
        elif nxt in ("percent", "pct") and kind is NUMBER:
            kind = PERCENT
            i += 1
        elif nxt == "per" and i + 2 < n and raw[i + 2].lower() == "cent" and kind is NUMBER:
            kind = PERCENT
            i += 2
        number = _canonical(value)
        out.append((number + "%" if kind is PERCENT else number, start, i, kind))
        if currency:
            out.append((currency, start, i, CURRENCY))
        i += 1
    return out


def terms(text: str) -> list[str]:
    """The retrieval terms of ``text``, in order: what BM25 indexes and queries."""
    raw = _BULK.findall(text)
    get = _word_cache.get
    out: list[str] = []
    for i, tok in enumerate(raw):
        first = tok[0]
        if first in _SPECIAL_START or (first.isupper() and "$" in tok[:3]):
            return [term for term, _, _, _ in _normalize(raw)]  # numbers read their neighbours
        term = get(tok, _MISSING)
        if term is _MISSING:
            term = word_term(tok)
        if term is None and i and raw[i - 1] in _ARTICLE_FORMS and _mentioned(raw, i):
            term = _word_term_kept(tok)
        if term is not None:
            out.append(term)
    return out


def tokens(text: str) -> list[Token]:
    """Like :func:`terms`, with each term's character span in ``text``: NLTK's tokenizer,
    for questions."""
    return _located(text, list(_TOKENIZER.span_tokenize(text)))


def sentence_tokens(text: str) -> list[Token]:
    """:func:`tokens` on the standard engine, for the many sentences a question reads."""
    return _located(text, [m.span() for m in _BULK.finditer(text)])


def _located(text: str, spans: list[tuple[int, int]]) -> list[Token]:
    raw = [text[s:e] for s, e in spans]
    return [
        Token(term, spans[first][0], spans[last][1], kind)
        for term, first, last, kind in _normalize(raw)
    ]
