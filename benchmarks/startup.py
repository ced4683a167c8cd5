"""Whole-process time of a one-shot `verbatim --ask`, beside importing its dependencies alone.

usage: python benchmarks/startup.py [--runs N] [--question Q] [--corpus PATH]
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
    args = parser.parse_args()
    verbatim = shutil.which("verbatim") or sys.exit("verbatim is not on PATH: install it first")
    ask = [verbatim, "--ask", args.question] + (["--corpus", args.corpus] if args.corpus else [])
    commands = {
        "python -c 'import nltk, rank_bm25, pydantic'": [sys.executable, "-c", "import nltk, rank_bm25, pydantic"],
        "verbatim --ask ...": ask,
    }
    timed(ask, 1)  # warm the file cache once
    results = {}
    for _ in range(args.runs):  # interleave, so both see the same machine load
        for name, command in commands.items():
            results.setdefault(name, []).extend(timed(command, 1))
    for name, times in results.items():
        print(f"{name:48} median {statistics.median(times) * 1000:7.0f} ms   "
              f"min {min(times) * 1000:6.0f} ms   max {max(times) * 1000:6.0f} ms   (n={len(times)})")


if __name__ == "__main__":
    main()
