"""A sharded index on a real two-node Ray cluster on this machine: built by tasks, served by actors, faults.

Needs the cluster extra (pip install ".[cluster]"); skipped without it. The cluster binds to 127.0.0.1 only, and the
test process may connect to loopback and nowhere else.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

# Before Ray is imported (it reads this once): processes on this machine are found on loopback.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray", reason='Ray is not installed: pip install ".[cluster]" to run these tests')
# One cluster for the module: its tests run on one worker of a parallel run.
pytestmark = pytest.mark.xdist_group("ray-cluster")

from test_shards import _questions, _random_corpus  # noqa: E402

from verbatim.corpus import CorpusError  # noqa: E402
from verbatim.retrieval.engine import Engine  # noqa: E402
from verbatim.retrieval.index.open import open_index  # noqa: E402
from verbatim.retrieval.shards import layout  # noqa: E402
from verbatim.retrieval.shards import on_ray as on_ray_module  # noqa: E402
from verbatim.retrieval.shards.layout import build_shard  # noqa: E402
from verbatim.retrieval.shards.open import open_sharded  # noqa: E402

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """As everywhere in the tests, but Ray's own loopback connections are let through."""
    real_connect, real_create, real_getaddrinfo = socket.socket.connect, socket.create_connection, socket.getaddrinfo

    def local(address) -> bool:
        return isinstance(address, str) or (isinstance(address, tuple) and address[0] in LOOPBACK)

    def connect(self, address):
        if not local(address):
            raise RuntimeError("network access attempted during tests")
        return real_connect(self, address)

    def create_connection(address, *args, **kwargs):
        if not local(address):
            raise RuntimeError("network access attempted during tests")
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK:
            raise RuntimeError("network access attempted during tests")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="module")
def cluster():
    """A head node and a second node, both on this machine."""
    from ray.cluster_utils import Cluster

    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    started = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 1, "node_ip_address": "127.0.0.1", "include_dashboard": False})
    started.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    started.wait_for_nodes()
    # The head listens on loopback; its address as Ray reports it may name another interface.
    started.loopback = "127.0.0.1:" + started.address.rsplit(":", 1)[1]
    yield started
    ray.shutdown()
    started.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _random_corpus(tmp_path_factory.mktemp("corpus"), 200, files=30)


