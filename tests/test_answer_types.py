"""Answer-type evidence in sentences: amounts, percentages, dates, ages, counts, names."""

from __future__ import annotations

import pytest

from verbatim.retrieval.reader.evidence import defines, find_evidence, is_attributed, is_byline
from verbatim.retrieval.reader.question import AnswerType

A = AnswerType


def found(sentence: str, kind: AnswerType) -> list[str]:
    return [sentence[e.start : e.end] for e in find_evidence(sentence) if e.kind is kind]


@pytest.mark.parametrize(
    "sentence, kind, expected",
    [
        ("Nvidia lost nearly US$600bn in value.", A.MONEY, ["US$600bn"]),
        ("seeking $7.4 billion now", A.MONEY, ["$7.4 billion"]),
        ("a round seeking 50 billion RMB (approximately $7.4 billion), which", A.MONEY,
         ["50 billion RMB (approximately $7.4 billion)"]),
        ("from a 1 million yuan (US$138,000) startup", A.MONEY, ["1 million yuan (US$138,000)"]),
        ("it lost 500 dollars", A.MONEY, ["500 dollars"]),
        ("shares plummeted 17% on Monday", A.PERCENT, ["17%"]),
        ("used 40% less energy", A.PERCENT, ["40%"]),
        ("rose 3 per cent", A.PERCENT, ["3 per cent"]),
        ("On Jan. 20, Li chaired", A.DATE, ["Jan. 20"]),
        ("in a Jan. 21 report", A.DATE, ["Jan. 21"]),
        ("in December 2023.", A.DATE, ["December 2023"]),
        ("and Macau last July, and", A.DATE, ["last July"]),
        ("Published 29 January 2025", A.DATE, ["29 January 2025"]),
        ("Just one week ago, the founder", A.DATE, ["one week ago"]),
        ("on Monday when it", A.DATE, ["Monday"]),
        ("founded by 40-year-old Liang Wenfeng", A.AGE, ["40-year-old"]),
        ("the founder, aged 40, said", A.AGE, ["aged 40"]),
        ("Liang Wenfeng, 40, said", A.AGE, [", 40,"]),
        ("equipped with 10,000 A100 GPU chips", A.NUMBER, ["10,000"]),
        ("is evaluated at most once", A.NUMBER, ["once"]),
        ("due to a cyberattack", A.REASON, ["due to"]),
        ("This is for disambiguation", A.REASON, ["This is for"]),
        ('urged leaders to "show their talent" today', A.QUOTE, ["urged", '"show their talent"']),
    ],
)
def test_detectors(sentence, kind, expected):
    assert found(sentence, kind) == expected


def test_an_amount_is_not_also_a_bare_number_or_a_date():
    sentence = "It raised US$2023bn in 2023."
    assert found(sentence, A.MONEY) == ["US$2023bn"]
    assert found(sentence, A.NUMBER) == []
    assert found(sentence, A.DATE) == ["2023"]


@pytest.mark.parametrize("sentence", ["Jane Roe founded it.", "You may go now.", "Forces march on."])
def test_words_that_look_like_months_are_not_dates(sentence):
    assert found(sentence, A.DATE) == []


def test_names_by_kind():
    assert found("Translated by Luisetta Mudie.", A.PERSON) == ["Luisetta Mudie"]
    assert found("involving the China National Artificial Intelligence Fund alongside", A.ORGANIZATION) == [
        "China National Artificial Intelligence Fund"
    ]
    assert found("at Gavekal Dragonomics in Hong Kong, said", A.PLACE)[-1] == "Hong Kong"
    assert found("deals with Texas-based Oracle", A.PLACE) == ["Texas"]


def test_question_aware_evidence():
    sentence = "Afterwards, Li told the meeting: “It is necessary.”"
    li = (sentence.index("Li"), sentence.index("Li") + 2)
    assert is_attributed(sentence, find_evidence(sentence), [li]) == 1.0
    assert is_attributed(sentence, find_evidence(sentence), []) == 0.0
    text = "multihead latent attention (MLA)"
    assert defines(text, [(text.index("MLA"), text.index("MLA") + 3)])
    assert is_byline("By Alice Yam and Ha Syut") and not is_byline("Bystanders said so.")
