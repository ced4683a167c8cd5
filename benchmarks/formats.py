"""Reading throughput per format, for one or several source trees in the same run.

    apt-get install git-doc
    python benchmarks/formats.py --tree before=/path/to/main --tree after=.

The same prose in every format: the paragraphs of git-doc's text files (about 3 MB), set
out as plain text, Markdown, reStructuredText, HTML and a manual page. Reports MB and
units a second for reading each format (read_article, as the index builds from it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GIT_DOC = Path("/usr/share/doc/git-doc")
# Enough files for a stable figure, small enough to run in a minute per tree.
FILES = 120


def paragraphs() -> list[list[str]]:
    """Each text file's paragraphs, as lists of lines."""
    found = []
    for path in sorted(GIT_DOC.rglob("*.txt"))[:FILES]:
        text = path.read_text(encoding="utf-8", errors="replace")
        blocks = [b.strip().split("\n") for b in text.split("\n\n") if b.strip()]
        if blocks:
            found.append(blocks)
    return found


def as_format(form: str, title: str, blocks: list[list[str]]) -> str:
    out = []
    if form == "txt":
        out = [title, ""] + ["\n".join(b) + "\n" for b in blocks]
    elif form == "md":
        out = [f"# {title}", ""]
        for i, b in enumerate(blocks):
            if i % 7 == 3:
                out += [f"## Part {i}", ""]
            out += ["- " + "\n  ".join(b) if i % 5 == 1 else "\n".join(b), ""]
            if i % 9 == 4:
                out += ["```", *b[:3], "```", ""]
    elif form == "rst":
        out = [title, "=" * len(title), ""]
        for i, b in enumerate(blocks):
            if i % 7 == 3:
                out += [f"Part {i}", "-" * (len(str(i)) + 5), ""]
            out += ["\n".join(b), ""]
            if i % 9 == 4:
                out += [".. note::", "", *("   " + line for line in b), ""]
    elif form == "html":
        out = [f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"]
        for i, b in enumerate(blocks):
            text = "\n".join(b).replace("&", "&amp;").replace("<", "&lt;")
            out.append(f"<h2>Part {i}</h2>" if i % 7 == 3 else "")
            out.append(f"<pre>{text}</pre>" if i % 9 == 4 else f"<p>{text}</p>")
        out.append("</body></html>")
    elif form == "man":
        out = [f"{title.upper()}(1)   Manual   {title.upper()}(1)", "", "NAME", f"       {title} - a page", "",
               "DESCRIPTION"]
        for b in blocks:
            out += ["       " + line.strip() for line in b] + [""]
    return "\n".join(out) + "\n"


SUFFIX = {"txt": ".txt", "md": ".md", "rst": ".rst", "html": ".html", "man": ".man"}


def measure(folder: str) -> dict:
    """Run in the tree under test: read every file of each format's folder."""
    from verbatim.corpus.reader import read_article

    results = {}
    for form in SUFFIX:
        root = Path(folder) / form
        files = sorted(root.iterdir())
        size = sum(f.stat().st_size for f in files)
        started = time.perf_counter()
        units = 0
        for f in files:
            article, _ = read_article(f, root)
            units += len(article.units) if article else 0
        seconds = time.perf_counter() - started
        results[form] = {"mb_s": size / 1e6 / seconds, "units_s": units / seconds, "units": units,
                         "mb": size / 1e6}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    with tempfile.TemporaryDirectory() as work:
        for form, suffix in SUFFIX.items():
            (Path(work) / form).mkdir()
            for i, blocks in enumerate(paragraphs()):
                (Path(work) / form / f"doc{i:03d}{suffix}").write_text(as_format(form, f"Document {i}", blocks),
                                                                       encoding="utf-8")
        rows = []
        for spec in args.tree:
            name, tree = spec.split("=", 1)
            env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), PYTHONDONTWRITEBYTECODE="1")
            run = subprocess.run([sys.executable, __file__, "--tree", spec, "--measure", work], env=env,
                                 capture_output=True, text=True, check=True, cwd=work)
            rows.append((name, json.loads(run.stdout)))
    print("| tree | format | MB | units | MB/s | units/s |")
    print("|---|---|---|---|---|---|")
    for name, result in rows:
        for form, r in result.items():
            print(f"| {name} | {form} | {r['mb']:.1f} | {r['units']:,} | {r['mb_s']:.2f} | {r['units_s']:,.0f} |")


if __name__ == "__main__":
    main()
