"""The articles Verbatim reads: the bundled set, or any file or folder of the reader's."""

from corpus.article import Article
from corpus.bundled import ARTICLES_DIR, load_bundled
from corpus.reader import Corpus, CorpusError, read_corpus
from corpus.segment import Unit, UnitKind, segment

__all__ = [
    "ARTICLES_DIR",
    "Article",
    "Corpus",
    "CorpusError",
    "Unit",
    "UnitKind",
    "load_bundled",
    "read_corpus",
    "segment",
]
