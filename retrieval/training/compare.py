"""Compare two runs on the same questions: each question right or wrong, and McNemar's paired test.

usage: python -m verbatim.retrieval.training.compare --set {squad,faqs,perlfaq} --data DIR BEFORE.jsonl AFTER.jsonl
       [--offcorpus] [--split validation] [--alpha 0.05]

BEFORE and AFTER are the ``--save`` outputs of shared/data/score.py (one ``{"id", "output"}``
per line, the output as ``verbatim --ask - --json`` printed it), and DIR the folder the set
was built into. A question is right as the scorer counts it at rank 1: SQuAD, the top
sentence covers a gold answer in the gold file; FAQs, the top answer overlaps the gold
entry's answer; Perl FAQ, the top answer is from the gold file; off-corpus, the question is
refused. The exact McNemar test (a two-sided binomial test on the questions the runs
disagree on) says whether the difference is beyond noise.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from verbatim.retrieval.training.kinds import read_jsonl


def _file(answer: dict) -> str:
    article = answer.get("article") or {}
    return os.path.basename(str(article.get("path") or article.get("id") or ""))


def right(kind: str, gold: dict, output: dict | None) -> bool:
    """Whether ``output`` answers the question ``gold`` at rank 1, as the scorer counts it."""
    if kind == "offcorpus":
        return output is not None and not output.get("answered")
    if output is None or not output.get("answered") or not output.get("answers"):
        return False
    top = output["answers"][0]
    if kind == "perlfaq":
        return _file(top) == gold["gold_file"]
    if _file(top) != gold["file"]:
        return False
    try:
        start, end = int(top["start"]), int(top["end"])
    except (KeyError, TypeError, ValueError):
        return False
    if kind == "squad":
        return any(start <= a["start"] and a["start"] + len(a["text"]) <= end for a in gold["answers"])
    return start < gold["end"] and gold["start"] < end


def mcnemar(only_before: int, only_after: int) -> float:
    """Two-sided p-value of the exact McNemar test: under no difference, each disagreement
    goes either way with probability 1/2."""
    n = only_before + only_after
    if not n:
        return 1.0
    k = min(only_before, only_after)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def gold_rows(kind: str, data: Path, offcorpus: bool, split: str) -> dict[str, dict]:
    if kind == "squad":
        rows = read_jsonl(data / ("offcorpus.jsonl" if offcorpus else "questions.jsonl"))
    elif kind == "faqs":
        rows = read_jsonl(data / f"{split}.jsonl")
    else:
        rows = read_jsonl(data / "questions.jsonl")
    return {r["id"]: r for r in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.training.compare", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("squad", "faqs", "perlfaq"), required=True)
    parser.add_argument("--data", type=Path, required=True, help="the folder the set was built into")
    parser.add_argument("--offcorpus", action="store_true", help="the runs asked questions whose answer is missing")
    parser.add_argument("--split", default="validation", help="the FAQ split asked (default validation)")
    parser.add_argument("--alpha", type=float, default=0.05, help="the test's level (default 0.05: 95%%)")
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    gold = gold_rows(args.set, args.data, args.offcorpus, args.split)
    kind = "offcorpus" if args.offcorpus else args.set
    before = {r["id"]: r["output"] for r in read_jsonl(args.before)}
    after = {r["id"]: r["output"] for r in read_jsonl(args.after)}
    shared = [i for i in before if i in after and i in gold]
    if not shared:
        print("the two runs share no question of the set", file=sys.stderr)
        return 2
    was = {i: right(kind, gold[i], before[i]) for i in shared}
    now = {i: right(kind, gold[i], after[i]) for i in shared}
    only_before = sum(1 for i in shared if was[i] and not now[i])
    only_after = sum(1 for i in shared if now[i] and not was[i])
    p = mcnemar(only_before, only_after)
    n = len(shared)
    verdict = ("no difference beyond noise" if p >= args.alpha
               else "better" if only_after > only_before else "WORSE")
    print(f"{args.set}{' off-corpus' if args.offcorpus else ''}: {n} questions; right before {sum(was.values())}"
          f" ({sum(was.values()) / n:.3f}), after {sum(now.values())} ({sum(now.values()) / n:.3f});"
          f" right only before {only_before}, only after {only_after}; McNemar p = {p:.4g}: {verdict}")
    return 1 if verdict == "WORSE" else 0


if __name__ == "__main__":
    raise SystemExit(main())
