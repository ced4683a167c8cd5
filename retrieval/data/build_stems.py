"""Builds english.stems.gz: NLTK Porter's stems of the shipped English lexicon's words.

From the repository root, with the NLTK version the project pins installed:

    python -m verbatim.retrieval.data.build_stems

A question in common English words is then stemmed without importing NLTK (about 0.4 s);
a saved index carries the stems of its own corpus's words. The file is headed by the NLTK
version that made it and is used only under that version. The same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

from verbatim.retrieval.index import terms
from verbatim.retrieval.words import english

COMMAND = "python -m verbatim.retrieval.data.build_stems"
DEFAULT_OUTPUT = Path(terms.SHIPPED_STEMS_PATH)


def lexicon_words() -> set[str]:
    """Every word the lexicon lists, as a headword, a related word or an inflected form."""
    lexicon = english.lexicon()
    words = set()
    for line in lexicon.lines.splitlines():
        word, _, entry = line.partition("\t")
        words.add(word)
        related = entry.split(" ", 2)[2] if len(entry) > 4 and entry.count(" ") >= 2 else ""
        words.update(filter(None, related.split(",")))
    for form, bases in lexicon.bases.items():
        words.add(form)
        words.update(bases)
    return words


def stems_of(words: set[str]) -> dict[str, str]:
    """Porter's stem of every word that reading ``words`` as retrieval terms stems, each
    computed by NLTK (no memo consulted)."""
    terms.ANALYZER.use_memos = False  # this script makes the memo: Porter decides every stem
    for word in sorted(words):
        terms.word_term(word)
        terms.word_term(word.capitalize())
    return terms.stems_in_process()


def build(output: Path) -> int:
    stems = stems_of(lexicon_words())
    header = f"nltk {terms.nltk_version()}\n".encode("ascii")
    output.write_bytes(gzip.compress(header + terms.StemMemo.encode(stems), compresslevel=9, mtime=0))
    return len(stems)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    count = build(args.output)
    print(f"{args.output}: {count:,} stems, {args.output.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
