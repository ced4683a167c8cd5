"""The candidate pool's recall: how often the answer is among the sentences found, among those read, and first.

usage: python -m verbatim.retrieval.training.recall --set {squad,faqs,perlfaq} --data DIR
       [--split validation|train] [--limit N] [--index-dir DIR]

DIR is the folder the set's ``build.py`` (shared/data/) wrote. For each question, the
Retriever's pool (every candidate gathered), the Reader's read head (the candidates that
may answer, best by the retrieve stage, as many as are read closely) and the first after
reading are checked against the gold: SQuAD, a sentence that holds a gold answer in the
gold file; FAQs, a unit overlapping the gold entry's answer; Perl FAQ, any unit of the gold
file. A question whose answer never reaches the pool cannot be answered by any reader, so
the first figure bounds every later stage.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.reader.features import READ_POOL
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import analyze
from verbatim.retrieval.training.kinds import read_jsonl, span_labels
from verbatim.retrieval.training.train import gold_labels, sample


def file_labels(engine: Engine, uids: np.ndarray, question: dict) -> np.ndarray:
    """1 for each candidate of the gold file (the Perl FAQ: one answer a file)."""
    index = engine.index
    return np.array([float(Path(index.article(uid).path).name == question["gold_file"]) for uid in uids.tolist()])


def questions_of(kind: str, data: Path, split: str, limit: int) -> tuple[list[dict], Path, Callable]:
    """The set's questions, the corpus they are asked of, and how a candidate is judged."""
    if kind == "squad":
        rows = [q for q in read_jsonl(data / "questions.jsonl") if q["split"] == split]
        return sample(rows, limit), data / "corpus", gold_labels
    if kind == "faqs":
        return sample(read_jsonl(data / f"{split}.jsonl"), limit), data / "corpus", span_labels
    return sample(read_jsonl(data / "questions.jsonl"), limit), data / "corpus", file_labels


def recall(engine: Engine, questions: list[dict], labels: Callable) -> dict[str, float]:
    """Shares of the questions whose answer is in the pool, among the read, and first."""
    pooled = read = first = 0
    for q in questions:
        query = Query.of(engine.index, analyze(q["question"]))
        ranking = engine.reader.rank(engine.index, query)
        if not len(ranking.pool.uids):
            continue
        gold = labels(engine, ranking.pool.uids, q) > 0
        pooled += bool(gold.any())
        read += bool(gold[ranking.order[:READ_POOL]].any())
        first += bool(len(ranking.order) and gold[ranking.order[0]])
    n = max(len(questions), 1)
    return {"questions": len(questions), "in_pool": pooled / n, "among_read": read / n, "first": first / n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.training.recall", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("squad", "faqs", "perlfaq"), required=True)
    parser.add_argument("--data", type=Path, required=True, help="the folder the set's build.py wrote")
    parser.add_argument("--split", choices=("validation", "train"), default="validation")
    parser.add_argument("--limit", type=int, default=0, help="a fixed sample of N questions (sha256 order)")
    parser.add_argument("--index-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    questions, corpus, labels = questions_of(args.set, args.data, args.split, args.limit)
    engine = Engine.load(corpus, index_dir=args.index_dir)
    found = recall(engine, questions, labels)
    name = args.set if args.set == "perlfaq" else f"{args.set} {args.split}"
    print(f"{name}: {found['questions']} questions, "
          f"answer in the pool {found['in_pool']:.3f}, among the {READ_POOL} read {found['among_read']:.3f}, "
          f"first {found['first']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
