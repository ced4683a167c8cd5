"""The chat's widgets: corpus header, transcript of answer cards, and the question box."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Collapsible, Input, ProgressBar, Static
from textual.widgets._collapsible import CollapsibleTitle

from verbatim.tui.cite import place
from verbatim.tui.text import counted, shown_question, visible

if TYPE_CHECKING:
    from verbatim.retrieval.models import CorpusInfo, Passage, Result

# A card folds its further sentences (sources, closest passages) away past this length,
# so its first line stays in view.
FOLD_SUPPORT_CHARS = 280
FOLD_SUPPORT_COUNT = 2
# The result's probability (that the corpus answers the question), in fifths.
STRENGTH_STEPS = (0.2, 0.4, 0.6, 0.8)
STRENGTH_BARS = 5

QUESTION_WORD_STYLE = "bold underline"
SHORT_ANSWER_STYLE = "bold reverse"


def styled(text: str, spans: list[tuple[int, int, str]], base: str = "") -> Content:
    """``text`` as Content with styles over character spans; every piece is made visible
    (control characters escaped) after the spans are placed, so offsets stay right."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    parts: list[tuple[str, str] | str] = []
    for start, end in zip(cuts, cuts[1:]):
        if start >= end or start < 0 or end > len(text):
            continue
        styles = [style for s, e, style in spans if s <= start and end <= e]
        style = " ".join(filter(None, [base, *styles]))
        piece = visible(text[start:end])
        parts.append((piece, style) if style else piece)
    return Content.assemble(*parts)


def strength(probability: float) -> int:
    """How many bars of the strength indicator a probability fills (1 to 5)."""
    return 1 + sum(probability >= step for step in STRENGTH_STEPS)


def citation(passage: Passage, *, with_strength: bool = False) -> tuple[Content, Content]:
    """Two quiet lines: the article's title, then the strength and the place. The strength
    comes first on its line so a long place wraps after it, never the strength alone."""
    title = Content.styled(visible(passage.article.title), "italic")
    parts: list[tuple[str, str] | str] = []
    if with_strength and passage.probability is not None:
        bars = strength(passage.probability)
        parts.append((f"strength {'▮' * bars}{'▯' * (STRENGTH_BARS - bars)}  ·  ", "$foreground-muted"))
    parts.append((place(passage), "$foreground-muted"))
    return title, Content.assemble(*parts)


def sentence(passage: Passage, *, base: str = "") -> Content:
    spans = [(s, e, QUESTION_WORD_STYLE) for s, e in passage.matches]
    if passage.span:
        spans.append((*passage.span, SHORT_ANSWER_STYLE))
    return styled(passage.sentence, spans, base)


def agreement_line(result: Result) -> Content:
    """'Sources agree' or 'Sources differ', with each source's short answer."""
    verdict = "Sources agree: " if result.agreement == "agree" else "Sources differ: "
    parts: list[tuple[str, str] | str] = [(verdict, "bold")]
    for i, passage in enumerate(result.answers):
        if passage.span is None:
            continue
        if i:
            parts.append(("  ·  ", "$foreground-muted"))
        parts.append((visible(passage.sentence[passage.span[0] : passage.span[1]]), SHORT_ANSWER_STYLE))
        parts.append((f" {visible(passage.article.id)}", "$foreground-muted"))
    return Content.assemble(*parts)


