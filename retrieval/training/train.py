"""Learn the reader's weights from SQuAD v1.1 train questions and write the weights file.

    python -m verbatim.retrieval.training.train --squad DIR [--questions N] [--out FILE]

DIR is the output of ``shared/data/squad-train/build.py`` (corpus/, questions.jsonl,
articles.jsonl). Only the ``train`` split is used. Its articles are dealt into two folds
by their order; each fold is indexed on its own, and each question is asked of the fold
that holds its article (to learn ranking, and as a question the corpus answers) and of the
other fold (as a question the corpus does not answer). The answering threshold is not
fitted here: ``--threshold`` sets it, chosen on the validation split (see README).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.reader.features import (
    FEATURES,
    READ_POOL,
    RETRIEVE_FEATURES,
    Pool,
    QueryTerms,
    near_in_meaning,
    read,
)
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import analyze
from verbatim.retrieval.reader.ranker import (
    ABSTAIN_FEATURES,
    WEIGHTS_FILE,
    LinearModel,
    ReaderModel,
    abstain_features,
    may_answer,
    read_order,
)
from verbatim.retrieval.reader.retriever import gather
from verbatim.retrieval.training.kinds import Kind, read_jsonl, span_kind
from verbatim.retrieval.training.learn import Standardizer, fit_listwise, fit_logistic

if TYPE_CHECKING:
    from verbatim.retrieval.index.protocol import Index

# Regularisation of each model, chosen on the validation split.
RANK_L2 = 1e-3
ABSTAIN_L2 = 1e-3
DEFAULT_QUESTIONS = 6000
# Chosen on the validation split (all 8,471 questions, their probabilities from the CLI's
# --json): below it fell 4.7% of answerable questions, inside the 5% of false refusals the
# project allows, and 51% of those whose article is missing (4.3% and 50.4% with the
# reading of commit cbe2002; threshold.py's rule and why 0.16 stays: docs/training.md).
DEFAULT_THRESHOLD = 0.16
# An FAQ question counts this many SQuAD questions: there are 840 of them beside 6,000, and
# at 1 the FAQ's entries barely move the weights (chosen on the validation sets).
DEFAULT_FAQ_WEIGHT = 4.0
DEFAULT_GENERATED_WEIGHT = 1.0


@dataclass
class Asked:
    """One question asked of one fold: its pool and which candidates answer it."""

    question: str
    uids: np.ndarray
    values: np.ndarray
    labels: np.ndarray
    own_fold: bool
    weight: float = 1.0  # how much the question counts: its kind's weight
    # Its terms as gather() measured the pool with them (words near in meaning found among the
    # pool's), kept for the read and judge steps; None for readings loaded from a file.
    terms: QueryTerms | None = None

    def measured_terms(self, index: Index, query: Query) -> QueryTerms:
        """The question's terms as its pool was measured: kept, or found again once."""
        if self.terms is None:
            self.terms = near_in_meaning(index, QueryTerms.of(index, query), self.uids)
        return self.terms


def sample(rows: list[dict], limit: int) -> list[dict]:
    """The ``limit`` rows whose sha256(id) sorts first: the same sample on every run."""
    rows = sorted(rows, key=lambda r: hashlib.sha256(r["id"].encode("utf-8")).hexdigest())
    return rows[:limit] if limit else rows


def make_folds(squad: Path, work: Path) -> list[tuple[Path, set[str]]]:
    """Two corpora of the train articles, every other article each."""
    articles = sorted((a for a in read_jsonl(squad / "articles.jsonl") if a["split"] == "train"),
                      key=lambda a: a["file"])
    folds = []
    for k in range(2):
        folder = work / f"fold-{k}"
        files = {a["file"] for i, a in enumerate(articles) if i % 2 == k}
        if not folder.exists():
            folder.mkdir(parents=True)
            for name in sorted(files):
                shutil.copyfile(squad / "corpus" / name, folder / name)
        folds.append((folder, files))
    return folds


