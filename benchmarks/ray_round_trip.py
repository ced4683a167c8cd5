"""The time of one Ray round trip to N actors at once, the unit a sharded question pays four times.

usage: python benchmarks/ray_round_trip.py [--shards 1,2,4,8,16] [--rounds 200]

Starts a Ray cluster on this machine's loopback, one actor per shard, each answering a call
with 250 rows (about what a shard returns for one step), and reports the median and p95 of
sending the call to every actor and receiving every answer. Needs the cluster extra.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

ROWS = 250  # a shard's candidates for one step, about


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", default="1,2,4,8,16")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # a cluster on loopback
    import numpy as np
    import ray

    ray.init(address="local", include_dashboard=False, log_to_driver=False, logging_level="ERROR",
             _node_ip_address="127.0.0.1")

    @ray.remote
    class Shard:
        def call(self, rows: int):
            return np.arange(rows, dtype=np.int64), np.ones(rows)

    print("| shards | round trip median | p95 |\n| ---: | ---: | ---: |")
    for count in (int(c) for c in args.shards.split(",")):
        actors = [Shard.remote() for _ in range(count)]
        ray.get([a.call.remote(1) for a in actors])  # started and warm
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            ray.get([a.call.remote(ROWS) for a in actors])
            times.append(time.perf_counter() - start)
        ordered = sorted(times)
        print(f"| {count} | {statistics.median(times) * 1000:.2f} ms | {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.2f} ms |")
        for actor in actors:
            ray.kill(actor)
    ray.shutdown()


if __name__ == "__main__":
    main()
