"""Measure how well the answer probability is calibrated: a reliability table and expected calibration error.

    python -m verbatim.retrieval.training.calibration --squad DIR VAL.jsonl OFF.jsonl \\
        [--faqs DIR VAL.jsonl OFF.jsonl] [--bins 10] [--out FILE]

Each set is the folder its build script wrote (SQuAD's validation split, or the FAQs'
validation split) and two files of saved answers, one line per question: the answers to the
validation questions asked of the whole corpus, and to the same questions asked of the
corpus that lacks their source (SQuAD's train-only articles, the FAQs' train files). A line
is a result as ``verbatim --ask - --json`` prints it, in the order of the questions, or
``{"id": ..., "output": result}``.

The probability is judged against two events:

- *answerable*: the corpus holds the answer (the question was asked of the whole corpus),
  what the abstention model was trained to predict (``abstain_label`` in the weights file);
- *top is right*: the best sentence, given (``answers[0]``) or withheld (``closest[0]``), is
  the gold answer: it holds a gold SQuAD answer, or lies inside the FAQ entry that answers.

Questions are put in ``--bins`` equal-width bins of probability; a result without one (a
question refused before any sentence was read) counts as 0. The expected calibration error
is the questions' share in each bin times the gap between its mean probability and how
often the event happened, summed over the bins.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verbatim.retrieval.training.kinds import read_jsonl

DEFAULT_BINS = 10


@dataclass(frozen=True)
class Judged:
    """One question's probability and what happened."""

    probability: float
    answerable: bool
    top_is_right: bool


def outputs_by_id(path: Path, questions: list[dict]) -> list[dict | None]:
    """The saved result of each question, by its id when the lines carry one, else by order."""
    rows = read_jsonl(path)
    if rows and "output" in rows[0]:
        by_id = {row["id"]: row["output"] for row in rows}
        return [by_id.get(q["id"]) for q in questions]
    return [*rows, *[None] * (len(questions) - len(rows))][:len(questions)]


def top_passage(result: dict) -> dict | None:
    """The sentence the probability was judged of: the answer, or the closest when withheld."""
    for field in ("answers", "closest"):
        if result.get(field):
            return result[field][0]
    return None


def file_of(passage: dict) -> str:
    article = passage.get("article") or {}
    return os.path.basename(str(article.get("path") or article.get("id") or ""))


def squad_right(question: dict, passage: dict) -> bool:
    """The sentence holds one of the question's gold answer spans, in the gold article."""
    return file_of(passage) == question["file"] and any(
        passage["start"] <= gold["start"] and gold["start"] + len(gold["text"]) <= passage["end"]
        for gold in question["answers"])


def faq_right(question: dict, passage: dict) -> bool:
    """The sentence lies inside (overlaps) the gold entry's answer, in the gold file."""
    return file_of(passage) == question["file"] and passage["start"] < question["end"] and question["start"] < passage["end"]


def judge(questions: list[dict], answers: list[dict | None], off: list[dict | None], right) -> list[Judged]:
    """Each question asked of the whole corpus (answerable), then of the one without its source."""
    judged = []
    for question, result in zip(questions, answers):
        if result is None:
            continue
        top = top_passage(result)
        judged.append(Judged(float(result.get("probability") or 0.0), True, top is not None and right(question, top)))
    judged += [Judged(float(result.get("probability") or 0.0), False, False) for result in off if result is not None]
    return judged


@dataclass(frozen=True)
class Reliability:
    """Per bin: its edges, its questions, their mean probability and each event's rate."""

    edges: np.ndarray
    counts: np.ndarray
    mean_probability: np.ndarray
    rates: dict[str, np.ndarray]
    ece: dict[str, float]
    brier: dict[str, float]


