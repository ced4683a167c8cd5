"""The Textual chat: ask the articles questions, read the answers in their articles."""

from __future__ import annotations

import dataclasses
import errno
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState, get_current_worker

from verbatim.retrieval.settings import Settings
from verbatim.tui.confirm import ConfirmScreen
from verbatim.tui.export import conversation_markdown, quote_with_citation, write_new_file
from verbatim.tui.messages import (
    AnswerFailed,
    AnswerReady,
    ArticleRead,
    EngineFailed,
    EngineReady,
    ExamplesFound,
    FolderLooked,
    IndexRefreshed,
    ReadingProgress,
)
from verbatim.tui.screens import ArticleListScreen, ArticleScreen, ExplainScreen, HelpScreen
from verbatim.tui.state import read_state, remember
from verbatim.tui.text import visible
from verbatim.tui.widgets import (
    AnswerCard,
    CorpusHeader,
    ExampleQuestion,
    FoldTitle,
    PassageRow,
    QuestionInput,
    Transcript,
    Welcome,
)

if TYPE_CHECKING:  # the core loads in the reading worker, after the first frame is drawn
    from verbatim.retrieval.conversation.memory import Conversation
    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.index.build import BuildProgress
    from verbatim.retrieval.index.sentence_index import ArticleInfo
    from verbatim.retrieval.models import Passage, Result
    from verbatim.retrieval.watch import FolderWatch
    from verbatim.tui.logs import Recorder

# Keys the chat takes from Textual as they are, and what they do here (their own
# descriptions speak of focus, not of answers).
FOREIGN_KEYS = {
    "app.focus_next": "Next answer, or back to the question box",
    "app.focus_previous": "Previous answer",
    "screen.copy_text": "Copy the text selected with the mouse",
}
# ↑ in the question box reaches back this many questions asked in earlier chats.
HISTORY_FROM_LOG = 200
# While reading a large corpus, tell the chat at most this often (files between updates).
PROGRESS_EVERY = 25
# Where the theme chosen in the chat is remembered, in the program's own state file.
THEME_STATE_KEY = "theme"


class SettingError(ValueError):
    """A theme or keymap the chat cannot use: one line for the user."""


