"""The verbatim command: answers on stdout for --ask and piped questions, else the chat."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator
from enum import IntEnum
from typing import TYPE_CHECKING, NoReturn, TextIO

if TYPE_CHECKING:
    from retrieval.engine import Engine
    from retrieval.models import Result

PROG = "verbatim"
MAX_TOP = 20


class ExitCode(IntEnum):
    """The command's exit codes: part of its interface, documented in --help and the README."""

    ANSWERED = 0  # answered, or every piped question handled
    NO_ANSWER = 1  # the corpus does not answer the question (like grep finding nothing)
    USAGE = 2  # bad arguments, an empty or undecodable question, or a corpus that cannot be used
    INTERNAL = 70  # a bug in Verbatim: please report it
    INTERRUPTED = 130  # Ctrl-C
    BROKEN_PIPE = 141  # the reader of the output went away (e.g. `| head -1`)


EPILOG = """\
exit codes:
  0    answered (with --ask -: every question was handled)
  1    the corpus does not answer the question
  2    usage error, empty question or one that is not UTF-8 text, or a corpus
       that cannot be used
  70   internal error (a bug; please report it)
  130  interrupted (Ctrl-C)
  141  output closed early (broken pipe)

examples:
  verbatim --ask "How old is Liang Wenfeng?"
  verbatim --ask "Who edited the article?" --json
  printf 'Who is CATL?\\nWhen was R1 launched?\\n' | verbatim --ask -
  printf 'Who is Christopher Beddor?\\nWhat did he say?\\n' | verbatim --ask - --conversation
  verbatim --ask "How old is Liang Wenfeng?" --explain
  verbatim --corpus ~/notes --ask "What did the report recommend?"
  verbatim --corpus ~/archive --index
  verbatim --corpus ~/archive --index --reindex
  verbatim --corpus ~/notes --follow-links --ask "Where is the spare key?"

Symbolic links leading outside the corpus folder are skipped with a warning unless
--follow-links is given. Every quoted sentence is checked against its file first; a
file that changed is read again and the question answered anew, with a note on stderr.
"""


class UsageError(Exception):
    """Bad input from the user: one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage plus error
        raise UsageError(f"{message} (see {PROG} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Answer questions about a set of articles by quoting the sentence that answers, "
            "word for word, with the article it comes from. Offline. Without --ask, opens "
            "a chat in the terminal, or answers the questions piped on stdin."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--ask", metavar="QUESTION",
                        help='the question to answer; "-" reads one question per line from stdin')
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per question instead of text")
    parser.add_argument("--corpus", metavar="PATH",
                        help="a folder (searched recursively for .txt and .md) or a single file "
                        "to read instead of the bundled DeepSeek articles")
    parser.add_argument("--top", metavar="N", type=int, default=3,
                        help="how many sentences to list: the answer and supporting ones (default 3)")
    parser.add_argument("--conversation", action="store_true",
                        help="with questions on stdin: read them as the turns of one conversation, "
                        'so "How old is he?" leans on the question before it')
    parser.add_argument("--explain", action="store_true",
                        help="show why the top sentence won: matched words, answer type, scores")
    parser.add_argument("--include", "-g", metavar="GLOB", action="append", default=[],
                        help="read only files matching GLOB (repeatable; '!GLOB' leaves files out, as rg -g)")
    parser.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                        help="leave out files and folders matching GLOB (repeatable; gitignore syntax, "
                        "like the corpus's own .verbatimignore)")
    parser.add_argument("--index", action="store_true",
                        help="build or refresh the saved index of the corpus and say what was done")
    parser.add_argument("--shards", metavar="N", type=int,
                        help="with --index: split the index into N shards (files assigned by their path); "
                        "questions then use the sharded index (see the README)")
    parser.add_argument("--ray", metavar="ADDRESS",
                        help='build and serve the shards on the Ray cluster at ADDRESS ("auto": the one '
                        'running here, "local": start one for this run); needs pip install "verbatim[cluster]"')
    parser.add_argument("--reindex", action="store_true",
                        help="read every file of the corpus again, whatever the saved index says "
                        "(with --index, or before answering)")
    parser.add_argument("--follow-links", action="store_true",
                        help="also read symbolic links that lead outside the corpus folder (like "
                        "rg -L); by default they are skipped with a warning. No folder is read twice")
    parser.add_argument("--index-dir", metavar="DIR",
                        help="where saved indexes live (default: $XDG_CACHE_HOME/verbatim, "
                        "else ~/.cache/verbatim)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("verbatim")
    except PackageNotFoundError:
        return "unknown (not installed)"


NOT_TEXT = "the question is not UTF-8 text"


def _questions(lines: Iterable[bytes]) -> Iterator[tuple[int, str, bool]]:
    """(line number, question, whether it is text) of every line that holds one; a line
    that is not UTF-8 comes with its bytes shown as escapes."""
    for number, raw in enumerate(lines, start=1):
        try:
            question, text = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip(), True
        except UnicodeDecodeError:
            question, text = raw.decode("utf-8", "backslashreplace").strip(), False
        if question:
            yield number, question, text


def _utf8(stream: TextIO) -> bool:
    """Whether ``stream`` can show any character (else output is kept to ASCII)."""
    import codecs

    try:
        return codecs.lookup(stream.encoding or "ascii").name.startswith("utf")
    except LookupError:
        return False


def _styled(stream: TextIO) -> bool:
    """ANSI styles only on a terminal that shows them, and not when NO_COLOR asks."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _print(text: str, stream: TextIO) -> None:
    stream.write(text + "\n")
    stream.flush()


