"""The five DeepSeek articles that ship with Verbatim, with their catalog of titles."""

from __future__ import annotations

import json
from pathlib import Path

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
CATALOG_FILE = ARTICLES_DIR / "catalog.json"


def catalog() -> dict:
    """The bundled catalog: corpus name and, per file, id, title, source, date."""
    return json.loads(CATALOG_FILE.read_text(encoding="utf-8"))

