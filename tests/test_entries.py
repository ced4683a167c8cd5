"""Entries of reference documentation: the term an entry documents reaches every sentence of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fields import adduser_page, engine_of, pooled

from verbatim.retrieval.reader.fields import signature_name
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import analyze

# A library's API in Markdown as many projects write it: a heading that names the function,
# its parameters as a list, then the sentence that says what it does.
API_MARKDOWN = """# tinyfs

A small file system helper library.

## API

### `tinyfs.readText(path[, options])`

* `path` {string} The file to read.
* `options` {Object}
  * `encoding` {string} Defaults to `'utf8'`.

Reads the entire contents of a file and returns it as a string. If the file does not exist,
an error with code `ENOENT` is thrown.

### `tinyfs.writeText(path, data)`

* `path` {string} The file to write.
* `data` {string} The text to write.

Writes `data` to the file, replacing the file if it already exists. The parent directory must
exist.

### `tinyfs.remove(path)`

* `path` {string}

Deletes a file. Directories are not removed; use `tinyfs.removeTree()` for those.

## Changes

Version 2 dropped the synchronous helpers.
"""

# The same in HTML as Sphinx writes it: each function a definition list of its own.
API_HTML = """<html><head><title>shelfy: persistent dictionaries</title></head><body>
<h1>shelfy: persistent dictionaries</h1>
<p>The shelfy module stores Python objects on disk in a dictionary-like file.</p>
<dl class="py function"><dt id="shelfy.open">shelfy.open(<em>filename</em>, <em>flag='c'</em>)</dt>
<dd><p>Open a persistent dictionary. The filename specified is the base filename for the
underlying database.</p></dd></dl>
<dl class="py function"><dt id="shelfy.sync">shelfy.sync()</dt>
<dd><p>Write back all entries in the cache if the shelf was opened with writeback set to True.
Also empty the cache and synchronize the persistent dictionary on disk, if feasible.</p></dd></dl>
</body></html>
"""

# A configuration page as man renders it, each key's description running to more than one
# paragraph.
ROUNDS_PAGE = """SHADOW.CONF(5)              File Formats Manual              SHADOW.CONF(5)

NAME
       shadow.conf - settings of the password hashing tools

DESCRIPTION
       HASH_ROUNDS (number)
              The number of hashing rounds used when a password is changed.

              With more rounds a password is harder to guess, and each login
              costs more time.

              When it is unset, the library picks its own count of 5000
              rounds.

       HASH_SALT (number)
              The length of the random salt, in bytes.

              Longer salts cost nothing at login.

FILES
       /etc/shadow.conf
"""


@pytest.mark.parametrize("heading, name", [
    ("fs.readFile(path[, options], callback)", "fs.readFile"),
    ("open(path)", "open"),
    ("Class: fs.Dir", "fs.Dir"),
    ("filehandle.fd", "filehandle.fd"),
    ("std::vector::push_back(value)", "std::vector::push_back"),
    ("PASS_MAX_DAYS", "PASS_MAX_DAYS"),
    ("matchBase", "matchBase"),
    ("Installation", None),  # plain words name nothing
    ("Buffer", None),
    ("How do I install it?", None),
    ("Event: 'close'", None),
    ("Version 2.0 (2019)", None),
])
def test_a_heading_names_an_api_by_its_shape(heading, name):
    assert signature_name(heading) == name


@pytest.mark.parametrize("question, answer", [
    ("What does tinyfs.readText do?", "Reads the entire contents of a file and returns it as a string."),
    ("What does tinyfs.remove do?", "Deletes a file."),
    ("What does writeText do if the file exists?",
     "Writes data to the file, replacing the file if it already exists."),
])
def test_a_heading_naming_a_function_is_answered_by_its_entry_s_text(tmp_path: Path, question, answer):
    """The heading names the function; the sentence under it, past the parameter list, says
    what it does and answers."""
    result = engine_of(tmp_path, **{"tinyfs.md": API_MARKDOWN}).ask(question)
    assert result.answered
    assert result.answers[0].sentence == answer


def test_the_entry_s_opening_comes_into_the_pool_with_its_heading(tmp_path: Path):
    """The opening shares no word with the question; the heading brings it in, and it holds
    the name the heading gives as a field of its own."""
    found = dict(pooled(engine_of(tmp_path, **{"tinyfs.md": API_MARKDOWN}), "What does tinyfs.readText do?"))
    opening = found["Reads the entire contents of a file and returns it as a string."]
    assert opening["entry_term_field"] > 0
    assert opening["coverage_sentence"] == pytest.approx(1.0)
    # Another entry of the module holds the module's name only.
    assert found["Deletes a file."]["entry_term_field"] < opening["entry_term_field"]


def test_a_dotted_name_is_the_whole_term_of_a_definition(tmp_path: Path):
    """"shelfy.sync()" defines sync of shelfy: the definition it opens answers, not the
    sentence after it."""
    result = engine_of(tmp_path, **{"shelfy.html": API_HTML}).ask("What does sync do in shelfy?")
    assert result.answered
    assert result.answers[0].sentence.startswith("shelfy.sync() Write back all entries in the cache")


@pytest.mark.parametrize("question, answer", [
    ("What is the default of DIR_MODE?", "Defaults to 0700."),
    ("What does DIR_MODE do?", "DIR_MODE The permissions mode for home directories of non-system users"),
])
def test_the_question_s_other_words_choose_the_sentence_of_a_definition(tmp_path: Path, question, answer):
    """A later sentence of the definition holds its term too, where it holds a word of the
    question the opening lacks; a question about the term alone keeps the opening."""
    result = adduser_page(tmp_path).ask(question)
    assert result.answered
    assert result.answers[0].sentence.startswith(answer)


def test_a_definition_runs_on_through_its_paragraphs(tmp_path: Path):
    """The key's third paragraph is still about HASH_ROUNDS, and answers what happens when it
    is unset; the next key's paragraphs are not."""
    engine = engine_of(tmp_path, **{"shadow.conf.5.txt": ROUNDS_PAGE})
    result = engine.ask("How many rounds does the library use if HASH_ROUNDS is unset?")
    assert result.answered
    assert result.answers[0].sentence.startswith("When it is unset, the library picks its own count")
    found = dict(pooled(engine, "What does HASH_ROUNDS cost at login?"))
    assert found["With more rounds a password is harder to guess, and each login costs more time."][
        "entry_term_field"] > 0
    assert found["Longer salts cost nothing at login."]["entry_term_field"] == 0.0


