"""The reading pane: the whole document, rendered for its reader, opened at the cited
sentence, with find (/, n, N); untrusted text stays text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chat_pilot import ask, chat, settle

from verbatim.corpus.article import make_article
from verbatim.retrieval.engine import Engine
from verbatim.tui.reading import DocumentView, MarkdownView, find_matches, wrap_spans
from verbatim.tui.screens import ArticleScreen, HelpScreen
from verbatim.tui.widgets import PassageRow

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "docs"
# Everything that could act on a terminal, had it reached the screen raw.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def long_text(paragraphs: int) -> str:
    """A plain text whose every paragraph differs, the keeper's number in each."""
    return "Harbour log\n\n" + "".join(
        f"The keeper of lighthouse {n} painted its door blue on day {n}. "
        f"The lamp of lighthouse {n} was cleaned with vinegar and newspaper.\n\n"
        for n in range(1, paragraphs + 1))


def view_lines(view: DocumentView) -> list[str]:
    """Every line the view draws, top to bottom, as text."""
    lines = []
    for top in range(0, view.virtual_size.height, view.size.height):
        view.scroll_to(y=top, animate=False, immediate=True)
        lines += [view.render_line(y).text for y in range(view.size.height)]
    return lines


def styled_runs(strip, style: str) -> list[str]:
    """The pieces of a drawn line that carry ``style`` (a Rich attribute, e.g. reverse)."""
    return [segment.text for segment in strip if segment.style and getattr(segment.style, style)]


def on_screen(view: DocumentView) -> list:
    return [view.render_line(y) for y in range(view.size.height)]


async def open_pane(app, pilot, article, cited=None) -> ArticleScreen:
    screen = ArticleScreen(article, (cited.start, cited.end) if cited else None)
    await app.push_screen(screen)
    await settle(pilot)
    while not screen.view.ready:
        await pilot.pause()
    await settle(pilot)
    return screen


async def find(pilot, needle: str) -> None:
    await pilot.press("slash", *needle, "enter")
    await settle(pilot)


def count(screen) -> str:
    return str(screen.query_one("#article-find-count").render())


@pytest.fixture
def long_corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "log.txt").write_text(long_text(400), encoding="utf-8")  # about 50,000 characters
    return Engine.load(folder, index_dir=tmp_path / "index")


async def test_an_answer_opens_the_whole_document_at_its_sentence_highlighted(long_corpus):
    app = chat(long_corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, "What colour did the keeper of lighthouse 377 paint its door?")
        app.query_one(PassageRow).focus()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and isinstance(screen.view, DocumentView)
        view = screen.view
        cited = "The keeper of lighthouse 377 painted its door blue on day 377."
        # Opened on the cited sentence: it is on screen, drawn reversed, and nowhere else is.
        highlighted = [run for strip in on_screen(view) for run in styled_runs(strip, "reverse")]
        assert "".join(highlighted) == cited
        assert view.scroll_y > 0
        # The whole document is there: its first and last sentences, past the old 20,000 cut.
        lines = view_lines(view)
        assert lines[0].strip() == "Harbour log"
        assert "The lamp of lighthouse 400 was cleaned with vinegar and newspaper." in " ".join(" ".join(lines).split())


async def test_find_counts_matches_and_n_and_shift_n_step_through_them_wrapping(long_corpus, engine):
    article = long_corpus.article("log.txt")
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pane(app, pilot, article)
        await find(pilot, "LIGHTHOUSE 39")  # 39 and 390..399, each twice: case is ignored
        assert count(screen) == "1 of 22"
        def current() -> str:  # the line the current match is drawn on, bold
            return next(strip.text for strip in on_screen(screen.view)
                        if any("ighthouse" in run for run in styled_runs(strip, "bold")))

        assert "lighthouse 39 painted" in current()
        await pilot.press("n")
        assert count(screen) == "2 of 22"
        await pilot.press("N", "N")
        assert count(screen) == "22 of 22"  # wrapped back to the last
        await settle(pilot)
        assert "lighthouse 399 was" in current()
        await pilot.press("n")
        assert count(screen) == "1 of 22"  # and round to the first
        await find(pilot, "lighthouse 4000")
        assert count(screen) == "no match"
        assert isinstance(app.screen, ArticleScreen)