class PassageRow(Vertical, can_focus=True):
    """One quoted sentence with its citation; Enter or a click opens it in its article. The
    citation's lines are widgets of their own, so that a title or a place too long for one
    line wraps under its own first word, never back at the card's margin."""

    BINDINGS = [
        Binding("enter", "open", "Open",
                tooltip="Open the article at this sentence (or click it)", id="passage.open"),
        Binding("e", "explain", "Why", show=False,
                tooltip="Why this sentence was chosen or passed over: words, answer type, scores",
                id="passage.explain"),
        Binding("o", "app.edit", "Edit", show=False,
                tooltip="Open its file at this line in $EDITOR (or $PAGER); quit it to come back",
                id="passage.edit"),
    ]

    @dataclass
    class Selected(Message):
        """The reader chose this passage."""

        passage: Passage

    @dataclass
    class ExplainRequested(Message):
        """The reader asked why the card's answer won."""

        row: PassageRow

    def __init__(self, passage: Passage, *, role: str) -> None:
        super().__init__(classes=role)
        self.passage = passage
        self.role = role

    def compose(self):
        passage = self.passage
        yield Static(sentence(passage, base="bold" if self.role == "answer" else ""), markup=False,
                     classes="sentence")
        title, where = citation(passage, with_strength=self.role == "answer")
        with Horizontal(classes="cite-title"):
            yield Static(Content.styled("— ", "$foreground-muted"), markup=False, classes="dash")
            yield Static(title, markup=False, classes="title")
        yield Static(where, markup=False, classes="place")

    @property
    def text(self) -> str:
        """The row as plain text, its lines as they are written (before any wrapping)."""
        return "\n".join(str(part.render()) for part in self.query(Static))

    def action_open(self) -> None:
        self.post_message(self.Selected(self.passage))

    def action_explain(self) -> None:
        self.post_message(self.ExplainRequested(self))

    def on_click(self) -> None:
        self.post_message(self.Selected(self.passage))


