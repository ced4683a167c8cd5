"""The fingerprint of the analysis chain: what a saved index's units, terms and weights
were made with. An index saved under another chain is rebuilt rather than read."""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata

from verbatim.corpus.segment import SEGMENTER_VERSION
from verbatim.retrieval import lexicon
from verbatim.retrieval.index.bm25 import K1, B
from verbatim.retrieval.index.terms import NORMALIZER_VERSION, TOKEN_PATTERN, nltk_version


@functools.cache
def analysis_fingerprint() -> str:
    """A short hash of the sentence segmenter's version, the tokenizer's pattern, the word
    lists, the normaliser's version and Unicode tables, NLTK's version (Porter's stemmer)
    and the BM25 parameters. Computed once per process."""
    chain = {
        "segmenter": SEGMENTER_VERSION,
        "tokenizer": TOKEN_PATTERN,
        "word_lists": {name: value for name, value in vars(lexicon).items() if name.isupper()},
        "normalizer": NORMALIZER_VERSION,
        "unicode": unicodedata.unidata_version,
        "nltk": nltk_version(),
        "bm25": {"k1": K1, "b": B},
    }
    # Sets are written sorted, so the hash does not depend on the order of their items.
    text = json.dumps(chain, sort_keys=True, ensure_ascii=False, default=sorted)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