async def test_find_starts_from_the_part_on_screen(long_corpus, engine):
    article = long_corpus.article("log.txt")
    cited = next(u for u in article.units if "lighthouse 300 painted" in u.text)
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pane(app, pilot, article, cited)
        await find(pilot, "vinegar")
        done, total = map(int, count(screen).replace(",", "").split(" of "))
        assert total == 400 and 280 < done <= 300


async def test_escape_leaves_the_find_box_then_closes_the_pane(long_corpus, engine):
    article = long_corpus.article("log.txt")
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pane(app, pilot, article)
        await pilot.press("slash", *"keeper n")  # n and N in the box are typed, not steps
        box = screen.query_one("#article-find-input")
        assert box.has_focus and box.value == "keeper n"
        await pilot.press("escape")
        assert screen.view.has_focus and app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ArticleScreen)


async def test_the_keys_have_ids_and_show_in_the_footer_and_the_help(long_corpus, engine):
    ids = {binding.id for binding in ArticleScreen.BINDINGS}
    assert {"article.find", "article.next_match", "article.previous_match", "article.close"} <= ids
    app = chat(engine)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_pane(app, pilot, long_corpus.article("log.txt"))
        footer = {binding.id for _, binding, enabled, _ in app.active_bindings.values()
                  if binding.show and enabled}
        assert {"article.find", "article.next_match", "article.previous_match"} <= footer
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = [(place, key, what) for place, key, what in app.key_table() if place == "Reading an article"]
        assert ("Reading an article", "/", "Find text in the article") in keys
        assert ("Reading an article", "N", "Go to the previous match of the find") in keys
        del screen


async def test_a_large_document_is_drawn_whole_and_searchable(engine):
    text = long_text(8_000)  # about a megabyte
    article = make_article("big.txt", "big.txt", text)
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pane(app, pilot, article, article.units[-1])
        view = screen.view
        assert isinstance(view, DocumentView)
        last_on_screen = " ".join(" ".join(strip.text for strip in on_screen(view)).split())
        assert "The lamp of lighthouse 8000 was cleaned" in last_on_screen
        await find(pilot, "lighthouse 7999 painted")
        assert count(screen) == "1 of 1"


# -- Markdown ------------------------------------------------------------------------------

GUIDE = (FIXTURES / "guide.md").read_text(encoding="utf-8")


async def test_markdown_is_rendered_by_the_markdown_widget_without_its_markup(engine):
    article = make_article("guide.md", "guide.md", GUIDE)
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pane(app, pilot, article)
        view = screen.view
        assert isinstance(view, MarkdownView)
        shown = "\n".join(view.texts())
        assert "Intro with bold, em, code and a link plus CVE here." in shown
        assert "make install\nmake test" in shown
        assert "count lines" in shown  # a table cell
        for markup in ("**", "](", "<!--", "title:", "```", "&amp;"):
            assert markup not in shown
        # The cited-line highlight, and find, work in the widget's blocks too.
        await find(pilot, "make")
        assert count(screen) == "1 of 2"


async def test_markdown_opens_at_the_cited_sentence_highlighted(engine, tmp_path):
    filler = "".join(f"## Part {n}\n\nPart {n} says nothing of the kettle.\n\n" for n in range(40))
    text = f"# Notes\n\n{filler}## Kettles\n\nThe kettle whistles at noon. It is *copper* and old.\n"
    article = make_article("notes.md", "notes.md", text)
    cited = next(u for u in article.units if u.text == "It is copper and old.")
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pane(app, pilot, article, cited)
        view = screen.view
        assert isinstance(view, MarkdownView)
        [(widget, content)] = [(w, w.content) for w in view._shown if "kettle whistles" in w.content.plain]
        marked = [content.plain[span.start:span.end] for span in content.spans
                  if getattr(span.style, "reverse", False)]
        assert marked == ["It is copper and old."]
        top = widget.region.y - view.region.y
        assert view.scroll_y > 0 and 0 <= top < view.size.height  # scrolled to it, on screen


