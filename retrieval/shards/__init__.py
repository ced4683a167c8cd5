"""A corpus split into shards: built and served in one process, or on a Ray cluster."""

from __future__ import annotations

import os
import re
from pathlib import Path

# Where a corpus's sharded index lives, beside its one-index versions. Here rather than in
# the layout module: every question asks whether a corpus is sharded, and only a sharded
# corpus needs the rest.
FOLDER = "sharded"


def folder_of(corpus_folder: Path) -> Path:
    """Where a corpus's sharded index lives, beside its one-index versions."""
    return corpus_folder / FOLDER


def sharded_folder(path: str | os.PathLike[str] | None, index_dir: str | os.PathLike[str] | None,
                   include: list[str] | None = None, exclude: list[str] | None = None,
                   follow_links: bool = False) -> Path:
    """Where the sharded index of the corpus at ``path`` read with this choice of its files
    lives: each choice has its own, as each has its own single index."""
    from verbatim.corpus.bundled import ARTICLES_DIR
    from verbatim.corpus.reader import corpus_root
    from verbatim.corpus.select import Selection
    from verbatim.retrieval.index import store

    root = corpus_root(ARTICLES_DIR if path is None else path)
    choice = Selection(tuple(include or ()), tuple(exclude or ())).choice_key(follow_links)
    return folder_of(store.corpus_folder(str(root.resolve()), index_dir, choice))


def has_sharded_index(path: str | os.PathLike[str] | None, index_dir: str | os.PathLike[str] | None,
                      include: list[str] | None = None, exclude: list[str] | None = None,
                      follow_links: bool = False) -> bool:
    """Whether the corpus, read with this choice of its files, has a saved sharded index,
    which questions then use (cheap: one file looked at)."""
    from verbatim.corpus import CorpusError
    from verbatim.retrieval.index import store

    try:
        return (sharded_folder(path, index_dir, include, exclude, follow_links) / store.POINTER).is_file()
    except (CorpusError, OSError, ValueError):
        return False


class ClusterUnreachable(Exception):
    """The Ray cluster named by --ray cannot be reached (no head at the address, none running
    for "auto"): its own exit code, as no shard could answer."""


class BadRayAddress(ValueError):
    """A --ray value that names no cluster: a usage error."""


# host:port, the host a name, an IPv4 address or a bracketed IPv6 one.
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})")


def check_ray_address(address: str) -> None:
    """Raise BadRayAddress unless ``address`` is "auto", "local" or HOST:PORT."""
    if address in ("auto", "local"):
        return
    if address.startswith("ray://"):
        raise BadRayAddress(f"--ray {address!r}: Ray Client addresses (ray://) are not supported; give the "
                            "cluster's HOST:PORT (its GCS), \"auto\" or \"local\"")
    found = _HOST_PORT.fullmatch(address)
    if found is None or not 1 <= int(found.group(1)) <= 65535:
        raise BadRayAddress(f"--ray {address!r} is not a Ray address: give HOST:PORT (the head's GCS, as "
                            "`ray start --head` prints it), \"auto\" (the cluster running here) or \"local\" "
                            "(one started for this run)")
