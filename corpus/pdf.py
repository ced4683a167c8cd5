"""PDF files as text in reading order, one form feed before each page, running headers and page numbers left out."""

from __future__ import annotations

import re
import statistics
import threading
from dataclasses import dataclass

from verbatim.corpus.document import Block, Document, Rendered
from verbatim.corpus.formats import Unreadable
from verbatim.corpus.segment import HEADING_MAX_WORDS, UnitKind

# Budgets, documented in the README: a long book is well under a thousand pages; past these
# the rest of the file is left unread with a warning, so one file holds one reader's memory
# and time within bounds whatever its size in bytes.
MAX_PAGES = 3000
MAX_TEXT_CHARS = 32 * 2**20
# Running headers and footers sit in these shares of the page's height at its top and bottom.
FURNITURE_BAND = 0.12
# A line in a band that comes back on this many pages (digits aside: "Issue 30, page 2")
# is a running header or footer; a document of fewer pages needs it on each but one of them.
FURNITURE_REPEATS = 3
# A gap between two lines wider than this many times the page's usual line spacing ends a
# paragraph; a line this much taller than the page's usual line is a heading set apart.
PARAGRAPH_GAP = 1.45
HEADING_HEIGHT = 1.15
# PDFium marks a word cut by a hyphen at a line's end with one of these, in place of the hyphen.
_SOFT_HYPHENS = str.maketrans("", "", "\ufffe\x02\u00ad")
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
# Characters that are never text: C0 controls but tab and newline (a form feed marks pages).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_PAGE_NUMBER = re.compile(r"[-–—\s]*(?:page\s*)?(?:\d{1,5}|[ivxlcdm]{1,8})(?:\s*(?:of|/)\s*\d{1,5})?[-–—\s]*",
                          re.IGNORECASE)
_LEADERS = re.compile(r"(?:\s*\.){4,}\s*(?=\S*$)")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
# PDFium is not safe to call from two threads at once; the chat reads files from several
# (a question's quote check, the reading pane, the folder read again in the background).
_PDFIUM = threading.Lock()
NO_TEXT = "no text: a scanned PDF? (only its pictures hold words; Verbatim reads a PDF's text layer)"


@dataclass(slots=True)
class _Line:
    text: str
    bottom: float
    top: float
    last: float = 0.0  # the baseline of its last character (PDFium joins a hyphenated line with the next)
    furniture: bool = False


def _page_lines(page) -> tuple[list[_Line], float]:
    """The lines of a page in PDFium's reading order, with their heights on the page."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    x, y = ctypes.c_double(), ctypes.c_double()
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        lines = []
        at = 0
        # PDFium's text has one character for each of its characters (line breaks it adds
        # included), so a line's first character's box is at its offset.
        for raw in text.split("\r\n"):
            stripped = raw.strip()
            if stripped:
                lead = at + len(raw) - len(raw.lstrip())
                # The baseline and font size of the line's first character: a glyph's own
                # box (a parenthesis, a descender) would say more about the letter than the line.
                if pdfium_c.FPDFText_GetCharOrigin(textpage.raw, lead, x, y):
                    size = pdfium_c.FPDFText_GetFontSize(textpage.raw, lead)
                    line = _Line(stripped, y.value, y.value + size, y.value)
                    if pdfium_c.FPDFText_GetCharOrigin(textpage.raw, lead + len(stripped) - 1, x, y):
                        line.last = y.value
                    lines.append(line)
                else:  # a character PDFium cannot place: read the line where the last one was
                    lines.append(_Line(stripped, *((lines[-1].last, lines[-1].top, lines[-1].last) if lines else (0.0, 0.0, 0.0))))
            at += len(raw) + 2
        return lines, page.get_height()
    finally:
        textpage.close()


def _clean(text: str) -> str:
    return _CONTROLS.sub("", text.translate(_SOFT_HYPHENS).translate(_LIGATURES)).replace("\t", " ")


def _mark_furniture(pages: list[tuple[list[_Line], float]]) -> None:
    """Running headers, footers and page numbers: lines at the top or bottom of a page that
    are a bare number, or that come back page after page, digits aside."""
    seen: dict[str, set[int]] = {}
    banded: list[tuple[_Line, str]] = []
    for number, (lines, height) in enumerate(pages):
        for line in lines:
            if line.bottom > (1 - FURNITURE_BAND) * height or line.top < FURNITURE_BAND * height:
                key = re.sub(r"\d+", "#", " ".join(line.text.lower().split()))
                seen.setdefault(key, set()).add(number)
                banded.append((line, key))
    needed = min(FURNITURE_REPEATS, max(2, len(pages) - 1))
    for line, key in banded:
        if _PAGE_NUMBER.fullmatch(line.text) or (len(pages) > 1 and len(seen[key]) >= needed):
            line.furniture = True


def _body_size(lines: list[_Line]) -> float:
    """The font size most of a page's text is set in, counted by characters."""
    sizes: dict[float, int] = {}
    for line in lines:
        size = round(line.top - line.bottom, 1)
        sizes[size] = sizes.get(size, 0) + len(line.text)
    return max(sizes, key=sizes.__getitem__) if sizes else 0.0


