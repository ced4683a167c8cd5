"""Compare PDF text libraries (pypdfium2, pypdf, pdfminer.six) on real PDFs: sentences kept whole, speed.

Run: python benchmarks/pdf_libraries.py FOLDER [LIBRARY ...], where FOLDER holds the files that
tests/fixtures/build_formats.py --large writes (Debian's texlive and debian-edu documentation).
Each library's text goes through the same simple joining of lines (a word cut by a hyphen at a
line's end is joined when the next line goes on in lower case), then a file's reference
sentences are looked for in it, white space collapsed:

- LaTeX News (two columns, running header and page number): the prose sentences of the
  issue's own .tex source, those without markup;
- the Debian Edu manual (one column): the sentences of the same manual's EPUB.

"verbatim" is Verbatim's own reading of the text pypdfium2 gives (corpus/pdf.py). Also counted: ligature characters left in the text (U+FB00 to U+FB06), words still cut by a
hyphen and a space after the lines are joined, and pages a second. Needs the three libraries installed
(pip install pypdfium2 pypdf pdfminer.six).
"""

from __future__ import annotations

import gzip
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

LIGATURES = re.compile("[\ufb00-\ufb06]")
CUT_WORD = re.compile(r"[a-z]- [a-z]")
# A prose line of a .tex file: no command, group, comment, math or TeX quote characters.
TEX_PROSE = re.compile(r"^[A-Za-z][^\\{}%$~`'&#_^|<>@\[\]]*$")
MIN_WORDS = 8


def pdfium_pages(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    pages = []
    for page in document:
        text = page.get_textpage().get_text_range()
        pages.append(text.replace("\r\n", "\n").replace("\ufffe", "-").replace("\x02", "-"))
    return pages


def pypdf_pages(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]


def pdfminer_pages(path: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(str(path)).split("\f")


def verbatim_pages(path: Path) -> list[str]:
    """Verbatim's own reading (pypdfium2, then running headers, page numbers and paragraphs)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from verbatim.corpus.formats import Unreadable
    from verbatim.corpus.pdf import extract_pdf

    try:
        return extract_pdf(path.read_bytes())[0].split("\f")
    except Unreadable:
        return [""]


LIBRARIES: dict[str, Callable[[Path], list[str]]] = {
    "pypdfium2": pdfium_pages, "pypdf": pypdf_pages, "pdfminer.six": pdfminer_pages, "verbatim": verbatim_pages,
}


# Typographic quotes as the typewriter's: a PDF sets "x" as ”x”, its EPUB keeps "x".
QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def joined(text: str) -> str:
    """Lines joined the same way for every library: a hyphen at a line's end before a lower-case
    letter is a cut word; quotes as the typewriter's."""
    text = re.sub(r"([a-z])-\n([a-z])", r"\1\2", text)
    return " ".join(text.translate(QUOTES).split())


def sentences(text: str) -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from verbatim.corpus.sentences import sentence_spans

    found = []
    for start, end in sentence_spans(text):
        sentence = " ".join(text[start:end].split())
        if len(sentence.split()) >= MIN_WORDS and sentence[-1:] in ".!?":
            found.append(sentence)
    return found


def tex_sentences(tex: str) -> list[str]:
    """Sentences of a .tex file's prose paragraphs: runs of lines without markup."""
    paragraphs, current = [], []
    for line in tex.splitlines():
        if TEX_PROSE.match(line.strip()) and line.strip():
            current.append(line.strip())
        else:
            if len(current) >= 2:
                paragraphs.append(" ".join(current))
            current = []
    return [s for p in paragraphs for s in sentences(p)]


def epub_sentences(epub: Path) -> list[str]:
    import zipfile

    from verbatim.corpus.html import read_html

    found = []
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.endswith((".html", ".xhtml")):
                document = read_html(archive.read(name).decode("utf-8", "replace"))
                for block in document.blocks:
                    found.extend(sentences(block.text.text))
    return found


def measure(folder: Path, libraries: list[str]) -> None:
    cases = []
    for pdf in sorted(folder.glob("ltnews*.pdf")):
        tex = pdf.with_suffix(".tex.gz")
        if tex.exists():
            cases.append((pdf, tex_sentences(gzip.decompress(tex.read_bytes()).decode("utf-8", "replace"))))
    for pdf in sorted(folder.glob("debian-edu-*-manual.pdf")):
        epub = pdf.with_suffix(".epub")
        if epub.exists():
            cases.append((pdf, epub_sentences(epub)))
    others = [p for p in sorted(folder.glob("*.pdf")) if p not in {c[0] for c in cases}]
    print(f"{'library':14} {'file':34} {'pages':>5} {'pages/s':>8} {'intact':>12} {'ligatures':>9} {'cut words':>9}")
    for name in libraries:
        pages_of = LIBRARIES[name]
        total_pages, total_seconds, kept, wanted = 0, 0.0, 0, 0
        for pdf, reference in cases + [(p, []) for p in others]:
            began = time.perf_counter()
            try:
                pages = pages_of(pdf)
            except Exception as error:  # a library that cannot read a file is a result too
                print(f"{name:14} {pdf.name[:34]:34} fails: {type(error).__name__}")
                continue
            seconds = time.perf_counter() - began
            text = "\n".join(pages)
            flat = joined(text)
            found = sum(1 for s in reference if s.translate(QUOTES) in flat)
            total_pages += len(pages)
            total_seconds += seconds
            kept += found
            wanted += len(reference)
            intact = f"{found}/{len(reference)}" if reference else "-"
            print(f"{name:14} {pdf.name[:34]:34} {len(pages):5} {len(pages) / seconds:8.1f} {intact:>12} "
                  f"{len(LIGATURES.findall(text)):9} {len(CUT_WORD.findall(flat)):9}")
        share = f"{kept}/{wanted} ({kept / max(wanted, 1):.0%})"
        print(f"{name:14} {'ALL':34} {total_pages:5} {total_pages / max(total_seconds, 1e-9):8.1f} {share:>12}\n")


if __name__ == "__main__":
    measure(Path(sys.argv[1]), sys.argv[2:] or list(LIBRARIES))
