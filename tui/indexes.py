"""`verbatim indexes`: the saved indexes with their size and corpus, and pruning those whose corpus is gone."""

from __future__ import annotations

import sys
from datetime import datetime

from verbatim.retrieval.index.saved import SavedIndex, prune, saved_indexes, stale


def _parser():
    from verbatim.tui.cli import _Parser

    parser = _Parser(
        prog="verbatim indexes",
        description="List the saved indexes (default: $XDG_CACHE_HOME/verbatim, else "
        "~/.cache/verbatim): corpus name, size on disk, and the corpus folder, marked when it "
        "is gone. --prune deletes the indexes whose corpus is gone, and folders of Verbatim's "
        "holding no readable index, unless another process is using them; folders Verbatim did "
        "not make, or of another user, are left as they are.",
    )
    parser.add_argument("--prune", action="store_true",
                        help="delete the indexes whose corpus is gone and say what was freed")
    parser.add_argument("--index-dir", metavar="DIR", help="where saved indexes live")
    parser.add_argument("--json", action="store_true", help="one JSON object per index")
    return parser


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"


def _line(saved: SavedIndex) -> str:
    from verbatim.tui.text import visible

    if not saved.usable:
        return f"{visible(saved.folder.name)}  {_megabytes(saved.size)}  (no readable index)  {saved.folder}"
    when = datetime.fromtimestamp(saved.created).strftime("%Y-%m-%d") if saved.created else "?"
    gone = "  (corpus gone)" if not saved.corpus_exists else ""
    return (f"{visible(saved.name)}  {_megabytes(saved.size)}  {saved.articles:,} articles, "
            f"{saved.sentences:,} sentences, built {when}  {visible(saved.corpus or '')}{gone}")


def _json(saved: SavedIndex) -> str:
    import json

    from verbatim.tui.text import json_safe

    return json_safe(json.dumps({
        "name": saved.name, "corpus": saved.corpus, "corpus_exists": saved.corpus_exists,
        "folder": str(saved.folder), "size": saved.size, "articles": saved.articles,
        "sentences": saved.sentences, "created": saved.created, "stale": stale(saved),
    }, ensure_ascii=False))


def command(argv: list[str]) -> int:
    from verbatim.tui.cli import ExitCode, UsageError, _print
    from verbatim.tui.config import ConfigError, load_config
    from verbatim.tui.text import visible

    args = _parser().parse_args(argv)
    try:
        index_dir = args.index_dir or load_config().index_dir
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if args.prune:
        skipped: list[str] = []
        try:
            removed = prune(index_dir, skipped)
        except OSError as error:
            raise UsageError(f"cannot prune: {error.strerror or error} ({getattr(error, 'filename', '')})") from None
        for line in skipped:
            _print(visible(line), sys.stderr)
        for saved in removed:
            _print(_json(saved) if args.json else f"removed {_line(saved)}", sys.stdout)
        if not args.json:
            freed = sum(s.size for s in removed)
            _print(f"{len(removed)} {'index' if len(removed) == 1 else 'indexes'} removed, "
                   f"{_megabytes(freed)} freed", sys.stderr)
        return ExitCode.ANSWERED
    found = saved_indexes(index_dir)
    for saved in found:
        _print(_json(saved) if args.json else _line(saved), sys.stdout)
    if not args.json:
        gone = sum(1 for s in found if stale(s))
        hint = f"; {gone} stale (verbatim indexes --prune removes them)" if gone else ""
        _print(f"{len(found)} saved {'index' if len(found) == 1 else 'indexes'}, "
               f"{_megabytes(sum(s.size for s in found))}{hint}", sys.stderr)
    return ExitCode.ANSWERED
