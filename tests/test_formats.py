"""Each format read into one model: units, their kind, section path, line, and the words a
reader sees, located in the source file."""

import re
from pathlib import Path

import pytest

from verbatim.corpus import UnitKind
from verbatim.corpus.article import make_article
from verbatim.corpus.markdown import front_matter

FIXTURES = Path(__file__).parent / "fixtures" / "docs"
K = UnitKind


def read(name: str):
    path = FIXTURES / name
    return make_article(name, str(path), path.read_text(encoding="utf-8"))


def table(article) -> list[tuple]:
    return [(u.kind, u.line, u.text, " › ".join(path)) for u, path in zip(article.units, article.sections())]


def assert_located(article) -> None:
    """Every unit's words stand, in order, in its source span, and its line is where it starts."""
    for unit in article.units:
        source = article.text[unit.start:unit.end]
        at = 0
        for word in re.findall(r"\w+", unit.text):
            found = source.find(word, at)
            assert found >= 0, (unit.text, source)
            at = found + len(word)
        assert article.text.count("\n", 0, unit.start) + 1 == unit.line


def test_markdown_reads_as_rendered():
    article = read("guide.md")
    assert (article.format, article.title, article.authors, article.date) == (
        "markdown", "Migrating the billing service", ["Ana Silva"], "2024-03-01")
    assert table(article) == [
        (K.HEADING, 7, "Migration guide", "Migration guide"),
        (K.TEXT, 9, "Intro with bold, em, code and a link plus CVE here.", "Migration guide"),
        (K.TEXT, 10, "Second line of the same paragraph & more.", "Migration guide"),
        (K.HEADING, 12, "Steps", "Migration guide › Steps"),
        (K.ITEM, 14, "CVE: Common Vulnerabilities and Exposures - a list of flaws.", "Migration guide › Steps"),
        (K.ITEM, 15, "Second item.", "Migration guide › Steps"),
        (K.HEADER_ROW, 17, "Name | Meaning", "Migration guide › Steps"),
        (K.ROW, 19, "-l | count lines", "Migration guide › Steps"),
        (K.CODE, 22, "make install", "Migration guide › Steps"),
        (K.CODE, 23, "make test", "Migration guide › Steps"),
    ]
    assert_located(article)
    assert not any("title:" in u.text or "a comment" in u.text for u in article.units)


def test_front_matter_lists_and_absence():
    end, fields = front_matter("---\nauthors:\n  - A One\n  - 'B Two'\ntags: [x, y]\n---\nBody\n")
    assert fields == {"authors": ["A One", "B Two"], "tags": ["x", "y"]}
    assert end == len("---\nauthors:\n  - A One\n  - 'B Two'\ntags: [x, y]\n---\n")
    assert front_matter("No front matter\n---\n") == (0, {})


def test_html_drops_furniture_and_keeps_structure():
    article = read("types.html")
    assert article.format == "html" and article.title == "Built-in Types — Docs"
    assert table(article) == [
        (K.HEADING, 6, "Built-in Types", "Built-in Types"),
        (K.TEXT, 7, "The principal built-in types are numerics, sequences & mappings.", "Built-in Types"),
        (K.TEXT, 7, "Some are mutable.", "Built-in Types"),
        (K.DEFINITION, 9, "str.strip([chars]) Return a copy of the string with the leading and trailing "
                          "characters removed.", "Built-in Types"),
        (K.TEXT, 11, "The chars argument is a string.", "Built-in Types"),
        (K.ITEM, 13, "First item.", "Built-in Types"),
        (K.ITEM, 13, "Second item", "Built-in Types"),
        (K.HEADER_ROW, 14, "Op | Result", "Built-in Types"),
        (K.ROW, 14, "x or y | if x is true, then x", "Built-in Types"),
        (K.CODE, 15, ">>> def deco(func):", "Built-in Types"),
        (K.CODE, 16, "... return func", "Built-in Types"),
    ]
    assert_located(article)


