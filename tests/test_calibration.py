"""The calibration measurement: reliability bins, expected calibration error, and reading saved answers."""

from __future__ import annotations

import json

import pytest

from verbatim.retrieval.training.calibration import Judged, main, reliability


def judged(probability: float, answerable: bool, right: bool = False) -> Judged:
    return Judged(probability, answerable, right)


def test_a_calibrated_probability_has_no_calibration_error():
    questions = [judged(0.25, i == 0) for i in range(4)] + [judged(0.75, i < 3) for i in range(4)]
    r = reliability(questions, bins=10)
    assert r.ece["answerable"] == pytest.approx(0.0)
    assert r.counts.sum() == 8 and r.counts[2] == 4 and r.counts[7] == 4


def test_an_overconfident_probability_has_the_gap_as_its_error():
    r = reliability([judged(0.9, i % 2 == 0) for i in range(10)], bins=10)
    assert r.ece["answerable"] == pytest.approx(0.4)
    assert r.ece["top is right"] == pytest.approx(0.9)
    assert r.brier["answerable"] == pytest.approx((0.1 ** 2 + 0.9 ** 2) / 2)


def test_the_ends_of_the_scale_fall_in_the_first_and_last_bins():
    r = reliability([judged(0.0, False), judged(1.0, True), judged(0.1, False)], bins=10)
    assert r.counts.tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def passage(file: str, start: int, end: int) -> dict:
    return {"sentence": "x", "article": {"id": file, "path": f"/somewhere/{file}"}, "start": start, "end": end}


def test_saved_answers_are_judged_against_the_gold_by_id_or_in_order(tmp_path, capsys):
    squad = tmp_path / "squad"
    squad.mkdir()
    questions = [
        {"id": "a", "question": "?", "file": "A.txt", "answers": [{"text": "gold", "start": 10}], "split": "validation"},
        {"id": "b", "question": "?", "file": "B.txt", "answers": [{"text": "gold", "start": 50}], "split": "validation"},
        {"id": "t", "question": "?", "file": "T.txt", "answers": [{"text": "gold", "start": 0}], "split": "train"},
    ]
    write_jsonl(squad / "questions.jsonl", questions)
    write_jsonl(squad / "offcorpus.jsonl", [{"id": "a"}, {"id": "b"}])
    # a: answered with the sentence holding the gold span; b: withheld, its closest sentence elsewhere.
    write_jsonl(tmp_path / "val.jsonl", [
        {"id": "b", "output": {"answered": False, "answers": [], "closest": [passage("B.txt", 0, 20)], "probability": 0.05}},
        {"id": "a", "output": {"answered": True, "answers": [passage("A.txt", 0, 30)], "probability": 0.95}},
    ])
    write_jsonl(tmp_path / "off.jsonl", [{"answered": False, "answers": [], "probability": 0.05},
                                         {"answered": False, "answers": [], "probability": None}])
    out = tmp_path / "table.md"
    assert main(["--squad", str(squad), str(tmp_path / "val.jsonl"), str(tmp_path / "off.jsonl"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text == out.read_text(encoding="utf-8")
    assert "| [0.0, 0.1) | 3 | 0.033 | 0.333 | 0.000 |" in text
    assert "| [0.9, 1.0] | 1 | 0.950 | 1.000 | 1.000 |" in text
    assert "Questions: 4." in text
