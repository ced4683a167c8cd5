"""Features of a unit's place in its document: its entry's heading, its file's name, lines that point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.reader.features import COLUMN, QueryTerms, is_numbering_label, read, restatement
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import analyze
from verbatim.retrieval.reader.retriever import gather
from verbatim.retrieval.training.compare import main as compare
from verbatim.retrieval.training.compare import mcnemar, right

FAQ = """Widget Frequently Asked Questions

Contents

1.1. How do I reset the widget counter?
1.2. Why does the gizmo refuse to start?

1.1. How do I reset the widget counter?

Hold the front button for ten seconds until the lamp blinks twice.
The counter then starts again from zero.

1.2. Why does the gizmo refuse to start?

A gizmo without a charged battery stays dark after power is applied.
Charge it for an hour first.
"""


def engine_of(tmp_path: Path, **files: str) -> Engine:
    """An engine over a folder of the text files ``files`` (file name -> text)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Engine.load(folder, index_dir=tmp_path / "index")


@pytest.fixture()
def faq(tmp_path: Path) -> Engine:
    return engine_of(tmp_path, **{
        "widget-faq.txt": FAQ,
        "frobnicate.txt": "Frobnicate reads a widget list and prints each counter.\nThe counter column is wide.\n",
    })


def pooled(engine: Engine, question: str) -> list[tuple[str, dict[str, float]]]:
    """Each candidate's text and features."""
    index = engine.index
    query = Query.of(index, analyze(question))
    pool = gather(index, query, QueryTerms.of(index, query))
    return [(index.text_of(int(uid)), {name: float(pool.values[row, col]) for name, col in COLUMN.items()})
            for row, uid in enumerate(pool.uids.tolist())]


def features_of(engine: Engine, question: str) -> dict[str, dict[str, float]]:
    return dict(pooled(engine, question))


def test_the_first_sentence_under_a_restating_heading_sits_in_the_entry_it_asks_for(faq: Engine):
    found = features_of(faq, "How do I reset the widget counter?")
    answer = found["Hold the front button for ten seconds until the lamp blinks twice."]
    assert answer["entry_coverage"] == pytest.approx(1.0)
    assert answer["entry_distance"] == 0.0
    # The other entry's answer sits under a heading that does not restate the question.
    other = found.get("A gizmo without a charged battery stays dark after power is applied.")
    assert other is None or other["entry_coverage"] < 0.5


def test_a_line_of_the_contents_and_its_heading_are_repeated_the_answer_is_not(faq: Engine):
    found = features_of(faq, "How do I reset the widget counter?")
    headings = [f for text, f in pooled(faq, "How do I reset the widget counter?") if "reset the widget counter" in text]
    assert len(headings) == 2
    assert all(f["repeated_in_document"] > 0 and f["asks"] == 1.0 for f in headings)
    answer = found["Hold the front button for ten seconds until the lamp blinks twice."]
    assert answer["repeated_in_document"] == 0.0 and answer["asks"] == 0.0


def test_a_question_naming_a_file_matches_its_name(faq: Engine):
    found = features_of(faq, "What does frobnicate print?")
    named = found["Frobnicate reads a widget list and prints each counter."]
    assert named["coverage_filename"] > 0.0
    elsewhere = [f for text, f in found.items() if "counter" in text and "Frobnicate" not in text
                 and "column" not in text]
    assert all(f["coverage_filename"] == 0.0 for f in elsewhere)


def test_mcnemar_is_the_exact_binomial_test_on_disagreements():
    assert mcnemar(0, 0) == 1.0
    assert mcnemar(5, 5) == 1.0
    assert mcnemar(0, 6) == pytest.approx(2 / 64)
    assert mcnemar(1, 10) == pytest.approx(2 * 12 / 2**11)


def test_right_counts_as_the_scorer_does():
    gold = {"id": "q", "file": "a.txt", "start": 10, "end": 20}
    top = {"article": {"path": "/x/a.txt"}, "start": 15, "end": 30}
    assert right("faqs", gold, {"answered": True, "answers": [top]})
    assert not right("faqs", gold, {"answered": True, "answers": [{**top, "start": 20}]})
    assert not right("faqs", gold, {"answered": False, "answers": []})
    assert right("offcorpus", gold, {"answered": False, "answers": []})
    squad = {"id": "s", "file": "a.txt", "answers": [{"start": 12, "text": "abc"}]}
    assert right("squad", squad, {"answered": True, "answers": [top | {"start": 12}]})
    assert not right("squad", squad, {"answered": True, "answers": [top]})


