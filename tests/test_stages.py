"""The stages of answering as configuration sees them: the abstainer's threshold from the API, the flag and config.toml."""

from __future__ import annotations

import dataclasses
import json

import pytest

import verbatim
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.settings import Settings

ANSWERED = "Who founded DeepSeek?"


def test_the_threshold_is_the_trained_readers_unless_set(engine):
    assert engine.abstainer.threshold == engine.model.threshold
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
