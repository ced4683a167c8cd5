"""One index and a sharded one behind the same Index protocol: the reader, the engine and the chat never ask which."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from verbatim.corpus.bundled import ARTICLES_DIR
from verbatim.retrieval.conversation.examples import example_questions
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.open import Opened, open_index
from verbatim.retrieval.index.protocol import Index
from verbatim.retrieval.shards.open import open_sharded
from verbatim.retrieval.shards.sharded import LocalShards

# What the protocol names: a caller holding an Index may use these and nothing else.
PROTOCOL = frozenset(name for name in vars(Index) if not name.startswith("_")) | {"__len__"}
# A Ray round trip's order of magnitude (benchmarks/ray_round_trip.py), for the concurrency test.
ROUND_TRIP = 0.002
QUESTIONS = ["Who founded DeepSeek?", "When was the company founded?", "What did the court say about tariffs?",
             "How much did the chips cost?", "Who is the president of Mars?"]


class ProtocolOnly:
    """An index seen through the protocol alone: anything else asked of it fails the test."""

    def __init__(self, index: Index):
        self._index = index

    def __getattr__(self, name: str):
        if name not in PROTOCOL:
            raise AssertionError(f"{name} is asked of the index but is not in the Index protocol")
        return getattr(self._index, name)

    def __len__(self) -> int:
        return len(self._index)


class CountingShards(LocalShards):
    """The shards of this process, counting the calls made to them (one Ray round trip each)."""

    def __init__(self, shards: LocalShards):
        super().__init__(shards.shards)
        self.calls = 0

    def each(self, method, args):
        self.calls += 1
        return super().each(method, args)

    def one(self, shard, method, *args):
        self.calls += 1
        return super().one(shard, method, *args)


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bundled") / "articles"
    shutil.copytree(ARTICLES_DIR, folder, ignore=shutil.ignore_patterns("catalog.json"))
    return folder


@pytest.fixture(scope="module")
def both(bundled_copy, tmp_path_factory) -> tuple[Opened, Opened]:
    single = open_index(bundled_copy, index_dir=tmp_path_factory.mktemp("one"))
    sharded = open_sharded(bundled_copy, count=3, index_dir=tmp_path_factory.mktemp("many"))
    return single, sharded


def _through_protocol(opened: Opened) -> Engine:
    seen = Opened(ProtocolOnly(opened.index), opened.folder, opened.report, opened.notices,
                  opened.follow_links, opened.reopen)
    return Engine(seen)


def test_the_reader_reads_one_index_and_shards_through_the_protocol_only(both):
    single, sharded = both
    results = []
    for opened in (single, sharded):
        engine = _through_protocol(opened)
        conversation = engine.conversation()
        answers = [engine.ask(q, explain=True) for q in QUESTIONS]
        answers += [engine.ask(q, conversation=conversation) for q in (QUESTIONS[0], "When was it founded?")]
        answers.append(engine.candidates(QUESTIONS[2]))
        results.append(answers)
    assert results[0] == results[1]
    assert any(r.answered for r in results[0][:len(QUESTIONS)])  # compared answers, not only refusals


def test_asking_anything_outside_the_protocol_fails(both):
    with pytest.raises(AssertionError, match="not in the Index protocol"):
        _ = ProtocolOnly(both[0].index).data


def test_the_chats_examples_appear_on_a_sharded_corpus(both):
    single, sharded = both
    found = example_questions(_through_protocol(sharded))
    assert found and found == example_questions(_through_protocol(single))


def test_an_articles_text_costs_one_call_to_the_shards(both):
    from verbatim.tui.app import VerbatimApp

    _, sharded = both
    index = sharded.index
    original = index.backend
    counting = index.backend = CountingShards(original)
    try:
        for article in range(len(index.articles)):
            counting.calls = 0
            units = index.units_of(article)
            assert counting.calls == 1 and len(units) == index.articles[article].count
        counting.calls = 0
        texts = VerbatimApp._article_texts(SimpleNamespace(engine=Engine(sharded)))
        assert counting.calls == len(index.articles) == len(texts)
        assert texts == VerbatimApp._article_texts(SimpleNamespace(engine=Engine(both[0])))
    finally:
        index.backend = original


class ClosedShards(LocalShards):
    """Shards that fail once closed, as Ray's actors are gone once the index ends them; each
    call takes a round trip's time, so a question is often under way when a refresh ends."""

    def __init__(self, shards: LocalShards):
        super().__init__(shards.shards)
        self.closed = False

    def each(self, method, args):
        time.sleep(ROUND_TRIP)
        assert not self.closed, "a closed index was read"
        return super().each(method, args)

    def one(self, shard, method, *args):
        time.sleep(ROUND_TRIP)
        assert not self.closed, "a closed index was read"
        return super().one(shard, method, *args)

    def close(self) -> None:
        self.closed = True


def test_concurrent_asks_during_refreshes_never_read_a_closed_index(tmp_path, monkeypatch):
    import threading

    import verbatim.retrieval.shards.open as shards_open

    corpus = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, corpus, ignore=shutil.ignore_patterns("catalog.json"))
    monkeypatch.setattr(shards_open, "LocalShards", lambda shards: ClosedShards(LocalShards(shards)))
    engine = Engine(open_sharded(corpus, count=2, index_dir=tmp_path / "idx"))
    expected = {q: engine.ask(q) for q in QUESTIONS}
    stale = [a.id for a in engine.articles[:2]]
    failures: list[BaseException] = []
    start = threading.Barrier(5)
    asked = threading.Event()  # set when the askers are done

    def asking(offset: int) -> None:
        start.wait()
        try:
            for i in range(20):
                question = QUESTIONS[(i + offset) % len(QUESTIONS)]
                assert engine.ask(question) == expected[question]
                engine.units_of(i % len(engine.articles))
        except BaseException as failure:  # noqa: BLE001 -- reported by the main thread
            failures.append(failure)

    def refreshing() -> None:
        start.wait()
        try:
            while not asked.is_set():
                engine.refresh(stale)  # ends the index it replaces
        except BaseException as failure:  # noqa: BLE001
            failures.append(failure)

    threads = [threading.Thread(target=asking, args=(n,)) for n in range(4)] + [threading.Thread(target=refreshing)]
    for thread in threads:
        thread.start()
    for thread in threads[:-1]:
        thread.join(timeout=600)
    asked.set()
    threads[-1].join(timeout=600)
    assert not any(t.is_alive() for t in threads) and not failures, failures
