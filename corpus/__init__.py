"""The articles Verbatim reads: the bundled set, or any file or folder of the reader's."""

from verbatim.corpus.article import Article
from verbatim.corpus.bundled import ARTICLES_DIR
from verbatim.corpus.reader import CorpusError, read_article
from verbatim.corpus.segment import Unit, UnitKind, segment

__all__ = [
    "ARTICLES_DIR",
    "Article",
    "CorpusError",
    "Unit",
    "UnitKind",
    "read_article",
    "segment",
]
