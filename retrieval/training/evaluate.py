"""Measure answer quality on question sets: top-1, MRR@5, abstention, conversations.

usage: python -m verbatim.retrieval.training.evaluate FILE.jsonl [FILE.jsonl ...] [--corpus PATH] [--json]

Each line of a file is a question, {"id", "question", "gold": [strings]}, or a conversation,
{"id", "turns": [questions], "gold": [strings]} scored on its last turn. A question is
answerable when its gold list is not empty; it is right when it is answered and the first
answer's sentence contains a gold string (quotes, dashes, spaces and case normalised).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.models import Result

MRR_DEPTH = 5
_FOLD = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}


def normalize(text: str) -> str:
    for a, b in _FOLD.items():
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip().lower()


def contains_gold(sentence: str, gold: list[str]) -> bool:
    return any(normalize(g) in normalize(sentence) for g in gold)


def is_right(result: Result, gold: list[str]) -> bool:
    if not gold:
        return not result.answered
    return result.answered and bool(result.answers) and contains_gold(result.answers[0].sentence, gold)


@dataclass
class Report:
    """The measurements of one run."""

    answerable: int = 0
    right: int = 0
    reciprocal_ranks: list[float] = field(default_factory=list)
    unanswerable: int = 0
    refused: int = 0
    refused_unanswerable: int = 0
    conversations: int = 0
    conversations_right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return self.right / self.answerable if self.answerable else 0.0

    @property
    def mrr(self) -> float:
        return sum(self.reciprocal_ranks) / len(self.reciprocal_ranks) if self.reciprocal_ranks else 0.0

    @property
    def abstention_precision(self) -> float:
        return self.refused_unanswerable / self.refused if self.refused else 1.0

    @property
    def abstention_recall(self) -> float:
        return self.refused_unanswerable / self.unanswerable if self.unanswerable else 1.0

    def summary(self) -> dict[str, float | int]:
        return {
            "answerable": self.answerable, "right": self.right, "top1": round(self.top1, 3),
            "mrr@5": round(self.mrr, 3), "unanswerable": self.unanswerable,
            "refused": self.refused, "refused_unanswerable": self.refused_unanswerable,
            "abstention_precision": round(self.abstention_precision, 3),
            "abstention_recall": round(self.abstention_recall, 3),
            "conversations": self.conversations, "conversations_right": self.conversations_right,
        }


def evaluate(engine: Engine, rows: list[dict]) -> Report:
    report = Report()
    for row in rows:
        gold = row.get("gold") or []
        if "turns" in row:
            conversation = engine.conversation()
            result = None
            for turn in row["turns"]:
                result = engine.ask(turn, conversation=conversation)
            report.conversations += 1
            if result is not None and is_right(result, gold):
                report.conversations_right += 1
            else:
                report.misses.append(f"{row.get('id')}: {' / '.join(row['turns'])}")
            continue
        question = row["question"]
        result = engine.ask(question)
        if result.answered is False:
            report.refused += 1
        if not gold:
            report.unanswerable += 1
            if not result.answered:
                report.refused_unanswerable += 1
            else:
                report.misses.append(f"{row.get('id')}: answered, should not: {question}")
            continue
        report.answerable += 1
        if is_right(result, gold):
            report.right += 1
        else:
            first = result.answers[0].sentence if result.answers else f"(not answered: {result.reason})"
            report.misses.append(f"{row.get('id')}: {question}\n      got: {first[:120]}")
        ranks = [i for i, p in enumerate(engine.candidates(question, MRR_DEPTH), 1)
                 if contains_gold(p.sentence, gold)]
        report.reciprocal_ranks.append(1.0 / ranks[0] if ranks else 0.0)
    return report


def load_rows(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise SystemExit(f"{path}:{number}: not JSON: {error.msg}") from None
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.training.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--corpus", help="file or folder (default: the bundled articles)")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    parser.add_argument("--quiet", action="store_true", help="do not list the misses")
    args = parser.parse_args(argv)
    for path in args.files:
        if not path.is_file():
            parser.error(f"{path}: no such file")
    engine = Engine.load(args.corpus)
    report = evaluate(engine, load_rows(args.files))
    if args.json:
        print(json.dumps(report.summary()))
        return 0
    if not args.quiet:
        for miss in report.misses:
            print(f"miss {miss}")
    s = report.summary()
    print(f"answerable right (top-1): {s['right']}/{s['answerable']} = {s['top1']:.3f}")
    print(f"MRR@{MRR_DEPTH}:                  {s['mrr@5']:.3f}")
    print(f"abstention:               refused {s['refused']}, of which unanswerable "
          f"{s['refused_unanswerable']}/{s['unanswerable']}; precision {s['abstention_precision']:.3f}, "
          f"recall {s['abstention_recall']:.3f}")
    if report.conversations:
        print(f"conversations right:      {s['conversations_right']}/{s['conversations']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