def test_rst_directives_roles_and_comments_are_not_prose():
    article = read("coroutines.rst")
    assert article.format == "rst" and article.title == "Coroutines"
    assert table(article) == [
        (K.HEADING, 6, "Coroutines", "Coroutines"),
        (K.TEXT, 11, "Coroutines are declared with the async syntax and use run.", "Coroutines"),
        (K.TEXT, 12, "See the docs and await.", "Coroutines"),
        (K.HEADING, 14, "Running", "Coroutines › Running"),
        (K.TEXT, 19, "This is a note body.", "Coroutines › Running"),
        (K.DEFINITION, 21, "run(coro, *, debug=None) Execute the coroutine coro and return the result.",
         "Coroutines › Running"),
        (K.TEXT, 25, "More text here.", "Coroutines › Running"),
        (K.TEXT, 29, "Example:", "Coroutines › Running"),
        (K.CODE, 31, "asyncio.run(main())", "Coroutines › Running"),
        (K.ITEM, 33, "item one continues here", "Coroutines › Running"),
        (K.ITEM, 35, "item two", "Coroutines › Running"),
        (K.DEFINITION, 37, "-l, --lines print the newline counts", "Coroutines › Running"),
        (K.DEFINITION, 39, "term The definition of term.", "Coroutines › Running"),
        (K.HEADER_ROW, 46, "A | B", "Coroutines › Running"),
        (K.ROW, 48, "1 | 2", "Coroutines › Running"),
    ]
    assert_located(article)


def test_sphinx_sources_read_as_rst(tmp_path):
    (tmp_path / "intro.rst.txt").write_text(".. index:: single: x\n\nIntro\n=====\n\nPlain words.\n")
    article = make_article("intro.rst.txt", str(tmp_path / "intro.rst.txt"),
                           (tmp_path / "intro.rst.txt").read_text())
    assert article.format == "rst" and [u.text for u in article.units] == ["Intro", "Plain words."]


def test_man_page_sections_and_options():
    article = read("wc.txt")
    assert article.format == "man"
    assert article.title == "wc - print newline, word, and byte counts for each file"
    assert table(article) == [
        (K.HEADING, 3, "NAME", "NAME"),
        (K.DEFINITION, 4, "wc - print newline, word, and byte counts for each file", "NAME"),
        (K.HEADING, 6, "SYNOPSIS", "SYNOPSIS"),
        (K.CODE, 7, "wc [OPTION]... [FILE]...", "SYNOPSIS"),
        (K.CODE, 8, "wc [OPTION]... --files0-from=F", "SYNOPSIS"),
        (K.HEADING, 10, "DESCRIPTION", "DESCRIPTION"),
        (K.TEXT, 11, "Print newline, word, and byte counts for each FILE, and a total line if more "
                     "than one FILE is specified.", "DESCRIPTION"),
        (K.DEFINITION, 14, "-c, --bytes print the byte counts", "DESCRIPTION"),
        (K.DEFINITION, 17, "-l, --lines print the newline counts", "DESCRIPTION"),
        (K.DEFINITION, 20, "--help display this help and exit", "DESCRIPTION"),
        (K.HEADING, 22, "Subsection here", "DESCRIPTION › Subsection here"),
        (K.TEXT, 23, "Some text in it.", "DESCRIPTION › Subsection here"),
    ]
    assert_located(article)


def test_plain_text_keeps_its_reading_and_gains_lines():
    article = read("notes.txt")
    assert article.format == "text"
    # The headline of a plain text is its title, not a section; a heading after the
    # masthead opens one.
    assert table(article) == [
        (K.HEADING, 1, "Plain notes", ""),
        (K.TEXT, 3, "The first sentence is here.", ""),
        (K.TEXT, 3, "The second one follows.", ""),
        (K.CODE, 5, "make all", ""),
        (K.HEADING, 7, "Background", "Background"),
        (K.TEXT, 9, "It began in 2020.", "Background"),
    ]
    assert all(" ".join(article.text[u.start:u.end].split()) == u.text for u in article.units)


@pytest.mark.parametrize("name", ["guide.md", "types.html", "coroutines.rst", "wc.txt"])
def test_unit_at_finds_the_quoted_sentence_again(name):
    article = read(name)
    for unit in article.units:
        assert article.unit_at(unit.start, unit.end) == unit


def test_answers_cite_line_and_section_and_keep_code_for_commands(tmp_path):
    from verbatim.retrieval.engine import Engine

    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "deploy.md").write_text(
        "# Deploying\n\n## Rolling back\n\nA rollback restores the previous release of the service.\n\n"
        "```\ndeploy rollback --release previous\n```\n", encoding="utf-8")
    engine = Engine.load(corpus, index_dir=tmp_path / "index")
    prose = engine.ask("What does a rollback restore?")
    assert prose.answered
    best = prose.answers[0]
    assert best.sentence == "A rollback restores the previous release of the service."
    assert (best.line, best.section) == (5, ["Deploying", "Rolling back"])
    command = engine.ask("Which command does a rollback of the release?")
    assert command.answered and command.answers[0].sentence == "deploy rollback --release previous"
    assert command.answers[0].line == 8