def gold_labels(engine: Engine, uids: np.ndarray, question: dict) -> np.ndarray:
    """1 for each candidate whose sentence holds one of the gold answer's places."""
    labels = np.zeros(len(uids))
    index = engine.index
    for row, uid in enumerate(uids.tolist()):
        article = index.article(uid)
        if Path(article.path).name != question["file"]:
            continue
        unit = index.unit(uid)
        start, end = unit.start, unit.end
        if any(start <= a["start"] and a["start"] + len(a["text"]) <= end for a in question["answers"]):
            labels[row] = 1.0
    return labels


def gathered(engine: Engine, text: str) -> Pool:
    query = Query.of(engine.index, analyze(text))
    return gather(engine.index, query, QueryTerms.of(engine.index, query))


def asked_of(folds: list[set[str]], questions: list[dict], doing: str):
    """(question, fold) in the order every pass keeps: each question asked of the fold that
    holds its article, then of the other; with progress on stderr."""
    started = time.time()
    for n, q in enumerate(questions):
        home = 0 if q["file"] in folds[0] else 1
        yield q, home
        yield q, 1 - home
        if n % 1000 == 999:
            print(f"  {n + 1} questions {doing}, {time.time() - started:.0f} s", file=sys.stderr)


def collect(engines: list[Engine], folds: list[set[str]], questions: list[dict], labels_of=None,
            weight: float = 1.0) -> list[Asked]:
    labels_of = labels_of or gold_labels
    asked: list[Asked] = []
    for q, k in asked_of(folds, questions, "gathered"):
        home = q["file"] in folds[k]
        pool = gathered(engines[k], q["question"])
        labels = labels_of(engines[k], pool.uids, q) if home else np.zeros(len(pool.uids))
        asked.append(Asked(q["question"], pool.uids, pool.values.copy(), labels, home, weight, pool.terms))  # the read step adds to it
    return asked


def fit_retrieve(asked: list[Asked], drop: frozenset[str]) -> LinearModel:
    cols = slice(0, len(RETRIEVE_FEATURES))
    mine = [a for a in asked if a.own_fold and len(a.uids)]
    scale = Standardizer.fit(np.concatenate([a.values[:, cols] for a in mine]), RETRIEVE_FEATURES, drop)
    weights = fit_listwise([(scale(a.values[:, cols]), a.labels) for a in mine], RANK_L2,
                           group_weights=np.array([a.weight for a in mine]))
    return LinearModel(RETRIEVE_FEATURES, scale.mean, scale.scale, weights)


def read_heads(engines: list[Engine], folds: list[set[str]], questions: list[dict], asked: list[Asked],
               retrieve: LinearModel) -> list[np.ndarray]:
    """Read the best of each gathered pool by the retrieve stage; return those rows."""
    heads = []
    for a, (_, k) in zip(asked, asked_of(folds, questions, "read")):
        if not len(a.uids):
            heads.append(np.empty(0, dtype=np.int64))
            continue
        index = engines[k].index
        query = Query.of(index, analyze(a.question))
        pool = Pool(a.uids.copy(), a.values.copy(), np.zeros(len(a.uids), dtype=np.int64))  # as gathered
        head = np.lexsort((pool.uids, -retrieve.score(pool.values[:, : len(RETRIEVE_FEATURES)])))[:READ_POOL]
        a.values[head] = read(index, query, a.measured_terms(index, query), pool, head).values  # what fit_read reads
        heads.append(head)
    return heads


def fit_read(asked: list[Asked], heads: list[np.ndarray], drop: frozenset[str]) -> LinearModel:
    mine = [(a, h) for a, h in zip(asked, heads) if a.own_fold and len(h)]
    scale = Standardizer.fit(np.concatenate([a.values[h] for a, h in mine]), FEATURES, drop)
    weights = fit_listwise([(scale(a.values[h]), a.labels[h]) for a, h in mine], RANK_L2,
                           group_weights=np.array([a.weight for a, _ in mine]))
    return LinearModel(FEATURES, scale.mean, scale.scale, weights)


