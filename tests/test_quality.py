"""Quality floors on the question sets: no change may silently lose answers."""

from __future__ import annotations

import json
import re

from conftest import EVAL


def _norm(text: str) -> str:
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                 ("\u2013", "-"), ("\u2014", "-")):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip().lower()


def _score(engine, name: str) -> tuple[int, int, int, int]:
    rows = [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines()]
    right = answerable = refused = unanswerable = 0
    for row in rows:
        result = engine.ask(row["question"])
        if row["gold"]:
            answerable += 1
            first = result.answers[0].sentence if result.answers else ""
            right += result.answered and any(_norm(g) in _norm(first) for g in row["gold"])
        else:
            unanswerable += 1
            refused += not result.answered
    return right, answerable, refused, unanswerable


def test_dev_questions_floor(engine):
    right, answerable, refused, unanswerable = _score(engine, "dev-questions.jsonl")
    assert (answerable, unanswerable) == (22, 4)
    assert right >= 20 and refused >= 4, (right, refused)


def test_second_deepseek_set_floor(engine):
    right, answerable, refused, unanswerable = _score(engine, "deepseek-extra-questions.jsonl")
    assert right >= 40 and refused >= 9, (right, refused)