def test_compare_says_worse_when_a_run_loses_beyond_noise(tmp_path: Path, capsys):
    data = tmp_path / "faqs"
    data.mkdir()
    golds = [{"id": f"q{i}", "file": "a.txt", "start": 0, "end": 10} for i in range(12)]
    (data / "validation.jsonl").write_text("".join(json.dumps(g) + "\n" for g in golds), encoding="utf-8")
    hit = {"answered": True, "answers": [{"article": {"path": "a.txt"}, "start": 0, "end": 5}]}
    miss = {"answered": True, "answers": [{"article": {"path": "b.txt"}, "start": 0, "end": 5}]}
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    before.write_text("".join(json.dumps({"id": g["id"], "output": hit}) + "\n" for g in golds), encoding="utf-8")
    after.write_text("".join(json.dumps({"id": g["id"], "output": miss if n < 9 else hit}) + "\n"
                             for n, g in enumerate(golds)), encoding="utf-8")
    assert compare(["--set", "faqs", "--data", str(data), str(before), str(after)]) == 1
    assert "WORSE" in capsys.readouterr().out
    assert compare(["--set", "faqs", "--data", str(data), str(after), str(before)]) == 0
    assert np.isclose(mcnemar(9, 0), 2 / 2**9)


PAGE = """FROB(3)                  Library Functions Manual                  FROB(3)

NAME
       frob_open, frob_close - open and close a frobnicator handle

DESCRIPTION
       The  frob_open() function opens a handle.  It is justified text,  with
       wide gaps that are not tags.

       FROB_FAST
              Open the handle without waiting for the device to settle, which
              is quicker but less safe.

       -q     Print nothing at all while the handle is open, not even errors.

       If     a word of text begins a paragraph like a tag, it is still not a
              tag; its case says so.

SEE ALSO
       frob(7)
"""


def test_questions_made_from_a_manual_page_ask_for_its_summary_and_its_entries():
    from verbatim.retrieval.training.generate import questions_of

    made = questions_of(PAGE, "frob.3.txt", "frob")
    asked = {q["question"]: PAGE[q["start"]:q["end"]] for q in made}
    assert asked["What does frob_open do?"] == "open and close a frobnicator handle"
    assert asked["How do I open and close a frobnicator handle?"] == "open and close a frobnicator handle"
    assert asked["What does FROB_FAST do in frob?"].startswith("Open the handle without waiting")
    assert asked["What does FROB_FAST do in frob?"].endswith("less safe.")
    assert asked["What does -q do in frob?"] == "Print nothing at all while the handle is open, not even errors."
    assert not any(" If " in q or "The " in q for q in asked)


def test_an_faq_is_made_of_entries_and_plain_text_is_not(faq: Engine):
    from verbatim.retrieval.reader.fields import structure, structured_share

    index = faq.index
    kinds = {Path(a.path).name: structure(index, n).structured for n, a in enumerate(index.articles)}
    assert kinds == {"widget-faq.txt": True, "frobnicate.txt": False}
    faq_units = np.arange(index.articles[[Path(a.path).name for a in index.articles].index("widget-faq.txt")].first,
                          len(index))
    assert 0.0 < structured_share(index, faq_units) <= 1.0


def test_a_heading_that_restates_the_question_yields_the_entry_text(faq: Engine):
    result = faq.ask("How do I reset the widget counter?", top=3)
    assert result.answered
    assert result.answers[0].sentence == "Hold the front button for ten seconds until the lamp blinks twice."


def test_a_table_of_contents_line_is_not_the_answer(faq: Engine):
    result = faq.ask("Why does the gizmo refuse to start?", top=3)
    assert result.answers[0].sentence.startswith("A gizmo without a charged battery")


# -- a sentence that asks the question again points to the answer; it never answers ----------

@pytest.mark.parametrize("text", [
    "How do I reset the widget counter?",
    "1.1. How do I reset the widget counter?",
    'See "How do I reset the widget counter?" in the manual.',
    "(See: how do I reset the widget counter?)",
])
def test_a_sentence_asking_the_question_again_is_a_restatement(text):
    assert restatement("How do I reset the widget counter?").search(text)


@pytest.mark.parametrize("text", [
    "Liang Wenfeng, who founded DeepSeek in 2023, said so.",  # a relative clause answers
    "Who founded DeepSeek and why?",  # another question
    "Who founded DeepSeekers?",
])
def test_a_sentence_holding_the_words_without_asking_them_is_not(text):
    assert not restatement("Who founded DeepSeek?").search(text)