@dataclass(frozen=True)
class ReadOrder:
    """One question's read rows as the reader orders them (ranker.py): best first those that
    may answer, then the rest, with their read-stage scores."""

    rows: np.ndarray
    scores: np.ndarray
    answering: int  # how many lead: the rows that may answer

    @property
    def answers(self) -> tuple[np.ndarray, np.ndarray]:
        return self.rows[: self.answering], self.scores[: self.answering]


def read_orders(asked: list[Asked], heads: list[np.ndarray], model: LinearModel) -> list[ReadOrder]:
    """Each question's read rows ordered by ``model`` as the reader orders them."""
    orders = []
    columns = model.columns(FEATURES)  # an earlier model may read fewer features
    for a, head in zip(asked, heads):
        scores = model.score(a.values[head][:, columns]) if len(head) else np.empty(0)
        allowed = may_answer(a.values[head], analyze(a.question).asks_for_code)
        order = read_order(a.uids[head], scores, allowed)
        orders.append(ReadOrder(head[order], scores[order], int(allowed.sum())))
    return orders


def fit_lone_margin(orders: list[ReadOrder]) -> float:
    """The margin a lone candidate reads as: the median margin the read stage put between the
    best two of the training questions. Having no rival says nothing of how clear the win
    is (a question whose words the corpus barely holds often finds one sentence), so it
    reads as the typical margin, neither a tie nor a clear win."""
    margins = [o.scores[0] - o.scores[1] for o in orders if o.answering and len(o.scores) > 1]
    return float(np.median(margins)) if margins else 0.0


def fit_support_ratio(asked: list[Asked], orders: list[ReadOrder]) -> float:
    """The least probability ratio against the best (under the read stage's softmax) at which
    a further read sentence is listed as a source too: the cut with the best F1 at telling the
    other sentences that answer a training question (its gold labels) from the rest, each
    question counting its kind's weight."""
    ratios, gold, weights = [], [], []
    for a, order in zip(asked, orders):
        rows, scores = order.answers
        if not a.own_fold or len(rows) < 2:
            continue
        ratios.append(np.exp(scores[1:] - scores[0]))
        gold.append(a.labels[rows[1:]] > 0)
        weights.append(np.full(len(rows) - 1, a.weight))
    if not ratios:
        return 1.0
    ratio, is_gold, weight = np.concatenate(ratios), np.concatenate(gold), np.concatenate(weights)
    by_ratio = np.argsort(-ratio, kind="stable")
    ratio, is_gold, weight = ratio[by_ratio], is_gold[by_ratio], weight[by_ratio]
    # Listing every sentence down to the k-th highest ratio: its true and false positives.
    true_positive = np.cumsum(weight * is_gold)
    false_positive = np.cumsum(weight * ~is_gold)
    f1 = 2 * true_positive / (2 * true_positive + false_positive + (weight * is_gold).sum() - true_positive)
    # Ties share one cut: only the last of equal ratios is a place the list can end.
    ends = np.append(ratio[1:] != ratio[:-1], True)
    best = int(np.flatnonzero(ends)[np.argmax(f1[ends])])
    return float(ratio[best])


def abstain_rows(engines: list[Engine], folds: list[set[str]], questions: list[dict],
                 asked: list[Asked], orders: list[ReadOrder], lone_margin: float):
    rows, answers, correct = [], [], []
    for a, order, (_, k) in zip(asked, orders, asked_of(folds, questions, "judged")):
        head, scores = order.rows, order.scores
        if not order.answering:  # nothing read may answer: the reader refuses it unasked
            continue
        index = engines[k].index
        query = Query.of(index, analyze(a.question))
        rows.append(abstain_features(index, query, a.measured_terms(index, query), a.values, head, scores, lone_margin))
        answers.append(a.own_fold)
        correct.append(bool(a.labels[head[0]]))
    return np.array(rows), np.array(answers), np.array(correct)


