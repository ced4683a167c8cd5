"""Indexing a folder of 100 PDFs against the same text as plain files: what reading PDFs costs.

Run: python benchmarks/pdf_folder.py FOLDER [--count 100]
FOLDER holds PDFs (for instance the set tests/fixtures/build_formats.py --large writes, with
Debian's texlive documentation beside it). The first COUNT PDFs (by name) are copied into one
folder; the text Verbatim extracts from each is written as a .txt file into another; each
folder is indexed from nothing (saved index included, worker processes as the CLI uses them),
and the times, pages and sentences are printed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()

    from verbatim.corpus.reader import read_file
    from verbatim.retrieval.index.open import open_index

    pdfs = sorted(args.folder.rglob("*.pdf"))[: args.count]
    with tempfile.TemporaryDirectory() as scratch:
        pdf_folder, text_folder = Path(scratch) / "pdf", Path(scratch) / "text"
        pdf_folder.mkdir()
        text_folder.mkdir()
        pages = 0
        megabytes = 0.0
        for number, pdf in enumerate(pdfs):
            name = f"{number:03d}-{pdf.stem}"
            shutil.copy(pdf, pdf_folder / f"{name}.pdf")
            megabytes += pdf.stat().st_size / 2**20
            text, _, _ = read_file(pdf)
            if text is not None:
                pages += text.count("\f") + 1
                (text_folder / f"{name}.txt").write_text(text.replace("\f", "\n"), encoding="utf-8")
        print(f"{len(pdfs)} PDFs ({megabytes:.1f} MB, {pages:,} pages with text); "
              f"{len(list(text_folder.iterdir()))} text files of the same text")
        for label, folder in (("PDF", pdf_folder), ("plain text", text_folder)):
            began = time.perf_counter()
            opened = open_index(folder, index_dir=Path(scratch) / f"index-{label}")
            seconds = time.perf_counter() - began
            index = opened.index
            print(f"{label:10}  {seconds:6.1f} s  {len(index.articles):4} files  {len(index):7,} sentences  "
                  f"{len(index.articles) / seconds:6.1f} files/s" + (f"  {pages / seconds:6.1f} pages/s" if label == "PDF" else ""))


if __name__ == "__main__":
    main()