@pytest.mark.parametrize("question, text", [
    ("I'm on Windows and git diff shows a ^M at each line's end.", "I'm on Windows and git diff shows a ^M at each line's end."),
    ("I've made a mistake in the last commit. How do I change it?", "I've made a mistake in the last commit."),
    ("What problems can occur when merging long-lived branches with squash merges?",
     "What problems can occur when merging long-lived branches with"),  # a heading cut at a line break
    ("I've made a mistake in the last commit. How do I change it?", "2.3. I've made a mistake in the last commit"),
])
def test_a_unit_made_of_the_question_s_first_words_is_a_restatement(question, text):
    assert restatement(question).search(text)


@pytest.mark.parametrize("question, text", [
    ("I've made a mistake in the last commit. How do I change it?",
     "I've made a mistake in the last commit, and git commit --amend mends it."),  # says more
    ("What is Linux, exactly?", "What is Linux"),  # too few words to be the question
])
def test_a_unit_that_says_more_than_the_question_s_words_is_not(question, text):
    assert not restatement(question).search(text)


def test_a_question_without_words_restates_nothing():
    assert restatement("?!") is None


def test_a_cross_reference_that_asks_the_question_is_never_quoted(tmp_path: Path):
    """Two short notes, neither an FAQ: the one that points to the other with the question
    itself holds its words best, yet the answer is the other's."""
    engine = engine_of(tmp_path, **{
        "counters.txt": "Counters\n\nHold the front button for ten seconds until the lamp blinks twice to reset a "
                        "widget counter.\nThe counter then starts again from zero.\n",
        "lamps.txt": "Lamps\n\nThe lamp blinks when the widget is busy.\n\n"
                     "For counters, see How do I reset the widget counter?\n",
    })
    question = "How do I reset the widget counter?"
    result = engine.ask(question, top=3)
    assert result.answers and all("see How do I" not in a.sentence for a in result.answers)
    assert result.answers[0].sentence.startswith("Hold the front button")


def two_papers(tmp_path: Path) -> Engine:
    return engine_of(tmp_path, **{
        "harbor-gazette.txt": "Ferry Fares Rise\n\nThe ferry company raised its fares by a tenth on Monday.\n"
                              "Commuters said the rise came without warning.\n\nEdited by Jane Roe.\n",
        "valley-courier.txt": "Bridge Works Begin\n\nCrews began repairing the old bridge on Tuesday.\n"
                              "The works will close one lane until spring.\n\nEdited by Sam Poe.\n",
    })


def test_a_name_that_says_which_document_to_read_is_not_asked_of_the_sentence(tmp_path: Path):
    engine = two_papers(tmp_path)
    result = engine.ask("Who edited the Harbor Gazette article?")
    assert result.answered and result.answers[0].sentence == "Edited by Jane Roe."
    weights = {t.surface: t.weight for t in Query.of(engine.index, analyze("Who edited the Harbor Gazette article?"))
               .question.terms}
    assert weights["Harbor"] == weights["Gazette"] == weights["article"] < weights["edited"]


def test_a_name_no_document_is_called_by_keeps_its_weight(tmp_path: Path):
    engine = two_papers(tmp_path)
    weights = {t.surface: t.weight for t in Query.of(engine.index, analyze("Who edited the Morning Herald article?"))
               .question.terms}
    assert weights["Morning"] == weights["Herald"] == weights["edited"] > weights["article"]


@pytest.mark.parametrize("question", ["How do I reset the widget counter?", "Why does the gizmo refuse to start?",
                                      "What is in the contents?"])
def test_an_entry_number_split_from_its_heading_is_never_quoted(faq: Engine, question):
    """The sentence splitter ends a unit at "1.1."; the number points to the entry, so it
    neither answers nor stands as a further source."""
    result = faq.ask(question, top=3)
    assert all(a.sentence not in ("1.1.", "1.2.") for a in result.answers)


@pytest.mark.parametrize("text, label", [("1.4.", True), ("3.1.7.", True), ("Question 2.1.", True), ("Q5.", True),
                                         ("2.", True), ("2023.", False), ("In 2023.", False), ("Yes.", False),
                                         ("5%.", False)])
def test_what_reads_as_an_entry_number(text, label):
    assert is_numbering_label(text) is label