def test_choosing_files_globs_ignore_file_and_one_format(tmp_path):
    from verbatim.corpus.reader import corpus_listing
    from verbatim.corpus.select import Selection

    root = tmp_path / "docs"
    for rel in ["api/fs.md", "api/fs.html", "api/net.html", "guide/intro.rst", "guide/old.markdown",
                "_sources/intro.rst.txt", "CHANGELOG.md", "logo.png", "notes/a.txt"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("Some words.\n", encoding="utf-8")
    (root / ".verbatimignore").write_text("# build output\n_sources/\nCHANGELOG*\n", encoding="utf-8")
    other: dict[str, int] = {}
    listing, _ = corpus_listing(root, other_types=other)
    assert [rel for _, rel in listing] == ["api/fs.md", "api/net.html", "guide/intro.rst",
                                          "guide/old.markdown", "notes/a.txt"]
    assert other == {".png": 1}
    chosen = Selection.of(root, include=["api/**", "*.rst"], exclude=["net.*"])
    assert [rel for _, rel in corpus_listing(root, selection=chosen)[0]] == ["api/fs.md", "guide/intro.rst"]
    left_out = Selection.of(root, include=["!guide/"])
    assert [rel for _, rel in corpus_listing(root, selection=left_out)[0]] == ["api/fs.md", "api/net.html", "notes/a.txt"]
    assert chosen.fingerprint() != left_out.fingerprint()



@pytest.mark.parametrize("names, read", [
    (["guide.docx", "guide.epub"], "guide.epub"),  # EPUB's chapters, not the name that sorts first
    (["guide.pdf", "guide.odt"], "guide.odt"),
    (["guide.docx", "guide.pdf"], "guide.docx"),
    (["guide.pdf", "guide.html"], "guide.html"),
    (["guide.html", "guide.epub", "guide.md"], "guide.md"),
    (["guide.text", "guide.epub"], "guide.text"),
    (["ls.html", "ls.1"], "ls.1"),
])
def test_a_document_in_several_formats_is_read_in_the_most_faithful(tmp_path, names, read):
    from verbatim.corpus.reader import corpus_listing

    for name in names:
        (tmp_path / name).write_bytes(b"Some words.\n")
    listing, _ = corpus_listing(tmp_path)
    assert [rel for _, rel in listing] == [read]

@pytest.fixture(scope="module")
def knot_engine(tmp_path_factory):
    from verbatim.retrieval.engine import Engine

    folder = tmp_path_factory.mktemp("man")
    (folder / "knot.txt").write_text((FIXTURES / "knot.txt").read_text(encoding="utf-8"), encoding="utf-8")
    return Engine.load(folder, index_dir=folder.parent / (folder.name + "-index"))


@pytest.mark.parametrize("question, option", [
    ("What does knot -l do?", "-l, --list"),
    ("What does -v do?", "-v, --verbose"),
    ("What does knot -f do?", "-f ARCHIVE, --file=ARCHIVE"),
    ("What does knot --append do?", "-a, --append"),
])
def test_a_question_naming_an_option_reaches_its_description(knot_engine, question, option):
    result = knot_engine.ask(question)
    assert result.answered
    best = result.answers[0]
    assert best.sentence.startswith(option + " ")
    assert best.section[-1] == "OPTIONS"


def overstruck(page: str) -> str:
    """``page`` as nroff writes it for a terminal: section names and options in bold
    (each character struck twice), arguments underlined (struck over "_")."""
    def bold(m):
        return "".join(f"{c}\b{c}" for c in m.group())
    page = re.sub(r"(?m)^[A-Z][A-Z ]+$", bold, page)
    page = re.sub(r"(?<=[\s,\[])--?[a-z]+", bold, page)
    return re.sub(r"ARCHIVE", lambda m: "".join(f"_\b{c}" for c in m.group()), page)


def test_man_page_options_are_definitions_with_their_section():
    article = read("knot.txt")
    assert article.format == "man"
    rows = {text: (kind, line, section) for kind, line, text, section in table(article)}
    assert rows["-l, --list print the names of the files held in the archive, one a line"] == (
        K.DEFINITION, 19, "OPTIONS")
    assert rows["-f ARCHIVE, --file=ARCHIVE read or write the archive named ARCHIVE instead of knot.out"][0] is K.DEFINITION
    # A description one space after its tag, in the column the page's descriptions start in.
    assert rows["--help show a short summary of the options and exit"] == (K.DEFINITION, 34, "OPTIONS")
    assert rows["knot [-alrv] [-f ARCHIVE] [FILE]..."] == (K.CODE, 7, "SYNOPSIS")
    assert_located(article)


def test_prose_that_opens_with_an_option_is_not_a_definition():
    page = (FIXTURES / "knot.txt").read_text(encoding="utf-8").replace(
        "       --help show", "       -l and -c show")
    article = make_article("knot.txt", "knot.txt", page)
    [unit] = [u for u in article.units if u.text.startswith("-l and -c show")]
    assert unit.kind is K.TEXT


@pytest.mark.parametrize("header", [True, False])
def test_an_overstruck_page_reads_as_the_same_page_shown(header):
    clean = (FIXTURES / "knot.txt").read_text(encoding="utf-8")
    if not header:
        clean = clean.split("\n", 2)[2]
    struck = overstruck(clean)
    assert "\b" in struck and "N\bNA\bAM\bME\bE" in struck
    a, b = make_article("knot.txt", "knot.txt", clean), make_article("knot.txt", "knot.txt", struck)
    assert b.format == "man" and b.title == a.title
    assert [(u.kind, u.line, u.text, u.level) for u in b.units] == [(u.kind, u.line, u.text, u.level) for u in a.units]
    for unit in b.units:  # each span holds, as shown, the words quoted
        shown = re.sub("[^\n]\b", "", struck[unit.start:unit.end])
        assert " ".join(shown.split()) == unit.text
        assert b.unit_at(unit.start, unit.end) == unit


def test_an_overstruck_page_answers_with_the_words_shown(tmp_path):
    from verbatim.retrieval.engine import Engine

    folder = tmp_path / "man"
    folder.mkdir()
    (folder / "knot.txt").write_text(overstruck((FIXTURES / "knot.txt").read_text(encoding="utf-8")),
                                     encoding="utf-8")
    engine = Engine.load(folder, index_dir=tmp_path / "index")
    result = engine.ask("What does knot -l do?")
    assert result.answered and not result.notice
    best = result.answers[0]
    assert best.sentence == "-l, --list print the names of the files held in the archive, one a line"
    assert (best.line, best.section) == (19, ["OPTIONS"])


@pytest.mark.parametrize(
    "name, source",
    [
        ("drinks.md", "| Drink | Caffeine |\n| --- | --- |\n| Espresso | 63 mg |\n| Decaf | 2 mg |\n"),
        ("drinks.html", "<table><thead><tr><td>Drink</td><td>Caffeine</td></tr></thead>"
                        "<tr><td>Espresso</td><td>63 mg</td></tr><tr><td>Decaf</td><td>2 mg</td></tr></table>"),
        ("drinks.htm", "<table><tr><th>Drink</th><th>Caffeine</th></tr>"
                       "<tr><th>Espresso</th><td>63 mg</td></tr><tr><th>Decaf</th><td>2 mg</td></tr></table>"),
        ("drinks.rst", "========  ========\nDrink     Caffeine\n========  ========\nEspresso  63 mg\n"
                       "Decaf     2 mg\n========  ========\n"),
        ("grid.rst", "+----------+----------+\n| Drink    | Caffeine |\n+==========+==========+\n"
                     "| Espresso | 63 mg    |\n+----------+----------+\n| Decaf    | 2 mg     |\n"
                     "+----------+----------+\n"),
    ],
)
def test_a_tables_header_row_is_its_own_kind(name, source):
    """The row that names the columns is told from the rows of facts, in every format with
    tables; a row headed by a header cell is still a row."""
    rows = [(u.kind, u.text) for u in make_article(name, name, source).units]
    assert rows == [(K.HEADER_ROW, "Drink | Caffeine"), (K.ROW, "Espresso | 63 mg"), (K.ROW, "Decaf | 2 mg")]


def test_a_simple_table_without_a_head_has_rows_only():
    source = "========  ========\nEspresso  63 mg\nDecaf     2 mg\n========  ========\n"
    assert {u.kind for u in make_article("t.rst", "t.rst", source).units} == {K.ROW}


@pytest.mark.parametrize("source, kind", [
    ("* `minVersion(range)`: Return the lowest version that can match.\n", K.DEFINITION),
    ("* `follow` Follow symlinked directories.\n", K.DEFINITION),
    ("- ``a`b`` - a name with a backtick in it\n", K.DEFINITION),
    ("* `make install`\n", K.ITEM),  # code alone defines nothing
    ("* Run `make install` first.\n", K.ITEM),  # prose that quotes code
    ("* Plain item.\n", K.ITEM),
])
def test_a_markdown_item_that_opens_with_code_and_describes_it_is_a_definition(tmp_path: Path, source, kind):
    path = tmp_path / "api.md"
    path.write_text(source, encoding="utf-8")
    article = make_article("api.md", str(path), source)
    assert [u.kind for u in article.units] == [kind]