@pytest.fixture(scope="module")
def on_ray(cluster, corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("idx")
    opened = open_sharded(corpus, count=2, ray_address=cluster.loopback, index_dir=folder)
    engine = Engine(opened)
    yield engine
    engine.index.close()


@pytest.fixture(scope="module")
def single(corpus, tmp_path_factory):
    return Engine(open_index(corpus, index_dir=tmp_path_factory.mktemp("one")))


def test_ray_builds_shards_and_answers_as_one_index(on_ray, single):
    assert len(ray.nodes()) == 2
    assert on_ray.opened.report.read == on_ray.opened.report.files
    one, many = single.conversation(), on_ray.conversation()
    for question in _questions(3):
        assert on_ray.ask(question, explain=True) == single.ask(question, explain=True)
        for turn in (question, "And when was that?"):
            assert on_ray.ask(turn, conversation=many) == single.ask(turn, conversation=one)


def test_a_shard_actor_killed_mid_question_is_restarted_and_the_question_retried(on_ray, single, monkeypatch):
    backend = on_ray.index.backend
    before = ray.get(backend.actors[0].pid.remote())
    sent = backend.each
    killed = []

    def each(method, args):
        if method.__name__ == "candidates" and not killed:  # after the first step, before the second
            ray.kill(backend.actors[0], no_restart=False)
            killed.append(method.__name__)
        return sent(method, args)

    monkeypatch.setattr(backend, "each", each)
    question = "Who runs the harbour engine?"
    result = on_ray.ask(question)
    assert killed and result == single.ask(question) and result.shards_not_answering is None
    assert ray.get(backend.actors[0].pid.remote()) != before  # a new process holds the shard


def test_a_shard_that_cannot_answer_is_reported_never_complete(cluster, corpus, tmp_path):
    engine = Engine(open_sharded(corpus, count=2, ray_address=cluster.loopback, index_dir=tmp_path / "idx"))
    try:
        ray.kill(engine.index.backend.actors[1], no_restart=True)
        result = engine.ask("What did the market report say?")
        assert result.shards_not_answering == [1]
        assert "shard 1 of 2 did not answer" in result.notice
    finally:
        engine.index.close()


def _builder_whose_worker_dies(marks: Path, times: int):
    """A build task that kills its own worker process the first ``times`` times it runs for a
    shard (counted in files under ``marks``, which every worker on this machine sees)."""

    def build(task):
        tries = marks / f"shard-{task.shard}"
        count = int(tries.read_text()) if tries.exists() else 0
        if count < times:
            tries.write_text(str(count + 1))
            os._exit(1)  # the worker dies with its task, as when a node is lost
        return build_shard(task)

    return build


def _changed_copy(corpus: Path, target: Path) -> Path:
    shutil.copytree(corpus, target)
    first = sorted(target.rglob("*.txt"))[0]
    first.write_text(first.read_text() + "\n\nThe lighthouse keeper counted ninety gulls in 2031.\n")
    return target


def test_a_build_task_whose_worker_dies_is_run_again(cluster, corpus, single, tmp_path, monkeypatch):
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setattr(on_ray_module.RayRunner, "shard_builder", staticmethod(_builder_whose_worker_dies(marks, 1)))
    engine = Engine(open_sharded(corpus, count=2, ray_address=cluster.loopback, index_dir=tmp_path / "idx"))
    try:
        assert sorted(p.name for p in marks.iterdir()) == ["shard-0", "shard-1"]  # both workers died once
        for question in _questions(5):
            assert engine.ask(question, explain=True) == single.ask(question, explain=True)
    finally:
        engine.index.close()


def test_a_build_that_fails_leaves_the_served_generation_serving(cluster, corpus, tmp_path, monkeypatch):
    copy = _changed_copy(corpus, tmp_path / "corpus")
    folder = tmp_path / "idx"
    serving = Engine(open_sharded(copy, count=2, ray_address=cluster.loopback, index_dir=folder))
    try:
        before = {q: serving.ask(q) for q in _questions(4)}
        shards_folder = serving.opened.folder
        generation = layout.current(shards_folder, str(copy.resolve()))
        (copy / "late.txt").write_text("The ferry to the northern islands leaves at dawn.\n")
        marks = tmp_path / "marks"
        marks.mkdir()
        monkeypatch.setattr(on_ray_module.RayRunner, "shard_builder",
                            staticmethod(_builder_whose_worker_dies(marks, 1 + on_ray_module.BUILD_RETRIES)))
        with pytest.raises(CorpusError, match="could not be built") as failure:
            open_sharded(copy, count=2, ray_address=cluster.loopback, index_dir=folder)
        assert "\n" not in str(failure.value)
        assert layout.current(shards_folder, str(copy.resolve())) == generation  # nothing switched
        assert {q: serving.ask(q) for q in before} == before  # the old generation still answers
        monkeypatch.undo()
        rebuilt = Engine(open_sharded(copy, count=2, ray_address=cluster.loopback, index_dir=folder))
        try:
            assert "ferry" in rebuilt.ask("When does the ferry to the northern islands leave?").answers[0].sentence
        finally:
            rebuilt.index.close()
    finally:
        serving.index.close()


@pytest.mark.subprocess
def test_the_command_builds_and_answers_on_the_cluster_as_without_it(cluster, corpus, tmp_path, verbatim):
    """The real command: --index --shards --ray, then --ask --json over the cluster's actors,
    equal to the same sharded index read in one process without Ray."""
    index_dir = str(tmp_path / "idx")
    loopback = {"VERBATIM_TEST_LOOPBACK": "1", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    built = verbatim("--corpus", str(corpus), "--index", "--shards", "2", "--ray", cluster.loopback,
                     "--index-dir", index_dir, **loopback)
    assert built.code == 0, built.err
    assert "2 shards" in built.out + built.err
    for question in _questions(1):
        on_cluster = verbatim("--corpus", str(corpus), "--ask", question, "--json", "--ray", cluster.loopback,
                              "--index-dir", index_dir, **loopback)
        here = verbatim("--corpus", str(corpus), "--ask", question, "--json", "--index-dir", index_dir)
        assert on_cluster.code == here.code, on_cluster.err
        assert json.loads(on_cluster.out) == json.loads(here.out)
        assert json.loads(on_cluster.out)["shards_not_answering"] is None


def test_reading_a_file_again_serves_new_actors_and_ends_the_old(cluster, corpus, single, tmp_path):
    engine = Engine(open_sharded(corpus, count=2, ray_address=cluster.loopback, index_dir=tmp_path / "idx"))
    try:
        old = list(engine.index.backend.actors)
        engine.refresh([engine.index.articles[0].rel])
        question = _questions(1)[0]
        assert engine.ask(question) == single.ask(question)
        for actor in old:  # not left holding their shards
            with pytest.raises(ray.exceptions.RayActorError):
                ray.get(actor.pid.remote(), timeout=60)
    finally:
        engine.index.close()