@pytest.mark.parametrize("question, says_nothing_new", [
    ("Why are leading zeros in a decimal number not allowed?", True),
    ("Are leading zeros in a decimal number not allowed?", False),  # the statement answers yes or no
    ("Which are not allowed, leading zeros or trailing zeros?", False),  # the answer is among its words
])
def test_a_sentence_of_the_question_s_own_words_answers_no_wh_question(tmp_path: Path, question, says_nothing_new):
    engine = engine_of(tmp_path, **{"zeros.txt": "Leading zeros in a decimal number are not allowed.\n"})
    index = engine.index
    query = Query.of(index, analyze(question))
    terms = QueryTerms.of(index, query)
    pool = gather(index, query, terms)
    reading = read(index, query, terms, pool, np.arange(len(pool.uids)))
    assert bool(reading.values[0, COLUMN["says_nothing_new"]]) is says_nothing_new


def manual_pages(tmp_path: Path) -> Engine:
    """Configuration pages, rendered as man renders them, two of which share a key."""
    def page(name: str, program: str, key: str, text: str) -> str:
        return (f"{name.upper()}(5)              File Formats Manual              {name.upper()}(5)\n\n"
                f"NAME\n       /etc/{name} - configuration file for {program}(8)\n\n"
                f"DESCRIPTION\n       The file /etc/{name} contains defaults for {program}(8).\n"
                f"       Each line of /etc/{name} sets one key.\n\n"
                f"       RETRIES\n              How often {program} tries again before it gives up.\n\n"
                f"       {key}\n              {text}\n\n"
                f"FILES\n       /etc/{name}\n")
    return engine_of(tmp_path, **{
        "widget.conf.5.txt": page("widget.conf", "widgetd", "TIMEOUT", "Seconds the daemon waits for a reply. Defaults to 30."),
        "gizmo.conf.5.txt": page("gizmo.conf", "gizmod", "TIMEOUT", "Minutes a lease lasts before renewal. Defaults to 5."),
        "sprocket.conf.5.txt": page("sprocket.conf", "sprocketd", "COLOUR", "The colour of the status lamp."),
        "flange.conf.5.txt": page("flange.conf", "flanged", "SIZE", "The largest message the daemon takes, in bytes."),
    })


@pytest.mark.parametrize("question", ["What does TIMEOUT do in widget.conf?", "In widget.conf, what does TIMEOUT do?",
                                      "What does TIMEOUT do in the widget.conf file?"])
def test_a_question_placed_in_a_named_document_is_answered_from_its_entry(tmp_path: Path, question):
    """The page's name says where to read; the sentence that answers need not repeat it, and
    a line that only repeats the name is not the answer."""
    engine = manual_pages(tmp_path)
    result = engine.ask(question)
    assert result.answered
    assert result.answers[0].sentence.endswith("Seconds the daemon waits for a reply.")
    assert result.answers[0].article.id == "widget.conf.5.txt"


@pytest.mark.parametrize("question, named", [
    ("What does TIMEOUT do in widget.conf?", ("widget", "conf")),
    ("What does TIMEOUT do in the widget.conf file?", ("widget", "conf", "file")),  # in its title
    ("What does TIMEOUT do in the widget.conf page?", ("widget", "conf")),
    ("What does TIMEOUT do in cog.conf?", ()),  # no document is called so
    ("What does TIMEOUT do in widget.conf on Sundays?", ()),  # the name must close the question
    ("How long does it wait in 2015?", ()),
])
def test_the_name_a_question_places_itself_in_is_a_document_s(tmp_path: Path, question, named):
    engine = manual_pages(tmp_path)
    found = Query.of(engine.index, analyze(question)).named
    assert tuple(t[:4] for t in found) == tuple(t[:4] for t in named)



def adduser_page(tmp_path: Path) -> Engine:
    """An engine over Debian's adduser.conf(5), as shipped (the formats' fixture)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "formats" / "adduser.conf.5.gz", folder)
    return Engine.load(folder, index_dir=tmp_path / "index")


@pytest.mark.parametrize("question", ["What does DIR_MODE do in adduser.conf?", "What is DIR_MODE?"])
def test_the_entry_that_defines_a_term_answers_what_it_is(tmp_path: Path, question):
    """A definition's term is a field of its own: the entry it opens outscores a sentence
    that only uses the word ("Please use DIR_MODE instead.")."""
    result = adduser_page(tmp_path).ask(question)
    assert result.answered
    assert result.answers[0].sentence.startswith("DIR_MODE The permissions mode for home directories")


def test_the_named_document_s_every_paragraph_holds_its_name(tmp_path: Path):
    """Named, the page lends its name to every paragraph of it: the paragraph of the entry
    that defines EXTRA_GROUPS does not lose to one that also says "adduser" in its text."""
    result = adduser_page(tmp_path).ask("What does EXTRA_GROUPS do in adduser.conf?")
    assert result.answered
    assert result.answers[0].sentence.startswith("EXTRA_GROUPS This is the space-separated list of groups")
