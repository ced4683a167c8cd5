"""Retrieval terms from text: NLTK's regexp tokens, Porter's stems, amounts kept whole.

A word's term ignores how it is written: case ("STRASSE", "straße"), accents ("café",
"cafe") and compatibility forms (full-width "ＤｅｅｐＳｅｅｋ", the ligature in "ﬁnance").
Only a two-letter capitalised stopword ("US", "IT") keeps its case, as an acronym, and not
in a text with no lower-case letter, which cannot tell an acronym from a shouted word.

A number keeps a scale ("600bn"), an ordinal ending ("19th", "1990s") or a single letter
("5G", "3D": a name) glued to it; any longer run of letters is a unit read as a word of
its own, so "103.5FM" and "103.5 FM" give the same terms, "103.5" and "fm".
"""

from __future__ import annotations

import importlib.util
import os
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from verbatim.retrieval.words.english import find_in_sorted_lines
from verbatim.retrieval.words.lexicon import (
    CURRENCY_CODES,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    DETERMINER_STOPWORDS,
    GLUED_ONLY_SCALES,
    IRREGULAR_FORMS,
    LATIN_ABBREVIATIONS,
    NUMBER_WORDS,
    ORDINAL_SUFFIXES,
    SCALES,
    STOPWORDS,
)

if TYPE_CHECKING:
    from verbatim.retrieval.index.analysis import AnalyzerSettings

# The version of the rules that turn text into terms. Bump it when a change here gives
# some text other terms: saved indexes made under other rules are then rebuilt.
NORMALIZER_VERSION = 2

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# Combining diacritics, so a word written decomposed ("Schro\u0308dinger") stays one word.
# (NLTK's engine counts every mark as a word character; the standard one counts none.)
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD_END = rf"(?![\w{_MARKS}])"
# What stays glued to a number: a scale, an ordinal ending or one letter. Other letters
# are a unit, read as a word of its own.
_GLUED_WORDS = "|".join(sorted(w for w in {*SCALES, *ORDINAL_SUFFIXES} if len(w) > 1))
_GLUED = rf"(?:(?:(?i:{_GLUED_WORDS})|[A-Za-z]){_WORD_END})"
# A command-line option: one or two dashes right before a letter, not inside a word
# ("well-known", "pre- and post-" are not options). Manual pages rendered in UTF-8 may
# print its dashes as U+2010 (hyphen) or U+2212 (minus): they read as "-".
_DASHES = "\\-\u2010\u2212"
_OPTION = rf"[{_DASHES}]{{1,2}}[A-Za-z][A-Za-z0-9]*(?:[{_DASHES}][A-Za-z0-9]+)*{_WORD_END}"
TOKEN_PATTERN = rf"""
    (?:[A-Z]{{1,2}}\$|[$€£¥₹₩₽])\s?{_NUMBER}{_GLUED}?         # US$600bn, $7.4, €5m
  | {_NUMBER}(?:%|{_GLUED})?                                # 10,000  17%  1990s  600bn  5G
  | [A-Za-z](?:\.[A-Za-z])+{_WORD_END}\.?                    # U.S.  D.C.  e.g.
  | ["“`][^\W\d_][\w{_MARKS}]*["”`]                          # "from": a word as a name
  | (?<![\w{_MARKS}{_DASHES}]){_OPTION}                      # -l  --lines  -rf  --files0-from
  | [^\W\d_][\w{_MARKS}]*(?:['’][\w{_MARKS}]+)*             # words, A100, don't
"""
# Questions are tokenized as NLTK's RegexpTokenizer(TOKEN_PATTERN, flags=re.VERBOSE |
# re.UNICODE) does it: the pattern compiled by the regex engine (its Unicode tables, its
# rules for combining marks), each match run under this time limit (nltk.redos's default),
# but without importing NLTK, whose package imports nearly all of its modules (about 0.4 s).
NLTK_MATCH_TIMEOUT = 5.0


@cache
def _question_tokenizer():
    import regex  # NLTK's own engine, imported only when a question is read

    return regex.compile(TOKEN_PATTERN, regex.VERBOSE | regex.UNICODE)