def reliability(judged: list[Judged], bins: int = DEFAULT_BINS) -> Reliability:
    probability = np.array([j.probability for j in judged])
    events = {"answerable": np.array([j.answerable for j in judged], dtype=float),
              "top is right": np.array([j.top_is_right for j in judged], dtype=float)}
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bins are [a, b), the last [a, 1]: a probability of exactly 1 belongs to the top bin.
    which = np.minimum(np.searchsorted(edges, probability, side="right") - 1, bins - 1)
    counts = np.bincount(which, minlength=bins)
    shown = np.maximum(counts, 1)
    mean = np.bincount(which, weights=probability, minlength=bins) / shown
    rates = {name: np.bincount(which, weights=happened, minlength=bins) / shown for name, happened in events.items()}
    total = max(len(judged), 1)
    ece = {name: float(np.sum(counts / total * np.abs(mean - rate))) for name, rate in rates.items()}
    brier = {name: float(np.mean((probability - happened) ** 2)) if len(judged) else 0.0
             for name, happened in events.items()}
    return Reliability(edges, counts, mean, rates, ece, brier)


def table(title: str, r: Reliability) -> str:
    """The reliability table in Markdown, with the calibration error of each event under it."""
    lines = [f"#### {title}", "",
             "| probability | questions | mean probability | answerable | top is right |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for i, count in enumerate(r.counts.tolist()):
        close = "]" if i == len(r.counts) - 1 else ")"
        cells = ["–", "–", "–"] if not count else [
            f"{r.mean_probability[i]:.3f}", f"{r.rates['answerable'][i]:.3f}", f"{r.rates['top is right'][i]:.3f}"]
        lines.append(f"| [{r.edges[i]:.1f}, {r.edges[i + 1]:.1f}{close} | {count:,} | " + " | ".join(cells) + " |")
    lines += ["", f"Questions: {int(r.counts.sum()):,}. Expected calibration error: "
              f"{r.ece['answerable']:.3f} for *answerable*, {r.ece['top is right']:.3f} for *top is right*; "
              f"Brier score {r.brier['answerable']:.3f} and {r.brier['top is right']:.3f}.", ""]
    return "\n".join(lines)


def squad_set(folder: Path, answers: Path, off: Path) -> list[Judged]:
    questions = [q for q in read_jsonl(folder / "questions.jsonl") if q["split"] == "validation"]
    off_questions = read_jsonl(folder / "offcorpus.jsonl")
    return judge(questions, outputs_by_id(answers, questions), outputs_by_id(off, off_questions), squad_right)


def faqs_set(folder: Path, answers: Path, off: Path) -> list[Judged]:
    questions = read_jsonl(folder / "validation.jsonl")
    return judge(questions, outputs_by_id(answers, questions), outputs_by_id(off, questions), faq_right)


def report(sets: Iterable[tuple[str, list[Judged]]], bins: int) -> str:
    return "\n".join(table(title, reliability(judged, bins)) for title, judged in sets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.training.calibration", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", nargs=3, type=Path, metavar=("DIR", "VAL", "OFF"),
                        help="SQuAD's built folder, the saved answers to its validation questions, and to them off-corpus")
    parser.add_argument("--faqs", nargs=3, type=Path, metavar=("DIR", "VAL", "OFF"),
                        help="the FAQs' built folder, the saved answers to their validation questions, and off-corpus")
    parser.add_argument("--bins", type=int, default=DEFAULT_BINS)
    parser.add_argument("--out", type=Path, default=None, help="write the tables here (Markdown) as well as to stdout")
    args = parser.parse_args(argv)
    if not args.squad and not args.faqs:
        parser.error("name at least one set: --squad or --faqs")
    sets = []
    if args.squad:
        sets.append(("SQuAD validation, answerable and off-corpus", squad_set(*args.squad)))
    if args.faqs:
        sets.append(("FAQ validation, answerable and off-corpus", faqs_set(*args.faqs)))
    if len(sets) > 1:
        sets.append(("Both sets together", [j for _, judged in sets for j in judged]))
    text = report(sets, args.bins)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
