"""The verbatim command: answers on stdout for --ask and piped questions, else the chat; and the
commands that manage what Verbatim keeps (logs, indexes, completion)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable, Iterator
from enum import IntEnum
from typing import TYPE_CHECKING, NoReturn, TextIO

if TYPE_CHECKING:
    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.models import Result
    from verbatim.retrieval.settings import Settings
    from verbatim.tui.config import Config
    from verbatim.tui.output import Output

PROG = "verbatim"
MAX_TOP = 20
DEFAULT_TOP = 3
FORMATS = ("text", "markdown", "json")
NO_LOG_ENV = "VERBATIM_NO_LOG"  # set to anything but "" or "0": nothing is logged
# The commands that manage what Verbatim keeps: `verbatim NAME ...`, each in its module.
COMMANDS = {"logs": "verbatim.tui.logs", "indexes": "verbatim.tui.indexes", "completion": "verbatim.tui.completion"}


class ExitCode(IntEnum):
    """The command's exit codes: part of its interface, documented in --help and the README."""

    ANSWERED = 0  # answered, or every piped question handled
    NO_ANSWER = 1  # the corpus does not answer the question (like grep finding nothing)
    USAGE = 2  # bad arguments, an empty or undecodable question, or a corpus that cannot be used
    INCOMPLETE = 3  # shards of a sharded index did not answer: the result comes from the others
    NO_CLUSTER = 4  # the Ray cluster named by --ray cannot be reached
    INTERNAL = 70  # a bug in Verbatim: please report it
    INTERRUPTED = 130  # Ctrl-C
    BROKEN_PIPE = 141  # the reader of the output went away (e.g. `| head -1`)


EPILOG = """\
exit codes:
  0    answered (with --ask -: every question was handled)
  1    the corpus does not answer the question
  2    usage error, empty question or one that is not UTF-8 text, or a corpus
       that cannot be used
  3    shards of a sharded index did not answer (with --ask -: for some question):
       the result printed comes from the other shards only
  4    the Ray cluster named by --ray cannot be reached (no head answers at the
       address, or none runs here for --ray auto)
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
  verbatim --corpus ~/docs --exclude '_sources/' --ask "What does --dry-run do?"
  verbatim --ask "What did he say next?" --continue
  verbatim --ask "Who edited the article?" --format markdown

Symbolic links leading outside the corpus folder are skipped with a warning unless
--follow-links is given. Every quoted sentence is checked against its file first; a
file that changed is read again and the question answered anew, with a note on stderr.

commands (each has its own --help):
  verbatim logs [-q TEXT] [-n N] [--cid ID]   past questions and answers
  verbatim indexes [--prune]                  saved indexes: size, corpus, and removing stale ones
  verbatim completion bash|zsh|fish           a shell completion script

defaults for --corpus, --top, --index-dir, logging, and the chat's theme and keys
can be set in $XDG_CONFIG_HOME/verbatim/config.toml (see the README).
"""


class UsageError(Exception):
    """Bad input from the user: one line on stderr, exit code 2."""


class Failed(Exception):
    """A command that cannot be carried out: one line on stderr, and its exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage plus error
        raise UsageError(f"{message} (see {self.prog} --help)")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Fills in {formats} with the file types the corpus reader takes, read from the reader
    itself (only when help is shown), so the help cannot fall behind it."""

    def _expand_help(self, action: argparse.Action) -> str:
        text = super()._expand_help(action)
        if "{formats}" in text:
            from verbatim.corpus.formats import ROFF_SUFFIXES
            from verbatim.corpus.reader import SUFFIXES

            # Manual pages' many section suffixes (.1 ... .9, each also .gz) named once.
            names = [f".{s.lstrip('.')}" for s in SUFFIXES if s not in ROFF_SUFFIXES] + ["manual pages (.5.gz, .3, ...)"]
            text = text.replace("{formats}", ", ".join(names[:-1]) + f" and {names[-1]}")
        return text