# The same pattern on the standard engine, for indexing in bulk: NLTK 3.10 runs every match
# of its tokenizer under a ReDoS timer, which makes it about 2.7 times slower; the tokens
# are the same (a test checks it).
_BULK = re.compile(TOKEN_PATTERN, re.VERBOSE | re.UNICODE)
# Tokens the fast path hands to the full normaliser: numbers, amounts, quoted names, options.
_OPTION_DASHES = "-\u2010\u2212"
_OPTION_START = frozenset(_OPTION_DASHES)
_SPECIAL_START = frozenset("0123456789$€£¥₹₩₽\"“`") | _OPTION_START
_ARTICLE_FORMS = frozenset({"the", "The", "THE", "a", "A", "an", "An", "AN"})
_MISSING = object()
_QUOTES = "\"“”`"
_ARTICLES = frozenset({"the", "a", "an"})
# Full-width ASCII ("１０３．５ＦＭ", "＄５") as ASCII before tokenizing, so amounts read as
# they do in ASCII. One character for one: offsets into the text still hold.
_NARROW = {
    code: narrow
    for code in (*range(0xFF01, 0xFF5F), *range(0xFFE0, 0xFFE7))
    if len(narrow := unicodedata.normalize("NFKC", chr(code))) == 1
}
_has_full_width = re.compile("[\uff01-\uff5e\uffe0-\uffe6]").search

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


def word_term(surface: str) -> str | None:
    """The term for one word, or None for a stopword (by the process's analyzer)."""
    return ANALYZER.word_term(surface)


def fold(word: str) -> str:
    """``word`` without case, accents or compatibility forms: NFKD, case folding, combining
    marks removed, then NFC. Letters of any script stay; only their marks go."""
    if word.isascii():
        return word.lower()
    # Twice: case folding can give back letters with marks ("ᾈ"), and compatibility letters
    # ("𝐃") only fold once decomposed.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", word).casefold())
    # Spaces go too: some letters' compatibility form is a space and a mark (Arabic "ﹰ").
    bare = "".join(c for c in decomposed if not unicodedata.combining(c) and not c.isspace())
    return unicodedata.normalize("NFC", bare)


def _word_term(surface: str, stem: Callable[[str], str]) -> str | None:
    if "." in surface:  # a dotted acronym: "U.S." is the country, never the pronoun
        acronym = surface.replace(".", "").lower()
        return None if acronym in LATIN_ABBREVIATIONS else acronym
    lower = fold(surface).replace("’", "'")
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
    return stem(IRREGULAR_FORMS.get(lower, lower))


@cache
def _porter():
    from nltk.stem.porter import PorterStemmer  # imports all of NLTK: only for a word no memo holds

    return PorterStemmer()


@cache
def nltk_version() -> str:
    """The installed NLTK's version, read as NLTK itself reads it (its VERSION file) but
    without importing it; importlib.metadata would cost a tenth of a second."""
    spec = importlib.util.find_spec("nltk")
    if spec is None or spec.origin is None:
        return "missing"
    try:
        with open(os.path.join(os.path.dirname(spec.origin), "VERSION"), encoding="utf-8") as file:
            return file.read().strip()
    except OSError:
        return "unknown"


class StemMemo:
    """Stems Porter gave before: "word<TAB>stem" lines sorted by word (UTF-8), searched in
    place, decoded at the first look-up."""

    __slots__ = ("_raw", "_lines")

    def __init__(self, raw: bytes | memoryview) -> None:
        self._raw = raw
        self._lines: str | None = None

    def _text(self) -> str:
        if self._lines is None:
            self._lines = bytes(self._raw).decode("utf-8", "surrogatepass")
        return self._lines

    def get(self, word: str) -> str:
        """The word's stem, empty when the memo does not hold it."""
        return find_in_sorted_lines(self._text(), word)

    def items(self) -> Iterable[tuple[str, str]]:
        for line in self._text().split("\n"):
            if line:
                word, _, stem = line.partition("\t")
                yield word, stem

    @staticmethod
    def encode(stems: dict[str, str]) -> bytes:
        """The memo's bytes for a word -> stem mapping (words that could not be told from
        the separators, with a tab or line break in them, left out)."""
        lines = [f"{word}\t{stem}\n" for word, stem in sorted(stems.items())
                 if word and stem and not any(c in word or c in stem for c in "\t\n\r")]
        return "".join(lines).encode("utf-8", "surrogatepass")


# The memos of the indexes opened last; a word in none of them is stemmed by NLTK (always
# right, only slower), so a process opening many indexes keeps just the latest few.
MEMOS_KEPT = 4
# The shipped memo of the English lexicon's words, made by retrieval/data/build_stems.py,
# headed by the NLTK version it was made with: used only under that version.
SHIPPED_STEMS_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                  "data", "english.stems.gz")


@cache
def _shipped_memo() -> StemMemo | None:
    try:
        with open(SHIPPED_STEMS_PATH, "rb") as file:
            text = zlib.decompress(file.read(), wbits=16 + zlib.MAX_WBITS)
    except (OSError, zlib.error):  # missing or damaged: every stem from NLTK, as right
        return None
    header, _, lines = text.partition(b"\n")
    return StemMemo(lines) if header.decode("ascii", "replace") == f"nltk {nltk_version()}" else None