async def test_a_cited_line_of_markdown_code_stays_highlighted(engine):
    article = make_article("guide.md", "guide.md", GUIDE)
    cited = next(u for u in article.units if u.text == "make test")
    app = chat(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pane(app, pilot, article, cited)
        app.theme = "textual-light"  # the code is highlighted again for the theme: the mark stays
        await settle(pilot)
        [code] = [w for w in screen.view._shown if "make install" in w.content.plain]
        content = code.content
        marked = [content.plain[span.start:span.end] for span in content.spans
                  if getattr(span.style, "reverse", False)]
        assert marked == ["make test"]


async def test_markdown_links_are_not_followed(engine, monkeypatch):
    opened = []
    article = make_article("guide.md", "guide.md", GUIDE)
    app = chat(engine)
    monkeypatch.setattr(app, "open_url", lambda *args, **kwargs: opened.append(args))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pane(app, pilot, article)
        link = next(w for w in screen.view._shown if "a link plus" in w.content.plain)
        column = link.content.plain.index("link")
        await pilot.click(link, offset=(column + 1, 0))
        await settle(pilot)
        assert opened == [] and app.screen is screen


HOSTILE = ["[b]bold?[/b]", "[link=https://example.com]here[/link]", "\x1b[2J\x1b[H", "\x1b]52;c;ZXZpbA==\x07",
           "back\b\bspace", "\u202eesrever\u202c", "\x9b31m"]


@pytest.mark.parametrize("name", ["hostile.md", "hostile.txt", "long-hostile.md"])
async def test_untrusted_text_in_the_pane_is_shown_as_text(engine, name):
    body = "".join(f"Item {n} carries {token} here.\n\n" for n, token in enumerate(HOSTILE))
    if name.startswith("long"):  # past the Markdown widget's size: drawn line by line
        body += long_text(300)
    text = f"# Title\n\n{body}| cell | {HOSTILE[0]} |\n| --- | --- |\n| a | {HOSTILE[2]} |\n"
    article = make_article(name, name, text)
    app = chat(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, article)
        view = screen.view
        if isinstance(view, MarkdownView):
            drawn = [str(w.render()) for w in view.query("*") if hasattr(w, "content")]
            drawn += [str(w.tooltip) for w in view.query("*") if w.tooltip is not None]
        else:
            drawn = view_lines(view)
        shown = "\n".join(drawn)
        assert not RAW.search(shown)
        for token in HOSTILE:
            assert f"carries {visible_token(token)} here." in shown
        assert "[b]bold?[/b]" in shown


def visible_token(token: str) -> str:
    from verbatim.tui.text import visible

    return visible(token)


def test_find_ignores_case_and_keeps_offsets_in_the_original_text():
    texts = ["Straße STRASSE", "straße"]
    assert [tuple(m) for m in find_matches("STRAßE", texts)] == [(0, 0, 6), (1, 0, 6)]
    assert find_matches("", texts) == []


def test_wrapping_breaks_between_words_and_cuts_only_words_longer_than_a_line():
    text = "The lamp’s oil — whale — burned brightly: abcdefghijklmnopqrstuvwxyz end"
    spans = wrap_spans(text, 12)
    lines = [text[s:e] for s, e in spans]
    assert "".join(lines) == text
    assert all(len(line.rstrip()) <= 12 for line in lines)
    assert lines[:3] == ["The lamp’s ", "oil — whale ", "— burned "]
    assert "abcdefghijkl" in lines
    wide = wrap_spans("灯塔 灯塔 灯塔 灯塔", 9)  # two cells a character
    assert [e - s for s, e in wide] == [6, 5]