class FoldTitle(CollapsibleTitle):
    """The line of a fold ("▶ 2 more sources"): a focus stop, so the footer says what Enter
    does on it, which depends on whether it is open."""

    BINDINGS = [
        Binding("enter", "unfold", "Show", tooltip="Show the sentences folded under it", id="fold.show"),
        Binding("enter", "fold", "Hide", tooltip="Fold them away again", id="fold.hide"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unfold":
            return self.collapsed
        if action == "fold":
            return not self.collapsed
        return True

    def action_unfold(self) -> None:
        self.post_message(self.Toggle())

    def action_fold(self) -> None:
        self.post_message(self.Toggle())

    def watch_collapsed(self) -> None:
        self.refresh_bindings()


class Fold(Collapsible):
    """Sentences folded away under one line; its line is where Tab stops."""

    def __init__(self, *children: PassageRow, title: str) -> None:
        super().__init__(*children, title=title, collapsed=True)
        self._fold_title = FoldTitle(label=title, collapsed_symbol="▶", expanded_symbol="▼", collapsed=True)
        self._title = self._fold_title  # what Collapsible composes and toggles

    @property
    def title_line(self) -> FoldTitle:
        return self._fold_title


def focus_stops(card: AnswerCard) -> list[PassageRow | FoldTitle]:
    """The places of a card that Tab reaches now, in order: its sentences in view and the line
    of each fold (never a sentence folded away, which would be chosen unseen)."""
    stops: list[PassageRow | FoldTitle] = []
    for widget in card.query("PassageRow, FoldTitle"):
        if isinstance(widget, PassageRow) and any(isinstance(a, Collapsible) and a.collapsed
                                                  for a in widget.ancestors):
            continue
        if isinstance(widget, PassageRow | FoldTitle):
            stops.append(widget)
    return stops


class AnswerCard(Vertical):
    """A question and what the corpus says to it."""

    def __init__(self, exchange: int, question: str) -> None:
        super().__init__(id=f"exchange-{exchange}", classes="card")
        self.exchange = exchange
        self.question = question
        self.result: Result | None = None

    def compose(self):
        yield Static(Content.assemble(("› ", "$accent"), (shown_question(self.question), "bold")),
                     markup=False, classes="question")
        yield Static(Content("Searching the articles…"), markup=False, classes="pending")

    async def show(self, result: Result) -> None:
        self.result = result
        await self.query(".pending").remove()
        if result.interpreted_as:
            await self.mount(Static(Content(f"read as: {visible(result.interpreted_as)}"),
                                    markup=False, classes="read-as"), after=self.query_one(".question"))
        if result.answered:
            first, *others = result.answers
            await self.mount(PassageRow(first, role="answer"))
            if others:
                await self._mount_others(others)
            if result.agreement:
                await self.mount(Static(agreement_line(result), markup=False, classes="agreement"))
        else:
            reason = f" ({visible(result.reason)})" if result.reason else ""
            await self.mount(Static(Content(f"No answer in the corpus{reason}."),
                                    markup=False, classes="no-answer"))
            if result.closest:
                count = len(result.closest)
                await self._mount_passages(
                    result.closest, "closest", "Closest passages, which do not answer it:",
                    f"{count} closest {'passage' if count == 1 else 'passages'}, which do not answer it")

    async def _mount_others(self, others: list[Passage]) -> None:
        count = len(others)
        await self._mount_passages(others, "support", "Also in the corpus:",
                                   f"{count} more {'source' if count == 1 else 'sources'}")

    async def _mount_passages(self, passages: list[Passage], role: str, label: str, folded: str) -> None:
        """Passages under the card's first line, folded away when they would push it off screen."""
        rows = [PassageRow(p, role=role) for p in passages]
        long = sum(len(p.sentence) for p in passages) > FOLD_SUPPORT_CHARS
        if long or len(passages) > FOLD_SUPPORT_COUNT:
            await self.mount(Fold(*rows, title=folded))
        else:
            await self.mount(Static(Content(label), markup=False, classes="label"))
            await self.mount_all(rows)

    async def show_problem(self, text: str) -> None:
        await self.query(".pending").remove()
        await self.mount(Static(Content(visible(text)), markup=False, classes="problem"))


class Transcript(VerticalScroll, can_focus=False):
    """The conversation so far; it follows new answers only when the reader is at the bottom.

    Textual's anchor does the following: it holds the view at the bottom as cards grow,
    lets go when the reader scrolls up, and takes hold again when they scroll back down.
    It takes no focus itself: Tab goes to the answers (Page Up and Down scroll it).
    """

    def compose(self):
        # Fills what the cards leave empty, so a short transcript starts at the top even
        # though the anchor measures from the bottom.
        yield Static(Content(""), classes="end")

    def on_mount(self) -> None:
        self.anchor()

    async def add(self, card: AnswerCard) -> None:
        await self.mount(card, before=self.query_one(".end"))

    @property
    def cards(self) -> list[AnswerCard]:
        return list(self.query(AnswerCard))

    def latest_row(self) -> PassageRow | FoldTitle | None:
        """The first place in view of the latest card that has any (its answer, or the line of
        its fold of closest passages): where Tab goes from the box."""
        for card in reversed(self.cards):
            stops = focus_stops(card)
            if stops:
                return stops[0]
        return None


class ExampleQuestion(Static):
    """One of the welcome's example questions; a click asks it."""

    @dataclass
    class Chosen(Message):
        """The reader chose an example question."""

        question: str

    def __init__(self, number: int, question: str) -> None:
        self.question = question
        super().__init__(Content.assemble((f" {number} ", "bold reverse $accent"), "  ", visible(question)),
                         markup=False, classes="example")

    def on_click(self) -> None:
        self.post_message(self.Chosen(self.question))


class Welcome(Vertical):
    """What the corpus is and questions it answers, on the empty first screen."""

    examples: reactive[list[str]] = reactive(list, recompose=True)
    """The example questions, once found (they are asked of the corpus first)."""

    def __init__(self, info: CorpusInfo, **kwargs) -> None:
        super().__init__(**kwargs)
        self.info = info

    def compose(self):
        info = self.info
        yield Static(Content.assemble(("Ask ", "bold"), (visible(info.name), "bold $accent"),
                                      (" a question", "bold")), markup=False, classes="welcome-title")
        yield Static(Content.styled(
            f"{counted(info.articles, 'article')} · {counted(info.sentences, 'sentence')}. Every answer is one "
            "of those sentences, "
            "word for word, with where it is; when none answers, it says so.", "$foreground-muted"),
            markup=False, classes="welcome-about")
        if self.examples:
            yield Static(Content.styled("Try one: press its number, or click it.", "$foreground-muted"),
                         markup=False, classes="welcome-try")
            for number, question in enumerate(self.examples, start=1):
                yield ExampleQuestion(number, question)


class QuestionInput(Input):
    """The question box; ↑ and ↓ walk back and forth through earlier questions."""

    BINDINGS = [
        Binding("up", "history_previous", "Earlier question", show=False,
                tooltip="Recall the previous question", id="question.previous"),
        Binding("down", "history_next", "Later question", show=False,
                tooltip="Recall the next question, back to your draft", id="question.next"),
        Binding("tab", "app.latest_answer", "Latest answer", show=False,
                tooltip="Go to the latest answer (then Tab and Shift+Tab move between answers)",
                id="question.tab"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._position: int | None = None
        self._draft = ""
        self.examples: list[str] = []  # asked by their number while the box is empty

    async def _on_key(self, event: events.Key) -> None:
        # A digit in an empty box asks that example while the welcome shows them; a
        # question that starts with a digit is typed after a space, or once one is asked.
        if (not self.value and event.character and event.character.isdigit()
                and 1 <= int(event.character) <= len(self.examples)):
            event.stop()
            event.prevent_default()
            self.post_message(ExampleQuestion.Chosen(self.examples[int(event.character) - 1]))
            return
        await super()._on_key(event)

    def remember(self, question: str) -> None:
        """Keep ``question`` as the latest; an earlier copy of it is dropped."""
        self.history = [q for q in self.history if q != question] + [question]
        self._position = None
        self._draft = ""

    def _recall(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)

    def action_history_previous(self) -> None:
        if not self.history:
            return
        if self._position is None:
            self._draft = self.value
            self._position = len(self.history) - 1
        elif self._position > 0:
            self._position -= 1
        self._recall(self.history[self._position])

    def action_history_next(self) -> None:
        if self._position is None:
            return
        if self._position < len(self.history) - 1:
            self._position += 1
            self._recall(self.history[self._position])
        else:
            self._position = None
            self._recall(self._draft)


class CorpusHeader(Vertical):
    """The corpus name and its counts; a progress bar while it is being read."""

    info: reactive[CorpusInfo | None] = reactive(None, layout=True)
    """What has been read; None while reading."""
    note: reactive[str] = reactive("")
    """What happened to the index since the chat opened ("2 files changed, index updated")."""

    def __init__(self, location: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.location = location

    def compose(self):
        yield Static(self._line(), markup=False, id="header-line")
        yield ProgressBar(total=None, show_eta=False, id="header-progress")

    def _line(self) -> Content:
        lead = ("Verbatim", "bold $accent")
        if self.info is None:
            return Content.assemble(lead, ("  reading ", "$foreground-muted"), visible(self.location), "…")
        info = self.info
        return Content.assemble(
            lead, "  ", (visible(info.name), "bold"),
            (f"  ·  {counted(info.articles, 'article')}  ·  {counted(info.sentences, 'sentence')}",
             "$foreground-muted"),
            (f"  ·  {visible(self.note)}" if self.note else "", "$accent"),
        )

    def watch_note(self) -> None:
        self.watch_info()

    def watch_info(self) -> None:
        if self.is_mounted:
            self.query_one("#header-line", Static).update(self._line())
            self.query_one(ProgressBar).display = self.info is None

    def waiting(self) -> None:
        """Another process holds the corpus's index lock: say so until reading starts."""
        self.query_one("#header-line", Static).update(Content.assemble(
            ("Verbatim", "bold $accent"), ("  waiting for another process indexing ", "$foreground-muted"),
            visible(self.location), "…",
        ))

    def progress(self, done: int, total: int, sentences: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)
        self.query_one("#header-line", Static).update(Content.assemble(
            ("Verbatim", "bold $accent"), ("  reading ", "$foreground-muted"), visible(self.location),
            (f"  ·  {done:,}/{total:,} files  ·  {sentences:,} sentences", "$foreground-muted"),
        ))
