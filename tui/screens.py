"""The chat's other screens: an article to read, the list of articles, and the keys."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.reading import (
    MARKDOWN_WIDGET_MAX_CHARS,
    DocumentReady,
    DocumentView,
    MarkdownView,
    Match,
    find_matches,
    shown_blocks,
)
from tui.text import visible

if TYPE_CHECKING:
    from corpus import Article
    from retrieval.index.sentence_index import ArticleInfo

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

    def __init__(self, article: Article, cited: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.article = article
        self.cited = cited
        self.matches: list[Match] = []
        self.current: int | None = None
        self._searched = ""

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
        return self.query_one("#article-body")

    def on_mount(self) -> None:
        self.query_one("#article-find").display = False
        self.view.focus()

    def on_document_ready(self, message: DocumentReady) -> None:
        if self._searched:  # asked for before the document was laid out
            self._search(self._searched)

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
    """Every article of the corpus; type to filter, Enter to read."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="articles.close")]

    def __init__(self, articles: list[ArticleInfo]) -> None:
        super().__init__()
        self.articles = articles

    def compose(self):
        with Vertical(id="articles-pane"):
            yield Static(Content.styled(f"Articles ({len(self.articles):,})", "bold"), markup=False,
                         id="articles-count")
            yield Input(placeholder="Type to filter by title or id", id="articles-filter")
            yield OptionList(*self._options(""), id="articles-list")

    def _options(self, needle: str) -> list[Option]:
        needle = needle.casefold()
        options = []
        for i, a in enumerate(self.articles):
            if needle and needle not in a.title.casefold() and needle not in a.id.casefold():
                continue
            if len(options) == LIST_LIMIT:  # a long list is found by typing, not by scrolling
                break
            options.append(Option(Content.assemble(visible(a.title), ("\n  " + visible(a.id), "$foreground-muted")),
                                  id=str(i)))
        return options

    def on_input_changed(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.articles[int(option_id)])

    def key_down(self) -> None:
        if self.query_one(Input).has_focus:
            self.query_one(OptionList).focus()


class HelpScreen(ModalScreen[None]):
    """Every key the chat knows, and what it does."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, keys: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self):
        width = max(len(key) for _, key, _ in self.keys) + 2
        lines = [Content.styled("Keys", "bold"), Content("")]
        for place, rows in groupby(self.keys, key=lambda row: row[0]):
            lines.append(Content.styled(place, "bold $accent"))
            for _, key, description in rows:
                lines.append(Content.assemble((f"  {key:<{width}}", "bold"), description))
            lines.append(Content(""))
        lines.append(Content.styled("Esc or F1 closes this screen.", "$foreground-muted"))
        with VerticalScroll(id="help-pane"):
            yield Static(Content("\n").join(lines), markup=False)


class ExplainScreen(ModalScreen[None]):
    """Why an answer won: the question's parts and where each was found, the scores."""

    BINDINGS = [Binding("escape,f2,q", "dismiss", "Close", id="explain.close")]

    def __init__(self, question: str, explanation: str) -> None:
        super().__init__()
        self.question = question
        self.explanation = explanation

    def compose(self):
        with VerticalScroll(id="explain-pane"):
            yield Static(Content.styled(visible(self.question), "bold"), markup=False)
            text = "\n".join(visible(line) for line in self.explanation.splitlines())
            yield Static(Content(text), markup=False, id="explain-text")
            yield Static(Content.styled("Esc closes", "$foreground-muted"), markup=False)
