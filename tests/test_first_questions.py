"""What a new user meets first, on a small folder of their own: short answers that keep their
unit, tables whose header row never answers, a follow-up asked twice, "Tell me about X"."""

from __future__ import annotations

from pathlib import Path

import pytest

from verbatim.corpus.document import CELL_SEPARATOR
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.sentence_index import related_terms
from verbatim.retrieval.index.terms import terms
from verbatim.retrieval.reader.evidence import find_evidence, value_extent
from verbatim.retrieval.reader.features import _synonym_terms
from verbatim.retrieval.reader.question import AnswerType, analyze

FOLDER = {
    "espresso.md": "# Espresso\n\nEspresso is a concentrated coffee brewed by forcing hot water through finely "
                   "ground beans.\n\n## Pulling a shot\n\nA typical espresso shot takes 25 to 30 seconds to "
                   "extract.\nA double shot uses about 14 grams of ground coffee.\n",
    "caffeine.md": "# Caffeine in coffee drinks\n\nCaffeine content varies with the bean and the roast.\n\n"
                   "| Drink | Serving | Caffeine |\n| --- | --- | --- |\n| Espresso | 1 shot | 63 mg |\n"
                   "| Drip coffee | 8 oz cup | 95 mg |\n| Cold brew | 12 oz | 155 mg |\n\n"
                   "A single shot of espresso contains about 63 mg of caffeine.\n",
    "beans.md": "# Coffee beans\n\nArabica is a species of coffee plant first grown in the highlands of "
                "Ethiopia.\nArabica beans account for about 60 percent of world coffee production.\n"
                "Robusta beans contain nearly twice as much caffeine as Arabica beans.\n",
    "brewing.md": "# Brewing methods\n\nCold brew is steeped in cold water for 12 to 24 hours.\n"
                  "A French press needs a brewing time of about 4 minutes.\n",
    "market.txt": "The coffee market\n\nAcme Roasters was founded in Seattle in 1971 by Jane Roe.\n"
                  "Jane Roe was a 26-year-old teacher at the time.\n"
                  "Acme Roasters raised 50 billion RMB from investors last year.\n",
}


@pytest.fixture(scope="module")
def coffee(tmp_path_factory) -> Engine:
    root: Path = tmp_path_factory.mktemp("coffee")
    for name, text in FOLDER.items():
        (root / name).write_text(text, encoding="utf-8")
    return Engine.load(root)


def spans(sentence: str, asked: str = "") -> list[str]:
    """The stretch each value of ``sentence`` answers with, for a question with ``asked``'s words."""
    kinds = (AnswerType.NUMBER, AnswerType.MONEY, AnswerType.PERCENT)
    return list(dict.fromkeys(sentence[slice(*value_extent(sentence, e, frozenset(terms(asked))))]
                              for e in find_evidence(sentence) if e.kind in kinds))


# -- a short answer keeps its unit ---------------------------------------------------------
@pytest.mark.parametrize(
    "sentence, stretch",
    [
        ("A shot takes 25 to 30 seconds to extract.", "25 to 30 seconds"),
        ("Heat the water to between 90 and 96 degrees.", "between 90 and 96 degrees"),
        ("A cup contains about 63 mg of caffeine.", "63 mg"),
        ("It holds 25-30 ml.", "25-30 ml"),
        ("The city has 1.5 million people.", "1.5 million people"),
        ("A 30-second pause follows.", "30-second"),
        ("Beans lose 15 to 20 percent of their weight.", "15 to 20 percent"),
        ("It is worth $5 to $10 billion.", "$5 to $10 billion"),
        ("The chain raised 50 billion RMB.", "50 billion RMB"),
    ],
)
def test_a_value_reaches_over_its_range_and_unit(sentence, stretch):
    assert stretch in spans(sentence)


def test_a_unit_is_a_word_after_the_number_not_a_name_or_a_stopword():
    assert spans("It has 10,000 A100 chips.") == ["10,000"]
    assert spans("It rose 40 and fell.") == ["40"]
    assert spans("He was 63 in May.") == ["63"]


def test_a_unit_the_question_names_is_not_repeated():
    assert spans("Exports went to 140 companies.", "How many companies") == ["140"]
    assert spans("Exports went to 140 companies.", "How many firms") == ["140 companies"]


@pytest.mark.parametrize(
    "question, short",
    [
        ("How much caffeine is in a single shot of espresso?", "63 mg"),
        ("How much ground coffee does a double shot use?", "14 grams"),
        ("How much money did Acme Roasters raise?", "50 billion RMB"),
        ("How old was Jane Roe?", "26-year-old"),
        ("How long does an espresso shot take?", "25 to 30 seconds"),
        ("How long is cold brew steeped?", "12 to 24 hours"),
    ],
)
def test_short_answers_keep_their_unit(coffee, question, short):
    first = coffee.ask(question).answers[0]
    assert first.span is not None
    assert first.sentence[first.span[0]:first.span[1]] == short


@pytest.mark.parametrize("question", ["How long does an espresso shot take?", "How far is Lyon from Paris?",
                                      "How often is the index rebuilt?", "How tall is the tower?"])
def test_how_with_a_measure_asks_for_a_value_and_its_word_is_not_the_topic(question):
    """"How long", "how far", "how often" ask for a number with its unit; "long" names the
    kind of answer, so a sentence that answers need not repeat it."""
    analysis = analyze(question)
    assert analysis.answer_type is AnswerType.NUMBER
    measure = question.split()[1]
    assert all((t.weight < 1.0) == (t.surface == measure) for t in analysis.terms)
    assert any(t.weight == 1.0 for t in analysis.terms)


