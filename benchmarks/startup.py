"""Whole-process time of a one-shot `verbatim --ask`, beside importing its dependencies alone.

usage: python benchmarks/startup.py [--runs N] [--question Q] [--corpus PATH] [--verbatim COMMAND ...]

--verbatim (repeatable) times several installs in one interleaved run, e.g. before and after a
change: --verbatim /tmp/venv-a/bin/verbatim --verbatim /tmp/venv-b/bin/verbatim. Each ratio is
to the bare import of the Python running this script.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def timed(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default="How old is Liang Wenfeng?")
    parser.add_argument("--corpus")
    parser.add_argument("--verbatim", action="append", metavar="COMMAND",
                        help="the verbatim command to time (repeatable; default: the one on PATH)")
    args = parser.parse_args()
    installs = args.verbatim or [shutil.which("verbatim") or sys.exit("verbatim is not on PATH: install it first")]
    bare = "python -c 'import nltk, rank_bm25, pydantic'"
    commands = {bare: [sys.executable, "-c", "import nltk, rank_bm25, pydantic"]}
    for verbatim in installs:
        ask = [verbatim, "--ask", args.question] + (["--corpus", args.corpus] if args.corpus else [])
        commands["verbatim --ask ..." if len(installs) == 1 else f"{verbatim} --ask ..."] = ask
        timed(ask, 1)  # warm the file cache and the saved index once
    results = {}
    for _ in range(args.runs):  # interleave, so both see the same machine load
        for name, command in commands.items():
            results.setdefault(name, []).extend(timed(command, 1))
    baseline = statistics.median(results[bare])
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:48} median {median * 1000:7.0f} ms   min {min(times) * 1000:6.0f} ms   "
              f"max {max(times) * 1000:6.0f} ms   (n={len(times)})   {median / baseline:.2f}x")


if __name__ == "__main__":
    main()
