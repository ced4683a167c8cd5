"""Paragraphs, headings and sentences, on the bundled articles and on tricky text."""

from __future__ import annotations

import pytest
from conftest import read_folder

from verbatim.corpus import ARTICLES_DIR, UnitKind, segment
from verbatim.corpus.bundled import catalog
from verbatim.corpus.sentences import sentence_spans


@pytest.fixture(scope="module")
def bundled():
    entries = {entry["file"]: entry for entry in catalog()["articles"]}
    return {a.id: a for a in read_folder(ARTICLES_DIR, entries)}


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "On Jan. 20, Li chaired a symposium of experts. Afterwards, Li told the meeting.",
            ["On Jan. 20, Li chaired a symposium of experts.", "Afterwards, Li told the meeting."],
        ),
        (
            "The People’s Daily reported in a Jan. 21 report on its front page. The move puts Liang first.",
            ["The People’s Daily reported in a Jan. 21 report on its front page.",
             "The move puts Liang first."],
        ),
        (
            "It seeks to challenge the current U.S governance. Just one week ago, he came.",
            ["It seeks to challenge the current U.S governance.", "Just one week ago, he came."],
        ),
        (
            "Nvidia lost nearly US$600bn in market capitalization. U.S. President Donald Trump spoke.",
            ["Nvidia lost nearly US$600bn in market capitalization.",
             "U.S. President Donald Trump spoke."],
        ),
        (
            "Copyright © 1998-2023, RFA. The article is used with the permission of Radio Free Asia, "
            "2025 M St. NW, Suite 300, Washington, D.C. 20036. https://www.rfa.org.",
            ["Copyright © 1998-2023, RFA.",
             "The article is used with the permission of Radio Free Asia, 2025 M St. NW, Suite 300, "
             "Washington, D.C. 20036. https://www.rfa.org."],
        ),
        (
            "It needed to be “laser-focused on competing to win.” Trump last week announced it.",
            ["It needed to be “laser-focused on competing to win.”", "Trump last week announced it."],
        ),
        (
            "“We are limiting registrations,” the update said. “Existing users can log in.”",
            ["“We are limiting registrations,” the update said.", "“Existing users can log in.”"],
        ),
        ("Translated by Luisetta Mudie. Edited by Malcolm Foster.",
         ["Translated by Luisetta Mudie.", "Edited by Malcolm Foster."]),
        ("He lives in the U.S. He works in Washington.",
         ["He lives in the U.S.", "He works in Washington."]),
        ("Valuation vs. Reality: Is $20 Billion Justified?",
         ["Valuation vs. Reality: Is $20 Billion Justified?"]),
        # a question or an exclamation quoted inside a sentence does not end it
        ("Please see Section 6.1, “How many distributions are there?\n” for more information. Next.",
         ["Please see Section 6.1, “How many distributions are there?\n” for more information.", "Next."]),
        ('The history can be edited with "q/" and "q?"\ncommands. Then go.',
         ['The history can be edited with "q/" and "q?"\ncommands.', "Then go."]),
        ("“What next?” she asked. He left.", ["“What next?” she asked.", "He left."]),
        # without a closing quote, what follows in lower case is a sentence of its own
        ("How do I list files? ls -l lists them.", ["How do I list files?", "ls -l lists them."]),
        ('He said "Stop!" Then he left.', ['He said "Stop!"', "Then he left."]),
    ],
)
def test_sentence_boundaries(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "article_id, heading",
    [
        ("rfa-deepseek-close-ties-to-beijing", "Party Links"),
        ("rfa-deepseek-close-ties-to-beijing", "U.S. Restrictions"),
        ("deepseek-historic-deal", "The Efficiency Frontier: How DeepSeek Wins with Less"),
        ("deepseek-historic-deal", "Valuation vs. Reality: Is $20 Billion Justified?"),
        ("deepseek-weighs-outside-funding", "DeepSeek founder attends a rare Conference hosted by Xi Jinping"),
    ],
)
def test_heading_lines_stand_alone(bundled, article_id, heading):
    units = bundled[article_id].units
    [unit] = [u for u in units if u.text == heading]
    assert unit.kind is UnitKind.HEADING
    following = units[units.index(unit) + 1]
    assert following.paragraph == unit.paragraph + 1 and following.sentence == 1


def test_bundled_sentences_are_slices_of_the_text(bundled):
    for article in bundled.values():
        for unit in article.units:
            assert " ".join(article.text[unit.start : unit.end].split()) == unit.text


def test_boilerplate_is_marked_but_kept(bundled):
    kinds = {u.text: u.kind for a in bundled.values() for u in a.units}
    for text in ("Copyright © 1998-2023, RFA.", "More Stories:", "Leave a comment",
                 "read more at reuters.com", "(Source: Image by RR)"):
        assert kinds[text] is UnitKind.BOILERPLATE
    assert kinds["Edited by Malcolm Foster."] is UnitKind.TEXT


def test_an_unfinished_line_continues_into_the_next(bundled):
    units = bundled["deepseek-weighs-outside-funding"].units
    last = units[-1].text
    assert last.startswith("Christopher Beddor, deputy China research director")
    assert last.endswith('said "It\'s a tacit acknowledgement that the Chinese government needs '
                         'private-sector firms for its tech rivalry with the United States"')


def test_hard_wrapped_paragraphs_are_joined():
    text = (
        "Heading of the piece\n"
        "====================\n\n"
        "The first line of a wrapped paragraph ends without any stop and\n"
        "goes on here. A second sentence follows on the same line and it\n"
        "wraps too.\n\n"
        "   code_line = 1\n"
        "   other_line = 2\n\n"
        "* a list item that is\n  wrapped over two lines.\n"
    )
    units = segment(text)
    assert [(u.kind, u.text) for u in units] == [
        (UnitKind.HEADING, "Heading of the piece"),
        (UnitKind.TEXT, "The first line of a wrapped paragraph ends without any stop and goes on here."),
        (UnitKind.TEXT, "A second sentence follows on the same line and it wraps too."),
        (UnitKind.CODE, "code_line = 1"),
        (UnitKind.CODE, "other_line = 2"),
        (UnitKind.TEXT, "* a list item that is wrapped over two lines."),
    ]
    assert [u.paragraph for u in units] == [1, 2, 2, 3, 4, 5]


def test_markdown_headings():
    units = segment("# Title here\n\nSome text. More text.\n\n## Part two\nBody.\n")
    assert [(u.kind, u.text, u.paragraph, u.sentence) for u in units] == [
        (UnitKind.HEADING, "Title here", 1, 1),
        (UnitKind.TEXT, "Some text.", 2, 1),
        (UnitKind.TEXT, "More text.", 2, 2),
        (UnitKind.HEADING, "Part two", 3, 1),
        (UnitKind.TEXT, "Body.", 4, 1),
    ]


def test_a_short_line_ending_on_a_preposition_is_not_a_heading():
    units = segment("This block was translated to\n\nSomething else entirely.\n")
    assert units[0].kind is UnitKind.TEXT
