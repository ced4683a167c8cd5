"""The stages of answering as configuration sees them: the abstainer's threshold from the API, the flag and config.toml."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import verbatim
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.reader.ranker import WEIGHTS_FILE, ReaderModel, shipped_model
from verbatim.retrieval.settings import Settings
from verbatim.retrieval.training.threshold import choose
from verbatim.retrieval.training.threshold import main as choose_threshold

ANSWERED = "Who founded DeepSeek?"


def test_the_threshold_is_the_trained_readers_unless_set(engine):
    assert engine.abstainer.threshold is None  # each reading model's own
    explained = engine.ask(ANSWERED, explain=True).explanation
    assert explained is not None and explained.threshold == engine.model.answering_threshold()
    answer = engine.ask(ANSWERED)
    assert answer.answered and answer.probability < 1.0
    strict = Engine(engine.opened, threshold=1.0)
    refused = strict.ask(ANSWERED, explain=True)
    assert not refused.answered and refused.probability == answer.probability  # the same reading, not answered
    assert refused.explanation is not None and refused.explanation.threshold == 1.0


def test_the_python_api_takes_a_threshold(tmp_path):
    library = verbatim.open(index_dir=tmp_path, threshold=1.0)
    assert library.engine.abstainer.threshold == 1.0 and not library.ask(ANSWERED).answered
    assert verbatim.open(index_dir=tmp_path).ask(ANSWERED).answered


def test_settings_are_frozen_and_refuse_a_threshold_that_is_no_probability():
    settings = Settings(threshold=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(settings, "threshold", 0.2)  # noqa: B010 -- assigning is what is refused
    with pytest.raises(ValueError, match="between 0 and 1"):
        Settings(threshold=1.5)


def test_the_flag_and_the_configuration_set_the_threshold(cli, tmp_path):
    index = ("--index-dir", str(tmp_path / "idx"))
    assert cli("--ask", ANSWERED, "--json", *index).code == 0
    strict = cli("--ask", ANSWERED, "--json", "--threshold", "1", *index)
    assert strict.code == 1 and not json.loads(strict.out)["answered"]
    config = tmp_path / "config" / "verbatim" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("threshold = 1.0\n", encoding="utf-8")
    assert cli("--ask", ANSWERED, *index).code == 1
    assert cli("--ask", ANSWERED, "--threshold", "0.01", *index).code == 0  # the flag wins
    bad = cli("--ask", ANSWERED, "--threshold", "2", *index)
    assert bad.code == 2 and bad.err.count("\n") == 1 and "between 0 and 1" in bad.err
    config.write_text("threshold = 7.5\n", encoding="utf-8")
    bad = cli("--ask", ANSWERED, *index)
    assert bad.code == 2 and bad.err.count("\n") == 1 and "threshold must be a probability" in bad.err


def test_the_analyzers_caches_are_bounded_and_give_the_same_terms():
    from verbatim.retrieval.index import terms

    small = terms.Analyzer(cache_size=50)
    words = [f"Zorblax{chr(97 + i % 26)}{i}ing" for i in range(300)] + ["Markets", "founded", "the", "U.S."]
    assert [small.word_term(w) for w in words] == [terms.ANALYZER.word_term(w) for w in words]
    assert len(small.words) <= 50 and len(small.stems) <= 50 and len(small.stem_log) <= 50
    known = small.stems_known()
    assert known >= 300  # counted across every start again
    small.word_term("zorblaxingly")
    assert small.stems_since(known) == [("zorblaxingly", terms.ANALYZER.word_term("zorblaxingly"))]


def test_an_index_hands_its_memo_of_stems_to_its_analyzer(engine):
    from verbatim.retrieval.index.terms import MEMOS_KEPT

    analyzer = engine.index.analyzer
    assert analyzer.memos and len(analyzer.memos) <= MEMOS_KEPT
    assert analyzer.fingerprint() == analyzer.fingerprint() and len(analyzer.fingerprint()) == 16


FAQ = "".join(f"{n}. How do I {task}?\n\n{answer}\n\n" for n, (task, answer) in enumerate([
    ("reset the widget counter", "Hold the front button for ten seconds until the lamp blinks twice."),
    ("charge the gizmo", "Leave the gizmo on its dock overnight; the lamp turns green when full."),
    ("clean the sprocket", "Wipe the sprocket with a dry cloth once a month."),
    ("pair two widgets", "Press both front buttons together until the lamps blink in turn."),
], start=1))


@pytest.mark.parametrize("shards", [None, 2])
def test_a_question_read_by_the_model_for_entries_meets_that_models_threshold(tmp_path, shards):
    """Each kind of text has its own threshold, chosen on its own validation sets: an FAQ's
    question is held to the threshold of the model that reads FAQs, a news question to the
    plain model's, and a threshold set by the user holds for both."""
    folder = tmp_path / "faq"
    folder.mkdir()
    (folder / "widget-faq.txt").write_text(FAQ, encoding="utf-8")
    engine = Engine.load(folder, index_dir=tmp_path / "index", shards=shards)
    assert engine.model.structured is not None
    assert engine.model.structured.threshold != engine.model.threshold  # else this test proves nothing
    explained = engine.ask("How do I clean the sprocket?", explain=True)
    assert explained.answers[0].sentence.startswith("Wipe the sprocket")
    assert explained.explanation is not None
    assert explained.explanation.threshold == engine.model.structured.threshold
    strict = Engine(engine.opened, threshold=1.0).ask("How do I clean the sprocket?", explain=True)
    assert not strict.answered and strict.explanation is not None and strict.explanation.threshold == 1.0


def test_the_threshold_chosen_makes_fewest_mistakes_within_the_budget(tmp_path):
    """training/threshold.py: fewest false refusals plus off-corpus answers, refusing at most
    the budget of answerable questions; written into the model named."""
    answerable = [0.9] * 90 + [0.45] * 6 + [0.2] * 4  # 100 answerable questions
    off_corpus = [0.1] * 60 + [0.4] * 30 + [0.95] * 10  # 100 asked of a corpus without them
    # Above 0.40 the thirty off-corpus questions at 0.4 are refused too, for four answerable ones.
    assert choose(np.array(answerable), np.array(off_corpus)).threshold == 0.41
    # A budget that forbids refusing those four stops below them, at the least of the best.
    assert choose(np.array(answerable), np.array(off_corpus), budget=0.03).threshold == 0.11
    saved = []
    for name, values in (("val", answerable), ("off", off_corpus)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"id": str(n), "output": {"probability": v}}) + "\n"
                                for n, v in enumerate(values)), encoding="utf-8")
        saved.append(str(path))
    weights = tmp_path / "weights.json"
    weights.write_text(WEIGHTS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert choose_threshold([*saved, "--budget", "0.03", "--write", str(weights), "--model", "structured"]) == 0
    written = ReaderModel.from_json(json.loads(weights.read_text(encoding="utf-8")))
    assert written.structured is not None and written.structured.threshold == 0.11
    assert written.threshold == shipped_model().threshold  # the plain model's is untouched
    assert "threshold" in written.structured.provenance
