"""Terms ignore how a word is written: case, accents, width, ligatures; a unit glued to its
number reads as the unit written apart. Offsets still point into the text as given."""

from __future__ import annotations

import pytest

from verbatim.retrieval.index.terms import NUMBER, WORD, fold, sentence_tokens, terms, tokens, word_term


def spans(text: str) -> list[tuple[str, str]]:
    """(term, the characters of the text it was read from), by both tokenizer paths."""
    found = [(t.term, text[t.start : t.end]) for t in tokens(text)]
    assert found == [(t.term, text[t.start : t.end]) for t in sentence_tokens(text)]
    return found


@pytest.mark.parametrize(
    "written, plain",
    [
        ("ＤｅｅｐＳｅｅｋ", "DeepSeek"),  # full-width
        ("ﬁnance ﬂows", "finance flows"),  # ligatures
        ("STRASSE", "straße"),  # case folding, not just lower-casing
        ("Schrödinger", "Schrodinger"),
        ("Schro\u0308dinger", "Schrodinger"),  # the accent as a combining mark
        ("café", "cafe"),
        ("Beyoncé", "Beyonce"),
        ("İstanbul", "istanbul"),
        ("𝐃𝐞𝐞𝐩𝐒𝐞𝐞𝐤", "deepseek"),  # mathematical bold
    ],
)
def test_width_ligatures_case_and_accents_do_not_change_a_term(written, plain):
    assert terms(written) == terms(plain) != []


def test_other_scripts_keep_their_letters_and_lose_only_their_marks():
    assert fold("Москва") == "москва"
    assert fold("Ёлка") == "елка"
    assert fold("Ελληνικά") == "ελληνικα"
    assert fold("中国") == "中国"
    assert fold("한국") == "한국"  # Hangul syllables come back composed
    assert terms("Ελληνικά") == terms("ΕΛΛΗΝΙΚΑ")


def test_a_word_that_folds_to_nothing_is_no_term():
    assert fold("\u0301\u0308") == ""
    assert word_term("\u0301\u0308") is None
    assert fold("ﹰ") == ""  # a letter whose compatibility form is a space and a mark
    assert fold("ͺ") == "ι"  # a space and a mark that folds to a letter
    assert terms("ﹰ \u0301 a\u0301 ﹰﹰ") == []
    assert tokens("\u0301\u0308 ﹰﹰ") == []
    assert [t.term for t in tokens("the \u0301\u0308 cat")] == terms("the \u0301\u0308 cat") == ["cat"]


def test_offsets_point_into_the_original_text():
    text = "ＤｅｅｐＳｅｅｋ’s café, Schro\u0308dinger, ﬁnance"
    assert spans(text) == [
        ("deepseek", "ＤｅｅｐＳｅｅｋ’s"),
        ("cafe", "café"),
        ("schroding", "Schro\u0308dinger"),
        ("financ", "ﬁnance"),
    ]


@pytest.mark.parametrize(
    "glued, apart",
    [
        ("103.5FM", "103.5 FM"),
        ("１０３．５ＦＭ", "103.5 FM"),  # full-width digits, point and letters
        ("12kg", "12 kg"),
        ("100mph", "100 mph"),
        ("5Gbps", "5 Gbps"),
        ("$5USD", "$5 USD"),
    ],
)
def test_a_unit_glued_to_its_number_reads_as_written_apart(glued, apart):
    assert terms(glued) == terms(apart)


def test_a_glued_unit_is_a_number_and_a_word_with_their_own_offsets():
    text = "Tune to 103.5FM."
    found = tokens(text)
    assert [(t.term, t.kind, text[t.start : t.end]) for t in found] == [
        ("tune", WORD, "Tune"), ("103.5", NUMBER, "103.5"), ("fm", WORD, "FM"),
    ]
    wide = "ｏｎ １０３．５ＦＭ"
    assert spans(wide) == [("103.5", "１０３．５"), ("fm", "ＦＭ")]


def test_scales_ordinals_and_one_letter_names_stay_glued():
    assert terms("600bn 600BN 5m 4K") == ["600000000000", "600000000000", "5000000", "4000"]
    assert terms("1990s 19th 22nd 3rd") == ["1990", "19", "22", "3"]
    assert terms("5G and 3D") == ["5g", "3d"]
    assert terms("５Ｇ") == terms("5G")


def test_a_shouted_question_gives_the_terms_of_a_quiet_one():
    quiet = terms("how old is liang wenfeng?")
    assert terms("HOW OLD IS LIANG WENFENG?") == quiet
    assert terms("How Old Is Liang Wenfeng?") == quiet
    assert [t.term for t in tokens("HOW OLD IS LIANG WENFENG?")] == quiet


def test_a_capitalised_stopword_is_an_acronym_only_among_lower_case_words():
    assert terms("jobs in the US and IT") == ["job", "us", "it"]
    assert terms("JOBS IN THE US AND IT") == terms("jobs in the us and it") == ["job"]
    assert terms("Jobs in the U.S.") == terms("JOBS IN THE U.S.") == ["job", "us"]
    assert terms("THE IT DEPARTMENT") == terms("the it department") == ["it", "depart"]


def test_digits_of_other_widths_and_scripts_are_numbers_on_every_path():
    for text in ("in ٢٠٢٤", "in ２０２４"):
        assert terms(text) == [t.term for t in tokens(text)] == ["2024"]
