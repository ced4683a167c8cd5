"""PDF, EPUB, Word, OpenDocument and shipped manual pages: answers cited by page or chapter, quoted as the file says now."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from verbatim.corpus import UnitKind, archive
from verbatim.corpus.reader import read_article, read_file
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index import store
from verbatim.retrieval.index.open import open_index
from verbatim.tui.cite import place

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def corpus_of(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def load(folder: Path, tmp_path: Path) -> Engine:
    return Engine.load(folder, index_dir=tmp_path / "index")


def read_now(path: Path):
    article, warnings = read_article(path, path.parent)
    assert article is not None, warnings
    return article


def holds(path: Path, passage) -> bool:
    """The file, read now by its format's reader, has the passage's sentence at its offsets."""
    unit = read_now(path).unit_at(passage.start, passage.end)
    return unit is not None and unit.text == passage.sentence


def rewrite_member(path: Path, member: str, old: str, new: str) -> None:
    """Edit one member of a zip file (an EPUB, a Word or OpenDocument file), the rest kept."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    found = False
    with zipfile.ZipFile(path, "w") as target:
        for info, data in items:
            if info.filename == member:
                text = data.decode("utf-8")
                found = old in text
                data = text.replace(old, new).encode("utf-8")
            target.writestr(info, data)
    assert found


# -- PDF ---------------------------------------------------------------------------------------

def test_a_pdf_answer_names_its_page_and_is_checked_against_the_file_now(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    folder = corpus_of(tmp_path, "setspace-doc.pdf")
    engine = load(folder, tmp_path)
    result = engine.ask("What is the default spacing?")
    assert result.answered
    best = result.answers[0]
    assert best.sentence in ("The default spacing with this style option is single spacing.",
                             "Single spacing is the default.")
    assert (best.page, best.line, best.chapter) == (1, None, None)
    assert place(best).startswith("setspace-doc.pdf p. 1")
    assert holds(folder / "setspace-doc.pdf", best)
    payload = json.loads(result.to_json())
    assert payload["schema_version"] == 2 and payload["answers"][0]["page"] == 1

    # The file edited: its last page copied in front of the first, so the sentence is now on
    # page 2 at other offsets. The answer is read from the file again, not from the index.
    path = folder / "setspace-doc.pdf"
    document = pdfium.PdfDocument(str(path))
    document.import_pages(pdfium.PdfDocument(str(FIXTURES / "setspace-doc.pdf")), [3], index=0)
    edited = tmp_path / "edited.pdf"
    document.save(str(edited))
    document.close()
    shutil.move(edited, path)
    again = engine.ask("What is the default spacing?")
    assert again.answered and again.answers[0].sentence == best.sentence
    assert again.answers[0].page == 2
    assert holds(path, again.answers[0])


def test_pdf_text_keeps_running_headers_and_page_numbers_out_of_sentences():
    article = read_now(FIXTURES / "setspace-doc.pdf")
    texts = [unit.text for unit in article.units]
    assert not any(text.strip() in {"1", "2", "3", "4"} for text in texts)
    assert [start for start, _ in article.parts] == [0, *[i for i, c in enumerate(article.text) if c == "\f"]]
    assert [name for _, name in article.parts] == ["1", "2", "3", "4"]
    # A word PDFium found cut by a hyphen at a line's end ("com-" "mand") is one word again.
    assert any("\\setstretch{baselinestretch} command can be used" in text for text in texts)


def test_a_pdf_without_text_or_locked_by_a_password_is_one_warning_each(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    folder = corpus_of(tmp_path, "setspace-doc.pdf", "locked.pdf")
    # A scanned page: the first page drawn as a picture, no text layer.
    source, scan = pdfium.PdfDocument(str(FIXTURES / "setspace-doc.pdf")), pdfium.PdfDocument.new()
    width, height = source[0].get_size()
    image = pdfium.PdfImage.new(scan)
    image.set_bitmap(source[0].render(scale=0.5))
    image.set_matrix(pdfium.PdfMatrix().scale(width, height))
    page = scan.new_page(width, height)
    page.insert_obj(image)
    page.gen_content()
    scan.save(str(folder / "scan.pdf"))
    (folder / "truncated.pdf").write_bytes((FIXTURES / "setspace-doc.pdf").read_bytes()[:5000])
    opened = open_index(folder, index_dir=tmp_path / "index")
    warnings = opened.index.warnings
    assert [w for w in warnings if "scan.pdf" in w] == [f"{folder / 'scan.pdf'}: skipped, no text: a scanned PDF? "
                                                        "(only its pictures hold words; Verbatim reads a PDF's text layer)"]
    assert len([w for w in warnings if "locked.pdf" in w and "encrypted" in w]) == 1
    assert len([w for w in warnings if "truncated.pdf" in w and "not a readable PDF" in w]) == 1
    assert len(warnings) == 3
    assert [a.id for a in opened.index.articles] == ["setspace-doc.pdf"]


def test_a_pdf_larger_than_the_text_file_limit_is_read(tmp_path, monkeypatch):
    from verbatim.corpus import reader

    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1000)  # far below the PDF's size
    text, note, digest = read_file(FIXTURES / "setspace-doc.pdf", None)
    assert text is not None and "Single spacing is the default." in text and digest


# -- EPUB --------------------------------------------------------------------------------------

def test_an_epub_answer_names_its_chapter_and_is_checked_against_the_file_now(tmp_path):
    folder = corpus_of(tmp_path, "cxxtest-guide.epub")
    engine = load(folder, tmp_path)
    result = engine.ask("How is testing performed with CxxTest?")
    assert result.answered
    best = result.answers[0]
    assert best.sentence == "Testing is performed with CxxTest in a four-step process:"
    assert best.chapter == "2. Getting Started" and best.page is None and best.line is None
    assert place(best) == "cxxtest-guide.epub ch. “2. Getting Started”"
    assert holds(folder / "cxxtest-guide.epub", best)

    rewrite_member(folder / "cxxtest-guide.epub", "OEBPS/ar01s02.html", "four-step process", "five-step process")
    again = engine.ask("How is testing performed with CxxTest?")
    assert again.answered
    assert again.answers[0].sentence == "Testing is performed with CxxTest in a five-step process:"
    assert again.answers[0].chapter == "2. Getting Started"
    assert holds(folder / "cxxtest-guide.epub", again.answers[0])


def test_epub_chapters_are_read_in_spine_order():
    article = read_now(FIXTURES / "cxxtest-guide.epub")
    names = [name for _, name in article.parts]
    assert names[:4] == ["CxxTest User Guide", "1. Overview", "2. Getting Started", "3. Test Assertions"]
    assert [start for start, _ in article.parts] == sorted(start for start, _ in article.parts)


# -- Word and OpenDocument ----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "member"), [("cxxtest-guide.docx", "word/document.xml"),
                                              ("cxxtest-guide.odt", "content.xml")])
