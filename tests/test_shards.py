"""A sharded index in one process: same scores, top-k and answers as one index; generations and rebuilds."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import pytest

from verbatim.corpus import CorpusError, reader
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.open import open_index
from verbatim.retrieval.reader.query import Query
from verbatim.retrieval.reader.question import analyze
from verbatim.retrieval.reader.ranker import rank_pool, shipped_model
from verbatim.retrieval.shards import layout
from verbatim.retrieval.shards.open import open_sharded
from verbatim.retrieval.shards.sharded import LocalShards, ShardUnavailable

# Few words, so many sentences tie on BM25 and the order ties are broken in is tested too.
WORDS = ("market river engine price launch model founder city report court union budget harbour "
         "signal garden border vaccine orbit tariff museum").split()
NAMES = ["Alder", "Brook", "Corvin", "Dace", "Elm"]


def _random_corpus(folder: Path, seed: int, files: int = 24) -> Path:
    rng = random.Random(seed)
    for f in range(files):
        paragraphs = []
        for _ in range(rng.randint(1, 4)):
            sentences = []
            for _ in range(rng.randint(1, 5)):
                words = rng.choices(WORDS, k=rng.randint(3, 9))
                if rng.random() < 0.4:
                    words.insert(rng.randrange(len(words)), rng.choice(NAMES))
                if rng.random() < 0.3:
                    words.append(str(rng.randint(1990, 2024)))
                sentences.append(" ".join(words).capitalize() + ".")
            paragraphs.append(" ".join(sentences))
        path = folder / f"part{f % 3}" / f"doc{f:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{rng.choice(WORDS).title()} {rng.choice(NAMES)}\n\n" + "\n\n".join(paragraphs) + "\n")
    return folder


def _questions(seed: int, count: int = 12) -> list[str]:
    rng = random.Random(seed)
    forms = ["What did the {} {} say?", "When did {} {} the {}?", "Who runs the {} {}?", "Which {} has the {}?"]
    out = []
    for _ in range(count):
        form = rng.choice(forms)
        out.append(form.format(*(rng.choice(WORDS + NAMES) for _ in range(form.count("{}")))))
    # A name that says which document to read: titles are "<Word> <Name>" ("the Elm article").
    out.append(f"What does the {rng.choice(NAMES)} article say about the {rng.choice(WORDS)}?")
    return out


def _scores_by_unit(sharded, query: list[str]) -> np.ndarray:
    scores = np.zeros(len(sharded))
    for shard in sharded.backend.shards:
        scores[shard.to_corpus(np.arange(len(shard.index)))] = shard.index.bm25.get_scores(query)
    return scores


@pytest.mark.parametrize("seed", range(6))
def test_sharded_bm25_scores_and_top_k_equal_one_index(tmp_path, seed):
    corpus = _random_corpus(tmp_path / "corpus", seed)
    count = 2 + seed % 3
    single = open_index(corpus, index_dir=tmp_path / "one").index
    sharded = open_sharded(corpus, count=count, index_dir=tmp_path / "many").index
    assert len(sharded) == len(single)
    assert sum(s.units for s in sharded.generation.shards) == len(single)
    assert all(sharded.text_of(u) == single.text_of(u) for u in range(len(single)))  # same numbering
    rng = random.Random(seed)
    for _ in range(20):
        query = rng.sample(WORDS + [n.lower() for n in NAMES], rng.randint(1, 4))
        assert np.array_equal(_scores_by_unit(sharded, query), single.bm25.get_scores(query))  # bit for bit
        for k in (1, 5, 40):
            assert sharded.top(query, k) == single.top(query, k)
        for term in query:
            assert sharded.idf(term) == single.idf(term)
            assert sharded.related(term) == single.related(term)


@pytest.mark.parametrize("seed", range(4))
def test_sharded_pool_and_every_feature_equal_one_index(tmp_path, seed):
    """The pool is chosen on the driver and each shard measures only its chosen candidates:
    the same candidates, in the same order, with every feature equal to the bit, sentences
    left out (a follow-up's "else") included."""
    corpus = _random_corpus(tmp_path / "corpus", 200 + seed, files=30)
    single = open_index(corpus, index_dir=tmp_path / "one").index
    sharded = open_sharded(corpus, count=2 + seed % 3, index_dir=tmp_path / "many").index
    rng = random.Random(seed)
    for question in _questions(seed, count=15):
        exclude = frozenset(rng.sample(range(len(single)), rng.randint(0, 20)))
        rankings = []
        for index in (single, sharded):
            query = Query.of(index, analyze(question))
            rankings.append(rank_pool(index, query, shipped_model(), exclude))
        one, many = rankings
        assert np.array_equal(many.pool.uids, one.pool.uids)
        assert np.array_equal(many.pool.values, one.pool.values)  # the cheap features
        assert np.array_equal(many.head, one.head)
        assert np.array_equal(many.reading.values, one.reading.values)  # the read step's, read features too
        assert np.array_equal(many.reading.read, one.reading.read)
        assert many.reading.readings == one.reading.readings


@pytest.mark.parametrize("seed", range(3))
def test_sharded_answers_equal_one_index_with_follow_ups(tmp_path, seed):
    corpus = _random_corpus(tmp_path / "corpus", 100 + seed, files=30)
    single = Engine(open_index(corpus, index_dir=tmp_path / "one"))
    sharded = Engine(open_sharded(corpus, count=3, index_dir=tmp_path / "many"))
    answered = 0
    one, many = single.conversation(), sharded.conversation()
    for question in _questions(seed):
        expected = single.ask(question, explain=True)
        assert sharded.ask(question, explain=True) == expected
        answered += expected.answered
        for turn in (question, "And when was that?", "Who else?"):
            assert sharded.ask(turn, conversation=many) == single.ask(turn, conversation=one)
    assert answered  # the comparison covered answers, not only refusals


def test_shards_are_assigned_by_a_stable_hash_of_the_relative_path():
    names = [f"folder/doc{i}.txt" for i in range(400)]
    shards = [layout.shard_of(name, 4) for name in names]
    assert shards == [layout.shard_of(name, 4) for name in names]
    assert set(shards) == {0, 1, 2, 3}
    assert layout.shard_of("a/b.txt", 7) == 2  # fixed by the hash, not by the process


def test_only_the_shard_of_a_changed_file_is_rebuilt(tmp_path):
    corpus = _random_corpus(tmp_path / "corpus", 7)
    first = open_sharded(corpus, count=3, index_dir=tmp_path / "idx")
    before = [s.version for s in first.index.generation.shards]
    again = open_sharded(corpus, index_dir=tmp_path / "idx")  # the saved count
    assert again.report is None and [s.version for s in again.index.generation.shards] == before
    changed = corpus / "part1" / "doc001.txt"
    changed.write_text("Orbit report\n\nThe harbour engine was rebuilt by Alder in 2003.\n")
    owner = layout.shard_of("part1/doc001.txt", 3)
    refreshed = open_sharded(corpus, index_dir=tmp_path / "idx")
    after = [s.version for s in refreshed.index.generation.shards]
    assert refreshed.report.read == 1
    assert [b != a for b, a in zip(before, after)] == [s == owner for s in range(3)]
    assert refreshed.index.generation.folder != first.index.generation.folder
    assert not first.index.generation.folder.exists()  # the old generation is gone once replaced
    result = Engine(refreshed).ask("Who rebuilt the harbour engine?")
    assert result.answered and result.answers[0].sentence == "The harbour engine was rebuilt by Alder in 2003."
    single = Engine(open_index(corpus, index_dir=tmp_path / "one"))
    assert Engine(refreshed).ask("Who rebuilt the harbour engine?") == single.ask("Who rebuilt the harbour engine?")


def test_reindex_reads_every_file_of_every_shard_again(tmp_path):
    corpus = _random_corpus(tmp_path / "corpus", 11)
    first = open_sharded(corpus, count=2, index_dir=tmp_path / "idx")
    changed = corpus / "part1" / "doc001.txt"
    stamp = changed.stat()
    text = "Orbit report\n\nThe harbour engine was rebuilt by Alder in 2003.\n"
    changed.write_text(text + "x" * (stamp.st_size - len(text.encode())), encoding="utf-8")
    os.utime(changed, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # as `touch -r` or `cp -p` leave it
    assert changed.stat().st_size == stamp.st_size
    assert open_sharded(corpus, index_dir=tmp_path / "idx").report is None  # size and time say unchanged
    again = open_sharded(corpus, index_dir=tmp_path / "idx", force=True)
    assert again.report.read == again.report.files == first.report.files and again.report.reused == 0
    result = Engine(again).ask("Who rebuilt the harbour engine?")
    assert result.answered and result.answers[0].sentence == "The harbour engine was rebuilt by Alder in 2003."


def test_a_failed_build_leaves_the_previous_generation_serving(tmp_path, monkeypatch):
    corpus = _random_corpus(tmp_path / "corpus", 8)
    opened = open_sharded(corpus, count=2, index_dir=tmp_path / "idx")
    generation = opened.index.generation
    (corpus / "part0" / "doc000.txt").write_text("Museum report\n\nThe museum border opened in 1999.\n")
    (corpus / "part2" / "doc002.txt").write_text("Budget report\n\nThe budget court met in 2011.\n")

    def lost(task):
        raise OSError("the node building this shard went away")

    monkeypatch.setattr("verbatim.retrieval.shards.open.build_shard", lost)
    with pytest.raises(OSError):
        open_sharded(corpus, index_dir=tmp_path / "idx")
    assert layout.current(generation.folder.parent, generation.root).folder == generation.folder
    assert not [p for p in generation.folder.parent.iterdir() if p.name.endswith(".partial")]
    assert Engine(opened).ask("What did the court report?").question  # still answers from it


def test_changing_the_shard_count_rebuilds_every_shard(tmp_path):
    corpus = _random_corpus(tmp_path / "corpus", 9)
    open_sharded(corpus, count=2, index_dir=tmp_path / "idx")
    four = open_sharded(corpus, count=4, index_dir=tmp_path / "idx")
    assert four.index.generation.count == 4 and four.report.read == four.report.files
    shard_folders = sorted(p.name for p in four.folder.iterdir() if p.name.startswith("shard-"))
    assert shard_folders == [f"shard-4-{s}" for s in range(4)]  # the two-shard versions removed


def test_a_corpus_without_a_sharded_index_asks_for_a_count(tmp_path):
    corpus = _random_corpus(tmp_path / "corpus", 10, files=3)
    with pytest.raises(CorpusError, match="--shards"):
        open_sharded(corpus, index_dir=tmp_path / "idx")


def test_engine_uses_the_sharded_index_when_there_is_one(tmp_path):
    corpus = _random_corpus(tmp_path / "corpus", 11)
    Engine.load(corpus, index_dir=tmp_path / "idx", shards=2)
    engine = Engine.load(corpus, index_dir=tmp_path / "idx")
    assert engine.index.generation.count == 2
    assert engine.opened.report is None


def test_cli_builds_a_sharded_index_and_answers_from_it(verbatim, tmp_path):
    corpus = _random_corpus(tmp_path / "corpus", 12)
    built = verbatim("--corpus", str(corpus), "--index", "--shards", "3", "--index-dir", str(tmp_path / "idx"))
    assert built.code == 0 and "3 shards" in built.out
    single = verbatim("--corpus", str(corpus), "--ask", "Who runs the harbour?", "--json",
                      "--index-dir", str(tmp_path / "one"))
    sharded = verbatim("--corpus", str(corpus), "--ask", "Who runs the harbour?", "--json",
                       "--index-dir", str(tmp_path / "idx"))
    assert sharded.out == single.out and sharded.code == single.code
    bad = verbatim("--corpus", str(corpus), "--index", "--shards", "0", "--index-dir", str(tmp_path / "idx"))
    assert bad.code == 2 and bad.err.count("\n") == 1
    assert os.listdir(tmp_path / "idx")


class StopsAnswering:
    """The shards of this process, one of which stops answering for good at its first call of
    ``step`` once armed ("any": at its first call of anything), as a lost Ray actor does: left
    out of ``each``'s answers, ShardUnavailable from ``one``."""

    def __init__(self, shards: LocalShards, shard: int, step: str):
        self.shards, self.shard, self.step = shards, shard, step
        self.armed = self.stopped = False
        self.asked: list[str] = []  # what the shard was asked while armed

    def __len__(self) -> int:
        return len(self.shards)

    def arm(self) -> None:
        self.armed, self.stopped, self.asked = True, False, []

    def _answers(self, shard: int, method) -> bool:
        if shard != self.shard or not self.armed:
            return True
        self.asked.append(method.__name__)
        self.stopped = self.stopped or self.step in (method.__name__, "any")
        return not self.stopped

    def each(self, method, args: dict[int, tuple]) -> dict[int, object]:
        return self.shards.each(method, {s: a for s, a in args.items() if self._answers(s, method)})

    def one(self, shard: int, method, *args):
        if not self._answers(shard, method):
            raise ShardUnavailable(f"shard {shard} did not answer")
        return self.shards.one(shard, method, *args)

    def close(self) -> None:
        self.shards.close()


def _stopping(corpus: Path, folder: Path, shard: int, step: str) -> tuple[Engine, StopsAnswering]:
    opened = open_sharded(corpus, count=3, index_dir=folder)
    backend = StopsAnswering(opened.index.backend, shard, step)
    opened.index.backend = backend
    return Engine(opened), backend


# Every call a question makes of a shard: the four steps of each question, the facts and terms
# of units not read, a follow-up's excluded sentences, and the mentions a pronoun is matched by.
SHARD_CALLS = ("totals", "candidates", "features", "read", "facts", "title_terms", "article_terms", "uid_at", "top")


@pytest.mark.parametrize("step", SHARD_CALLS)
def test_a_shard_that_stops_answering_at_any_step_is_named_and_nothing_raises(tmp_path, step):
    corpus = _random_corpus(tmp_path / "corpus", 300, files=30)
    single = Engine(open_index(corpus, index_dir=tmp_path / "one"))
    stopped = 0
    for shard in range(3):
        # The same shard lost from the start of the question: what the answer must then be.
        dying, backend = _stopping(corpus, tmp_path / "many", shard, step)
        lost, lost_backend = _stopping(corpus, tmp_path / "many", shard, "any")
        for question in _questions(shard, count=6):
            # A conversation a turn at a time, as long as no turn lost the shard (after one,
            # its history is no longer the complete one's).
            one, many, without = single.conversation(), dying.conversation(), lost.conversation()
            for turn in (question, "What did he say?", "Who else?"):
                complete = single.ask(turn, conversation=one, explain=True)
                backend.arm()
                result = dying.ask(turn, conversation=many, explain=True)
                backend.armed = False
                if step not in backend.asked:
                    assert result == complete and result.shards_not_answering is None
                    assert lost.ask(turn, conversation=without, explain=True) == complete
                    continue
                stopped += 1  # it stopped during the question
                lost_backend.arm()
                assert result == lost.ask(turn, conversation=without, explain=True)
                lost_backend.armed = False
                assert result.shards_not_answering == [shard]
                assert f"shard {shard} of 3 did not answer" in result.notice
                assert result.explanation is not None or not result.answered
                break
    assert stopped  # the step was reached: the shard did stop at it


def test_with_every_shard_lost_the_result_says_there_is_none(tmp_path):
    corpus = _random_corpus(tmp_path / "corpus", 301)
    engine, backends = _stopping(corpus, tmp_path / "many", 0, "any")
    engine.index.backend = StopsAnswering(StopsAnswering(backends, 1, "any"), 2, "any")
    for backend in (engine.index.backend, engine.index.backend.shards, backends):
        backend.arm()
    result = engine.ask("Who runs the harbour?")
    assert not result.answered and not result.closest and result.shards_not_answering == [0, 1, 2]
    assert "none of the 3 shards answered" in result.notice


def test_cli_names_the_shard_that_did_not_answer_with_exit_code_3(cli, tmp_path, monkeypatch):
    corpus = _random_corpus(tmp_path / "corpus", 302)
    args = ("--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"))
    assert cli(*args, "--index", "--shards", "2").code == 0

    def losing_shard_1(shards):
        backend = StopsAnswering(LocalShards(shards), 1, "read")
        backend.arm()
        return backend

    monkeypatch.setattr("verbatim.retrieval.shards.open.LocalShards", losing_shard_1)
    run = cli(*args, "--ask", "Who runs the harbour engine?", "--json")
    assert run.code == 3
    assert run.err.count("\n") == 1 and "shard 1 of 2 did not answer" in run.err
    assert json.loads(run.out)["shards_not_answering"] == [1]
    text = cli(*args, "--ask", "Who runs the harbour engine?")
    assert text.code == 3 and text.err.count("\n") == 1 and "shard 1 of 2 did not answer" in text.err


def test_a_sharded_corpus_holds_one_index_worth_of_files_a_shard(tmp_path, monkeypatch):
    corpus = _random_corpus(tmp_path / "corpus", 7, files=12)
    monkeypatch.setattr(reader, "MAX_FILES", 5)
    monkeypatch.setattr(layout, "FILES_PER_SHARD", 5)
    with pytest.raises(CorpusError, match="more than 5 article files.*--shards N"):
        open_index(corpus, index_dir=tmp_path / "one")
    with pytest.raises(CorpusError, match="more than 10 article files"):
        open_sharded(corpus, count=2, index_dir=tmp_path / "two")
    opened = open_sharded(corpus, count=3, index_dir=tmp_path / "three")
    assert opened.report.read == 12 and len(opened.index.articles) == 12
    opened.index.close()