# Words and stems an analyzer keeps: a long chat meets new words at every question, a big
# corpus millions. Past this many a cache starts again (a word is then worked out again, to
# the same term), so a process's memory does not grow with what it has read.
ANALYZER_CACHE = 1 << 20


class Analyzer:
    """The analysis chain's state: the term of each word as written and the stem of each
    folded word met so far (bounded by ``cache_size``), and the memos of stems Porter gave
    before that it asks first (the indexes opened last, then the shipped one). Its
    ``settings`` (index/analysis.py) are saved with every index made by it, and an index is
    opened with the analyzer its saved settings name."""

    def __init__(self, cache_size: int = ANALYZER_CACHE) -> None:
        self.cache_size = cache_size
        self.words: dict[str, str | None] = {}
        self.stems: dict[str, str] = {}
        # (word, stem) in the order stemmed since the stems were last started again, and how
        # many were stemmed before that: a reading process reports what each file added.
        self.stem_log: list[tuple[str, str]] = []
        self.stems_dropped = 0
        self.memos: list[StemMemo] = []
        self.use_memos = True  # False: every stem from NLTK's Porter (to make a memo, or test one)

    @property
    def settings(self) -> AnalyzerSettings:
        """The settings this analyzer runs by, which an index saves in its manifest."""
        from verbatim.retrieval.index.analysis import analyzer_settings

        return analyzer_settings()

    def fingerprint(self) -> str:
        return self.settings.fingerprint()

    def word_term(self, surface: str) -> str | None:
        """The term for one word, or None for a stopword."""
        words = self.words
        term = words.get(surface)
        if term is None and surface not in words:
            term = _word_term(surface, self.stem)
            if len(words) >= self.cache_size:
                words.clear()
            words[surface] = term
        return term

    def stem(self, word: str) -> str:
        """Porter's stem, cached by the folded word (the word cache is keyed by the word as
        written, so "Market", "MARKET" and "ｍａｒｋｅｔ" share one stemming). Found in the
        memos of stems NLTK's Porter gave before when they hold the word; NLTK is imported
        only for a word they lack."""
        stems = self.stems
        stem = stems.get(word)
        if stem is None:
            stem = self.remembered_stem(word) or _porter().stem(word, to_lowercase=False)
            if len(stems) >= self.cache_size:
                stems.clear()
                self.stems_dropped += len(self.stem_log)
                self.stem_log = []
            stems[word] = stem
            self.stem_log.append((word, stem))
        return stem

    def remember(self, memo: StemMemo) -> None:
        """Use ``memo`` (an index's, made under this analysis chain) before stemming anew."""
        self.memos.insert(0, memo)
        del self.memos[MEMOS_KEPT:]

    def remembered_stem(self, word: str) -> str:
        if not self.use_memos:
            return ""
        for memo in self.memos:
            stem = memo.get(word)
            if stem:
                return stem
        shipped = _shipped_memo()
        return shipped.get(word) if shipped is not None else ""

    def stems_known(self) -> int:
        return self.stems_dropped + len(self.stem_log)

    def stems_since(self, known: int) -> list[tuple[str, str]]:
        """(word, stem) of the words stemmed after the first ``known`` (those still kept)."""
        return self.stem_log[max(0, known - self.stems_dropped):]

    def stems_kept(self) -> dict[str, str]:
        """Every word stemmed and still kept, with its stem."""
        return dict(self.stems)


# The analyzer of this process: every index opened here hands it its memo of stems.
ANALYZER = Analyzer()


def stems_since(known: int) -> list[tuple[str, str]]:
    """(word, stem) of the words this process stemmed after its first ``known``."""
    return ANALYZER.stems_since(known)


def stems_known() -> int:
    return ANALYZER.stems_known()


def stems_in_process() -> dict[str, str]:
    """Every word this process stemmed (and still keeps), with its stem."""
    return ANALYZER.stems_kept()


def _mentioned(raw: list[str], i: int, shouting: bool = False) -> bool:
    """True when a stopword is used as a name rather than as glue, between an article and
    a noun: "the with statement", "an else clause". (A quoted word is always kept.)"""
    lower = raw[i].lower()
    if i == 0 or raw[i - 1].lower() not in _ARTICLES or lower in DETERMINER_STOPWORDS:
        return False
    if i + 1 >= len(raw) or not raw[i + 1][0].isalpha():
        return False
    following = raw[i + 1]
    return word_term(following.lower() if shouting else following) is not None