def test_word_and_opendocument_answers_carry_their_section_and_the_quote_check(tmp_path, name, member):
    folder = corpus_of(tmp_path, name)
    engine = load(folder, tmp_path)
    result = engine.ask("What does a test fixture represent?")
    assert result.answered
    best = result.answers[0]
    assert "A test fixture represents the preparation needed to perform one or more tests" in best.sentence
    assert best.section[-1] == "2. Getting Started" and best.line is None
    assert holds(folder / name, best)

    rewrite_member(folder / name, member, "represents the preparation", "represents the groundwork")
    again = engine.ask("What does a test fixture represent?")
    assert again.answered and "represents the groundwork needed" in again.answers[0].sentence
    assert again.notice is not None and name in again.notice
    assert holds(folder / name, again.answers[0])


@pytest.mark.parametrize("name", ["cxxtest-guide.docx", "cxxtest-guide.odt"])
def test_footnotes_are_kept_apart_from_the_body(name):
    article = read_now(FIXTURES / name)
    sections = article.sections()
    body = [u.text for u, s in zip(article.units, sections) if s[-1:] != ("Notes",)]
    notes = [u.text for u, s in zip(article.units, sections) if s[-1:] == ("Notes",)]
    assert "CxxTest is available under the GNU Lesser General Public license." in notes
    assert "CxxTest is available under the GNU Lesser General Public license." not in body
    kinds = {u.kind.name for u in article.units}
    assert {"HEADING", "ITEM", "ROW", "TEXT"} <= kinds  # list items and table rows as the HTML reader reads them