def save_readings(path: Path, asked: list[Asked], heads: list[np.ndarray]) -> None:
    """Keep what gathering and reading found, so other settings refit in seconds."""
    counts = np.array([len(a.uids) for a in asked])
    np.savez(path, counts=counts, features=np.array(FEATURES), heads=np.array([len(h) for h in heads]),
             head_rows=np.concatenate(heads) if heads else np.empty(0),
             uids=np.concatenate([a.uids for a in asked]), values=np.concatenate([a.values for a in asked]),
             labels=np.concatenate([a.labels for a in asked]), own=np.array([a.own_fold for a in asked]),
             questions=np.array([a.question for a in asked]))


def load_readings(path: Path) -> tuple[list[Asked], list[np.ndarray]]:
    with np.load(path, allow_pickle=False) as packed:
        data = {name: packed[name] for name in packed.files}  # each read of a member unpacks it anew
    if tuple(data.get("features", np.array([])).tolist()) != FEATURES:
        raise SystemExit(f"{path} was read with other features: gather again without --reuse")
    bounds = np.cumsum(np.concatenate([[0], data["counts"]]))
    head_bounds = np.cumsum(np.concatenate([[0], data["heads"]]))
    asked, heads = [], []
    for i, question in enumerate(data["questions"].tolist()):
        a, b = bounds[i], bounds[i + 1]
        asked.append(Asked(question, data["uids"][a:b], data["values"][a:b], data["labels"][a:b], bool(data["own"][i])))
        heads.append(data["head_rows"][head_bounds[i]:head_bounds[i + 1]].astype(np.int64))
    return asked, heads


