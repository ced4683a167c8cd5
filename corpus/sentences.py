"""Sentence boundaries inside a paragraph: NLTK Punkt with parameters shipped in code."""

from __future__ import annotations

import re
from functools import lru_cache

# Punkt normally learns these from a large training text, which NLTK would have to
# download. Shipping them keeps the splitter offline and identical on every machine, and
# it makes a file's sentences independent of the other files in the corpus, so a saved
# index can re-read one changed file without touching the rest.
# Entries are lower case without the final period, as Punkt stores them.
ABBREVIATIONS = frozenset(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    mr mrs ms messrs dr prof rev hon sr jr st mt ft ave blvd rd
    gen col lt sgt capt cmdr adm maj brig gov sen rep pres supt insp atty
    inc ltd co corp llc plc bros dept est assn intl natl univ govt
    vs etc e.g i.e cf al approx ca viz fig figs vol vols pp ch sec ed eds
    u.s u.k u.n e.u d.c u.s.a a.m p.m n.y
    """.split()
)

# Capitalised words that, after an abbreviation, almost always open a new sentence:
# "in the U.S. The company ..." splits, "U.S. President Trump" does not.
SENTENCE_STARTERS = frozenset(
    """
    the a an he she it they we i you his her its their our this that these those there
    here in on at after before but and however meanwhile also yet so if when while
    although though as since because for many some most all both each then thus
    therefore still even now today yesterday according what who why how
    """.split()
)


@lru_cache(maxsize=1)
def _tokenizer():
    # Imported at the first split, not with this module: NLTK's package imports nearly all
    # of its modules (about 0.4 s), and an answer from a saved index splits nothing.
    from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer, PunktToken

    class PlainLanguageVars(PunktLanguageVars):
        """Punkt's own English patterns, compiled by the standard engine.

        NLTK 3.10 runs each of these matches under a ReDoS timer; splitting a million
        sentences that way costs twice the time. The patterns are the ones NLTK fixed to be
        linear, and the segmenter is fuzzed with long hostile lines (tests/test_fuzz.py).
        """

        re_boundary_realignment = re.compile(
            PunktLanguageVars.re_boundary_realignment.pattern, re.MULTILINE
        )

        def _word_tokenizer_re(self):
            if not hasattr(self, "_plain_word_tokenizer"):
                self._plain_word_tokenizer = re.compile(super()._word_tokenizer_re().pattern,
                                                        re.UNICODE | re.VERBOSE)
            return self._plain_word_tokenizer

        def period_context_re(self):
            if not hasattr(self, "_plain_period_context"):
                self._plain_period_context = re.compile(super().period_context_re().pattern,
                                                        re.UNICODE | re.VERBOSE)
            return self._plain_period_context

    class PlainToken(PunktToken):
        """Punkt's token, its patterns compiled by the standard engine: each token of a text
        is matched by these, and under NLTK's ReDoS timer they were most of the time taken to
        split a run of abbreviations ("Mr. " over and over: 4.5 s per MB)."""

        __slots__ = ()
        _RE_ELLIPSIS = re.compile(PunktToken._RE_ELLIPSIS.pattern)
        _RE_NUMERIC = re.compile(PunktToken._RE_NUMERIC.pattern)
        _RE_INITIAL = re.compile(PunktToken._RE_INITIAL.pattern, re.UNICODE)
        _RE_ALPHA = re.compile(PunktToken._RE_ALPHA.pattern, re.UNICODE)

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    params.sent_starters = set(SENTENCE_STARTERS)
    return PunktSentenceTokenizer(params, lang_vars=PlainLanguageVars(), token_cls=PlainToken)


# A question or an exclamation quoted inside a sentence ('See "How many are there?" for
# more.', '"What next?" she asked.'): Punkt ends a sentence at every "?" and "!", so a piece
# that goes on in lower case after one and its closing quote is joined to it again. Without
# the quote it is not: "How do I list files? ls -l lists them." is two.
_ASKED_OR_EXCLAIMED = re.compile(r"[?!]\s*[\"'”’»][\s\"'”’»)\]]*\Z")
_GOES_ON = re.compile(r"[\"'”’»)\]]*\s*[a-z]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of ``text``, trimmed of white space."""
    spans: list[tuple[int, int]] = []
    for start, end in _tokenizer().span_tokenize(text):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if spans and _ASKED_OR_EXCLAIMED.search(text, spans[-1][0], spans[-1][1]) \
                and _GOES_ON.match(text, start, end):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans
