"""The chat's reading pane on large documents: opening at a cited line, find, next match.

    python benchmarks/reading_pane.py [--sizes 0.5,2,8]

Plain text of the given sizes (MB; the bundled articles' paragraphs, repeated with numbers
so every paragraph differs, a heading every seventh) and Markdown of growing size (the same
prose with headings, lists, code and tables), each opened in the pane in a headless 100x30
chat at a sentence two thirds of the way in. Reports the time until the pane is drawn on the
cited line, a find of a phrase (with the count), `n` to the next match, and drawing one
screen; the Markdown rows show where Textual's Markdown widget stops being quick enough.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verbatim.corpus import ARTICLES_DIR  # noqa: E402
from verbatim.corpus.article import make_article  # noqa: E402

# Markdown sizes (characters) to lay out with Textual's widget, around its limit.
MARKDOWN_SIZES = (5_000, 18_000, 40_000)
SEARCHED = "lighthouse number 3"


def prose(size: int, markdown: bool) -> str:
    random.seed(7)  # the same document every run
    paragraphs = [p.strip() for path in sorted(ARTICLES_DIR.glob("*.txt"))
                  for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 80]
    out: list[str] = ["# Lighthouses\n\n" if markdown else "Lighthouses\n\n"]
    total, n = 0, 0
    while total < size:
        n += 1
        paragraph = f"{random.choice(paragraphs)} Lighthouse number {n} stands here."
        if n % 7 == 0:
            paragraph = (f"## Section {n}\n\n" if markdown else f"Section {n}\n\n") + paragraph
        if markdown and n % 5 == 1:
            paragraph = f"- {paragraph}\n- item {n} of a list"
        if markdown and n % 11 == 4:
            paragraph += f"\n\n```\nlighthouse --number {n}\n```"
        if markdown and n % 13 == 6:
            paragraph += f"\n\n| lighthouse | height |\n| --- | --- |\n| {n} | {n % 90} m |"
        out.append(paragraph + "\n\n")
        total += len(out[-1])
    return "".join(out)


async def measure(name: str, text: str) -> dict:
    from textual.app import App

    from verbatim.tui.screens import ArticleScreen

    suffix = ".md" if name.startswith("Markdown") else ".txt"
    started = time.perf_counter()
    article = make_article("doc", "doc" + suffix, text)
    read = time.perf_counter() - started
    cited = article.units[len(article.units) * 2 // 3]

    app = App()
    async with app.run_test(size=(100, 30)) as pilot:
        started = time.perf_counter()
        screen = ArticleScreen(article, (cited.start, cited.end))
        await app.push_screen(screen)
        while not screen.view.ready:
            await asyncio.sleep(0.001)
        await pilot.pause()
        opened = time.perf_counter() - started
        view = screen.view

        started = time.perf_counter()
        screen._search(SEARCHED)
        found = time.perf_counter() - started
        started = time.perf_counter()
        screen.action_next_match()
        stepped = time.perf_counter() - started
        started = time.perf_counter()
        if hasattr(view, "render_line"):
            for y in range(view.size.height):
                view.render_line(y)
        drawn = time.perf_counter() - started
        return {"document": name, "MB": len(text) / 1e6, "units": len(article.units), "read": read,
                "open": opened, "find": found, "matches": len(screen.matches), "next": stepped,
                "screen": drawn, "view": type(view).__name__}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.5,2,8", help="plain text sizes in MB, comma separated")
    args = parser.parse_args()
    rows = []
    for mb in (float(s) for s in args.sizes.split(",")):
        rows.append(asyncio.run(measure(f"plain text {mb:g} MB", prose(int(mb * 1e6), False))))
    for size in MARKDOWN_SIZES:
        rows.append(asyncio.run(measure(f"Markdown {size // 1000} KB", prose(size, True))))
    print("| document | view | units | read (worker) | open at cited line | find | matches | n | draw a screen |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['document']} | {r['view']} | {r['units']:,} | {r['read']:.2f} s | {r['open']:.2f} s "
              f"| {r['find'] * 1000:.0f} ms | {r['matches']:,} | {r['next'] * 1000:.0f} ms "
              f"| {r['screen'] * 1000:.1f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