def data_hash(squad: Path) -> str:
    digest = hashlib.sha256()
    for name in ("questions.jsonl", "articles.jsonl"):
        digest.update((squad / name).read_bytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verbatim.retrieval.training.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, required=True, help="output folder of squad-train/build.py")
    parser.add_argument("--faqs", type=Path, default=None,
                        help="output folder of faqs/build.py: learn from its train split too")
    parser.add_argument("--faq-weight", type=float, default=DEFAULT_FAQ_WEIGHT,
                        help=f"how much an FAQ question counts beside a SQuAD one (default {DEFAULT_FAQ_WEIGHT})")
    parser.add_argument("--generated", type=Path, default=None,
                        help="output folder of python -m verbatim.retrieval.training.generate: learn from it too")
    parser.add_argument("--generated-weight", type=float, default=DEFAULT_GENERATED_WEIGHT,
                        help=f"how much a generated question counts (default {DEFAULT_GENERATED_WEIGHT})")
    parser.add_argument("--plain", type=Path, default=None,
                        help="a weights file this script wrote earlier: its models read plain prose, and only the "
                             "models for documents made of entries are learned here")
    parser.add_argument("--keep", type=Path, default=None,
                        help="a weights file: keep its models and fit only the cuts on their scores (the lone "
                             "candidate's margin and the support ratio) on these questions")
    parser.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS,
                        help=f"train questions to learn from (default {DEFAULT_QUESTIONS}; 0 for all)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help="least probability answered, chosen on validation")
    parser.add_argument("--label", choices=("answerable", "correct"), default="answerable",
                        help="what the abstainer predicts: the corpus holds the answer (default), or the top sentence is it")
    parser.add_argument("--drop", default="", help="features to leave out, comma-separated (to measure what each earns)")
    parser.add_argument("--reuse", action="store_true",
                        help="refit from the readings a previous run kept in the work folder (readings-KIND-N.npz)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the fold corpora, their indexes and the kept readings (default: the temp folder)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args(argv)
    # The fold corpora, their indexes and the kept readings take about a gigabyte: never
    # inside the package.
    work = args.work or Path(tempfile.gettempdir()) / "verbatim-train"
    folds = make_folds(args.squad, work)
    questions = sample([q for q in read_jsonl(args.squad / "questions.jsonl") if q["split"] == "train"],
                       args.questions)
    kinds = [Kind("squad", [Engine.load(folder, index_dir=work / "index") for folder, _ in folds],
                  [f for _, f in folds], questions, gold_labels, 1.0)]
    if args.faqs:
        kinds.append(span_kind("faqs", args.faqs, work, args.faq_weight))
    if args.generated:
        kinds.append(span_kind("generated", args.generated, work, args.generated_weight))
    drop = frozenset(filter(None, args.drop.split(",")))
    unknown = drop - set(FEATURES) - set(ABSTAIN_FEATURES)
    if unknown:
        parser.error(f"no such feature: {', '.join(sorted(unknown))}")
    asked_by_kind: list[list[Asked]] = []
    heads_by_kind: list[list[np.ndarray]] = []
    kept = [work / f"readings-{kind.name}-{len(kind.questions)}.npz" for kind in kinds]
    # With --reuse, a kind whose readings were kept is read from them; the others are gathered.
    reused = [args.reuse and path.exists() for path in kept]
    for kind, path, old in zip(kinds, kept, reused):
        if old:
            asked, heads = load_readings(path)
            for a in asked:
                a.weight = kind.weight
            asked_by_kind.append(asked)
            heads_by_kind.append(heads)
        else:
            asked_by_kind.append(collect(kind.engines, kind.files, kind.questions, kind.labels, kind.weight))
            heads_by_kind.append([])
    if not all(reused):  # the new kinds' best are read as a model of every kind ranks them
        first = fit_retrieve([a for asked in asked_by_kind for a in asked], drop)
        for n, (kind, path, old) in enumerate(zip(kinds, kept, reused)):
            if not old:
                heads_by_kind[n] = read_heads(kind.engines, kind.files, kind.questions, asked_by_kind[n], first)
                save_readings(path, asked_by_kind[n], heads_by_kind[n])

    def cuts(chosen: list[int], read_model: LinearModel) -> tuple[dict[int, list[ReadOrder]], float, float]:
        """The read orders of the kinds ``chosen`` under ``read_model``, the margin a lone
        candidate reads as, and the support ratio."""
        orders = {n: read_orders(asked_by_kind[n], heads_by_kind[n], read_model) for n in chosen}
        every_asked = [a for n in chosen for a in asked_by_kind[n]]
        every_order = [o for n in chosen for o in orders[n]]
        return orders, fit_lone_margin(every_order), fit_support_ratio(every_asked, every_order)

    def fitted(chosen: list[int]) -> tuple[LinearModel, LinearModel, LinearModel, float, float]:
        """The three models learned from the kinds ``chosen``, the margin a lone candidate
        reads as, and the support ratio."""
        retrieve = fit_retrieve([a for n in chosen for a in asked_by_kind[n]], drop)
        read_model = fit_read([a for n in chosen for a in asked_by_kind[n]],
                              [h for n in chosen for h in heads_by_kind[n]], drop)
        orders, lone_margin, support_ratio = cuts(chosen, read_model)
        rows_parts, answerable_parts, correct_parts, weight_parts = [], [], [], []
        for n in chosen:
            kind = kinds[n]
            rows, answerable, correct = abstain_rows(kind.engines, kind.files, kind.questions, asked_by_kind[n],
                                                     orders[n], lone_margin)
            rows_parts.append(rows)
            answerable_parts.append(answerable)
            correct_parts.append(correct)
            weight_parts.append(np.full(len(rows), kind.weight))
        rows = np.concatenate(rows_parts)
        labels = np.concatenate(correct_parts if args.label == "correct" else answerable_parts)
        scale = Standardizer.fit(rows, ABSTAIN_FEATURES, drop)
        weights, bias = fit_logistic(scale(rows), labels, ABSTAIN_L2, sample_weights=np.concatenate(weight_parts))
        abstain = LinearModel(ABSTAIN_FEATURES, scale.mean, scale.scale, weights, bias)
        return retrieve, read_model, abstain, lone_margin, support_ratio

    # SQuAD alone reads plain text; with other kinds, a second set learned from every kind
    # reads documents made of entries (one model per kind of text, as validation chose).
    if args.keep:
        # The models as an earlier run learned them; only the cuts on their scores are fitted,
        # as the two training commands fit them: SQuAD alone the plain models' cuts, SQuAD
        # with other kinds those of the models for documents made of entries.
        earlier = ReaderModel.from_json(json.loads(args.keep.read_text(encoding="utf-8")))
        if len(kinds) > 1 and earlier.structured is not None:
            _, margin, ratio = cuts(list(range(len(kinds))), earlier.structured.read)
            model = dataclasses.replace(earlier, structured=dataclasses.replace(
                earlier.structured, lone_margin=margin, support_ratio=ratio))
        else:
            _, margin, ratio = cuts([0], earlier.read)
            model = dataclasses.replace(earlier, lone_margin=margin, support_ratio=ratio)
        command = (f"python -m verbatim.retrieval.training.train --squad SQUAD --questions {args.questions}"
                   + (" --faqs FAQS" if len(kinds) > 1 else "") + " --keep WEIGHTS")
        cut_commands = [c for c in model.provenance.get("cuts", []) if c != command] + [command]
        model = dataclasses.replace(model, provenance={**model.provenance, "cuts": cut_commands})
        args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}: the models of {args.keep}, their cuts fitted", file=sys.stderr)
        return 0
    structured = None
    if len(kinds) > 1:
        retrieve, read_model, abstain, lone_margin, support_ratio = fitted(list(range(len(kinds))))
        structured = ReaderModel(retrieve, read_model, abstain, args.threshold, {}, lone_margin, support_ratio)
    plain_provenance = {}
    if args.plain:
        earlier = ReaderModel.from_json(json.loads(args.plain.read_text(encoding="utf-8")))
        retrieve, read_model, abstain = earlier.retrieve, earlier.read, earlier.abstain
        lone_margin, support_ratio = earlier.lone_margin, earlier.support_ratio
        plain_provenance = {"plain": earlier.provenance}
    else:
        retrieve, read_model, abstain, lone_margin, support_ratio = fitted([0])
    # What decides the weights; --work, --out and --reuse only say where things are kept.
    command = (f"python -m verbatim.retrieval.training.train --squad SQUAD --questions {args.questions} --label {args.label}"
               f" --threshold {args.threshold}" + (f" --faqs FAQS --faq-weight {args.faq_weight}" if args.faqs else "")
               + (f" --generated GENERATED --generated-weight {args.generated_weight}" if args.generated else "")
               + (" --plain PLAIN" if args.plain else "")
               + (f" --drop {args.drop}" if args.drop else ""))
    data = "SQuAD v1.1 train (CC BY-SA 4.0), train split of shared/data/squad-train/build.py"
    if args.faqs:
        data += "; the train split of shared/data/faqs/build.py (11 Debian FAQs, each under its own licence)"
    if args.generated:
        data += "; questions made by verbatim.retrieval.training.generate from manual pages of sections 2, 3, 5, 7"
    model = ReaderModel(retrieve, read_model, abstain, args.threshold, {
        "command": command,
        "data": data,
        "data_sha256": data_hash(args.squad),
        "questions": len(questions),
        **{f"{kind.name}_questions": len(kind.questions) for kind in kinds[1:]},
        "abstain_label": args.label,
        **plain_provenance,
    }, lone_margin, support_ratio, structured)
    args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: " + ", ".join(f"{len(k.questions)} {k.name} questions" for k in kinds), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
