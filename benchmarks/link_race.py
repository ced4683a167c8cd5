"""The link race, run long: a file swapped with a link out of the corpus while it is read.

    python benchmarks/link_race.py [--api 1000] [--cli 1000]

A corpus folder holds ferry.txt and s.txt; beside it (outside the folder) lies secret.txt
and a link `swap` pointing at it. A process of its own exchanges s.txt and the link as fast
as it can (`renameat2(…, RENAME_EXCHANGE)`), so s.txt is a regular file one moment and a
link out of the folder the next. Meanwhile the question that only the secret answers is
asked N times through the Python API (one open library; every fifth ask opens the library
anew, so the walk and the read run in the race too) and N times through the command
(`verbatim --corpus DIR --ask … --json`, one process each). Every quoted sentence, answer or
closest passage, is searched for the secret's words.

Prints, for each path: runs, quotes from outside the folder, crashes (an exception through
the API; exit 70 or a traceback from the command) and exit codes by value. Exits 1 when any
run quoted the outside file or crashed.

Measured (branch `defects` at 1473d06, a frozen copy of the tree; 2 cores shared with other
work, Linux), N = 1,000 each:
    api: runs 1000, outside quotes 0, crashes 0 (1,087,722 swaps, 38 s)
    cli: runs 1000, outside quotes 0, crashes 0, exit codes {0: 42, 1: 958}, every stdout
         one JSON object (82,048,122 swaps, 2,033 s)
Exit 0 quotes the inside s.txt (the guest's password: the nearest sentence, as the command
answers without the race); exit 1 is a refusal when s.txt was met as a link out (skipped, at
the walk or at the quote check) and only ferry.txt was left. Run it from a copy of the tree
that does not change while it runs:
a command started while a file of the package is being written fails to import.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import ctypes.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from link_race_corpus import QUESTION, quoted, write_corpus  # noqa: E402

MARK = "swordfish"
RENAME_EXCHANGE = 2  # from <linux/fs.h>
AT_FDCWD = -100

SWAPPING = """
import ctypes, ctypes.util, os, sys
libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
one, two = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])
n = 0
try:
    while True:
        libc.renameat2(-100, one, -100, two, 2)
        n += 1
except KeyboardInterrupt:
    print(n, flush=True)
"""


def check_exchange(one: Path, two: Path) -> None:
    """Exchange twice (back as it was), or stop: the system cannot run this race."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        sys.exit("renameat2 is not available here")
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    for _ in range(2):
        if function(AT_FDCWD, os.fsencode(one), AT_FDCWD, os.fsencode(two), RENAME_EXCHANGE) != 0:
            sys.exit(f"RENAME_EXCHANGE is not supported here ({os.strerror(ctypes.get_errno())})")


class Swapper:
    """The swaps in a process of their own, so they run beside the reader, not between its
    steps only."""

    def __init__(self, one: Path, two: Path) -> None:
        self.args = [sys.executable, "-c", SWAPPING, str(one), str(two)]

    def __enter__(self) -> Swapper:
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(2)  # SIGINT: it prints how many swaps it made
        out, _ = self.process.communicate(timeout=30)
        self.swaps = int(out.strip() or 0)


def run_api(folder: Path, link: Path, index_dir: Path, n: int) -> dict:
    import verbatim as api

    library = api.open(folder, index_dir=index_dir)
    outside, crashes, errors = 0, 0, collections.Counter()
    started = time.perf_counter()
    with Swapper(folder / "s.txt", link) as swapper:
        for i in range(n):
            try:
                if i % 5 == 4:  # opened anew: walked, read and refreshed in the race
                    result = api.open(folder, index_dir=index_dir).ask(QUESTION)
                else:
                    result = library.ask(QUESTION, follow_up=False)
            except Exception as error:  # noqa: BLE001 - counted: any exception is a crash
                crashes += 1
                errors[type(error).__name__] += 1
                continue
            outside += any(MARK in s for s in quoted(result))
    return {"runs": n, "outside quotes": outside, "crashes": crashes, "exceptions": dict(errors),
            "swaps": swapper.swaps, "seconds": round(time.perf_counter() - started, 1)}


def command() -> list[str]:
    script = Path(sys.executable).with_name("verbatim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "verbatim.tui.cli"]


def run_cli(folder: Path, link: Path, index_dir: Path, n: int, progress: bool) -> dict:
    env = {**os.environ, "VERBATIM_NO_LOG": "1", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    base = [*command(), "--corpus", str(folder), "--index-dir", str(index_dir)]
    subprocess.run([*base, "--index"], env=env, capture_output=True, check=True)
    codes: collections.Counter[int] = collections.Counter()
    outside, crashes, not_json, examples = 0, 0, 0, []
    started = time.perf_counter()
    with Swapper(folder / "s.txt", link) as swapper:
        for i in range(n):
            run = subprocess.run([*base, "--json", "--ask", QUESTION], env=env, capture_output=True,
                                 text=True, timeout=300)
            codes[run.returncode] += 1
            if MARK in run.stdout:
                outside += 1
            crashed = run.returncode == 70 or "Traceback" in run.stderr
            crashes += crashed
            try:
                json.loads(run.stdout)
            except ValueError:
                not_json += 1
            if (crashed or MARK in run.stdout) and len(examples) < 3:
                examples.append({"code": run.returncode, "out": run.stdout[-500:], "err": run.stderr[-1500:]})
            if progress and (i + 1) % 100 == 0:
                print(f"  cli {i + 1}/{n}: codes {dict(codes)}, outside {outside}, crashes {crashes}",
                      file=sys.stderr, flush=True)
    return {"runs": n, "outside quotes": outside, "crashes": crashes, "exit codes": dict(sorted(codes.items())),
            "stdout not one JSON object": not_json, "swaps": swapper.swaps,
            "seconds": round(time.perf_counter() - started, 1), "examples": examples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--api", type=int, default=1000, help="asks through the Python API (0: none)")
    parser.add_argument("--cli", type=int, default=1000, help="runs of the command (0: none)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="link-race-") as tmp:
        for name, n in (("api", args.api), ("cli", args.cli)):
            if n <= 0:
                continue
            root = Path(tmp) / name  # each path its own corpus, s.txt a regular file at the start
            root.mkdir()
            folder, link = write_corpus(root)
            check_exchange(folder / "s.txt", link)
            if name == "api":
                report = run_api(folder, link, root / "idx", n)
            else:
                report = run_cli(folder, link, root / "idx", n, not args.quiet)
            print(f"{name}: " + json.dumps(report, ensure_ascii=False), flush=True)
            failed |= bool(report["outside quotes"] or report["crashes"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
