"""A corpus split into shards: built and served in one process, or on a Ray cluster."""

from __future__ import annotations

import os
from pathlib import Path

# Where a corpus's sharded index lives, beside its one-index versions. Here rather than in
# the layout module: every question asks whether a corpus is sharded, and only a sharded
# corpus needs the rest.
FOLDER = "sharded"


def folder_of(corpus_folder: Path) -> Path:
    """Where a corpus's sharded index lives, beside its one-index versions."""
    return corpus_folder / FOLDER


def sharded_folder(path: str | os.PathLike[str] | None, index_dir: str | os.PathLike[str] | None) -> Path:
    from verbatim.corpus.bundled import ARTICLES_DIR
    from verbatim.corpus.reader import corpus_root
    from verbatim.retrieval.index import store

    root = corpus_root(ARTICLES_DIR if path is None else path)
    return folder_of(store.corpus_folder(str(root.resolve()), index_dir))


def has_sharded_index(path: str | os.PathLike[str] | None, index_dir: str | os.PathLike[str] | None) -> bool:
    """Whether the corpus has a saved sharded index, which questions then use (cheap: one
    file looked at)."""
    from verbatim.corpus import CorpusError
    from verbatim.retrieval.index import store

    try:
        return (sharded_folder(path, index_dir) / store.POINTER).is_file()
    except (CorpusError, OSError):
        return False
