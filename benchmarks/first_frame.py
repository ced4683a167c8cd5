"""Time from starting `verbatim` in a real terminal (tmux) to its first frame, and to ready.

usage: python benchmarks/first_frame.py [--runs N] [--corpus PATH] [--size 100x30]
Needs tmux. "First frame" is the first capture showing the header; "ready" is when the
header shows the corpus counts (the articles are read and questions get answers).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

SESSION = "verbatim-first-frame"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def one_run(command: list[str], width: int, height: int, timeout: float) -> tuple[float, float]:
    tmux("kill-session", "-t", SESSION)
    start = time.perf_counter()
    tmux("new-session", "-d", "-s", SESSION, "-x", str(width), "-y", str(height), *command)
    first = ready = None
    while time.perf_counter() - start < timeout:
        screen = tmux("capture-pane", "-t", SESSION, "-p")
        now = time.perf_counter() - start
        if first is None and "Verbatim" in screen:
            first = now
        if "sentences" in screen:
            ready = now
            break
        time.sleep(0.005)
    tmux("send-keys", "-t", SESSION, "C-q")
    time.sleep(0.3)
    tmux("kill-session", "-t", SESSION)
    if first is None or ready is None:
        sys.exit(f"verbatim did not show its first frame within {timeout} s")
    return first, ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus")
    parser.add_argument("--size", default="100x30")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux is not installed")
    verbatim = shutil.which("verbatim") or sys.exit("verbatim is not on PATH: install it first")
    width, height = (int(n) for n in args.size.split("x"))
    command = [verbatim] + (["--corpus", args.corpus] if args.corpus else [])
    runs = [one_run(command, width, height, args.timeout) for _ in range(args.runs)]
    firsts, readies = zip(*runs)
    print(f"first frame: median {statistics.median(firsts) * 1000:.0f} ms "
          f"(min {min(firsts) * 1000:.0f}, max {max(firsts) * 1000:.0f}, n={len(firsts)})")
    print(f"ready:       median {statistics.median(readies) * 1000:.0f} ms "
          f"(min {min(readies) * 1000:.0f}, max {max(readies) * 1000:.0f}, n={len(readies)})")


if __name__ == "__main__":
    main()