def option_term(surface: str) -> str:
    """The term of a command-line option: its dashes as ASCII, its letters as written."""
    return surface.translate(_ASCII_DASHES)


_ASCII_DASHES = str.maketrans({"\u2010": "-", "\u2212": "-"})


def _word_term_kept(surface: str) -> str | None:
    lower = fold(surface)
    return ANALYZER.stem(IRREGULAR_FORMS.get(lower, lower)) if lower else None


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


def _normalize(raw: list[str], shouting: bool = False) -> list[tuple[str, int, int, str]]:
    """(term, first raw token, last raw token, kind) for a list of raw tokens. ``shouting``:
    the text has no lower-case letter, so its words are read as if written in lower case."""
    out: list[tuple[str, int, int, str]] = []
    i, n = 0, len(raw)
    while i < n:
        tok = raw[i]
        first = tok[0]
        if first in _OPTION_START:
            # An option reads as its words ("--lines" as "line", "-rf" as "rf"); one with no
            # word of its own ("-l") is a term as written ("-l" is not "-L"). Not both: a
            # second term at one place would part the words around it, which phrase and
            # proximity read as the words standing apart.
            words = [(term, i, i, WORD) for part in _BULK.findall(tok.lstrip(_OPTION_DASHES))
                     if (term := word_term(part.lower() if shouting else part)) is not None]
            out.extend(words or [(option_term(tok), i, i, WORD)])
            i += 1
            continue
        if not (first.isdecimal() or first in "$€£¥₹₩₽" or (first.isupper() and "$" in tok[:3])):
            word = tok.lower() if shouting else tok
            if first in _QUOTES:
                term = word_term(word.strip(_QUOTES)) or _word_term_kept(word.strip(_QUOTES))
            else:
                term = ANALYZER.words.get(word, _MISSING)
                if term is _MISSING:
                    term = word_term(word)
                if term is None and i and raw[i - 1] in _ARTICLE_FORMS and _mentioned(raw, i, shouting):
                    term = _word_term_kept(word)
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
        elif lowered and lowered not in ORDINAL_SUFFIXES:
            # "3D", "5G": one letter after a number makes a name, kept as a word.
            out.append((fold(tok), i, i, WORD))
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


def _narrowed(text: str) -> str:
    if text.isascii() or not _has_full_width(text):
        return text
    return text.translate(_NARROW)


def terms(text: str) -> list[str]:
    """The retrieval terms of ``text``, in order: what BM25 indexes and queries."""
    text = _narrowed(text)
    raw = _BULK.findall(text)
    if text.isupper():
        return [term for term, _, _, _ in _normalize(raw, shouting=True)]
    get = ANALYZER.words.get
    out: list[str] = []
    for i, tok in enumerate(raw):
        first = tok[0]
        if first in _SPECIAL_START or (first.isupper() and "$" in tok[:3]):
            return [term for term, _, _, _ in _normalize(raw)]  # numbers read their neighbours
        term = get(tok, _MISSING)
        if term is _MISSING:
            if first.isdecimal():  # a number in other digits than 0-9 ("٢٠٢٤"), never cached
                return [term for term, _, _, _ in _normalize(raw)]
            term = word_term(tok)
        if term is None and i and raw[i - 1] in _ARTICLE_FORMS and _mentioned(raw, i):
            term = _word_term_kept(tok)
        if term is not None:
            out.append(term)
    return out


def tokens(text: str) -> list[Token]:
    """Like :func:`terms`, with each term's character span in ``text``: NLTK's tokenizer's
    engine and time limit, for questions."""
    narrowed = _narrowed(text)
    return _located(narrowed, question_spans(narrowed))


def question_spans(text: str) -> list[tuple[int, int]]:
    """The raw tokens' spans in ``text``, as NLTK's RegexpTokenizer(TOKEN_PATTERN) gives them."""
    return [m.span() for m in _question_tokenizer().finditer(text, timeout=NLTK_MATCH_TIMEOUT)]


def sentence_tokens(text: str) -> list[Token]:
    """:func:`tokens` on the standard engine, for the many sentences a question reads."""
    narrowed = _narrowed(text)
    return _located(narrowed, [m.span() for m in _BULK.finditer(narrowed)])


def _located(text: str, spans: list[tuple[int, int]]) -> list[Token]:
    """Tokens of ``text`` (narrowed: its offsets are those of the text as given)."""
    raw = [text[s:e] for s, e in spans]
    return [
        Token(term, spans[first][0], spans[last][1], kind)
        for term, first, last, kind in _normalize(raw, shouting=text.isupper())
    ]
