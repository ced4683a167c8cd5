"""`verbatim logs`, and the one-shot command's logging: every question and answer, by conversation."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from verbatim.retrieval.conversation.log import Log, LogDamaged, LogError, log_path

if TYPE_CHECKING:
    from verbatim.retrieval.conversation.log import ConversationRecord
    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.models import Result

DEFAULT_COUNT = 10  # questions `verbatim logs` shows unless told


def corpus_key(corpus: str | None) -> str:
    """How the log names a corpus: its absolute path, '' for the bundled articles."""
    return "" if corpus is None else str(Path(corpus).expanduser().resolve())


class Recorder:
    """Logs the questions of one run, and finds the conversation a run carries on. A log
    that cannot be written costs one note on stderr, never an answer."""

    def __init__(self, corpus: str | None, log_on: bool, carried: ConversationRecord | None,
                 turns: list[Result] | None):
        self.corpus = corpus_key(corpus)
        self.log_on = log_on
        self.conversation = carried
        self.turns = turns
        self._log: Log | None = None
        self.warn = _warn  # says once that logging stopped; the chat shows it on screen instead

    @classmethod
    def open(cls, args: argparse.Namespace) -> Recorder:
        """For --continue or --cid, the conversation to carry on (and its corpus, when
        --corpus did not name one); raises UsageError when there is none."""
        from verbatim.tui.cli import UsageError

        if not (args.resume_last or args.cid):
            return cls(args.corpus, args.log, None, None)
        try:
            with Log(create=False) as log:
                if args.cid:
                    carried = log.conversation(args.cid)
                    if args.corpus is None:
                        args.corpus = carried.corpus or None
                    elif corpus_key(args.corpus) != carried.corpus:
                        raise UsageError(f"conversation {carried.id} was over "
                                         f"{carried.corpus or 'the bundled articles'}, not {args.corpus}")
                else:
                    found = log.latest(corpus_key(args.corpus))
                    if found is None:
                        over = args.corpus or "the bundled articles"
                        raise UsageError(f"no logged conversation over {over} to continue")
                    carried = found
                turns = log.results(carried)
        except LogError as error:
            raise UsageError(str(error)) from None
        return cls(args.corpus, args.log, carried, turns)

    def history(self) -> list[Result] | None:
        """The earlier turns of the conversation carried on, or None when starting afresh."""
        return self.turns

    def record(self, engine: Engine, result: Result, one_conversation: bool) -> None:
        """Log ``result``: in the conversation carried on or begun by this run when the run is
        one conversation, else as a conversation of its own."""
        if not self.log_on:
            return
        try:
            if self._log is None:
                self._log = Log()
                if self._log.notice:
                    from verbatim.tui.text import visible

                    self.warn(visible(self._log.notice))
            if self.conversation is None or not one_conversation:
                self.conversation = self._log.start(self.corpus, engine.index.name)
            self._log.record(self.conversation, result)
        except LogError as error:
            from verbatim.tui.text import visible

            self.warn(f"this question was not logged ({visible(str(error))}); --no-log turns logging off")
            self.log_on = False

    def start_afresh(self) -> None:
        """The next question begins a new conversation (the chat was cleared)."""
        self.conversation = None
        self.turns = None

    def recent_questions(self, limit: int) -> list[str]:
        """The questions last asked of this corpus, oldest first, for ↑ in the chat; none
        when logging is off or the log cannot be read."""
        if not self.log_on or not log_path().exists():
            return []
        try:
            with Log(create=False) as log:
                return log.questions(self.corpus, limit)
        except LogDamaged as error:  # moved aside: said once, the next question starts a new log
            from verbatim.tui.text import visible

            self.warn(visible(str(error)))
            return []
        except LogError:
            return []

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def _warn(message: str) -> None:
    from verbatim.tui.cli import PROG, _print

    _print(f"{PROG}: note: {message}", sys.stderr)


def _parser() -> argparse.ArgumentParser:
    from verbatim.tui.cli import FORMATS, _Parser

    parser = _Parser(
        prog="verbatim logs",
        description="Show the questions asked and the answers given, with their citations, "
        f"oldest first. The log is kept in {log_path()}.",
    )
    parser.add_argument("-q", "--query", metavar="TEXT",
                        help="only questions whose question or answer holds TEXT (any case)")
    parser.add_argument("-n", "--count", metavar="N", type=int, default=DEFAULT_COUNT,
                        help=f"how many of the latest questions to show (default {DEFAULT_COUNT}; 0 for all)")
    parser.add_argument("--cid", metavar="ID", help="only the conversation with this id (or the start of it)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="text (default), markdown or json")
    parser.add_argument("--json", action="store_true", help="the same as --format json")
    parser.add_argument("--path", action="store_true", help="print where the log is kept and exit")
    return parser


def _heading(conversation: ConversationRecord, fmt: str) -> str:
    from verbatim.tui.export import _md
    from verbatim.tui.text import visible

    when = datetime.fromtimestamp(conversation.started).strftime("%Y-%m-%d %H:%M")
    text = (f"conversation {conversation.id} · {when} · {conversation.name} "
            f"({conversation.corpus or 'the bundled articles'})")
    return f"# {_md(text) if fmt == 'markdown' else visible(text)}"


def command(argv: list[str]) -> int:
    """`verbatim logs`: list and search the log."""
    from verbatim.tui.cli import NO_LOG_ENV, ExitCode, UsageError, _print
    from verbatim.tui.output import Output
    from verbatim.tui.text import json_safe

    args = _parser().parse_args(argv)
    if args.path:
        _print(str(log_path()), sys.stdout)
        return ExitCode.ANSWERED
    if args.count < 0:
        raise UsageError("-n must be 0 (all) or more")
    fmt = "json" if args.json else args.format
    if not log_path().exists():
        if os.environ.get(NO_LOG_ENV, "") not in ("", "0"):
            raise UsageError(f"nothing is logged: {NO_LOG_ENV} is set (the log would be {log_path()})")
        _print(f"No questions logged yet (the log will be {log_path()}).", sys.stderr)
        return ExitCode.ANSWERED
    output = Output.to(sys.stdout, fmt)
    shown = None
    try:
        with Log(create=False) as log:
            found = list(log.exchanges(query=args.query, cid=args.cid, limit=args.count or None))
    except LogError as error:
        raise UsageError(str(error)) from None
    if not found:
        _print("No logged question matches." if args.query or args.cid else "No questions logged yet.",
               sys.stderr)
        return ExitCode.NO_ANSWER
    for exchange in found:
        if fmt == "json":
            record = {"conversation": exchange.conversation.id, "corpus": exchange.conversation.corpus,
                      "asked": datetime.fromtimestamp(exchange.asked).isoformat(timespec="seconds"),
                      "result": exchange.result.model_dump(mode="json", exclude={"explanation"})}
            _print(json_safe(json.dumps(record, ensure_ascii=False)), sys.stdout)
            continue
        if exchange.conversation.id != shown:
            if shown is not None:
                _print("", sys.stdout)
            _print(_heading(exchange.conversation, fmt), sys.stdout)
            shown = exchange.conversation.id
        _print("", sys.stdout)
        _print(output.result(exchange.result, header=True), sys.stdout)
    return ExitCode.ANSWERED