def _page_text(lines: list[_Line]) -> str:
    """A page's body lines, a blank line between paragraphs: where the gap to the next line
    is wider than the page's usual spacing, and around lines set larger than most of the
    page's text (a heading)."""
    body = [line for line in lines if not line.furniture]
    if not body:
        return ""
    body_size = _body_size(body)
    steps = [a.last - b.bottom for a, b in zip(body, body[1:]) if 0 < a.last - b.bottom < 4 * max(body_size, 1)]
    usual_step = statistics.median(steps) if steps else 0.0

    def heading(line: _Line) -> bool:
        return bool(body_size) and line.top - line.bottom > HEADING_HEIGHT * body_size

    out = [_clean(body[0].text)]
    for before, line in zip(body, body[1:]):
        step = before.last - line.bottom
        gap = usual_step and step > PARAGRAPH_GAP * usual_step
        column = step < 0 and _SENTENCE_END.search(before.text)  # a new column after a finished sentence
        text = _LEADERS.sub(" … ", _clean(line.text)).strip()
        resized = abs((before.top - before.bottom) - (line.top - line.bottom)) > 0.5
        apart = gap or column or heading(before) != heading(line) or (heading(line) and resized)
        if out[-1].endswith("-") and out[-1][-2:-1].isalnum() and text[:1].isalnum() and not apart:
            out[-1] += text  # a compound cut at its own hyphen ("well-" "known", "ether-" "22"): one word again
            continue
        out.append(("\n" if apart else "") + text)
    return "\n".join(out)


def extract_pdf(raw: bytes) -> tuple[str, list[str]]:
    """The text of a PDF: its pages in order, each after a form feed, lines in PDFium's
    reading order, paragraphs apart by a blank line; headers, footers and page numbers are
    left out. Raises Unreadable for a file PDFium cannot open (damaged, or locked by a
    password) and for one without any text."""
    with _PDFIUM:
        return _extract(raw)


def _extract(raw: bytes) -> tuple[str, list[str]]:
    import pypdfium2 as pdfium

    warnings: list[str] = []
    try:
        document = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as error:
        message = str(error)
        if "password" in message.lower():
            raise Unreadable("skipped, encrypted: the PDF needs a password") from None
        raise Unreadable(f"skipped, not a readable PDF ({message.rstrip('.')})") from None
    try:
        count = len(document)
        if count > MAX_PAGES:
            warnings.append(f"only its first {MAX_PAGES:,} pages read, of {count:,} (the most read from one PDF)")
            count = MAX_PAGES
        pages: list[tuple[list[_Line], float]] = []
        chars = 0
        for number in range(count):
            try:
                page = document[number]
            except pdfium.PdfiumError:
                warnings.append(f"page {number + 1} could not be read")
                pages.append(([], 0.0))
                continue
            try:
                lines, height = _page_lines(page)
            finally:
                page.close()
            pages.append((lines, height))
            chars += sum(len(line.text) + 1 for line in lines)
            if chars > MAX_TEXT_CHARS:
                warnings.append(f"only its first {number + 1:,} pages read, of {len(document):,} "
                                f"(the most text read from one file: {MAX_TEXT_CHARS // 2**20} MB)")
                break
    finally:
        document.close()
    _mark_furniture(pages)
    texts = [_page_text(lines) for lines, _ in pages]
    if not any(text.strip() for text in texts):
        raise Unreadable(f"skipped, {NO_TEXT}")
    parts: list[str] = []
    for number, text in enumerate(texts):
        if number:
            # A page that ends a sentence ends its paragraph; one that breaks off mid-sentence
            # runs on into the next, so the sentence is read whole (cited by its first page).
            previous = parts[-1].rstrip()
            parts.append("\n\n\f" if not previous or _SENTENCE_END.search(previous) else "\n\f")
        parts.append(text)
    return "".join(parts), warnings


def read_pdf_text(source: str) -> Document:
    """A PDF's extracted text (``extract_pdf``) as blocks: each run of lines a paragraph,
    lines joined by a space; a paragraph of one short line without a final stop is a heading
    (the extractor sets a larger line apart as its own paragraph)."""
    document = Document()
    lines: list[tuple[int, int]] = []

    def flush() -> None:
        if not lines:
            return
        rendered = Rendered()
        for start, end in lines:
            rendered.space(start)
            rendered.copy(source, start, end)
        first = source[lines[0][0]:lines[0][1]]
        words = first.split()
        is_heading = (len(lines) == 1 and 0 < len(words) <= HEADING_MAX_WORDS and first[-1:] not in ".!?:;,"
                      and any(c.isalpha() for c in first) and not first[:1].islower())
        document.blocks.append(Block(UnitKind.HEADING if is_heading else UnitKind.TEXT, rendered,
                                     1 if is_heading else 0))
        lines.clear()

    at = 0
    for raw in source.split("\n"):
        stripped = raw.strip()  # a page's form feed is white space before its first line
        if stripped:
            lead = at + len(raw) - len(raw.lstrip())
            lines.append((lead, lead + len(stripped)))
        else:
            flush()
        at += len(raw) + 1
    flush()
    document.parts = page_starts(source)
    return document


def page_starts(text: str) -> list[tuple[int, str]]:
    """Where each page begins in a PDF's text, and its number."""
    starts = [(0, "1")]
    at = text.find("\f")
    while at >= 0:
        starts.append((at, str(len(starts) + 1)))
        at = text.find("\f", at + 1)
    return starts
