"""Write the Python language reference that ships with Python (pydoc_data) as a corpus.

usage: python tests/eval/make_pydoc_corpus.py DIR

One .txt file per topic ("pass", "assert", "try", ...): real English text nobody on this
project wrote, for the second question set (tests/eval/pydoc-questions.jsonl).
"""

from __future__ import annotations

import sys
from pathlib import Path


def write_pydoc_corpus(directory: Path) -> Path:
    from pydoc_data.topics import topics

    directory.mkdir(parents=True, exist_ok=True)
    for name, text in topics.items():
        (directory / f"{name}.txt").write_text(text, encoding="utf-8")
    return directory


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(write_pydoc_corpus(Path(sys.argv[1])))