def test_how_with_a_manner_is_not_a_measure():
    assert analyze("How does the grinder work?").answer_type is AnswerType.MANNER
    assert [t.weight for t in analyze("How does the grinder work?").terms] == [1.0, 1.0]


# -- a table's header row never answers ----------------------------------------------------
@pytest.mark.parametrize(
    "question",
    ["What is the caffeine per serving of a drink?", "Which drink has the most caffeine per serving?",
     "How much caffeine does cold brew have?", "What serving of drip coffee is a drink?"],
)
def test_a_header_row_is_never_an_answer(coffee, question):
    result = coffee.ask(question, top=5)
    quoted = [p.sentence for p in result.answers + result.closest]
    assert "Drink | Serving | Caffeine" not in quoted


def test_a_question_about_one_row_is_answered_from_the_table(coffee):
    result = coffee.ask("How much caffeine does cold brew have?")
    assert result.answered and result.answers[0].sentence == "Cold brew | 12 oz | 155 mg"


@pytest.mark.parametrize(
    "question, short",
    [
        ("How much caffeine does cold brew have?", "155 mg"),
        ("How much caffeine is in a serving of drip coffee?", "95 mg"),
    ],
)
def test_a_rows_short_answer_is_the_cell_under_the_column_asked_for(coffee, question, short):
    """The header row names the columns: the value under the one the question names first
    answers, not the value nearest the question's words."""
    first = coffee.ask(question).answers[0]
    assert CELL_SEPARATOR in first.sentence and first.span is not None
    assert first.sentence[first.span[0]:first.span[1]] == short


# -- a follow-up asked again ---------------------------------------------------------------
def test_a_follow_up_asked_again_is_read_and_answered_as_before(coffee):
    conversation = coffee.conversation()
    coffee.ask("Who founded Acme Roasters?", conversation=conversation)
    once = coffee.ask("How old was she?", conversation=conversation)
    reading = conversation.turns[-1].followup
    assert conversation.resolve("How old was  she?") == reading
    again = coffee.ask("How old was she?", conversation=conversation)
    assert again.interpreted_as == once.interpreted_as
    assert [p.sentence for p in again.answers] == [p.sentence for p in once.answers]


def test_asking_for_another_one_again_still_skips_what_was_given(coffee):
    conversation = coffee.conversation()
    coffee.ask("What do Arabica beans account for?", conversation=conversation)
    first = coffee.ask("What else about them?", conversation=conversation)
    reading = conversation.resolve("What else about them?")
    given = {(p.article.id, p.start) for p in first.answers}
    assert given <= reading.exclude


# -- "Tell me about X" ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "request_, question",
    [
        ("Tell me about Arabica", "What is Arabica?"),
        ("Can you tell me more about the espresso machine?", "What is the espresso machine?"),
        ("What can you tell me about Acme Roasters?", "What is Acme Roasters?"),
        ("Describe cold brew.", "What is cold brew?"),
        ("Explain how espresso is brewed", "How is espresso brewed?"),
    ],
)
def test_a_request_is_read_as_the_question_it_makes(request_, question):
    asked, plain = analyze(request_), analyze(question)
    assert asked.text == request_
    assert asked.answer_type == plain.answer_type
    assert [t.term for t in asked.terms] == [t.term for t in plain.terms]
    assert [request_[t.start:t.end] for t in asked.terms] == [t.surface for t in asked.terms]


def test_tell_me_about_x_is_answered_about_x(coffee):
    result = coffee.ask("Tell me about Arabica")
    assert result.answered
    assert "Arabica" in result.answers[0].sentence


# -- related forms -------------------------------------------------------------------------
def test_a_word_is_not_linked_to_every_word_it_begins():
    """A stem that begins another ("stock" in "stockpiled", "perl" in "perldoc") is not its
    form: validation showed such links mislead. A derivation WordNet knows ("founded",
    "founder") still counts, as a synonym, and inflections share their stem."""
    vocab = sorted(terms("stock stockpiled stocks found founder founded invest investor perl perldoc"))
    for word in ("stock", "founded", "invest", "perl"):
        assert related_terms(vocab, terms(word)[0]) == []
    assert terms("stocks") == terms("stock") and terms("invests") == terms("invest")
    assert terms("founder")[0] in _synonym_terms("founded")


def test_a_question_about_a_stock_is_not_answered_by_a_stockpile_through_its_form(tmp_path):
    (tmp_path / "chips.txt").write_text(
        "The lab had stockpiled ten thousand chips before the ban.\n\n"
        "Shares of the chip maker fell sharply on Monday.\n", encoding="utf-8")
    engine = Engine.load(tmp_path)
    assert "stockpil" not in engine.index.related(terms("stock")[0])


def test_the_verb_of_a_definition_question_is_not_its_topic():
    """"What does X stand for?" asks for a definition: "stand" says so, and a corpus that
    never uses the verb still answers."""
    analysis = analyze("What does RMB stand for?")
    assert analysis.answer_type is AnswerType.DEFINITION
    assert [(t.surface, t.weight < 1.0) for t in analysis.terms] == [("RMB", False), ("stand", True)]
    assert all(t.weight == 1.0 for t in analyze("Where does the stand sell coffee?").terms)


def test_a_follow_up_of_carried_words_alone_is_answered_without_error(engine):
    # "And since when?" holds no word of its own: its words of weight are the earlier turn's.
    conversation = engine.conversation()
    engine.ask("Who founded DeepSeek?", conversation=conversation)
    result = engine.ask("And since when?", conversation=conversation, explain=True)
    assert result.question == "And since when?"
