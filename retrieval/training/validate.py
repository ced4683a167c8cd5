"""Measure a weights file on SQuAD's validation split, in process, to choose settings.

    python -m verbatim.retrieval.training.validate --squad DIR [--weights FILE] [--questions N]

Asks N validation questions (the same sample each run) of the whole corpus (P@1, MRR@5)
and of the train-only corpus, where their article is missing (abstention), and prints what
each threshold would give: the false-abstention rate on the first against the abstention
rate on the second. The product's own scores come from the CLI and shared/data/score.py;
this is the quick loop for choosing features, regularisation and the threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import analyze
from verbatim.retrieval.reader.ranker import WEIGHTS_FILE, ReaderModel, rank_pool
from verbatim.retrieval.training.threshold import choose
from verbatim.retrieval.training.train import gold_labels, read_jsonl, sample

FALSE_ABSTAIN_RATES = (0.02, 0.03, 0.04, 0.045, 0.05, 0.08)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.training.validate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, required=True)
    parser.add_argument("--weights", type=Path, default=WEIGHTS_FILE)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--split", default="validation", choices=("validation", "train"))
    parser.add_argument("--index-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    model = ReaderModel.from_json(json.loads(args.weights.read_text(encoding="utf-8")))
    whole = Engine.load(args.squad / "corpus", index_dir=args.index_dir)
    missing = Engine.load(args.squad / "corpus-train-only", index_dir=args.index_dir)
    questions = sample([q for q in read_jsonl(args.squad / "questions.jsonl") if q["split"] == args.split],
                       args.questions)
    hits, reciprocal, inside, outside, correct = 0, 0.0, [], [], []
    started = time.time()
    for q in questions:
        ranking = rank_pool(whole.index, Query.of(whole.index, analyze(q["question"])), model)
        labels = gold_labels(whole, ranking.pool.uids[ranking.order[:5]], q)
        found = np.flatnonzero(labels)
        reciprocal += 1 / (found[0] + 1) if len(found) else 0.0
        hits += bool(len(labels) and labels[0])
        correct.append(bool(len(labels) and labels[0]))
        inside.append(ranking.probability)
        if args.split == "validation":
            other = rank_pool(missing.index, Query.of(missing.index, analyze(q["question"])), model)
            outside.append(other.probability)
    n = len(questions)
    print(f"{args.weights} {args.split} {n} questions: P@1 {hits / n:.3f} MRR@5 {reciprocal / n:.3f}"
          f" ({(time.time() - started) / n * 1000:.0f} ms a question)")
    if outside:
        inside_p, outside_p, right = np.array(inside), np.array(outside), np.array(correct)
        for rate in FALSE_ABSTAIN_RATES:
            threshold = float(np.quantile(inside_p, rate))
            print(f"  threshold {threshold:.4f}: false abstention {rate:.2f}, off-corpus abstention"
                  f" {(outside_p < threshold).mean():.3f}, P@1 {right[inside_p >= threshold].sum() / n:.3f}")
        chosen = choose(inside_p, outside_p)
        print(f"  fewest mistakes within the false-refusal budget (threshold.py): {chosen.threshold:.2f}")
        t = model.threshold
        print(f"  shipped threshold {t:.4f}: false abstention {(inside_p < t).mean():.3f},"
              f" off-corpus abstention {(outside_p < t).mean():.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