class _Once(argparse.Action):
    """An option that may be given once: a second one is refused, not silently kept."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest) is not None:
            raise UsageError(f"{option_string} was given twice: Verbatim reads one corpus at a time")
        setattr(namespace, self.dest, values)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Answer questions about a set of articles by quoting the sentence that answers, "
            "word for word, with the article it comes from. Offline. Without --ask, opens "
            "a chat in the terminal, or answers the questions piped on stdin."
        ),
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--ask", metavar="QUESTION",
                        help='the question to answer; "-" reads one question per line from stdin')
    parser.add_argument("--format", choices=FORMATS,
                        help="how answers are printed: text (default; styled and wrapped on a "
                        "terminal), markdown (to paste into notes) or json")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per question (the same as --format json)")
    parser.add_argument("-c", "--corpus", metavar="PATH", action=_Once,
                        help="a folder (searched recursively for {formats} files) or a single "
                        "file to read instead of the bundled DeepSeek articles, or the name of "
                        "a corpus in the configuration file")
    parser.add_argument("--top", metavar="N", type=int,
                        help=f"how many sentences to list: the answer and supporting ones "
                        f"(default {DEFAULT_TOP}, at most {MAX_TOP})")
    parser.add_argument("--conversation", action="store_true",
                        help="with questions on stdin: read them as the turns of one conversation, "
                        'so "How old is he?" leans on the question before it')
    parser.add_argument("--continue", dest="resume_last", action="store_true",
                        help="carry on the latest logged conversation over this corpus "
                        "(see: verbatim logs)")
    parser.add_argument("--cid", metavar="ID",
                        help="carry on the logged conversation with this id (or the start of it)")
    parser.add_argument("--no-log", action="store_true",
                        help=f"do not log these questions and answers ({NO_LOG_ENV}=1 does the same)")
    parser.add_argument("--explain", action="store_true",
                        help="show why the top sentence won, or why nothing was given: matched "
                        "words, answer type, scores")
    parser.add_argument("--threshold", metavar="P", type=float,
                        help="answer only when the reader's probability is at least P (0 to 1; default: the "
                        "trained reader's)")
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
                        'running here, "local": start one for this run); needs pip install "verbatim-qa[cluster]"')
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


# The name the package is installed under (pyproject.toml's project.name), not its import name.
DISTRIBUTION = "verbatim-qa"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
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


def _print(text: str, stream: TextIO) -> None:
    stream.write(text + "\n")
    stream.flush()


def _emit(output: Output, result: Result, *, header: bool, explain: bool) -> None:
    """A result on stdout as the output says, after its notice (a file read again, shards that
    did not answer) on stderr, one line."""
    if result.notice:
        from verbatim.tui.text import visible

        _print(f"{PROG}: note: {visible(result.notice)}", sys.stderr)
    _print(output.result(result, header=header, explain=explain), sys.stdout)


def _engine_settings(args: argparse.Namespace) -> Settings:
    """The engine's settings from the command line, the configuration merged in (``_settings``)."""
    from verbatim.retrieval.settings import Settings

    return Settings(args.corpus, args.index_dir, tuple(args.include), tuple(args.exclude), args.follow_links,
                    args.reindex, args.shards, args.ray, args.threshold)


def _load(args: argparse.Namespace) -> Engine:
    from verbatim.corpus import CorpusError
    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.shards import ClusterUnreachable
    from verbatim.tui.output import ProgressLine
    from verbatim.tui.terminal import shows_styles, terminal_width
    from verbatim.tui.text import counted, visible

    bar = ProgressLine(sys.stderr, terminal_width(sys.stderr)) if shows_styles(sys.stderr) else None
    try:
        engine = Engine.open(_engine_settings(args), progress=bar,
                             waiting=lambda message: _print(f"{PROG}: note: {message}", sys.stderr))
    except CorpusError as error:
        raise UsageError(str(error)) from None
    except ClusterUnreachable as error:
        raise Failed(visible(str(error)), ExitCode.NO_CLUSTER) from None
    finally:
        if bar is not None:
            bar.close()
    for notice in engine.notices:
        _print(f"{PROG}: note: {visible(notice)}", sys.stderr)
    for warning in engine.warnings:
        _print(f"{PROG}: warning: {visible(warning)}", sys.stderr)
    report = engine.opened.report
    if engine.warnings and report is not None and report.skipped:  # links and folders: by their warnings
        # The counts --index prints on stdout, the skipped first: each file is counted once.
        unchanged = f", {report.reused:,} unchanged" if report.reused else ""
        _print(f"{PROG}: {counted(report.skipped, 'file')} skipped, "
               f"{report.read:,} read{unchanged}", sys.stderr)
    return engine


