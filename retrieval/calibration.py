"""How well the answer probability is calibrated on a saved run: a reliability table and the expected calibration error.

usage: python -m verbatim.retrieval.calibration --set {squad,faqs,perlfaq} --data DIR RUN.jsonl
       [--offcorpus OFF.jsonl] [--bins 10]

RUN is a ``--save`` output of shared/data/score.py on the set's answerable questions, OFF
(optional) one on its off-corpus questions, whose answer is never right. Each question's
probability is the one ``--json`` printed (``probability``); it is right as
``verbatim.retrieval.compare`` counts it. The table gives, per band of probability, how
many questions fall in it, their mean probability and how many are right; the expected
calibration error is the questions' weighted mean gap between the two.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from verbatim.retrieval.compare import gold_rows, read_jsonl, right


def reliability(pairs: list[tuple[float, bool]], bins: int) -> tuple[list[tuple[float, float, int, float, float]], float]:
    """Per band [low, high): (low, high, questions, mean probability, share right); and the ECE."""
    table = []
    gap = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(p, ok) for p, ok in pairs if low <= p < high or (b == bins - 1 and p == 1.0)]
        if not inside:
            continue
        mean = sum(p for p, _ in inside) / len(inside)
        share = sum(ok for _, ok in inside) / len(inside)
        table.append((low, high, len(inside), mean, share))
        gap += len(inside) * abs(mean - share)
    return table, gap / len(pairs) if pairs else 0.0


def probabilities(kind: str, gold: dict[str, dict], run: Path) -> list[tuple[float, bool]]:
    pairs = []
    for row in read_jsonl(run):
        output = row["output"]
        if row["id"] not in gold or output is None or output.get("probability") is None:
            continue
        pairs.append((float(output["probability"]), kind != "offcorpus" and right(kind, gold[row["id"]], output)))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.calibration", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("squad", "faqs", "perlfaq"), required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--split", default="validation")
    parser.add_argument("--offcorpus", type=Path, default=None, help="a saved run on the off-corpus questions")
    parser.add_argument("--bins", type=int, default=10)
    parser.add_argument("run", type=Path)
    args = parser.parse_args(argv)
    pairs = probabilities(args.set, gold_rows(args.set, args.data, False, args.split), args.run)
    if args.offcorpus:
        pairs += probabilities("offcorpus", gold_rows(args.set, args.data, True, args.split), args.offcorpus)
    table, ece = reliability(pairs, args.bins)
    print("| probability | questions | mean probability | right |")
    print("| --- | ---: | ---: | ---: |")
    for low, high, count, mean, share in table:
        print(f"| {low:.1f}–{high:.1f} | {count} | {mean:.3f} | {share:.3f} |")
    print(f"expected calibration error {ece:.3f} over {len(pairs)} questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