class VerbatimApp(App[int]):
    """Chat with a corpus: every answer is a sentence of it, with its article."""

    CSS_PATH = "verbatim.tcss"
    TITLE = "Verbatim"
    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="Show every key", id="app.help"),
        Binding("f2", "explain", "Why", tooltip="Why the chosen or latest answer won", id="app.explain"),
        Binding("ctrl+o", "articles", "Articles", tooltip="List the articles and open one",
                id="app.articles"),
        Binding("ctrl+y", "copy_answer", "Copy",
                tooltip="Copy the chosen or latest answer with its citation", id="app.copy"),
        Binding("ctrl+s", "export", "Export",
                tooltip="Export the conversation as Markdown",
                id="app.export"),
        Binding("ctrl+l", "clear", "Clear", tooltip="Clear the transcript", id="app.clear"),
        Binding("ctrl+q", "quit", "Quit", tooltip="Quit Verbatim", id="app.quit", priority=True),
        Binding("ctrl+g", "latest_answer", "Latest", show=False,
                tooltip="Go to the latest answer", id="app.latest"),
        Binding("pageup", "scroll_transcript(-1)", "Scroll up", show=False,
                tooltip="Scroll the transcript up", id="app.page_up"),
        Binding("pagedown", "scroll_transcript(1)", "Scroll down", show=False,
                tooltip="Scroll the transcript down", id="app.page_down"),
    ]

    ready: reactive[bool] = reactive(False)
    """Whether the corpus is read and questions can be answered."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        top: int = 3,
        engine: Engine | None = None,
        export_dir: Path | None = None,
        cursor_blink: bool = True,
        recorder: Recorder | None = None,
        theme: str | None = None,
        keymap: Mapping[str, str] | None = None,
        viewer: str | None = None,
    ) -> None:
        """``settings`` are the engine's (the corpus, its index and the threshold), as the
        command line and the Python API give them; the program's defaults when None.
        ``recorder`` logs the questions and answers, and holds the conversation to carry
        on (--continue, --cid) and the questions asked before (for ↑); None logs nothing.
        ``theme`` (the configuration's) wins over the one remembered from the last chat;
        ``keymap`` maps binding ids to keys; ``viewer`` is the configuration's command that
        shows a PDF at a page. Raises SettingError for a theme or binding id the chat does not
        have."""
        super().__init__()
        check_settings(theme, keymap or {})
        self.theme_setting = theme
        self._start_theme(theme)
        self.set_keymap(dict(keymap or {}))
        self.recorder = recorder
        self.viewer = viewer
        self.settings = settings if settings is not None else Settings()
        self.top = top
        self.engine = engine
        self.export_dir = export_dir
        self.cursor_blink = cursor_blink
        self.exchanges: list[tuple[str, Result | None]] = []
        self.conversation: Conversation | None = None
        self._pending: deque[int] = deque()  # exchanges waiting for an answer, in the order asked
        self._answering: int | None = None  # the exchange being answered
        self.examples: list[str] = []  # questions the corpus answers, for the welcome
        self._watch: FolderWatch | None = None  # the corpus folder, looked at for changes while the chat is open
        self._settling: dict | None = None  # the folder as last seen changed, not yet read again
        self._fresh: tuple[Engine, str] | None = None  # an index read again, used once no question is answered

    # -- theme and keys ----------------------------------------------------------------------
    def _start_theme(self, configured: str | None) -> None:
        """The configuration's theme, else the one chosen in the last chat, else Textual's."""
        remembered = read_state().get(THEME_STATE_KEY)
        if configured is not None:
            self.theme = configured
        elif isinstance(remembered, str) and remembered in self.available_themes:
            self.theme = remembered  # a name from an older Textual that is gone is forgotten
        self._theme_shown = self.theme

    def _remember_theme(self, theme: Theme) -> None:
        """A theme chosen in the chat (Ctrl+P, "Theme") is the next chat's too."""
        if theme.name == self._theme_shown:
            return
        self._theme_shown = theme.name
        try:
            remember(THEME_STATE_KEY, theme.name)
        except OSError as error:
            self.notify(f"The theme could not be remembered: {visible(error.strerror or str(error))}.",
                        severity="warning", markup=False)
            return
        if self.theme_setting is not None and theme.name != self.theme_setting:
            self.notify(f'The configuration file sets theme = "{self.theme_setting}": the next chat '
                        "starts with that one. Remove that line to keep the theme chosen here.",
                        title="Theme", markup=False)

    # -- layout --------------------------------------------------------------------------
    def compose(self):
        corpus = self.settings.corpus
        location = "the bundled articles" if corpus is None else corpus
        yield CorpusHeader(location, id="header")
        yield Transcript(id="transcript")
        yield QuestionInput(placeholder="Ask a question about the articles", id="question",
                            select_on_focus=False)
        # Compact: at 80 columns every key of the footer fits, an answer's Enter included.
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        question = self.query_one(QuestionInput)
        question.cursor_blink = self.cursor_blink
        question.focus()
        await self._remember_earlier_chats()
        if self.engine is not None:
            self.post_message(EngineReady(self.engine))
        else:
            self.load_engine()

    # -- reading the corpus --------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="load", name="read corpus")
    def load_engine(self) -> None:
        def progress(step: BuildProgress) -> None:
            if step.files_done == step.files_total or step.files_done % PROGRESS_EVERY == 0:
                self.post_message(ReadingProgress(step.files_done, step.files_total, step.sentences))

        def waiting(notice: str) -> None:
            self.call_from_thread(self._show_waiting, notice)

        from verbatim.corpus import CorpusError
        from verbatim.retrieval.engine import Engine

        try:
            engine = Engine.open(self.settings, progress=progress, waiting=waiting)
        except CorpusError as error:
            self.post_message(EngineFailed(str(error)))
        except OSError as error:
            self.post_message(EngineFailed(f"cannot read the corpus: {error}"))
        except Exception as error:  # a bug: the chat stays up and says what went wrong
            self.post_message(EngineFailed(f"internal error: {type(error).__name__}: {error}"))
        else:
            self.post_message(EngineReady(engine))

    def _show_waiting(self, notice: str) -> None:
        self.query_one(CorpusHeader).waiting()
        self.notify(visible(notice), title="Index", severity="warning", markup=False)

    def on_reading_progress(self, message: ReadingProgress) -> None:
        self.query_one(CorpusHeader).progress(message.done, message.total, message.sentences)

    async def on_engine_ready(self, message: EngineReady) -> None:
        await self.query(".unreadable").remove()  # the folder could not be read before; now it is
        self.engine = message.engine
        carried = self.recorder.history() if self.recorder is not None else None
        self.conversation = message.engine.conversation(carried or ())
        self.query_one(CorpusHeader).info = message.engine.info
        for notice in message.engine.notices:
            self.notify(visible(notice), title="Index", severity="warning", markup=False)
        warnings = message.engine.warnings
        for warning in warnings[:3]:
            self.notify(visible(warning), title="Skipped a file", severity="warning", markup=False)
        if len(warnings) > 3:
            self.notify(f"{len(warnings) - 3} more files were skipped.", severity="warning", markup=False)
        self.ready = True
        self._answer_next()
        self.call_later(self._show_welcome)
        self.find_examples()
        self._start_article_reader()
        self._start_watching()

    @work(thread=True, exclusive=True, exit_on_error=False, group="article-reader", name="start article reader")
    def _start_article_reader(self) -> None:
        """The reading pane reads articles in a reading process (within the budget of a file):
        started now, so that the first article opens without waiting for it."""
        from verbatim.retrieval.engine import start_article_reader

        start_article_reader()

    # -- noticing the folder changing ---------------------------------------------------------
    def _start_watching(self) -> None:
        """Look at the corpus folder now and then while the chat is open (not the bundled
        articles, which do not change); Verbatim's own folders inside it are not its files."""
        settings = self.settings
        if settings.corpus is None:
            return
        if self._watch is None:
            from verbatim.retrieval.watch import FolderWatch

            ignored = [p for p in (settings.index_dir, self.export_dir) if p is not None]
            self._watch = FolderWatch(settings.corpus, include=list(settings.include), exclude=list(settings.exclude),
                                      follow_links=settings.follow_links, ignored=ignored)
        watch = self._watch
        self.set_timer(watch.interval, self._look_at_folder)

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch", name="look at the folder")
    def _look_at_folder(self) -> None:
        """Compare the folder with the index; a change seen twice, one look apart (settled:
        a file being written is read once it is whole), is read into a new index, which
        answers from the next question on. Questions meanwhile are answered from the old one."""
        from verbatim.retrieval.engine import Engine
        from verbatim.retrieval.watch import indexed_stamps

        engine, watch = self.engine, self._watch
        if watch is None:
            return
        now = watch.stamps()
        if engine is None:  # nothing could be read when the chat opened: read the folder once files come and settle
            if now and now == self._settling:
                self._settling = None
                self.call_from_thread(self.load_engine)  # its end looks at the folder again
            else:
                self._settling = now or None
                self.post_message(FolderLooked())
            return
        changes = watch.changes(indexed_stamps(engine.index), now)
        if not changes or now != self._settling:
            self._settling = now if changes else None
            self.post_message(FolderLooked())
            return
        self._settling = None
        try:
            # Only the files that changed are read again, whatever the chat was started with.
            fresh = Engine.open(dataclasses.replace(self.settings, reindex=False))
        except Exception as error:  # the folder emptied, or unreadable: keep answering from the last index
            self.call_from_thread(self.notify, visible(f"The folder changed but could not be read again: {error}"),
                                  title="Index", severity="warning", markup=False)
            self.post_message(FolderLooked())
            return
        # Counted as the index read them: a file added that could not be read is skipped, not added.
        self.post_message(IndexRefreshed(fresh, changes.read_by({a.rel for a in fresh.articles}).summary()))

    def on_folder_looked(self, message: FolderLooked) -> None:
        if self._watch is not None and self.is_running:
            self.set_timer(self._watch.interval, self._look_at_folder)

    def on_index_refreshed(self, message: IndexRefreshed) -> None:
        self._fresh = (message.engine, message.summary)
        self._use_fresh_index()
        self.on_folder_looked(FolderLooked())

    def _use_fresh_index(self) -> None:
        """Answer from the index read again, once no question is being answered: a question
        is answered from one index, whole, never from one half-updated."""
        if self._fresh is None or self._answering is not None:
            return
        (engine, summary), self._fresh = self._fresh, None
        previous, self.engine = self.engine, engine
        self.conversation = engine.conversation([r for _, r in self.exchanges if r is not None])
        header = self.query_one(CorpusHeader)
        header.info = engine.info
        header.note = f"{summary}, index updated"
        if previous is not None and previous is not engine and previous.index is not engine.index:
            previous.index.close()

    async def on_engine_failed(self, message: EngineFailed) -> None:
        card = AnswerCard(len(self.exchanges), "The articles could not be read")
        await self.query(".unreadable").remove()  # one card saying so, the latest
        card.add_class("unreadable")
        await self.query_one(Transcript).add(card)
        await card.show_problem(message.error)
        self.notify("The articles could not be read.", severity="error", markup=False)
        self._start_watching()  # files that come later are read then

    # -- asking ----------------------------------------------------------------------------
    @on(Input.Submitted, "#question")
    async def submit_question(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        box = self.query_one(QuestionInput)
        box.remember(question)
        box.value = ""
        await self._ask(question)

    async def _ask(self, question: str) -> None:
        await self._hide_welcome()
        exchange = len(self.exchanges)
        self.exchanges.append((question, None))
        await self.query_one(Transcript).add(AnswerCard(exchange, question))
        self._pending.append(exchange)
        self._answer_next()

    def _answer_next(self) -> None:
        """Answer the next question waiting, once the corpus is read and the one before is
        answered: one at a time, in order, as a conversation reads each against the last."""
        if not self.ready or self._answering is not None or not self._pending:
            return
        self._use_fresh_index()
        self._answering = self._pending.popleft()
        self.answer(self._answering, self.exchanges[self._answering][0])

    @work(thread=True, exit_on_error=False, group="ask", name="answer")
    def answer(self, exchange: int, question: str) -> None:
        from verbatim.retrieval.reader.question import QuestionTooLong

        try:
            result = self.engine.ask(question, top=self.top, conversation=self.conversation,
                                     explain=True)
        except QuestionTooLong as error:
            self.post_message(AnswerFailed(exchange, f"Not asked: {error}.", refused=True))
            return
        except Exception as error:  # the chat stays up; the card says what went wrong
            self.post_message(AnswerFailed(exchange, f"{type(error).__name__}: {error}"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(AnswerReady(exchange, result))

    def _card(self, exchange: int) -> AnswerCard | None:
        cards = self.query(f"#exchange-{exchange}")
        return cards.first(AnswerCard) if cards else None

    async def on_answer_ready(self, message: AnswerReady) -> None:
        if message.exchange >= len(self.exchanges):  # asked before the transcript was cleared
            return
        if message.result.notice:
            title = "Shards" if message.result.shards_not_answering else "Read again"
            self.notify(visible(message.result.notice), title=title, severity="warning", markup=False)
        question, _ = self.exchanges[message.exchange]
        self.exchanges[message.exchange] = (question, message.result)
        card = self._card(message.exchange)
        if card is not None:
            await card.show(message.result)
        if self.recorder is not None and self.engine is not None:
            self.recorder.record(self.engine, message.result, one_conversation=True)

    async def on_answer_failed(self, message: AnswerFailed) -> None:
        card = self._card(message.exchange)
        if message.refused:
            if card is not None:
                await card.show_problem(message.error)
            return
        if card is not None:
            await card.show_problem(f"Something went wrong answering this: {message.error}")
        self.notify("Something went wrong answering that question.", severity="error", markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "ask" and event.state in (WorkerState.CANCELLED, WorkerState.ERROR,
                                                            WorkerState.SUCCESS):
            self._answering = None
            self._use_fresh_index()
            self._answer_next()

    # -- remembering -----------------------------------------------------------------------------
    async def _remember_earlier_chats(self) -> None:
        """↑ reaches the questions of earlier chats; a conversation carried on is shown."""
        if self.recorder is None:
            return
        self.recorder.warn = self._log_warning
        box = self.query_one(QuestionInput)
        box.history = self.recorder.recent_questions(HISTORY_FROM_LOG)
        transcript = self.query_one(Transcript)
        for result in self.recorder.history() or ():
            exchange = len(self.exchanges)
            self.exchanges.append((result.question, result))
            card = AnswerCard(exchange, result.question)
            await transcript.add(card)
            await card.show(result)
        if self.exchanges:
            count = len(self.exchanges)
            self.notify(f"Carrying on conversation {self.recorder.conversation.id}: "
                        f"{count} earlier {'question' if count == 1 else 'questions'}.",
                        title="Conversation", markup=False)

    def _log_warning(self, message: str) -> None:
        self.notify(message, title="Log", severity="warning", markup=False)

    def on_unmount(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    # -- the welcome ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="examples", name="find examples")
    def find_examples(self) -> None:
        """Questions the corpus answers, off the UI thread: each is asked of it first."""
        from verbatim.retrieval.conversation.examples import example_questions

        try:
            found = example_questions(self.engine)
        except Exception as error:  # the welcome still greets, and says why it has no examples
            self.call_from_thread(self.notify, f"No example questions: {type(error).__name__}: "
                                  f"{visible(str(error))}", title="Welcome", severity="warning", markup=False)
            found = []
        self.post_message(ExamplesFound(found))

    def on_examples_found(self, message: ExamplesFound) -> None:
        self.examples = message.questions
        for welcome in self.query(Welcome):
            welcome.examples = message.questions
            self.query_one(QuestionInput).examples = message.questions

    async def _show_welcome(self) -> None:
        """Greet the reader on an empty transcript: the corpus, and questions to try."""
        transcript = self.query_one(Transcript)
        if self.engine is None or self.exchanges or transcript.query(Welcome):
            return
        welcome = Welcome(self.engine.info, id="welcome")
        await transcript.mount(welcome, before=transcript.query_one(".end"))
        welcome.examples = self.examples
        self.query_one(QuestionInput).examples = self.examples

    async def _hide_welcome(self) -> None:
        self.query_one(QuestionInput).examples = []
        await self.query(Welcome).remove()

    async def on_example_question_chosen(self, message: ExampleQuestion.Chosen) -> None:
        self.query_one(QuestionInput).remember(message.question)
        await self._ask(message.question)

    # -- reading articles ------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="article", name="read article")
    def _open_article(self, article_id: str, cited: tuple[int, int] | None = None, find: str = "") -> None:
        """Read the article again from its file, off the UI thread: a long one takes a while;
        ``find`` is text to open it at (the article list's filter)."""
        from verbatim.corpus.budget import OverBudget

        why = ""
        try:
            article = self.engine.article(article_id) if self.engine is not None else None
        except OverBudget as error:  # a file that is too slow or too large to read: say so, stay up
            article, why = None, str(error)
        except Exception:  # the file changed into something unreadable: say so, stay up
            article = None
        if not get_current_worker().is_cancelled:
            self.post_message(ArticleRead(article_id, article, cited, find, why))

    def on_article_read(self, message: ArticleRead) -> None:
        if message.article is None:
            text = (f"{visible(message.article_id)} is not shown: {message.why}." if message.why else
                    "That article's file can no longer be read.")
            self.notify(text, severity="error", markup=False)
            return
        self.push_screen(ArticleScreen(message.article, message.cited, find=message.find))

    def on_passage_row_selected(self, message: PassageRow.Selected) -> None:
        passage = message.passage
        self._open_article(passage.article.id, (passage.start, passage.end))

    def action_articles(self) -> None:
        if self.engine is None:
            self.notify("Still reading the articles.", markup=False)
            return

        listing = ArticleListScreen(self.engine.articles, self._article_texts)

        def open_article(article: ArticleInfo | None) -> None:
            if article is not None:  # at the text the list was filtered by, when the article has it
                self._open_article(article.id, find=listing.needle)

        self.push_screen(listing, open_article)

    def _article_texts(self) -> list[str]:
        """Every article's sentences as one text, in the order of the article list."""
        engine = self.engine
        return [" ".join(unit.text for unit in engine.units_of(a)) for a in range(len(engine.articles))]

    # -- actions -----------------------------------------------------------------------------
    def _chosen_passage(self) -> Passage | None:
        focused = self.focused
        if isinstance(focused, PassageRow):
            return focused.passage
        for _, result in reversed(self.exchanges):
            if result is not None and result.answered:
                return result.answers[0]
        return None

    def _chosen_card(self) -> AnswerCard | None:
        focused = self.focused
        if isinstance(focused, PassageRow):
            return next((a for a in focused.ancestors if isinstance(a, AnswerCard)), None)
        cards = [c for c in self.query(AnswerCard) if c.result is not None]
        return cards[-1] if cards else None

    def on_passage_row_explain_requested(self, message: PassageRow.ExplainRequested) -> None:
        """Why this sentence: the one under the cursor, not the card's top answer."""
        from verbatim.tui.output import render_explanation

        card = next((a for a in message.row.ancestors if isinstance(a, AnswerCard)), None)
        result = card.result if card is not None else None
        if result is None:
            return
        listed = [*result.answers, *result.closest]
        position = next((i for i, p in enumerate(listed) if p == message.row.passage), None)
        if position is None or position >= len(result.explanations):
            self.action_explain()  # a result without per-sentence reasons: the card's
            return
        self.push_screen(ExplainScreen(card.question, render_explanation(result.explanations[position]),
                                       message.row.passage))

    def action_explain(self) -> None:
        from verbatim.tui.output import render_explanation

        card = self._chosen_card()
        if card is None or card.result is None or card.result.explanation is None:
            self.notify("Ask a question first.", markup=False)
            return
        result = card.result
        self.push_screen(ExplainScreen(card.question, render_explanation(result.explanation),
                                       result.answers[0] if result.answered else None))

    def action_copy_answer(self) -> None:
        passage = self._chosen_passage()
        if passage is None:
            self.notify("There is no answer to copy yet.", markup=False)
            return
        if self.engine is not None and self.engine.outdated([passage]):
            self.notify("That sentence is no longer in its file, which has changed: ask again.",
                        severity="warning", markup=False)
            return
        self.copy_to_clipboard(quote_with_citation(passage))
        self.notify("Copied the answer and its citation.", markup=False)

    def action_edit(self) -> None:
        """Open the chosen or latest answer's file at its line in the reader's editor, the
        chat suspended meanwhile."""
        import subprocess

        from textual.app import SuspendNotSupported

        from verbatim.tui.editor import NoEditor, open_command

        passage = self._chosen_passage()
        if passage is None:
            self.notify("There is no answer to open yet.", markup=False)
            return
        if self._view(passage):
            return
        try:
            command = open_command(passage.article.path, passage.line)
        except NoEditor as error:
            self.notify(f"Cannot open the file: {error}.", severity="warning", markup=False)
            return
        failed: OSError | None = None
        try:
            with self.suspend():
                try:  # caught inside: the chat must take the terminal back either way
                    done = subprocess.run(command, check=False)
                except OSError as error:
                    failed = error
        except SuspendNotSupported:
            self.notify("This terminal cannot hand itself over to an editor.", severity="warning", markup=False)
            return
        if failed is not None:
            self.notify(f"Cannot run {visible(command[0])}: {visible(failed.strerror or str(failed))}.",
                        severity="error", markup=False)
            return
        if done.returncode:
            self.notify(f"{visible(command[0])} ended with exit code {done.returncode}.",
                        severity="warning", markup=False)

    def _view(self, passage: Passage) -> bool:
        """Open a PDF (at the passage's page), EPUB, Word or OpenDocument file in a viewer,
        beside the chat: an editor would show its bytes. False for a file read as text."""
        import subprocess

        from verbatim.corpus.formats import packed_format
        from verbatim.tui.viewer import VIEWED_FORMATS, NoViewer, viewer_command

        if packed_format(passage.article.path) not in VIEWED_FORMATS:
            return False
        try:
            command = viewer_command(passage.article.path, passage.page, self.viewer)
        except NoViewer as error:
            self.notify(f"Cannot open the file: {error}.", severity="warning", markup=False)
            return True
        try:
            subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as error:
            self.notify(f"Cannot run {visible(command[0])}: {visible(error.strerror or str(error))}.",
                        severity="error", markup=False)
            return True
        at = f" at page {passage.page}" if passage.page else ""
        self.notify(f"Opened {visible(passage.article.id)}{at} with {visible(command[0])}.", markup=False)
        return True

    def action_export(self) -> None:
        if not self.exchanges or self.engine is None:
            self.notify("There is nothing to export yet.", markup=False)
            return
        now = datetime.now()
        shown = [p for _, result in self.exchanges if result is not None
                 for p in [*result.answers, *result.closest]]
        text = conversation_markdown(self.engine.info, self.exchanges, now, self.engine.outdated(shown))
        stem = f"verbatim-conversation-{now:%Y%m%d-%H%M%S}"
        problems = []
        for directory in (self.export_dir or Path.cwd(), Path.home()):
            try:
                path = write_new_file(directory, stem, text)
            except OSError as error:
                problems.append(f"no space left on the disk of {directory}" if error.errno == errno.ENOSPC
                                else f"{directory}: {error.strerror or error}")
                continue
            self.notify(f"Saved the conversation to {visible(str(path))}", title="Exported", markup=False)
            return
        self.notify(f"Could not export the conversation ({visible('; '.join(problems))}); nothing was saved.",
                    severity="error", markup=False)

    def action_clear(self) -> None:
        """Clear the transcript, once the reader says yes: it cannot be brought back."""
        if not self.exchanges:
            self.notify("There is nothing to clear.", markup=False)
            return
        count = len(self.exchanges)
        detail = (f"{count} {'question and its answer' if count == 1 else 'questions and their answers'} "
                  "leave the screen, and follow-up questions start afresh.")
        if self.recorder is not None and self.recorder.log_on:
            detail += " The log keeps them (verbatim logs)."

        async def answered(yes: bool | None) -> None:
            if yes:
                await self._clear()

        self.push_screen(ConfirmScreen("Clear the conversation?", detail, "clear it"), answered)

    async def _clear(self) -> None:
        self._pending.clear()
        self.workers.cancel_group(self, "ask")
        await self.query_one(Transcript).query(AnswerCard).remove()
        self.exchanges.clear()
        if self.conversation is not None:
            self.conversation.clear()
        if self.recorder is not None:
            self.recorder.start_afresh()
        self.query_one(QuestionInput).focus()
        await self._show_welcome()

    def on_key(self, event: events.Key) -> None:
        """A letter typed on an answer or a fold that no key of theirs takes goes to the
        question box, where it was meant to go, rather than vanishing."""
        focused = self.focused
        if (isinstance(focused, PassageRow | FoldTitle) and event.is_printable and event.character
                and event.key not in self.active_bindings):
            event.stop()
            box = self.query_one(QuestionInput)
            box.focus()
            box.insert_text_at_cursor(event.character)

    def action_latest_answer(self) -> None:
        """Focus the latest answer's first sentence; with none yet, Tab moves on as usual."""
        row = self.query_one(Transcript).latest_row()
        if row is None:
            self.screen.focus_next()
            return
        row.focus()  # focusing scrolls it into view

    def action_scroll_transcript(self, direction: int) -> None:
        transcript = self.query_one(Transcript)
        if direction < 0:
            transcript.scroll_page_up()
        else:
            transcript.scroll_page_down()

    def key_table(self) -> list[tuple[str, str, str]]:
        """(where, keys, what) for every key of the chat, for the help screen: read from the
        bindings themselves, one section per place, keys that do the same thing on one row."""
        rows: list[tuple[str, str, str]] = []
        palette = Binding(self.COMMAND_PALETTE_BINDING, "command_palette", "Command palette",
                          tooltip="Command palette: every action by name")
        sources = [
            ("Anywhere", [*self.BINDINGS, palette, *Screen.BINDINGS]),
            ("Question box", QuestionInput.BINDINGS),
            ("An answer (Tab reaches the latest)", PassageRow.BINDINGS),
            ("A folded line (▶ 2 more sources)", FoldTitle.BINDINGS),
            ("Article list (Ctrl+O)", ArticleListScreen.BINDINGS),
            ("Reading an article", ArticleScreen.BINDINGS),
        ]
        for place, bindings in sources:
            merged: dict[str, tuple[list[str], str]] = {}  # action -> (keys, what)
            for binding in bindings:
                if not isinstance(binding, Binding) or binding.system:
                    continue
                what = FOREIGN_KEYS.get(binding.action) or binding.tooltip or binding.description
                if not what:
                    continue
                keys, _ = merged.setdefault(binding.action, ([], what))
                keys.extend(self._key_names(binding))
            rows.extend((place, " or ".join(dict.fromkeys(keys)), what) for keys, what in merged.values())
            if place == "Question box":
                rows.append((place, "1 2 3", "On the welcome, in the empty box: ask that example"))
        return rows

    def _key_names(self, binding: Binding) -> list[str]:
        remapped = self._keymap.get(binding.id or "")
        if remapped is None and binding.key_display:
            return [binding.key_display]
        keys = remapped or binding.key
        return [self.get_key_display(Binding(key.strip(), binding.action)) for key in keys.split(",")]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_table()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Articles", "List every article of the corpus", self.action_articles)
        yield SystemCommand("Copy answer", "Copy the chosen answer with its citation", self.action_copy_answer)
        yield SystemCommand("Open in editor", "Open the chosen answer's file at its line in $EDITOR",
                            self.action_edit)
        yield SystemCommand("Export conversation", "Save the conversation as Markdown", self.action_export)
        yield SystemCommand("Clear transcript", "Remove every question and answer", self.action_clear)
        yield SystemCommand("Help", "Every key of the chat", self.action_help)
        yield SystemCommand("Why this answer", "Why the chosen or latest answer won", self.action_explain)


def binding_ids() -> dict[str, Binding]:
    """Every key of the chat that a keymap can move, by its binding id."""
    keyed = (VerbatimApp, QuestionInput, PassageRow, FoldTitle, ArticleListScreen, ArticleScreen, HelpScreen,
             ExplainScreen, ConfirmScreen)
    return {binding.id: binding for owner in keyed for binding in owner.BINDINGS
            if isinstance(binding, Binding) and binding.id}


def check_settings(theme: str | None, keymap: Mapping[str, str]) -> None:
    """Raises SettingError for a theme or a binding id the chat does not have."""
    if theme is not None and theme not in BUILTIN_THEMES:  # the chat registers no themes of its own
        raise SettingError(f"theme {theme!r} is not a theme of the chat; the themes are: "
                           f"{', '.join(BUILTIN_THEMES)}")
    known = binding_ids()
    unknown = [binding for binding in keymap if binding not in known]
    if unknown:
        raise SettingError(f"keymap.{unknown[0]} is not a key of the chat; the binding ids are: {', '.join(known)}")


def make_app(settings: Settings | None = None, **kwargs) -> VerbatimApp:
    """The app factory: what `verbatim` runs and what the tests drive."""
    return VerbatimApp(settings, **kwargs)


def run_chat(settings: Settings | None = None, top: int = 3, recorder: Recorder | None = None,
             theme: str | None = None, keymap: Mapping[str, str] | None = None, viewer: str | None = None) -> int:
    """Run the chat in this terminal; the exit code of the command. Raises SettingError."""
    app = make_app(settings, top=top, recorder=recorder, theme=theme, keymap=keymap, viewer=viewer)
    app.run()
    return app.return_code or 0