def _index(args: argparse.Namespace) -> ExitCode:
    """--index: build or refresh the saved index, and say what was done."""
    from verbatim.tui.text import counted, visible

    engine = _load(args)
    opened = engine.opened
    report = opened.report
    name = visible(engine.index.name)
    where = f"at {visible(str(opened.folder))}" if opened.folder else "(not saved)"
    size, layout = engine.index.saved_size(opened.folder)
    where = f"{layout} {where}" if layout else where
    if report is None:
        _print(f"Index of {name} is up to date: {counted(len(engine.articles), 'article')}, "
               f"{counted(len(engine.index), 'sentence')}, {size / 1e6:,.1f} MB {where} (files checked by size and time; "
               f"--reindex reads every file again)", sys.stdout)
        return ExitCode.ANSWERED
    _print(
        f"Indexed {name}: {counted(report.files, 'file')} ({report.read:,} read, {report.reused:,} "
        f"unchanged, {report.removed:,} removed, {report.skipped:,} skipped), "
        f"{counted(report.sentences, 'sentence')} in {report.seconds:.1f} s; {size / 1e6:,.1f} MB {where}",
        sys.stdout,
    )
    if report.other_types:
        by_type = ", ".join(f"{n:,} {kind}" for kind, n in
                            sorted(report.other_types.items(), key=lambda item: (-item[1], item[0])))
        _print(f"Not read, by type: {by_type}", sys.stdout)
    return ExitCode.ANSWERED


# Where each answering option means something; anywhere else it is refused, not ignored.
_MODES = {  # option -> (the modes it works in, what to do instead)
    "format": ({"ask", "batch"}, "the chat and --index print no answers to format"),
    "explain": ({"ask", "batch"}, "in the chat, F2 or e on an answer explains it"),
    "conversation": ({"batch"}, "it reads the questions piped on stdin as one conversation; to "
                     "follow on from an earlier question, use --continue"),
    "top": ({"ask", "batch", "chat"}, "it sets how many sentences an answer lists"),
    "resume": ({"ask", "batch", "chat"}, "a conversation is carried on by asking its next question"),
}
_WHERE = {"chat": "in the chat", "index": "with --index", "ask": "with one --ask question"}


def _mode(args: argparse.Namespace) -> str:
    if args.index:
        return "index"
    if args.ask is not None and args.ask != "-":
        return "ask"
    if args.ask == "-" or not sys.stdin.isatty():
        return "batch"
    return "chat"


def _refuse_unused(args: argparse.Namespace, mode: str, fmt: str) -> None:
    given = {
        "format": "--json" if args.json else f"--format {fmt}" if args.format else None,
        "explain": "--explain" if args.explain else None,
        "conversation": "--conversation" if args.conversation else None,
        "top": "--top" if args.top is not None else None,
        "resume": "--continue" if args.resume_last else "--cid" if args.cid else None,
    }
    for option, flag in given.items():
        modes, instead = _MODES[option]
        if flag and mode not in modes:
            raise UsageError(f"{flag} has no effect {_WHERE[mode]}: {instead}")


def _settings(args: argparse.Namespace, config: Config) -> None:
    """Fill in what the command line left out from the configuration file."""
    corpus = args.corpus if args.corpus is not None else config.corpus
    if corpus is not None and corpus in config.corpora and not os.path.exists(corpus):
        corpus = config.corpora[corpus]  # a name from the configuration, not a path here
    args.corpus = corpus
    if args.top is None and config.top is not None:
        if not 1 <= config.top <= MAX_TOP:
            raise UsageError(f"{config.path}: top must be between 1 and {MAX_TOP}")
        args.top_value = config.top
    else:
        args.top_value = DEFAULT_TOP if args.top is None else args.top
    args.index_dir = args.index_dir or config.index_dir
    if args.threshold is None and config.threshold is not None:
        if not 0.0 <= config.threshold <= 1.0:
            raise UsageError(f"{config.path}: threshold must be a probability, between 0 and 1")
        args.threshold = config.threshold
    args.theme, args.keymap, args.config_path = config.theme, config.keymap, config.path
    args.viewer = config.viewer
    off = os.environ.get(NO_LOG_ENV, "") not in ("", "0")
    args.log = config.log and not args.no_log and not off


