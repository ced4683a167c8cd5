"""The chat's other screens: an article to read, the list of articles, and the keys."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.text import visible
from tui.widgets import styled

if TYPE_CHECKING:
    from corpus import Article, Unit
    from retrieval.index.sentence_index import ArticleInfo

CITED_STYLE = "reverse"
# The article list shows at most this many matches; typing narrows them.
LIST_LIMIT = 1000
# The reading pane lays out at most this much text: Textual takes seconds over a megabyte.
SHOWN_CHARS = 20_000


def shown_units(units: list[Unit], cited: tuple[int, int] | None) -> tuple[int, int]:
    """The stretch [first, last) of ``units`` the reading pane shows: all of them, or for a
    long article the SHOWN_CHARS of text around the cited sentence (else its start)."""
    if sum(len(u.text) + 1 for u in units) <= SHOWN_CHARS:
        return 0, len(units)
    centre = next((i for i, u in enumerate(units) if (u.start, u.end) == cited), 0)
    first, last, size = centre, centre + 1, len(units[centre].text)
    grew = True
    while grew:
        grew = False
        if first > 0 and size + len(units[first - 1].text) + 1 <= SHOWN_CHARS:
            first -= 1
            size += len(units[first].text) + 1
            grew = True
        if last < len(units) and size + len(units[last].text) + 1 <= SHOWN_CHARS:
            size += len(units[last].text) + 1
            last += 1
            grew = True
    return first, last


class ArticleScreen(ModalScreen[None]):
    """An article to read, the cited sentence highlighted and scrolled into view."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", tooltip="Close the article", id="article.close"),
        Binding("q", "dismiss", "Close", show=False, id="article.close_q"),
    ]

    def __init__(self, article: Article, cited: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.article = article
        self.cited = cited

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
            first, last = shown_units(article.units, self.cited)
            with VerticalScroll(id="article-body"):
                if first:
                    yield self._not_shown(f"… {first:,} earlier sentences are not shown: the article is long.")
                for number, units in groupby(article.units[first:last], key=lambda u: u.paragraph):
                    yield self._paragraph(number, list(units))
                if last < len(article.units):
                    yield self._not_shown(f"… {len(article.units) - last:,} later sentences are not shown.")
            yield Static(Content.styled("Esc closes", "$foreground-muted"), markup=False, id="article-keys")

    @staticmethod
    def _not_shown(text: str) -> Static:
        return Static(Content.styled(text, "italic $foreground-muted"), markup=False, classes="not-shown")

    def _paragraph(self, number: int, units: list[Unit]) -> Static:
        from corpus import UnitKind

        text = ""
        spans = []
        cited_here = False
        for unit in units:
            if text:
                text += " "
            if self.cited == (unit.start, unit.end):
                spans.append((len(text), len(text) + len(unit.text), CITED_STYLE))
                cited_here = True
            text += unit.text
        kind = units[0].kind
        base = "bold" if kind is UnitKind.HEADING else ("$foreground-muted" if kind is UnitKind.BOILERPLATE else "")
        classes = "paragraph cited" if cited_here else "paragraph"
        return Static(styled(text, spans, base), markup=False, classes=classes, id=f"paragraph-{number}")

    def on_mount(self) -> None:
        body = self.query_one("#article-body", VerticalScroll)
        cited = self.query(".cited")
        body.focus()
        if cited:
            self.call_after_refresh(body.scroll_to_center, cited.first(), animate=False)


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
        options = []
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
