"""Questions over Git's HTML documentation: top-1, right file and abstention, for several
source trees of Verbatim in one run (e.g. main before a change and the branch after).

    apt-get install git-doc
    python benchmarks/docs_eval/run.py --tree before=/path/to/main --tree after=.

The corpus is made from /usr/share/doc/git-doc: the user manual, the contributor guides,
howto/ and technical/, the HTML pages only (the manual pages are left out on purpose).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIT_DOC = Path("/usr/share/doc/git-doc")
# The guides and notes, not the git-*.html manual pages.
PAGES = ["user-manual.html", "SubmittingPatches.html", "ReviewingGuidelines.html",
         "MyFirstContribution.html", "ToolsForGit.html", "howto/*.html", "technical/*.html"]


def make_corpus(folder: Path) -> Path:
    for pattern in PAGES:
        for page in sorted(GIT_DOC.glob(pattern)):
            target = folder / page.relative_to(GIT_DOC)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, target)
    return folder


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def score(corpus: str, index_dir: str) -> dict:
    """Run in the tree under test (its retrieval package on the path)."""
    from verbatim.retrieval.engine import Engine

    engine = Engine.load(corpus, index_dir=index_dir)
    answerable, unanswerable = _load("questions.jsonl"), _load("unanswerable.jsonl")
    top1 = right_file = answered = 0
    misses = []
    for item in answerable:
        result = engine.ask(item["question"])
        shown = result.answers or result.closest
        best = shown[0] if shown else None
        gold = " ".join(item["gold"].split())
        hit = result.answered and best is not None and gold in best.sentence
        top1 += hit
        right_file += best is not None and best.article.id == item["file"]
        answered += result.answered
        if not hit:
            misses.append({"question": item["question"], "got": best.sentence if best else None})
    abstained = sum(not engine.ask(item["question"]).answered for item in unanswerable)
    return {"questions": len(answerable), "top1": top1, "right_file": right_file, "answered": answered,
            "unanswerable": len(unanswerable), "abstained": abstained, "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--score", nargs=2, metavar=("CORPUS", "INDEX_DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--misses", action="store_true", help="list the questions missed")
    args = parser.parse_args()
    if args.score:
        print(json.dumps(score(*args.score)))
        return
    with tempfile.TemporaryDirectory() as work:
        corpus = make_corpus(Path(work) / "git-doc")
        rows = []
        for spec in args.tree:
            name, tree = spec.split("=", 1)
            env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), PYTHONDONTWRITEBYTECODE="1")
            run = subprocess.run([sys.executable, __file__, "--tree", spec, "--score", str(corpus),
                                  str(Path(work) / f"index-{name}")], env=env, capture_output=True, text=True,
                                 cwd=work, check=True)
            rows.append((name, json.loads(run.stdout)))
    print("| tree | top-1 | right file | answered | abstained on unanswerable |")
    print("|---|---|---|---|---|")
    for name, r in rows:
        n, u = r["questions"], r["unanswerable"]
        print(f"| {name} | {r['top1']}/{n} ({r['top1'] / n:.0%}) | {r['right_file']}/{n} ({r['right_file'] / n:.0%}) "
              f"| {r['answered']}/{n} | {r['abstained']}/{u} ({r['abstained'] / u:.0%}) |")
    if args.misses:
        for name, r in rows:
            print(f"\n## {name}")
            for miss in r["misses"]:
                print(f"- {miss['question']}\n    got: {miss['got']}")


if __name__ == "__main__":
    main()
