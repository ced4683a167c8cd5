"""The reader's weights: learned end to end on a slice of SQuAD, and held to floors on validation."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.terms import terms
from verbatim.retrieval.reader.features import FEATURES
from verbatim.retrieval.reader.ranker import WEIGHTS_FILE, ReaderModel, shipped_model
from verbatim.retrieval.training.train import (
    Asked,
    ReadOrder,
    data_hash,
    fit_lone_margin,
    fit_support_ratio,
    gold_labels,
    read_jsonl,
    sample,
)
from verbatim.retrieval.training.train import main as train

SQUAD = ROOT.parent / "shared" / "data" / "squad-train"
# A fixed slice: the first articles of each split (in the build's sorted order).
TRAIN_ARTICLES = 8
VALIDATION_ARTICLES = 6
OFF_CORPUS_ARTICLES = 3


@pytest.fixture(scope="module")
def squad(tmp_path_factory) -> Path:
    if not (SQUAD / "build.py").exists():
        pytest.skip("shared/data/squad-train is not beside the repository")
    built = tmp_path_factory.mktemp("squad-built")
    subprocess.run([sys.executable, str(SQUAD / "build.py"), str(built), "--no-train-only"], check=True,
                   capture_output=True)
    articles = sorted(read_jsonl(built / "articles.jsonl"), key=lambda a: a["file"])
    chosen = ([a for a in articles if a["split"] == "train"][:TRAIN_ARTICLES]
              + [a for a in articles if a["split"] == "validation"][:VALIDATION_ARTICLES + OFF_CORPUS_ARTICLES])
    files = {a["file"] for a in chosen}
    out = tmp_path_factory.mktemp("squad-slice")
    (out / "corpus").mkdir()
    for a in chosen:
        shutil.copyfile(built / "corpus" / a["file"], out / "corpus" / a["file"])
    (out / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in chosen), encoding="utf-8")
    questions = [q for q in read_jsonl(built / "questions.jsonl") if q["file"] in files]
    (out / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return out


def test_training_writes_a_weights_file_that_reproduces_and_ranks(squad, tmp_path):
    out = tmp_path / "weights.json"
    assert train(["--squad", str(squad), "--questions", "120", "--work", str(tmp_path / "work"),
                  "--out", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    model = ReaderModel.from_json(written)
    assert model.read.features == FEATURES
    assert all(np.isfinite(m.weights).all() for m in (model.retrieve, model.read, model.abstain))
    provenance = written["provenance"]
    assert provenance["data_sha256"] == data_hash(squad)
    assert provenance["command"].startswith("python -m verbatim.retrieval.training.train --squad SQUAD --questions 120")
    assert provenance["questions"] == 120
    # What every reader learns from real questions: sharing the question's words is good.
    weights = dict(zip(model.read.features, model.read.weights))
    assert weights["coverage_sentence"] + weights["coverage_forms"] + weights["coverage_synonyms"] > 0


def test_the_shipped_weights_say_how_to_make_them_again():
    written = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    provenance = written["provenance"]
    assert provenance["command"].startswith("python -m verbatim.retrieval.training.train")
    assert len(provenance["data_sha256"]) == 64
    assert 0 < shipped_model().threshold < 1


def _asked(engine: Engine, questions: list[dict]) -> tuple[float, float, list[float]]:
    """P@1 of the engine's reader and of plain BM25 over the same sentences, and the
    answer probabilities."""
    reader = bm25 = 0
    probabilities = []
    for q in questions:
        ranked = engine.candidates(q["question"], k=1)
        if ranked:
            reader += gold_labels(engine, np.array([engine.index.uid_at(ranked[0].article.id, ranked[0].start)]), q)[0]
        top = engine.index.top(terms(q["question"]), 1)
        if top:
            bm25 += gold_labels(engine, np.array([top[0][0]]), q)[0]
        probabilities.append(engine.ask(q["question"]).probability or 0.0)
    return reader / len(questions), bm25 / len(questions), probabilities


def test_quality_floors_on_a_fixed_validation_slice(squad, tmp_path):
    articles = [a for a in read_jsonl(squad / "articles.jsonl") if a["split"] == "validation"]
    inside = {a["file"] for a in articles[:VALIDATION_ARTICLES]}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in inside:
        shutil.copyfile(squad / "corpus" / name, corpus / name)
    engine = Engine.load(corpus)
    questions = read_jsonl(squad / "questions.jsonl")
    answerable = sample([q for q in questions if q["file"] in inside], 150)
    off_corpus = sample([q for q in questions if q["split"] == "validation" and q["file"] not in inside], 60)
    reader, bm25, probabilities = _asked(engine, answerable)
    assert reader >= 0.70 and reader >= bm25 + 0.07, (reader, bm25)
    threshold = shipped_model().threshold
    assert np.mean(np.array(probabilities) < threshold) <= 0.06
    refused = [not engine.ask(q["question"]).answered for q in off_corpus]
    assert np.mean(refused) >= 0.65


def _asked_one(labels: list[int], own: bool = True, weight: float = 1.0) -> Asked:
    return Asked("q", np.arange(len(labels)), np.zeros((len(labels), 1)), np.array(labels, dtype=float), own, weight)


def test_the_support_ratio_is_the_cut_that_best_tells_answering_sentences_from_the_rest():
    # Two questions, read rows best first: the first's second and third sentences answer too
    # (ratios 0.9 and 0.6 against the best), the rest do not (0.5 and below).
    asked = [_asked_one([1, 1, 1, 0, 0]), _asked_one([1, 0, 0])]
    orders = [ReadOrder(np.arange(5), np.log(np.array([1.0, 0.9, 0.6, 0.5, 0.1])), 5),
              ReadOrder(np.arange(3), np.log(np.array([1.0, 0.4, 0.2])), 3)]
    assert fit_support_ratio(asked, orders) == pytest.approx(0.6)
    # A question asked of the other fold answers nothing and teaches nothing.
    assert fit_support_ratio([*asked, _asked_one([0, 0, 0], own=False)],
                             [*orders, ReadOrder(np.arange(3), np.log(np.array([1.0, 0.99, 0.98])), 3)]) == pytest.approx(0.6)
    # Read rows that may not answer (code, furniture) are never listed, whatever their score.
    with_code = [asked[0], _asked_one([1, 0, 1])]
    assert fit_support_ratio(with_code, [orders[0], ReadOrder(np.array([0, 2, 1]), np.log(np.array([1.0, 0.3, 0.95])), 2)]) \
        == pytest.approx(0.3)


def test_a_lone_candidate_reads_as_the_typical_margin_training_saw():
    orders = [ReadOrder(np.arange(2), np.array([3.0, 1.0]), 2), ReadOrder(np.arange(3), np.array([9.0, 2.5, 0.0]), 3),
              ReadOrder(np.arange(2), np.array([1.0, 0.5]), 1), ReadOrder(np.arange(1), np.array([4.0]), 1)]
    assert fit_lone_margin(orders) == pytest.approx(2.0)


def test_the_weights_file_carries_the_learned_cuts_and_a_file_without_them_is_refused(tmp_path):
    written = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    for model in (written, written["structured"]):
        assert model["lone_margin"] > 0 and 0 < model["support_ratio"] <= 1
    del written["support_ratio"]
    with pytest.raises(KeyError):
        ReaderModel.from_json(written)


def test_pool_recall_bounds_every_later_stage(engine):
    from verbatim.retrieval.training.recall import file_labels, recall

    quoted = Path(engine.candidates("Who founded DeepSeek?", k=1)[0].article.path).name
    questions = [{"question": "Who founded DeepSeek?", "gold_file": quoted},
                 {"question": "Where do zyxqv plorbs nest?", "gold_file": quoted}]
    found = recall(engine, questions, file_labels)
    # The first is answered from the file its candidates lead with; the second's words are
    # nowhere in the corpus, so no stage can reach an answer.
    assert found == {"questions": 2, "in_pool": 0.5, "among_read": 0.5, "first": 0.5}