MODULE_PAGES = {
    "semver.md": "# semver\n\n## Functions\n\n"
                 "* `minVersion(range)`: Return the lowest version that can possibly match the given range.\n"
                 "* `maxSatisfying(versions, range)`: Return the highest version in the list that satisfies the range.\n",
    "ranges.md": "# Ranges\n\nThe lowest version of a range is where a semver range starts.\n",
}


@pytest.mark.parametrize("question, named", [
    ("What does semver.minVersion do?", ("semver",)),  # the module's page
    ("What does lodash.minVersion do?", ()),  # no page is called so
    ("What does minVersion do?", ()),
    ("What does semver.md say about ranges?", ("semver",)),  # a file's name says it too
])
def test_a_dotted_name_s_qualifier_names_its_module_s_page(tmp_path: Path, question, named):
    engine = engine_of(tmp_path, **MODULE_PAGES)
    assert Query.of(engine.index, analyze(question)).named == named


def test_a_code_led_item_defines_its_function(tmp_path: Path):
    """The list item that opens with the function answers, from the module's page, though
    another page shares more of the question's words."""
    result = engine_of(tmp_path, **MODULE_PAGES).ask("What does semver.minVersion do?")
    assert result.answered
    assert result.answers[0].sentence.startswith("minVersion(range): Return the lowest version")


NAVIGATION_HTML = """<html><body>
<ul class="toc"><li>Limiter.reset()</li><li>Limiter.check()</li></ul>
<h1>API</h1>
<dl class="py method"><dt id="Limiter.reset">reset()</dt>
<dd><p>Resets the storage if it supports being reset.</p></dd></dl>
<dl class="py method"><dt id="Limiter.check">check()</dt>
<dd><p>Checks the limits for the current request and raises an error when one is exceeded.</p></dd></dl>
</body></html>
"""


def test_a_line_that_only_names_the_asked_term_is_not_the_answer(tmp_path: Path):
    """The contents line "Limiter.reset()" holds every word of the question and says nothing
    of it; the definition answers."""
    result = engine_of(tmp_path, **{"limiter.html": NAVIGATION_HTML}).ask("What does Limiter.reset do?")
    assert result.answered
    assert result.answers[0].sentence.startswith("reset() Resets the storage")


# issue(5) of the Linux man-pages project, as man renders it.
ISSUE_PAGE = """issue(5)                      File Formats Manual                     issue(5)

NAME
       issue - prelogin message and identification file

DESCRIPTION
       /etc/issue  is a text file which contains a message or system identifi\u2010
       cation to be printed before the login prompt.  It may  contain  various
       @char  and  \\char sequences, if supported by the getty-type program em\u2010
       ployed on the system.

FILES
       /etc/issue

SEE ALSO
       motd(5), agetty(8), mingetty(8)

Linux man-pages 6.03              2022-10-30                          issue(5)
"""


def test_a_page_s_name_line_says_what_the_name_does(tmp_path: Path):
    """The NAME line defines the page's name: it answers what the name is, rather than the
    FILES line that only repeats it."""
    result = engine_of(tmp_path, **{"issue.5.txt": ISSUE_PAGE}).ask("What does issue do?")
    assert result.answered
    assert result.answers[0].sentence == "issue - prelogin message and identification file"


def test_the_why_says_the_word_came_from_the_entry_s_term(tmp_path: Path):
    engine = adduser_page(tmp_path)
    result = engine.ask("What is the default of DIR_MODE?", explain=True)
    found = {match.text: match.found.value for match in result.explanation.concepts}
    assert found["DIR_MODE"] == "the term of its entry"
