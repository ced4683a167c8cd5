"""Whether a text looks like English, the one language Verbatim reads: by its letters and by its words in the shipped English lexicon."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from verbatim.retrieval.words.english import zipf

# A text whose letters are more than half outside the Latin script is in another script
# (Chinese, Cyrillic, Arabic, ...): English has almost none there (a name, a symbol), a text in
# another script almost all.
NON_LATIN_SHARE = 0.5
# A folder is English when at least this share of its words are in the English lexicon
# (wordfreq's English list, retrieval/data/english.lexicon.gz). Measured: the bundled articles
# and the 21 software FAQs of the shared question sets have 0.90 to 0.99 of their words in it
# (code, commands and names are the rest); German news text 0.47 to 0.54 (names, loanwords and
# short words both languages spell alike). 0.7 lies between, well clear of both.
ENGLISH_WORD_SHARE = 0.7
# A question is read as English when at least half its words are common English words or
# words of the corpus (its names, its jargon): fewer, and it shares too little with either to
# be answered.
QUESTION_KNOWN_SHARE = 0.5
# Common English: used more than once in a million words (3 on wordfreq's Zipf scale). The
# words German shares with English's long tail (wer, wie, wurde) fall below it, the words of
# English questions far above: of 4,485 questions of the shared sets, 4 had fewer than half
# their words this common, each for its names and jargon, which its corpus knows; German
# questions had 0.29 to 0.43.
COMMON_ZIPF = 3.0
# Fewer words than these say too little to judge: "Was ist DeepSeek?" is let through.
MIN_QUESTION_WORDS = 3
MIN_FOLDER_WORDS = 50
# A folder is judged by at most this many of its words, taken across it.
SAMPLE_WORDS = 20_000
# Letters up to here are Basic Latin, Latin-1 and Latin Extended-A and -B (no name lookup needed).
_LATIN_END = 0x250

_WORD = re.compile(r"[^\W\d_]{2,}")
SAYS_ENGLISH = "Verbatim reads English today"


def _is_latin(letter: str) -> bool:
    return ord(letter) < _LATIN_END or unicodedata.name(letter, "").startswith("LATIN")


def non_latin_share(text: str) -> float:
    """The share of ``text``'s letters that are not of the Latin script (0 without letters)."""
    letters = [c for c in text if c.isalpha()]
    return sum(not _is_latin(c) for c in letters) / len(letters) if letters else 0.0


def english_share(words: list[str], known: Callable[[str], bool] | None = None, least: float = 0.0) -> float:
    """The share of ``words`` in the English lexicon, more common than ``least`` (Zipf), or
    ``known`` otherwise."""
    return sum(zipf(w) > least or (known is not None and known(w)) for w in words) / len(words)


def folder_language(text: str) -> str | None:
    """One line saying the folder looks like another language, from a sample of its text;
    None when it looks like English or is too short to judge."""
    if non_latin_share(text) > NON_LATIN_SHARE:
        return f"the folder looks like another language (its letters are not Latin): {SAYS_ENGLISH}"
    words = [w.lower() for w in _WORD.findall(text)[:SAMPLE_WORDS]]
    if len(words) < MIN_FOLDER_WORDS:
        return None
    share = english_share(words)
    if share < ENGLISH_WORD_SHARE:
        return (f"the folder looks like another language (only {share:.0%} of its words are English): "
                f"{SAYS_ENGLISH}")
    return None


def question_language(question: str, known: Callable[[str], bool]) -> str | None:
    """Why ``question`` looks like another language, as the reason for not answering it; None
    when it can be read. ``known`` tells the words of the corpus (lower case)."""
    if non_latin_share(question) > NON_LATIN_SHARE:
        return f"the question looks like another language (its letters are not Latin): {SAYS_ENGLISH}"
    words = [w.lower() for w in _WORD.findall(question)]
    if len(words) < MIN_QUESTION_WORDS or english_share(words, known, COMMON_ZIPF) >= QUESTION_KNOWN_SHARE:
        return None
    return f"the question looks like another language (few of its words are English): {SAYS_ENGLISH}"
