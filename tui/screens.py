"""The chat's other screens: an article to read, the list of articles, and the keys."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from verbatim.tui.cite import place
from verbatim.tui.reading import (
    MARKDOWN_WIDGET_MAX_CHARS,
    DocumentReady,
    DocumentView,
    MarkdownView,
    Match,
    find_matches,
    shown_blocks,
)
from verbatim.tui.text import visible

if TYPE_CHECKING:
    from verbatim.corpus import Article
    from verbatim.retrieval.index.sentence_index import ArticleInfo
    from verbatim.retrieval.models import Passage

# The article list shows at most this many matches; typing narrows them.
LIST_LIMIT = 1000


class ArticleScreen(ModalScreen[None]):
    """An article to read, whole and rendered, opened at the cited sentence (highlighted),
    with find: ``/`` to search, ``n`` and ``N`` for the next and previous match."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", tooltip="Close the article", id="article.close"),
        Binding("q", "dismiss", "Close", show=False, id="article.close_q"),
        # The app's keys do not reach a modal screen: the help is offered here too.
        Binding("f1", "app.help", "Help", tooltip="Show every key", id="article.help"),
        Binding("slash", "find", "Find", key_display="/", tooltip="Find text in the article",
                id="article.find"),
        Binding("n", "next_match", "Next", tooltip="Go to the next match of the find",
                id="article.next_match"),
        Binding("N", "previous_match", "Previous", key_display="N",
                tooltip="Go to the previous match of the find", id="article.previous_match"),
    ]

    def __init__(self, article: Article, cited: tuple[int, int] | None = None, *, find: str = "") -> None:
        """``find``: text to open at, its first match shown as a find would (the article
        list's filter); when the article's text does not hold it, it opens at its top."""
        super().__init__()
        self.article = article
        self.cited = cited
        self.matches: list[Match] = []
        self.current: int | None = None
        self._searched = ""
        self._opening_find = find

    def compose(self):
        article = self.article
        meta = " · ".join(
            visible(part)
            for part in (article.id, article.source, article.date, ", ".join(article.authors))
            if part
        )
        with Vertical(id="article-pane"):
            yield Static(Content.styled(visible(article.title), "bold"), markup=False, id="article-title")
            yield Static(Content.styled(meta, "$foreground-muted"), markup=False, id="article-meta")
            yield self._view()
            with Horizontal(id="article-find"):
                yield Input(placeholder="Find in the article", id="article-find-input", select_on_focus=True)
                yield Static("", markup=False, id="article-find-count")
        yield Footer()

    def _view(self) -> DocumentView | MarkdownView:
        """Textual's Markdown widget for a Markdown file it lays out quickly enough, else the
        document drawn line by line, rendered from what the reader of each format sees."""
        article = self.article
        cited = next((i for i, u in enumerate(article.units) if (u.start, u.end) == self.cited), None)
        if article.format == "markdown" and len(article.text) <= MARKDOWN_WIDGET_MAX_CHARS:
            return MarkdownView(article, article.units[cited] if cited is not None else None, id="article-body")
        return DocumentView(shown_blocks(article), cited, id="article-body")

    @property
    def view(self) -> DocumentView | MarkdownView:
        view = self.query_one("#article-body")
        assert isinstance(view, (DocumentView, MarkdownView))  # the body is one or the other
        return view

    def on_mount(self) -> None:
        self.query_one("#article-find").display = False
        self.view.focus()
        if self._opening_find and self.view.ready:
            self.call_after_refresh(self._open_at_find)

    def on_document_ready(self, message: DocumentReady) -> None:
        if self._opening_find:  # once laid out, so that the match can be scrolled to
            self.call_after_refresh(self._open_at_find)
        elif self._searched:  # asked for before the document was laid out
            self._search(self._searched)

    def _open_at_find(self) -> None:
        """The article list's filter, found in the article: shown as a find, or nothing when
        only the title or id held it."""
        needle, self._opening_find = self._opening_find, ""
        if not find_matches(needle, self.view.texts()):
            return
        self.query_one("#article-find").display = True
        self.query_one("#article-find-input", Input).value = needle
        self._search(needle)

    # -- find ----------------------------------------------------------------------------------
    def action_find(self) -> None:
        self.query_one("#article-find").display = True
        self.query_one("#article-find-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._search(event.value)
        self.view.focus()

    def key_escape(self, event) -> None:
        # Esc in the find box goes back to the article; Esc in the article closes it.
        if self.query_one("#article-find-input", Input).has_focus:
            event.stop()
            event.prevent_default()
            self.view.focus()
            if not self._searched:
                self.query_one("#article-find").display = False

    def _search(self, needle: str) -> None:
        self._searched = needle
        view = self.view
        self.matches = find_matches(needle, view.texts()) if view.ready else []
        self.current = view.first_match_from_here(self.matches) if self.matches else None
        if not needle:
            self.query_one("#article-find").display = False
        self._show_match()

    def _step(self, direction: int) -> None:
        if not self.matches:
            if not self._searched:
                self.action_find()
            else:
                self.notify("No match in the article.", markup=False)
            return
        self.current = ((self.current or 0) + direction) % len(self.matches)
        self._show_match()

    def action_next_match(self) -> None:
        self._step(1)

    def action_previous_match(self) -> None:
        self._step(-1)

    def _show_match(self) -> None:
        view = self.view
        view.mark(self.matches, self.current)
        count = self.query_one("#article-find-count", Static)
        if not self._searched:
            count.update("")
        elif self.current is None:
            count.update(Content.styled("no match", "$text-warning"))
        else:
            count.update(Content(f"{self.current + 1:,} of {len(self.matches):,}"))
            view.reveal(self.matches[self.current])


class ArticleListScreen(ModalScreen["ArticleInfo | None"]):
    """Every article of the corpus; type to filter by title, id or text, Enter to read."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", tooltip="Close the list", id="articles.close"),
        Binding("enter", "choose", "Read", tooltip="Read the highlighted article", show=False,
                id="articles.read"),
        Binding("down", "to_list", "To the list", show=False,
                tooltip="From the filter, move into the list (↑ ↓ then walk it)", id="articles.down"),
    ]

    def __init__(self, articles: list[ArticleInfo], texts: Callable[[], list[str]] | None = None) -> None:
        """``texts`` gives each article's text, in the same order, when a filter first needs it."""
        super().__init__()
        self.articles = articles
        self._texts = texts
        self._read: list[tuple[str, str]] | None = None  # (text, text casefolded) of each article
        self.needle = ""  # the filter typed, which the article chosen opens at

    def compose(self):
        with Vertical(id="articles-pane"):
            yield Static(self._count(len(self.articles), ""), markup=False, id="articles-count")
            yield Input(placeholder="Type to filter by title, id or text", id="articles-filter")
            yield Static("", markup=False, id="articles-none")
            yield OptionList(*self._options("")[0], id="articles-list")

    def on_mount(self) -> None:
        # The chat's choice (still in tests, so screens are the same each time).
        self.query_one(Input).cursor_blink = getattr(self.app, "cursor_blink", True)

    def _count(self, shown: int, needle: str) -> Content:
        total = len(self.articles)
        if not needle:
            return Content.styled(f"Articles ({total:,})", "bold")
        return Content.assemble(("Articles: ", "bold"), (f"{shown:,} of {total:,}", "bold $accent"),
                                (f" hold “{visible(needle)}”", "$foreground-muted"))

    def _text(self, i: int) -> tuple[str, str]:
        if self._read is None:
            self._read = [(t, t.casefold()) for t in self._texts()] if self._texts else []
        return self._read[i] if i < len(self._read) else ("", "")

    def _options(self, needle: str) -> tuple[list[Option], int]:
        """The options for the articles that hold ``needle`` (at most LIST_LIMIT), and how
        many articles hold it."""
        folded = needle.casefold()
        options: list[Option] = []
        count = 0
        for i, a in enumerate(self.articles):
            second = "\n  " + visible(a.id)
            if folded and folded not in a.title.casefold() and folded not in a.id.casefold():
                text, text_folded = self._text(i)
                at = text_folded.find(folded)
                if at < 0:
                    continue
                # The text as written when folding kept its length (offsets agree), else folded.
                shown = text if len(text) == len(text_folded) else text_folded
                second += f"  ·  {visible(snippet(shown, at, len(folded)))}"
            count += 1
            if len(options) < LIST_LIMIT:  # a long list is found by typing, not by scrolling
                options.append(Option(Content.assemble(visible(a.title), (second, "$foreground-muted")),
                                      id=str(i)))
        return options, count

    def on_input_changed(self, event: Input.Changed) -> None:
        self.needle = event.value
        found, count = self._options(event.value)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(found)
        if options.option_count:
            options.highlighted = 0
        needle = event.value
        self.query_one("#articles-count", Static).update(self._count(count, needle))
        none = self.query_one("#articles-none", Static)
        none.display = not count
        if not count:
            none.update(Content.styled(f"No article's title, id or text holds “{visible(needle)}”.", "$warning"))

    def action_choose(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.articles[int(option_id)])

    def action_to_list(self) -> None:
        if self.query_one(Input).has_focus:
            self.query_one(OptionList).focus()


# A text match in the article list is shown with this much of the text on either side.
SNIPPET_CONTEXT = 24


def snippet(text: str, at: int, length: int) -> str:
    """The stretch of ``text`` around a match at ``at``, on one line, marked where it is cut."""
    first = max(0, at - SNIPPET_CONTEXT)
    last = min(len(text), at + length + SNIPPET_CONTEXT)
    piece = " ".join(text[first:last].split())
    return ("…" if first else "") + piece + ("…" if last < len(text) else "")


class HelpScreen(ModalScreen[None]):
    """Every key the chat knows, and what it does."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, keys: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self):
        width = max(len(key) for _, key, _ in self.keys) + 2
        with VerticalScroll(id="help-pane"):
            yield Static(Content.styled("Keys", "bold"), markup=False, classes="help-heading")
            for place, rows in groupby(self.keys, key=lambda row: row[0]):
                yield Static(Content.styled(place, "bold $accent"), markup=False, classes="help-place")
                for _, key, description in rows:
                    # Key and description side by side: a long description wraps under its
                    # own start, not back at the pane's edge.
                    with Horizontal(classes="help-row"):
                        yield Static(Content.styled(f"  {key}", "bold"), markup=False,
                                     classes="help-key").set_styles(f"width: {width + 2};")
                        yield Static(Content(description), markup=False, classes="help-what")
            yield Static(Content.styled("Esc or F1 closes this screen.", "$foreground-muted"), markup=False,
                         classes="help-end")

    @property
    def text(self) -> str:
        """The keys as plain text, a line a row, as the pane shows them before wrapping."""
        lines = []
        for widget in self.query("#help-pane > *"):
            if widget.has_class("help-row"):
                key, what = widget.query(Static)
                lines.append(f"{str(key.render()):<{int(key.styles.width.value)}}{what.render()}")
            else:
                lines.append(str(widget.render()))
        return "\n".join(lines)


class ExplainScreen(ModalScreen[None]):
    """Why an answer won: the question's parts and where each was found, the scores."""

    BINDINGS = [Binding("escape,f2,q", "dismiss", "Close", id="explain.close")]

    def __init__(self, question: str, explanation: str, passage: Passage | None = None) -> None:
        """``passage``: the sentence explained, named at the top (None when none was given)."""
        super().__init__()
        self.question = question
        self.explanation = explanation
        self.passage = passage

    def compose(self):
        with VerticalScroll(id="explain-pane"):
            yield Static(Content.styled(visible(self.question), "bold"), markup=False)
            if self.passage is not None:
                yield Static(Content.assemble(("The sentence: ", "$foreground-muted"),
                                              f"“{visible(self.passage.sentence)}”",
                                              (f"  [{place(self.passage)}]", "$foreground-muted")),
                             markup=False, id="explain-sentence")
            text = "\n".join(visible(line) for line in self.explanation.splitlines())
            yield Static(Content(text), markup=False, id="explain-text")
            yield Static(Content.styled("Esc closes", "$foreground-muted"), markup=False)