def run(argv: list[str] | None = None) -> ExitCode:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        return importlib.import_module(COMMANDS[argv[0]]).command(argv[1:])
    args = build_parser().parse_args(argv)
    if args.version:
        _print(f"{PROG} {_version()}", sys.stdout)
        return ExitCode.ANSWERED
    if args.json and args.format not in (None, "json"):
        raise UsageError(f"--json and --format {args.format} ask for two formats; give one")
    fmt = "json" if args.json else args.format or "text"
    if args.top is not None and not 1 <= args.top <= MAX_TOP:
        raise UsageError(f"--top must be between 1 and {MAX_TOP}")
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise UsageError("--threshold must be a probability, between 0 and 1")
    if args.ask is not None and args.ask != "-" and not args.ask.strip():
        raise UsageError("the question is empty")
    if args.ask is not None and _not_text(args.ask):
        raise UsageError(NOT_TEXT)
    if args.corpus is not None and not args.corpus.strip():
        raise UsageError("--corpus needs a path")
    if args.resume_last and args.cid:
        raise UsageError("--continue and --cid both name a conversation; give one")
    if args.shards is not None and not args.index:
        raise UsageError("--shards is given with --index; questions use the sharded index it builds")
    if args.index and args.ask is not None:
        raise UsageError("--index builds the index; ask questions in a separate run")
    mode = _mode(args)
    _refuse_unused(args, mode, fmt)
    from verbatim.tui.config import ConfigError, load_config

    try:
        _settings(args, load_config())
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if mode == "index":
        return _index(args)
    if mode == "chat":
        return _chat(args)
    from verbatim.retrieval.reader.question import QuestionTooLong, check_length
    from verbatim.tui.logs import Recorder
    from verbatim.tui.output import Output

    output = Output.to(sys.stdout, fmt)
    if mode == "ask":
        try:
            check_length(args.ask)  # before the corpus is read: bad input fails fast
        except QuestionTooLong as error:
            raise UsageError(str(error)) from None
    recorder = Recorder.open(args)  # may name the corpus of the conversation carried on
    engine = _load(args)
    resumed = recorder.history()
    conversation = engine.conversation(resumed or ()) if resumed is not None or args.conversation else None
    if mode == "ask":
        result = engine.ask(args.ask, top=args.top_value, conversation=conversation, explain=args.explain)
        _emit(output, result, header=False, explain=args.explain)
        recorder.record(engine, result, conversation is not None)
        if result.shards_not_answering:
            return ExitCode.INCOMPLETE
        return ExitCode.ANSWERED if result.answered else ExitCode.NO_ANSWER

    first, incomplete = True, False
    for number, question, is_text in _questions(sys.stdin.buffer):
        if fmt != "json" and not first:
            _print("", sys.stdout)
        try:
            if is_text:
                result = engine.ask(question, top=args.top_value, conversation=conversation,
                                    explain=args.explain)
            else:
                result = _refused(number, question, NOT_TEXT)
        except QuestionTooLong as error:  # one bad line does not stop the batch
            result = _refused(number, question, str(error))
        _emit(output, result, header=True, explain=args.explain)
        recorder.record(engine, result, conversation is not None)
        first, incomplete = False, incomplete or bool(result.shards_not_answering)
    if first:  # stdin ended without a question: nothing was asked, which is the caller's mistake
        raise UsageError("no question on stdin: --ask - reads one question a line")
    return ExitCode.INCOMPLETE if incomplete else ExitCode.ANSWERED


def _refused(number: int, question: str, reason: str) -> Result:
    """A line of --ask - that is not asked: one line on stderr, and a result that says why."""
    from verbatim.retrieval.models import Result

    _print(f"{PROG}: line {number}: {reason}; not answered", sys.stderr)
    return Result(question=question, answered=False, reason=reason)


def _chat(args: argparse.Namespace) -> ExitCode:
    from verbatim.tui.app import SettingError, check_settings, run_chat  # Textual only for the chat

    try:  # a bad setting is reported wherever the chat was to start
        check_settings(args.theme, args.keymap)
    except SettingError as error:
        raise UsageError(f"{args.config_path}: {error}") from None
    if not sys.stdout.isatty():
        raise UsageError("the chat needs a terminal; use --ask to answer without one")
    from verbatim.tui.logs import Recorder

    recorder = Recorder.open(args)  # may name the corpus of the conversation carried on
    return ExitCode(run_chat(_engine_settings(args), top=args.top_value, recorder=recorder,
                             theme=args.theme, keymap=args.keymap, viewer=args.viewer))


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
    except UsageError as error:  # its message may echo a path or a setting: escaped, like the rest
        from verbatim.tui.text import visible

        _print(f"{PROG}: error: {visible(str(error))}", sys.stderr)
        return int(ExitCode.USAGE)
    except Failed as error:
        _print(f"{PROG}: error: {error}", sys.stderr)
        return int(error.code)
    except KeyboardInterrupt:
        _print(f"{PROG}: interrupted", sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # Nothing more can be written; keep Python from complaining on exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitCode.BROKEN_PIPE)
    except Exception as error:  # never a traceback: one line, and a code that says "bug"
        from verbatim.tui.text import visible

        _print(f"{PROG}: internal error: {type(error).__name__}: {visible(str(error))}", sys.stderr)
        return int(ExitCode.INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