def test_zip_bombs_and_damaged_archives_are_one_warning_each(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_UNPACKED_BYTES", 2**20)
    folder = corpus_of(tmp_path, "cxxtest-guide.odt")
    with zipfile.ZipFile(folder / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("word/document.xml", b"<w:document>" + b" " * (4 * 2**20) + b"</w:document>")
    with zipfile.ZipFile(folder / "bomb-book.epub", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("META-INF/container.xml", b" " * (4 * 2**20))
    (folder / "cut.epub").write_bytes((FIXTURES / "cxxtest-guide.epub").read_bytes()[:20000])
    with zipfile.ZipFile(folder / "entities.odt", "w") as hostile:
        hostile.writestr("content.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    # Word saves a file locked by a password as an OLE compound file, not a zip archive.
    (folder / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    opened = open_index(folder, index_dir=tmp_path / "index")
    warnings = opened.index.warnings
    for bad, why in [("bomb.docx", "unpacks to more than 1 MB"), ("bomb-book.epub", "unpacks to more than 1 MB"),
                     ("cut.epub", "not a readable EPUB file"), ("entities.odt", "declares XML entities"),
                     ("locked.docx", "encrypted: the Word file needs a password")]:
        assert len([w for w in warnings if bad in w]) == 1, (bad, warnings)
        assert why in next(w for w in warnings if bad in w)
    assert len(warnings) == 5
    assert [a.id for a in opened.index.articles] == ["cxxtest-guide.odt"]


# -- Manual pages and legacy encodings ------------------------------------------------------------

def test_a_compressed_manual_page_is_read_from_its_roff_source(tmp_path):
    folder = corpus_of(tmp_path, "adduser.conf.5.gz")
    engine = load(folder, tmp_path)
    result = engine.ask("What is the login shell used for new users?")
    assert result.answered
    best = result.answers[0]
    assert best.sentence == "DSHELL The login shell to be used for all new users."
    assert best.section == ["DESCRIPTION"] and best.line is not None
    assert holds(folder / "adduser.conf.5.gz", best)
    assert read_now(folder / "adduser.conf.5.gz").title == "ADDUSER.CONF(5)"

    import gzip

    path = folder / "adduser.conf.5.gz"
    source = gzip.decompress(path.read_bytes()).decode("utf-8")
    assert "The login shell to be used for all new users." in source
    edited = source.replace("The login shell to be used for all new users.",
                            "The login shell given to every new user.")
    path.write_bytes(gzip.compress(edited.encode("utf-8")))
    again = engine.ask("What is the login shell used for new users?")
    assert again.answered and again.answers[0].sentence == "DSHELL The login shell given to every new user."
    assert holds(path, again.answers[0])


# A page as DocBook writes it: each variable a paragraph of its own, its text indented after it.
DOCBOOK_PAGE = r"""'\" t
.TH "LOGIN\&.DEFS" "5" "04/07/2025" "shadow-utils 4\&.13" "File Formats and Configuration"
.SH "NAME"
login.defs \- shadow password suite configuration
.SH "DESCRIPTION"
.PP
The
/etc/login\&.defs
file defines the site\-specific configuration for the shadow password suite\&.
.PP
\fBPASS_MAX_DAYS\fR (number)
.RS 4
The maximum number of days a password may be used\&. If the password is older than this, a password change will be forced\&.
.RE
.PP
\fBPASS_MIN_DAYS\fR (number)
.RS 4
The minimum number of days allowed between password changes\&.
.RE
.PP
For example:
.RS 4
.nf
PASS_MAX_DAYS 90
.fi
.RE
"""


def test_a_docbook_variable_and_its_indented_text_are_one_definition(tmp_path):
    import gzip

    folder = tmp_path / "corpus"
    folder.mkdir()
    path = folder / "login.defs.5.gz"
    path.write_bytes(gzip.compress(DOCBOOK_PAGE.encode("utf-8")))
    article = read_now(path)
    assert article.title == "LOGIN.DEFS(5)"  # the title's escapes read as the text they stand for
    texts = [u.text for u in article.units]
    assert "PASS_MAX_DAYS (number) The maximum number of days a password may be used." in texts
    assert "PASS_MAX_DAYS (number)" not in texts  # the term alone is no unit: it never answers
    assert "For example:" in texts  # a line that leads into an example is no term
    result = load(folder, tmp_path).ask("What does PASS_MAX_DAYS do in login.defs?")
    assert result.answered
    assert result.answers[0].sentence == "PASS_MAX_DAYS (number) The maximum number of days a password may be used."
    assert holds(path, result.answers[0])


TABLE_PAGE = r""".TH SUFFIXES 7
.SH NAME
suffixes \- list of file suffixes
.SH DESCRIPTION
Following is a list of suffixes.
.TS
%s
Suffix	File type
%s\&.gz	file compressed using gzip
\&.tar	tar archive
.TE
"""


@pytest.mark.parametrize(("formats", "rule", "header"), [
    ("l | l\n_ | _\nlI | l .", "", True),  # a format line of rules under the first row
    ("l l .", "_\n", True),  # a rule line under the first row
    ("l l .", "", False),  # nothing sets the first row apart: it is a row like the others
])
def test_the_first_row_of_a_manual_page_table_is_its_header_when_a_rule_sets_it_apart(tmp_path, formats, rule, header):
    path = tmp_path / "suffixes.7"
    path.write_text(TABLE_PAGE % (formats, rule), encoding="utf-8")
    kinds = {u.text: u.kind for u in read_now(path).units}
    assert kinds["Suffix | File type"] is (UnitKind.HEADER_ROW if header else UnitKind.ROW)
    assert kinds[".gz | file compressed using gzip"] is UnitKind.ROW


@pytest.mark.parametrize(("encoding", "prefix"), [("cp1252", b""), ("latin-1", b""), ("utf-16-le", b"\xff\xfe")])
def test_text_in_legacy_encodings_is_decoded(tmp_path, encoding, prefix):
    # Sentences of the CxxTest guide, with the typographic quotes and accents these encodings hold.
    text = ("Testing with CxxTest\n\nCxxTest is a unit testing framework for C++ that is similar in spirit to "
            "JUnit, CppUnit, and xUnit. Gašper Ažman contributed to the 4.0 release." if encoding == "utf-16-le" else
            "Testing with CxxTest\n\nCxxTest is a unit testing framework for C++ that is similar in spirit to "
            "JUnit, CppUnit, and xUnit. Its author called it “easy to use” – façade-free.")
    if encoding == "latin-1":
        text = text.replace("“", '"').replace("”", '"').replace("–", "-")
    path = tmp_path / "guide.txt"
    path.write_bytes(prefix + text.encode(encoding))
    decoded, note, _ = read_file(path, None)
    assert note is None and decoded == text and "\ufffd" not in decoded


def test_an_index_made_before_these_formats_is_rebuilt_with_one_line_saying_why(tmp_path):
    folder = corpus_of(tmp_path, "cxxtest-guide.odt")
    open_index(folder, index_dir=tmp_path / "index")
    version = store.current_version(store.corpus_folder(str(folder.resolve()), tmp_path / "index"))
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = 6
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    opened = open_index(folder, index_dir=tmp_path / "index")
    assert len(opened.notices) == 1
    assert "made by another version of Verbatim: index format 6, this one reads 7); rebuilding it" in opened.notices[0]
    assert opened.report is not None and opened.report.read == 1


def test_a_changed_pdf_is_the_only_file_read_again_and_ignore_rules_hold(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    folder = corpus_of(tmp_path, "setspace-doc.pdf", "cxxtest-guide.epub", "cxxtest-guide.docx")
    (folder / ".verbatimignore").write_text("*.docx\n", encoding="utf-8")
    first = open_index(folder, index_dir=tmp_path / "index")
    assert sorted(a.id for a in first.index.articles) == ["cxxtest-guide.epub", "setspace-doc.pdf"]
    document = pdfium.PdfDocument(str(folder / "setspace-doc.pdf"))
    document.del_page(3)
    document.save(str(tmp_path / "three-pages.pdf"))
    document.close()
    shutil.move(tmp_path / "three-pages.pdf", folder / "setspace-doc.pdf")
    again = open_index(folder, index_dir=tmp_path / "index")
    assert again.report is not None and (again.report.read, again.report.reused) == (1, 1)
    pdf = next(a for a in again.index.articles if a.id == "setspace-doc.pdf")
    assert [name for _, name in pdf.parts] == ["1", "2", "3"]
    only = open_index(folder, index_dir=tmp_path / "other-index", include=["*.epub"])
    assert [a.id for a in only.index.articles] == ["cxxtest-guide.epub"]


def test_the_reading_pane_names_each_page_of_a_pdf():
    from verbatim.tui.reading import shown_blocks

    article = read_now(FIXTURES / "setspace-doc.pdf")
    blocks = shown_blocks(article)
    markers = [b.text for b in blocks if b.kind == "muted" and b.text.startswith("— page")]
    assert markers[0] == "— page 1 —" and blocks[0].text == "— page 1 —"
    assert markers == sorted(set(markers), key=lambda m: int(m.split()[2]))
    assert all(not b.units for b in blocks if b.text in markers)


@pytest.mark.parametrize("name", ["setspace-doc.pdf", "cxxtest-guide.epub", "cxxtest-guide.docx",
                                  "cxxtest-guide.odt", "adduser.conf.5.gz"])
def test_damaged_files_are_read_or_skipped_never_raised(tmp_path, name):
    import random

    original = (FIXTURES / name).read_bytes()
    chance = random.Random(name)  # the same damage every run
    for attempt in range(12):
        damaged = bytearray(original)
        for _ in range(1 + attempt * 4):
            damaged[chance.randrange(len(damaged))] = chance.randrange(256)
        if attempt % 3 == 2:
            damaged = damaged[: chance.randrange(1, len(damaged))]
        path = tmp_path / f"{attempt}-{name}"
        path.write_bytes(bytes(damaged))
        text, note, _ = read_file(path, None)
        assert (text is None) == (note is not None and note.startswith("skipped")), (attempt, note)


def text_pdf(pages: list[list[tuple[float, float, float, str]]], path: Path) -> None:
    """A PDF whose pages hold the given lines (x, y, font size, text), in Helvetica."""
    import ctypes

    pdfium = pytest.importorskip("pypdfium2")
    raw = pdfium.raw
    document = pdfium.PdfDocument.new()
    font = raw.FPDFText_LoadStandardFont(document.raw, b"Helvetica")
    for lines in pages:
        page = document.new_page(612, 792)
        for x, y, size, text in lines:
            line = raw.FPDFPageObj_CreateTextObj(document.raw, font, size)
            wide = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
            raw.FPDFText_SetText(line, ctypes.cast(wide, ctypes.POINTER(raw.FPDF_WCHAR)))
            raw.FPDFPageObj_Transform(line, 1, 0, 0, 1, x, y)
            raw.FPDFPage_InsertObject(page.raw, line)
        raw.FPDFPage_GenerateContent(page.raw)
    document.save(str(path))


def test_running_headers_and_page_numbers_are_furniture_and_a_heading_is_set_apart(tmp_path):
    # A layout made here to hold the rule to account (the real files above have theirs): a
    # running header and a page number on every page, a larger heading, body lines.
    pages = []
    for number in range(1, 5):
        pages.append([(72, 740, 9, "Harbour Board Annual Report 2024"), (300, 40, 9, str(number)),
                      (72, 640, 16, f"Part {number}"),
                      (72, 610, 11, f"The committee met in March to review budget {number}."),
                      (72, 596, 11, "It approved the new ferry timetable for the"),
                      (72, 582, 11, "summer season.")])
    text_pdf(pages, tmp_path / "report.pdf")
    article = read_now(tmp_path / "report.pdf")
    texts = [unit.text for unit in article.units]
    assert not any("Harbour Board" in text or text in {"1", "2", "3", "4"} for text in texts)
    assert texts[:3] == ["Part 1", "The committee met in March to review budget 1.",
                         "It approved the new ferry timetable for the summer season."]
    assert [u.kind.name for u in article.units[:3]] == ["HEADING", "TEXT", "TEXT"]
    assert article.sections()[-1] == ("Part 4",)
    assert [name for _, name in article.parts] == ["1", "2", "3", "4"]