def _emit(result: Result, *, as_json: bool, styled: bool, header: bool) -> None:
    if result.notice:
        from tui.text import visible

        _print(f"{PROG}: note: {visible(result.notice)}", sys.stderr)
    if as_json:
        import json

        from tui.text import json_safe

        exclude = None if result.explanation is not None else {"explanation"}
        # As pydantic would write it, but a name that is not UTF-8 survives as \udcxx, and
        # a stdout that is not UTF-8 gets every other character as an escape too.
        line = json.dumps(result.model_dump(mode="json", exclude=exclude), separators=(",", ":"),
                          ensure_ascii=not _utf8(sys.stdout))
        _print(json_safe(line), sys.stdout)
        return
    from tui.output import ANSI, PLAIN, render, render_explanation

    style = ANSI if styled else PLAIN
    text = render(result, style, header=header)
    if result.explanation is not None:
        text += "\n" + render_explanation(result.explanation, style)
    _print(text, sys.stdout)


def _load(args: argparse.Namespace) -> Engine:
    from corpus import CorpusError
    from retrieval.engine import Engine
    from tui.output import ProgressLine
    from tui.text import visible

    bar = ProgressLine(sys.stderr) if _styled(sys.stderr) else None
    try:
        engine = Engine.load(args.corpus, index_dir=args.index_dir, progress=bar, include=args.include,
                             exclude=args.exclude, follow_links=args.follow_links, reindex=args.reindex,
                             waiting=lambda message: _print(f"{PROG}: note: {message}", sys.stderr),
                             shards=args.shards, ray=args.ray)
    except CorpusError as error:
        raise UsageError(str(error)) from None
    finally:
        if bar is not None:
            bar.close()
    for notice in engine.notices:
        _print(f"{PROG}: note: {visible(notice)}", sys.stderr)
    for warning in engine.warnings:
        _print(f"{PROG}: warning: {visible(warning)}", sys.stderr)
    count = len(engine.index.data.skipped)
    if engine.warnings and count:  # links and folders left out are counted by their warnings
        _print(f"{PROG}: {count} {'file' if count == 1 else 'files'} skipped, "
               f"{len(engine.articles)} read", sys.stderr)
    return engine


def _index(args: argparse.Namespace) -> ExitCode:
    """--index: build or refresh the saved index, and say what was done."""
    from retrieval.index import store
    from tui.text import visible

    engine = _load(args)
    opened = engine.opened
    report = opened.report
    name = visible(engine.index.name)
    where = f"at {visible(str(opened.folder))}" if opened.folder else "(not saved)"
    generation = getattr(engine.index, "generation", None)  # a sharded index
    if generation is not None:
        from retrieval.shards.layout import disk_size

        size, where = disk_size(generation), f"in {generation.count} shards {where}"
    else:
        size = store.disk_size(store.current_version(opened.folder)) if opened.folder else 0
    if report is None:
        _print(f"Index of {name} is up to date: {len(engine.articles):,} articles, "
               f"{len(engine.index):,} sentences, {size / 1e6:,.1f} MB {where} (files checked by size and time; "
               f"--reindex reads every file again)", sys.stdout)
        return ExitCode.ANSWERED
    _print(
        f"Indexed {name}: {report.files:,} files ({report.read:,} read, {report.reused:,} "
        f"unchanged, {report.removed:,} removed, {report.skipped:,} skipped), {report.sentences:,} "
        f"sentences in {report.seconds:.1f} s; {size / 1e6:,.1f} MB {where}",
        sys.stdout,
    )
    if report.other_types:
        counted = ", ".join(f"{n:,} {kind}" for kind, n in
                            sorted(report.other_types.items(), key=lambda item: (-item[1], item[0])))
        _print(f"Not read, by type: {counted}", sys.stdout)
    return ExitCode.ANSWERED


