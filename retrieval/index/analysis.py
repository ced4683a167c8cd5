"""The Analyzer's settings, saved with an index: what its units, terms and weights were made with, and the fingerprint made of them."""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, fields

from verbatim.corpus.segment import SEGMENTER_VERSION
from verbatim.retrieval.index.bm25 import K1, B
from verbatim.retrieval.index.terms import ANALYZER, NORMALIZER_VERSION, TOKEN_PATTERN, Analyzer, nltk_version
from verbatim.retrieval.words import lexicon


class OtherAnalysis(ValueError):
    """A saved index was analysed with settings this program does not run: it is rebuilt."""


@dataclass(frozen=True, slots=True)
class AnalyzerSettings:
    """Everything that decides a text's units, terms and BM25 weights, saved in an index's
    manifest as bm25s saves its parameters (``params.index.json``): the sentence
    segmenter's version, the tokenizer's pattern, a digest of the word lists (stopwords,
    irregular forms, numbers, currencies), the normaliser's version and Unicode tables,
    NLTK's version (Porter's stemmer) and the BM25 parameters."""

    segmenter: int
    tokenizer: str
    word_lists: str
    normalizer: int
    unicode: str
    nltk: str
    k1: float
    b: float

    def record(self) -> dict[str, object]:
        """The settings as a manifest holds them."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: object) -> AnalyzerSettings:
        """The settings a manifest holds; ValueError when they are not what this program writes."""
        if not isinstance(record, dict) or set(record) != {f.name for f in fields(cls)}:
            raise ValueError("its analyzer settings are missing or incomplete")
        settings = cls(**record)
        for field in fields(cls):
            value = getattr(settings, field.name)
            wanted = {"int": int, "str": str, "float": (int, float)}[str(field.type)]
            if not isinstance(value, wanted) or isinstance(value, bool):
                raise ValueError(f"its analyzer setting {field.name} is not a {field.type}")
        return settings

    def fingerprint(self) -> str:
        """A short hash of the settings: what an index's manifest and a sharded index's
        generation are checked by first."""
        return _digest(self.record())

    def differences(self, other: AnalyzerSettings) -> list[str]:
        """Each setting that differs, as "name saved, not this program's"."""
        return [f"{f.name} {getattr(self, f.name)!r}, not {getattr(other, f.name)!r}"
                for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


def _digest(value: object) -> str:
    """A short hash of ``value`` as JSON (sets written sorted, so the order of their items
    does not count)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=sorted)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _word_lists_digest() -> str:
    return _digest({name: value for name, value in vars(lexicon).items() if name.isupper()})


@functools.cache
def analyzer_settings() -> AnalyzerSettings:
    """The settings of this program's Analyzer (the only ones it runs). Computed once per process."""
    return AnalyzerSettings(
        segmenter=SEGMENTER_VERSION, tokenizer=TOKEN_PATTERN, word_lists=_word_lists_digest(),
        normalizer=NORMALIZER_VERSION, unicode=unicodedata.unidata_version, nltk=nltk_version(), k1=K1, b=B,
    )


def analysis_fingerprint() -> str:
    """The fingerprint of this program's analyzer settings."""
    return analyzer_settings().fingerprint()


def saved_analyzer(manifest: dict) -> Analyzer:
    """The Analyzer a saved index was made with, from the settings and fingerprint its
    manifest holds: this process's, which the index then hands its memo of stems. Raises
    OtherAnalysis when they are not this program's settings, or do not match their fingerprint."""
    try:
        saved = AnalyzerSettings.from_record(manifest.get("analyzer"))
    except (TypeError, ValueError) as error:
        raise OtherAnalysis(str(error)) from None
    if saved.fingerprint() != manifest.get("analysis"):
        raise OtherAnalysis(f"its analyzer settings do not match their fingerprint {manifest.get('analysis')}")
    differences = saved.differences(analyzer_settings())
    if differences:
        raise OtherAnalysis("; ".join(differences))
    return ANALYZER


def analyzer_record(analyzer: Analyzer) -> dict[str, object]:
    """What a manifest records of the Analyzer an index was made with: its settings and their fingerprint."""
    settings = analyzer.settings
    return {"analysis": settings.fingerprint(), "analyzer": settings.record()}
