"""Choose a reading model's threshold on validation: the fewest mistakes within the false-refusal budget.

    python -m verbatim.retrieval.training.threshold ANSWERABLE.jsonl OFFCORPUS.jsonl
        [--budget 0.05] [--write WEIGHTS --model plain|structured]

ANSWERABLE.jsonl and OFFCORPUS.jsonl are two runs of ``shared/data/score.py ... verbatim
--save FILE`` over one validation set: its questions asked of the corpus that answers them,
and asked of a corpus without their documents (``--offcorpus``). Every question of both runs
must have been read by the model whose threshold is chosen (SQuAD's by the plain model, the
FAQ set's by the model for documents made of entries).

The threshold chosen makes the fewest mistakes, a false refusal of an answerable question
and an answer to an off-corpus one counting alike, among the thresholds that refuse at most
``--budget`` of the answerable questions (the project's allowance for false refusals);
of equal ones, the lowest. On SQuAD validation the budget binds (each step up refuses more
answerable questions than it saves off-corpus ones, until 5% are refused); on FAQ validation
the mistakes bottom out well inside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verbatim.retrieval.reader.ranker import ReaderModel
from verbatim.retrieval.training.kinds import read_jsonl

# The thresholds tried: hundredths, as a person would set one with --threshold.
CANDIDATES = np.round(np.arange(0.01, 1.0, 0.01), 2)
DEFAULT_BUDGET = 0.05


@dataclass(frozen=True)
class Choice:
    """A threshold and what it does on the two runs."""

    threshold: float
    false_refusals: float  # share of answerable questions refused
    off_corpus_abstention: float  # share of off-corpus questions refused

    @property
    def mistakes(self) -> float:
        return self.false_refusals + 1.0 - self.off_corpus_abstention


def probabilities(path: Path) -> np.ndarray:
    """Each question's probability that the corpus answers it, from a saved run (0 for a
    question refused before any reading, such as one without words)."""
    return np.array([float(row["output"].get("probability") or 0.0) for row in read_jsonl(path)])


def measured(answerable: np.ndarray, off_corpus: np.ndarray, threshold: float) -> Choice:
    return Choice(float(threshold), float((answerable < threshold).mean()), float((off_corpus < threshold).mean()))


def choose(answerable: np.ndarray, off_corpus: np.ndarray, budget: float = DEFAULT_BUDGET) -> Choice:
    """The threshold with the fewest mistakes among those within ``budget`` of false refusals."""
    allowed = [c for c in (measured(answerable, off_corpus, t) for t in CANDIDATES) if c.false_refusals <= budget]
    if not allowed:
        raise ValueError(f"every threshold refuses more than {budget:.0%} of the answerable questions")
    # Rounded: equal mistakes summed from other shares must tie, and the lowest then wins.
    return min(allowed, key=lambda c: (round(c.mistakes, 12), c.threshold))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.training.threshold", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("answerable", type=Path, help="score.py --save of the validation questions")
    parser.add_argument("off_corpus", type=Path, help="score.py --offcorpus --save of the same questions")
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET,
                        help=f"most answerable questions refused, a share (default {DEFAULT_BUDGET})")
    parser.add_argument("--write", type=Path, default=None, help="a weights file to set the threshold in")
    parser.add_argument("--model", choices=("plain", "structured"), default="plain",
                        help="which of its models reads these questions (default plain)")
    parser.add_argument("--without-word-vectors", action="store_true",
                        help="the runs read without word vectors: set the threshold for that reading")
    args = parser.parse_args(argv)
    answerable, off_corpus = probabilities(args.answerable), probabilities(args.off_corpus)
    try:
        chosen = choose(answerable, off_corpus, args.budget)
    except ValueError as error:
        parser.exit(1, f"{parser.prog}: {error}\n")
    print(f"threshold {chosen.threshold:.2f}: {chosen.false_refusals:.3f} of {len(answerable)} answerable refused, "
          f"{chosen.off_corpus_abstention:.3f} of {len(off_corpus)} off-corpus refused")
    if args.write:
        model = ReaderModel.from_json(json.loads(args.write.read_text(encoding="utf-8")))
        command = (f"python -m verbatim.retrieval.training.threshold ANSWERABLE OFFCORPUS --budget {args.budget}"
                   f" --model {args.model}" + (" --without-word-vectors" if args.without_word_vectors else ""))
        key = "threshold_without_word_vectors" if args.without_word_vectors else "threshold"
        if args.model == "structured":
            if model.structured is None:
                parser.exit(1, f"{parser.prog}: {args.write} has no model for documents made of entries\n")
            part = model.structured
            model = dataclasses.replace(model, structured=dataclasses.replace(
                part, **{key: chosen.threshold}, provenance={**part.provenance, key: command}))
        else:
            model = dataclasses.replace(model, **{key: chosen.threshold}, provenance={**model.provenance, key: command})
        args.write.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
