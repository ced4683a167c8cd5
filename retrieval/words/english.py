"""English background knowledge from shipped data: wordfreq frequencies and WordNet 3.0 relations."""

from __future__ import annotations

import os
import threading
from functools import lru_cache

# os.path rather than pathlib, which would be this module's one costly import.
LEXICON_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "english.lexicon.gz")

# WordNet's morphy suffix rules, (ending, replacement) per part of speech; a result counts only
# when WordNet has it as a lemma of that part of speech.
SUFFIX_RULES = {
    "n": (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"),
          ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
}
# How many synonyms and derivations a word keeps, its most frequent (the lexicon is built
# with as many, by retrieval/data/build_lexicon.py).
RELATED_CAP = 12
# Words that a selector may meet again and again; past this the oldest are recomputed.
LOOKUP_CACHE_SIZE = 1 << 16


class Lexicon:
    """The shipped data: sorted "word<TAB>entry" lines, searched in place rather than parsed.

    An entry is "zipf" ("3.49"), or for a WordNet lemma "zipf parts related,..." ("5.64 n
    monetary"). A dictionary of 100,000 words takes longer to build than the file takes to
    unpack, while a bisection costs microseconds and each word is looked up once (cached).
    """

    __slots__ = ("lines", "bases")

    def __init__(self, packed: bytes):
        import zlib  # here, not at the top: importing this module is to cost nothing

        text = zlib.decompress(packed, wbits=16 + zlib.MAX_WBITS).decode("utf-8")
        words_at = text.index("\n@words\n") + len("\n@words\n")
        bases_at = text.index("\n@bases\n", words_at)
        self.lines = text[words_at:bases_at + 1]
        self.bases = {}
        for line in text[bases_at + len("\n@bases\n"):].splitlines():
            form, bases = line.split("\t")
            self.bases[form] = tuple(bases.split(","))

    def entry(self, word: str) -> str:
        """The word's entry, empty when the word is not in the list."""
        return find_in_sorted_lines(self.lines, word)


def find_in_sorted_lines(lines: str, word: str) -> str:
    """What follows ``word`` and a tab on its line of ``lines`` ("key<TAB>value" lines sorted
    by key, each ending in a line break), empty when no line has that key. A bisection in
    place: no dictionary to build for the few words one process looks up."""
    low, high = 0, len(lines)
    while low < high:
        start = lines.rfind("\n", 0, (low + high) // 2) + 1
        tab = lines.index("\t", start)
        end = lines.index("\n", tab)
        key = lines[start:tab]
        if key == word:
            return lines[tab + 1:end]
        if key < word:
            low = end + 1
        else:
            high = start
    return ""


def _read_data_file() -> bytes:
    with open(LEXICON_PATH, "rb") as packed:
        return packed.read()


_lexicon: Lexicon | None = None
_lexicon_lock = threading.Lock()


def lexicon() -> Lexicon:
    """The shipped lexicon, read on first use and then kept."""
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                _lexicon = Lexicon(_read_data_file())
    return _lexicon


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def _entry(word: str) -> str:
    return lexicon().entry(word)


def _parts_of_speech(word: str) -> str:
    """WordNet's parts of speech for a lemma ("nv"), empty when WordNet lacks the word."""
    entry = _entry(word)
    return entry[5:entry.index(" ", 5)] if len(entry) > 4 else ""


def _own_related(word: str) -> list[str]:
    entry = _entry(word)
    related = entry.split(" ", 2)[2] if len(entry) > 4 else ""
    return related.split(",") if related else []


def _lemmas(word: str) -> list[str]:
    """The word's lemmas as WordNet's morphy finds them: itself, irregular bases, suffix rules."""
    found = [word] if _parts_of_speech(word) else []
    found += [base for base in lexicon().bases.get(word, ()) if base not in found]
    for pos, rules in SUFFIX_RULES.items():
        for ending, replacement in rules:
            if word.endswith(ending) and len(word) > len(ending):
                candidate = word[:-len(ending)] + replacement
                if candidate not in found and pos in _parts_of_speech(candidate):
                    found.append(candidate)
    return found


def zipf(word: str) -> float:
    """Zipf frequency in general English (log10 of uses per billion words); 0.0 means rare."""
    entry = _entry(word.lower())
    return float(entry[:4]) if entry else 0.0


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def base_form(word: str) -> str:
    """The word's most frequent WordNet lemma: "went" -> "go", "mice" -> "mouse"; else the word."""
    word = word.lower()
    found = _lemmas(word)
    # max keeps the first of equals, and the word itself comes first when it is a lemma.
    return max(found, key=zipf) if found else word


def parts_of_speech(word: str) -> str:
    """WordNet's parts of speech of the word's lemmas ("n", "v", "a", "r"), empty when it has none."""
    return "".join(dict.fromkeys(part for lemma in _lemmas(word.lower()) for part in _parts_of_speech(lemma)))


def is_noun(word: str) -> bool:
    """True when WordNet has the word, or a lemma of it, as a noun ("seconds", "mg", "bar")."""
    return any("n" in _parts_of_speech(lemma) for lemma in _lemmas(word.lower()))


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def related_words(word: str) -> tuple[str, ...]:
    """Synonyms and derivations of the word and of its lemmas, most frequent first."""
    word = word.lower()
    related = {other for lemma in _lemmas(word) for other in _own_related(lemma)}
    related.discard(word)
    return tuple(sorted(related, key=lambda other: (-zipf(other), other))[:RELATED_CAP])


@lru_cache(maxsize=1)
def lexicon_version() -> str:
    """A fingerprint of the shipped data, for an index to record what it was built with."""
    import hashlib  # here, not at the top: importing this module is to cost nothing

    return hashlib.sha256(_read_data_file()).hexdigest()[:16]