def run(argv: list[str] | None = None) -> ExitCode:
    args = build_parser().parse_args(argv)
    if args.version:
        _print(f"{PROG} {_version()}", sys.stdout)
        return ExitCode.ANSWERED
    if not 1 <= args.top <= MAX_TOP:
        raise UsageError(f"--top must be between 1 and {MAX_TOP}")
    if args.ask is not None and args.ask != "-" and not args.ask.strip():
        raise UsageError("the question is empty")
    if args.ask is not None and _not_text(args.ask):
        raise UsageError(NOT_TEXT)
    if args.corpus is not None and not args.corpus.strip():
        raise UsageError("--corpus needs a path")
    if args.shards is not None and not args.index:
        raise UsageError("--shards is given with --index; questions use the sharded index it builds")
    if args.index:
        if args.ask is not None:
            raise UsageError("--index builds the index; ask questions in a separate run")
        return _index(args)
    batch = args.ask == "-" or (args.ask is None and not sys.stdin.isatty())
    if args.ask is None and not batch:
        return _chat(args)
    from retrieval.reader.question import QuestionTooLong, check_length

    styled = _styled(sys.stdout)
    if not batch:
        try:
            check_length(args.ask)  # before the corpus is read: bad input fails fast
        except QuestionTooLong as error:
            raise UsageError(str(error)) from None
        engine = _load(args)
        result = engine.ask(args.ask, top=args.top, explain=args.explain)
        _emit(result, as_json=args.json, styled=styled, header=False)
        return ExitCode.ANSWERED if result.answered else ExitCode.NO_ANSWER
    engine = _load(args)
    conversation = engine.conversation() if args.conversation else None
    first = True
    for number, question, is_text in _questions(sys.stdin.buffer):
        if not args.json and not first:
            _print("", sys.stdout)
        try:
            if is_text:
                result = engine.ask(question, top=args.top, conversation=conversation, explain=args.explain)
            else:
                result = _refused(number, question, NOT_TEXT)
        except QuestionTooLong as error:  # one bad line does not stop the batch
            result = _refused(number, question, str(error))
        _emit(result, as_json=args.json, styled=styled, header=True)
        first = False
    return ExitCode.ANSWERED


def _refused(number: int, question: str, reason: str) -> Result:
    """A line of --ask - that is not asked: one line on stderr, and a result that says why."""
    from retrieval.models import Result

    _print(f"{PROG}: line {number}: {reason}; not answered", sys.stderr)
    return Result(question=question, answered=False, reason=reason)


def _chat(args: argparse.Namespace) -> ExitCode:
    if not sys.stdout.isatty():
        raise UsageError("the chat needs a terminal; use --ask to answer without one")
    from tui.app import run_chat  # Textual is imported only for the chat

    return ExitCode(run_chat(corpus=args.corpus, top=args.top, index_dir=args.index_dir,
                             include=args.include, exclude=args.exclude,
                             follow_links=args.follow_links, reindex=args.reindex))


def _not_text(text: str) -> bool:
    """True for an argument holding bytes that are not UTF-8 (kept as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``verbatim`` console script."""
    for stream in (sys.stdout, sys.stderr):  # a character the terminal cannot show is escaped
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return int(run(argv))
    except UsageError as error:
        _print(f"{PROG}: error: {error}", sys.stderr)
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        _print(f"{PROG}: interrupted", sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # Nothing more can be written; keep Python from complaining on exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitCode.BROKEN_PIPE)
    except Exception as error:  # never a traceback: one line, and a code that says "bug"
        from tui.text import visible

        _print(f"{PROG}: internal error: {type(error).__name__}: {visible(str(error))}", sys.stderr)
        return int(ExitCode.INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
