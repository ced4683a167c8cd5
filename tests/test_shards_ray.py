"""A sharded index on a real two-node Ray cluster on this machine: built by tasks, served by actors, faults.

Needs the cluster extra (pip install ".[cluster]") and VERBATIM_RAY_TESTS=1; skipped otherwise. The cluster binds to
127.0.0.1 only, and the test process may connect to loopback and nowhere else.
"""

from __future__ import annotations

import os
import socket

import pytest

ray = pytest.importorskip("ray", reason='Ray is not installed: pip install ".[cluster]" to run these tests')
# Opt in: on the machine these were written on the cluster, started under the tests' network
# block, reported an outward address and the first connection hung; until that is understood
# these tests would hang a suite rather than fail it.
if os.environ.get("VERBATIM_RAY_TESTS") != "1":
    pytest.skip("the Ray cluster tests run with VERBATIM_RAY_TESTS=1 (they can hang where Ray "
                "binds to an outward address)", allow_module_level=True)

from test_shards import _questions, _random_corpus  # noqa: E402

from verbatim.retrieval.engine import Engine  # noqa: E402
from verbatim.retrieval.index.open import open_index  # noqa: E402
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
        if method == "candidates" and not killed:  # after the first step, before the second
            ray.kill(backend.actors[0], no_restart=False)
            killed.append(method)
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
