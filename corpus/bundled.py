"""The five DeepSeek articles that ship with Verbatim, with their catalog of titles."""

from __future__ import annotations

import json
from pathlib import Path

from corpus.reader import Corpus, Progress, read_corpus

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
CATALOG_FILE = ARTICLES_DIR / "catalog.json"


def catalog() -> dict:
    """The bundled catalog: corpus name and, per file, id, title, source, date."""
    return json.loads(CATALOG_FILE.read_text(encoding="utf-8"))


def load_bundled(progress: Progress | None = None) -> Corpus:
    """The bundled articles, read like any folder and titled from the catalog."""
    data = catalog()
    entries = {entry["file"]: entry for entry in data["articles"]}
    corpus = read_corpus(ARTICLES_DIR, entries, progress)
    corpus.name = data["name"]
    return corpus
