"""Shards on a Ray cluster: built by Ray tasks in parallel, served by one Ray actor per shard."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import ray
from ray.exceptions import GetTimeoutError, RayError

from verbatim.corpus import CorpusError
from verbatim.retrieval.shards import ClusterUnreachable, layout
from verbatim.retrieval.shards.layout import Generation, ShardBuilt, ShardTask, build_shard
from verbatim.retrieval.shards.open import on_this_machine_only
from verbatim.retrieval.shards.shard import Shard
from verbatim.retrieval.shards.sharded import ShardUnavailable

# A shard actor whose process dies is started again this many times, and a call the death
# cut short is sent again this many times; past them the shard is reported as not answering.
ACTOR_RESTARTS = 2
CALL_RETRIES = 2
# A build task lost with its worker or its node is run again this many times (a task that
# fails with an error of its own is not: it would fail again).
BUILD_RETRIES = 3
# The longest a shard may take over one step of a question (including a restart, which maps
# its index again) before it counts as not answering.
CALL_TIMEOUT_SECONDS = 120.0
R = TypeVar("R")


def connect(address: str) -> None:
    """Join the cluster at ``address`` ("auto": the one this machine runs; "local": start
    one here, for this process only). Raises ClusterUnreachable, within
    CONNECT_TIMEOUT_SECONDS, when no cluster answers there: Ray itself retries for many
    minutes."""
    if ray.is_initialized():
        return
    options: dict[str, object] = {"include_dashboard": False} if address == "local" else {}
    if address != "local":
        _reachable(address)
    if on_this_machine_only(address) and address != "local":
        # A cluster on this machine's loopback: this process is on it too (Ray would
        # otherwise find its own address by routing towards a public one).
        options["_node_ip_address"] = "127.0.0.1"
    try:
        ray.init(address=address, log_to_driver=False, logging_level="ERROR", **options)
    except (ConnectionError, RuntimeError, ValueError) as failure:
        raise ClusterUnreachable(f"cannot join the Ray cluster at {address} ({_first_line(failure)})") from None
    _worker_messages_to_stderr()


# The longest the head of a cluster may take to accept a connection.
CONNECT_TIMEOUT_SECONDS = 10.0


def _reachable(address: str) -> None:
    """Raise ClusterUnreachable unless something accepts connections at the cluster's
    address ("auto": the one the last `ray start` on this machine recorded)."""
    target = address
    if address == "auto":
        from ray._private.services import canonicalize_bootstrap_address

        try:
            target = canonicalize_bootstrap_address("auto") or ""
        except (ConnectionError, ValueError, RuntimeError):
            target = ""
        if not target:
            raise ClusterUnreachable("--ray auto: no Ray cluster is running on this machine (start one with "
                                     "`ray start --head`, or use --ray local)")
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_SECONDS):
            pass
    except (OSError, ValueError) as failure:
        why = failure.strerror if isinstance(failure, OSError) and failure.strerror else "no answer"
        raise ClusterUnreachable(f"no Ray cluster answers at {target} ({why})") from None


# Ray's printing functions this module made (wrapped once only, whatever calls it again).
_TO_STDERR: list[object] = []

def _worker_messages_to_stderr() -> None:
    """Ray's driver prints what the cluster reports ("(raylet) A worker died ...") on
    stdout, inside the answers (--json); they go to stderr, where warnings go. Ray has no
    setting for it, so its printing function is wrapped; a Ray without it is left as it is."""
    worker = getattr(getattr(ray, "_private", None), "worker", None)
    printing = getattr(worker, "print_to_stdstream", None)
    if printing is None or printing in _TO_STDERR:
        return

    def to_stderr(data, *args, **kwargs):
        return printing({**data, "is_err": True}, *args, **kwargs)

    _TO_STDERR.append(to_stderr)
    worker.print_to_stdstream = to_stderr


class ShardBuildFailed(CorpusError):
    """A build task failed for good (its own error, or its worker lost more often than retried)."""


def _first_line(failure: Exception) -> str:
    lines = [line.strip() for line in str(failure).splitlines() if line.strip()]
    return lines[-1][:200] if lines else type(failure).__name__


@ray.remote(max_restarts=ACTOR_RESTARTS, max_task_retries=CALL_RETRIES)
class ShardActor:
    """One shard's index, mapped from the folder every node reads, answering the driver."""

    def __init__(self, folder: str, root: str, shard: int):
        self.shard = Shard.open(layout.read_generation(Path(folder), root), shard)

    def call(self, method: Callable[..., Any], *args: Any) -> Any:
        """``method(shard, *args)``: ``method`` is a function of ``Shard``, sent by reference."""
        return method(self.shard, *args)

    def pid(self) -> int:
        return os.getpid()


class RayShards:
    """The shards of a generation, one actor each; a question's steps go to all at once."""

    def __init__(self, generation: Generation):
        self.actors = [cast(Any, ShardActor).remote(str(generation.folder), generation.root, s)
                       for s in range(generation.count)]
        self.down = False  # no shard answered a call: later calls are not waited on

    def __len__(self) -> int:
        return len(self.actors)

    def each(self, method: Callable[..., R], args: dict[int, tuple]) -> dict[int, R]:
        """``method(*args[s])`` on each shard ``s`` named, in parallel; the shards that did not
        answer, after their restarts and retries, are left out."""
        if self.down or not args:
            return {}
        pending = {s: self.actors[s].call.remote(method, *a) for s, a in args.items()}
        # One wait for all: shards that are gone (their node, or the cluster's head) cost one
        # timeout together, not one each.
        ready, _ = ray.wait(list(pending.values()), num_returns=len(pending), timeout=CALL_TIMEOUT_SECONDS)
        done = set(ready)
        answers: dict[int, R] = {}
        for s, ref in pending.items():
            if ref not in done:
                continue
            try:
                answers[s] = ray.get(ref, timeout=CALL_TIMEOUT_SECONDS)
            except (RayError, GetTimeoutError):
                continue
        if not answers:  # no shard answers: the cluster is taken to be gone for this index
            self.down = True
        return answers

    def one(self, shard: int, method: Callable[..., R], *args: Any) -> R:
        answer = self.each(method, {shard: args})
        if shard not in answer:
            raise ShardUnavailable(f"shard {shard} did not answer")
        return answer[shard]

    def close(self) -> None:
        for actor in self.actors:
            ray.kill(actor, no_restart=True)


class RayRunner:
    """Builds shards as Ray tasks and serves them as Ray actors, on the cluster at an address."""

    # What a build task runs; a class attribute so that fault tests can run a task that dies.
    shard_builder = staticmethod(build_shard)

    def __init__(self, address: str):
        connect(address)

    def build(self, tasks: list[ShardTask]) -> list[ShardBuilt]:
        """Every task's shard, each task run by its own Ray worker; a task whose worker dies is
        run again. When one still fails nothing is committed: the generation being served stays."""
        # One process per task: Ray runs the shards side by side, so each reads its files alone.
        remote = ray.remote(max_retries=BUILD_RETRIES)(self.shard_builder)
        pending = [remote.remote(dataclasses.replace(task, parallel=False)) for task in tasks]
        try:
            return ray.get(pending)
        except RayError as failure:
            for ref in pending:
                with contextlib.suppress(RayError, ValueError):
                    ray.cancel(ref, force=True)
            raise ShardBuildFailed(f"a shard could not be built on the Ray cluster ({_first_line(failure)}); "
                                   "the index in use is unchanged") from None

    def serve(self, generation: Generation) -> RayShards:
        return RayShards(generation)
