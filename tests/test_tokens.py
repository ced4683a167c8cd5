"""Retrieval terms: stems, stopwords, and numbers and amounts kept whole enough to match."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verbatim.retrieval.index.terms import sentence_tokens, terms, tokens


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10,000 A100 chips", ["10000", "a100", "chip"]),
        ("plummeted 17% on Monday", ["plummet", "17%", "monday"]),
        ("rose 17 percent", ["rise", "17%"]),
        ("$7.4 billion", ["7400000000", "usd"]),
        ("US$600bn", ["600000000000", "usd"]),
        ("50 billion RMB", ["50000000000", "cny"]),
        ("1 million yuan (US$138,000)", ["1000000", "cny", "138000", "usd"]),
        ("€3bn and HK$5", ["3000000000", "eur", "5", "hkd"]),
    ],
)
def test_numbers_and_amounts(text, expected):
    assert terms(text) == expected


def test_the_same_amount_written_two_ways_meets():
    assert set(terms("a US$500 billion AI initiative")) >= set(terms("the $500 billion initiative"))


def test_stopwords_go_and_stems_meet():
    assert terms("The companies were investing in the chips") == ["compani", "invest", "chip"]
    assert terms("companies") == terms("company")


def test_irregular_forms_meet_their_lemma():
    assert terms("he said") == terms("they say") == ["say"]
    assert terms("told") == terms("tell")


def test_acronyms_are_not_pronouns():
    assert terms("the U.S. and the US") == ["us", "us"]
    assert terms("tell us") == ["tell"]
    assert terms("e.g. this") == []


def test_hyphenated_words_split_into_parts():
    assert terms("the 40-year-old founder") == ["40", "year", "old", "founder"]
    assert terms("DeepSeek’s Firefly-2") == ["deepseek", "firefli", "2"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("What does wc -l do?", ["wc", "-l"]),
        ("-l, --lines print the newline counts", ["-l", "line", "print", "newlin", "count"]),
        ("rm -rf old", ["rm", "rf", "old"]),  # an option with words reads as them
        ("--files0-from=F", ["files0"]),
        ("ls -L", ["ls", "-L"]),  # an option's case is its meaning
        ("knot \u2010l and \u2212\u2212list", ["knot", "-l", "list"]),  # groff's UTF-8 dashes
        ("THE -L OPTION", ["-L", "option"]),
    ],
)
def test_command_line_options_are_terms(text, expected):
    assert terms(text) == expected
    assert [t.term for t in tokens(text)] == expected


@pytest.mark.parametrize("text", ["a well-known e-mail", "pre- and post-war", "fell -5 degrees - and rose",
                                  "x--y", "-- the end", "self-test"])
def test_dashes_in_prose_are_not_options(text):
    assert not any(term.startswith("-") for term in terms(text))


def test_a_stopword_used_as_a_name_is_kept():
    assert terms('The "from" clause') == ["from", "claus"]
    assert terms("the with statement") == ["with", "statement"]
    assert terms("the most important") == ["import"]


def test_token_spans_point_into_the_text():
    text = "Nvidia lost nearly US$600bn, or 17%."
    for tok in tokens(text):
        assert 0 <= tok.start < tok.end <= len(text)
    assert [text[t.start : t.end] for t in tokens(text)] == [
        "Nvidia", "lost", "nearly", "US$600bn", "US$600bn", "17%",
    ]


PIECES = list("abcAB $€%.,'’\"0123456789-\u2010\u2212") + ["--", "-l", " -rf", "--lines", "=F",
    "the ", "with ", "US$", " billion", " yuan", "U.S.", "per cent", "IS ", "FM", "bn", "th",
    "é", "e\u0301", "ß", "ＦＭ", "１", "．", "＄", "ﬁ", "İ", "٢",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_bulk_terms_equal_the_nltk_tokenizer_path(text):
    assert terms(text) == [token.term for token in tokens(text)]
    assert sentence_tokens(text) == tokens(text)
