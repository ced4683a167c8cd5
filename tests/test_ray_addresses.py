"""--ray: a bad address is a usage error, a cluster that cannot be reached is one line and exit 4
in seconds, Ray's own messages stay off stdout, and no shard is made without a file."""

from __future__ import annotations

import socket
import time

import pytest
from conftest import one_line_usage_error
from test_shards_ray import no_network  # noqa: F401  (Ray's loopback connections let through)

from verbatim.retrieval.shards import layout
from verbatim.retrieval.shards.open import open_sharded
from verbatim.tui.cli import ExitCode

FOX = "The quick brown fox was named Felix by the farmer.\n"


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "fox.txt").write_text(FOX, encoding="utf-8")
    (root / "cat.txt").write_text("The old cat slept on the warm porch all afternoon.\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("address", ["foo", "", "::::", "ray://127.0.0.1:10001", "127.0.0.1:0", "127.0.0.1:65536",
                                     "host:port", "-1"])
def test_a_bad_ray_address_is_a_usage_error(cli, corpus, tmp_path, address):
    run = cli("--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"), "--index", "--shards", "2",
              "--ray", address)
    one_line_usage_error(run, "--ray")


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


def test_no_cluster_at_the_address_is_one_line_and_exit_4_in_seconds(cli, corpus, tmp_path):
    started = time.monotonic()
    run = cli("--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"), "--index", "--shards", "2",
              "--ray", f"127.0.0.1:{free_loopback_port()}")
    # It hung for over ten minutes; the connection is refused at once (30 s is the promise).
    assert time.monotonic() - started < 300
    assert run.code == ExitCode.NO_CLUSTER == 4, run
    assert run.err.startswith("verbatim: error: no Ray cluster answers at 127.0.0.1:") and run.err.count("\n") == 1
    assert run.out == ""


def test_ray_auto_with_no_cluster_recorded_is_exit_4(cli, corpus, tmp_path, monkeypatch):
    from ray._private import services

    monkeypatch.setattr(services, "get_ray_address_from_environment", lambda *args, **kwargs: None)
    run = cli("--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"), "--index", "--shards", "2",
              "--ray", "auto")
    assert run.code == ExitCode.NO_CLUSTER, run
    assert "no Ray cluster is running on this machine" in run.err and run.err.count("\n") == 1


def test_what_ray_reports_goes_to_stderr_not_into_the_answers(capsys):
    import ray

    from verbatim.retrieval.shards import on_ray

    on_ray._worker_messages_to_stderr()
    on_ray._worker_messages_to_stderr()  # once is enough: not wrapped twice
    ray._private.worker.print_to_stdstream({"lines": ["A worker died or was killed while executing a task"],
                                            "pid": "raylet", "is_err": False}, ignore_prefix=False)
    out, err = capsys.readouterr()
    assert out == "" and "A worker died" in err


def test_no_more_shards_than_files_are_made(corpus, tmp_path):
    opened = open_sharded(corpus, count=1000, index_dir=tmp_path / "idx")
    assert opened.index.generation.count == 2
    assert any("1000 shards asked for, 2 made" in notice for notice in opened.notices)
    assert len(list((tmp_path / "idx").rglob(f"{layout.shard_folder(2, 0)}"))) == 1
    assert opened.index.generation.count == open_sharded(corpus, index_dir=tmp_path / "idx").index.generation.count


def test_every_exit_code_is_in_the_help_and_the_documentation():
    from conftest import ROOT

    from verbatim.tui.cli import EPILOG

    readme = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"\n  {int(code):<4} " in EPILOG or f"\n  {int(code)} " in EPILOG, code
        assert f"\n| {int(code)} | " in readme, code


def test_a_head_killed_mid_batch_ends_the_batch_without_waiting_on_it(corpus, tmp_path, empty_nltk_data):
    """The questions after the head is gone are answered at once as "no shard answered" (exit 3),
    and stdout holds the answers only."""
    import json
    import os
    import subprocess
    import sys

    from conftest import ROOT, cli_env
    from ray.cluster_utils import Cluster

    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "node_ip_address": "127.0.0.1",
                                                            "include_dashboard": False})
    try:
        address = "127.0.0.1:" + cluster.address.rsplit(":", 1)[1]
        env = cli_env(empty_nltk_data, VERBATIM_TEST_LOOPBACK="1", RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env["PYTHONPATH"]])  # this checkout's command
        command = [sys.executable, "-m", "verbatim.tui.cli", "--corpus", str(corpus), "--index-dir",
                   str(tmp_path / "idx"), "--no-log", "--ray", address]
        built = subprocess.run([*command, "--index", "--shards", "2"], capture_output=True, text=True, env=env,
                               timeout=600)
        assert built.returncode == 0, built.stderr
        batch = subprocess.Popen([*command, "--json", "--ask", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env)
        assert batch.stdin is not None and batch.stdout is not None
        batch.stdin.write("What was the fox named?\n")
        batch.stdin.flush()
        assert json.loads(batch.stdout.readline())["answered"]
        cluster.remove_node(cluster.head_node, allow_graceful=False)
        started = time.monotonic()
        # It hung; now a step's timeout (120 s) at most, once, then no more waiting.
        out, _ = batch.communicate("Where did the old cat sleep?\nWhat was the fox named?\n", timeout=600)
        assert time.monotonic() - started < 600
        # The shard actors' processes die a moment after their node: a question asked in that
        # moment may still be answered. Every answer is a result on stdout, and once no shard
        # answers the batch ends with the exit code that says so, never a hang or a crash.
        results = [json.loads(line) for line in out.splitlines()]
        assert len(results) == 2, out
        assert batch.returncode in (ExitCode.ANSWERED, ExitCode.INCOMPLETE), out
        assert all(r["answered"] or r["shards_not_answering"] for r in results), out
        assert (batch.returncode == ExitCode.INCOMPLETE) == any(r["shards_not_answering"] for r in results), out
    finally:
        cluster.shutdown()
