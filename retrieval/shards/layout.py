"""A sharded index on disk: shards saved in the one-index format, and generations naming them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from verbatim.corpus import reader
from verbatim.corpus.select import Selection
from verbatim.retrieval.index import store
from verbatim.retrieval.index.analysis import analyzer_record
from verbatim.retrieval.index.build import MAX_SENTENCES, UNREADABLE, BuildReport, build
from verbatim.retrieval.index.sentence_index import ArticleInfo, IndexData
from verbatim.retrieval.index.terms import ANALYZER

FORMAT = "verbatim-shards"
VERSION = 1
GENERATION = "generation.json"
# Every shard holds at most what one index may (MAX_SENTENCES), so a corpus of N shards
# holds N times as much: 20 million sentences at 10 shards.
SENTENCES_PER_SHARD = MAX_SENTENCES
# Likewise files: one index's most (corpus.reader.MAX_FILES) a shard.
FILES_PER_SHARD = reader.MAX_FILES


def most_files(count: int) -> int:
    """The most files a corpus of ``count`` shards may hold."""
    return FILES_PER_SHARD * count
MAX_SHARDS = 1024  # shard folders and actors past this are a typo, not a corpus


def shard_of(rel: str, count: int) -> int:
    """The shard of a file, from its path relative to the corpus: the same on every machine
    and in every run (Python's own hash of a string changes from run to run)."""
    digest = hashlib.blake2b(os.fsencode(rel), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def shard_folder(count: int, shard: int) -> str:
    return f"shard-{count}-{shard}"


@dataclass(slots=True)
class ShardInfo:
    """One shard of a generation: its saved version and what it adds to the corpus."""

    version: str  # relative to the sharded folder: "shard-4-0/v-..."
    units: int
    length: int  # its units' terms, counted: the corpus's mean length is the sum over the sum


@dataclass(slots=True)
class Generation:
    """One consistent version of a sharded index: its shards, and the corpus's statistics."""

    folder: Path  # the generation's own folder
    root: str
    name: str
    digest: str
    shards: list[ShardInfo]
    units: int
    length: int
    follow_links: bool = False
    selection: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.shards)

    @property
    def avgdl(self) -> float:
        # As one index computes it, so a shard's weights are bit for bit the whole corpus's.
        return float(np.int64(self.length) / self.units) if self.units else 0.0

    def shard_version(self, shard: int) -> Path:
        return self.folder.parent / self.shards[shard].version

    def df_of(self, shard: int) -> np.ndarray:
        """The corpus's document frequency of each of the shard's terms, in its vocabulary's order."""
        return np.load(self.folder / f"df-{shard}.npy", mmap_mode="r", allow_pickle=False)

    def vocabulary(self) -> tuple[list[str], np.ndarray]:
        """Every term of the corpus, sorted, and its document frequency."""
        vocab = json.loads((self.folder / "vocab.json").read_bytes().decode("utf-8", "surrogatepass"))
        return vocab, np.load(self.folder / "df.npy", allow_pickle=False)

    def order(self) -> tuple[np.ndarray, np.ndarray]:
        """(shard, place in the shard) of every article, in the corpus's order."""
        return (np.load(self.folder / "article_shard.npy", allow_pickle=False),
                np.load(self.folder / "article_local.npy", allow_pickle=False))


def current(folder: Path, root: str) -> Generation | None:
    """The generation the sharded folder's pointer names, or None when there is none;
    IndexDamaged when it cannot be used."""
    name = _pointer(folder)
    if name is None:
        return None
    return read_generation(folder / name, root)


def _pointer(folder: Path) -> str | None:
    try:
        name = (folder / store.POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise store.IndexDamaged(f"unreadable pointer file ({error})") from None
    if not re.fullmatch(r"g-[A-Za-z0-9_.-]+", name):
        raise store.IndexDamaged("the pointer file does not name a generation")
    return name


def read_generation(folder: Path, root: str) -> Generation:
    try:
        manifest = json.loads((folder / GENERATION).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise store.IndexDamaged("it is not a sharded Verbatim index of this version")
        if manifest.get("root") != str(Path(root).resolve()):
            raise store.IndexDamaged("it belongs to another corpus")
        store.analyzed_by(manifest)
        shards = [ShardInfo(s["version"], int(s["units"]), int(s["length"])) for s in manifest["shards"]]
        for shard in shards:
            if not re.fullmatch(r"shard-\d+-\d+/v-[A-Za-z0-9_.-]+", shard.version):
                raise store.IndexDamaged("a shard's name is not one this program writes")
        return Generation(folder, manifest["root"], manifest["name"], manifest["digest"], shards,
                          int(manifest["units"]), int(manifest["length"]), bool(manifest.get("follow_links")),
                          manifest.get("selection") or {})
    except store.IndexDamaged:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise store.IndexDamaged(f"its generation cannot be read ({type(error).__name__}: {error})") from None


def disk_size(generation: Generation) -> int:
    """Bytes of a generation and of the shard versions it names."""
    return store.disk_size(generation.folder) + sum(store.disk_size(generation.shard_version(s))
                                                    for s in range(generation.count))


# -- building -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ShardTask:
    """Everything one shard's build needs, as plain values: it may run on another machine."""

    root: str
    shard: int
    count: int
    folder: str  # the sharded folder, readable and writable by every node
    previous: str | None  # the shard's current version, relative to ``folder``
    digest: str
    name: str | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    follow_links: bool
    catalog: dict | None
    stale: frozenset[str] = frozenset()
    parallel: bool | None = None  # reading processes of its own (None: as many files call for)


@dataclass(frozen=True, slots=True)
class ShardBuilt:
    """What a shard's build reports back: its new version and what it did."""

    shard: int
    version: str
    report: BuildReport


def build_shard(task: ShardTask) -> ShardBuilt:
    """Build one shard: read its files that changed, reuse the rest from its previous
    version, and write a new version (not made current: the generation does that)."""
    folder = Path(task.folder)
    previous = None
    if task.previous is not None:
        with contextlib.suppress(store.IndexDamaged):
            previous = store.load(folder / task.previous, task.root)
    selection = Selection.of(Path(task.root), list(task.include), list(task.exclude))
    data, report = build(task.root, catalog=task.catalog, digest=task.digest, previous=previous,
                         name=task.name, selection=selection, follow_links=task.follow_links,
                         stale=task.stale, parallel=task.parallel, only=lambda rel: shard_of(rel, task.count) == task.shard,
                         limit=SENTENCES_PER_SHARD, max_files=most_files(task.count))
    version = store.write_version(data, folder / shard_folder(task.count, task.shard))
    return ShardBuilt(task.shard, f"{shard_folder(task.count, task.shard)}/{version.name}", report)


def stamps_of(version: Path, root: str) -> dict[str, tuple[int, int]]:
    """The size and time a saved shard recorded for each of its files."""
    manifest = store.read_manifest(version, root)
    recorded = {a["rel"]: (a["size"], a["mtime_ns"]) for a in manifest["articles"]}
    recorded.update({rel: tuple(stamp) for rel, stamp in (manifest.get("skipped") or {}).items()})
    return recorded


def now_stamps(listing: list[tuple[Path, str]]) -> dict[str, tuple[int, int]]:
    found = {}
    for path, rel in listing:
        try:
            info = os.stat(path)
            found[rel] = (info.st_size, info.st_mtime_ns)
        except OSError:
            found[rel] = UNREADABLE
    return found


def commit(folder: Path, root: str, name: str, digest: str, versions: list[str], listing: list[str],
           follow_links: bool, selection: dict) -> Generation:
    """Write the generation naming ``versions`` (one per shard) with the corpus's statistics,
    and make it current atomically; then remove what no generation names any more. The
    caller holds the lock."""
    shards = [store.load(folder / version, root) for version in versions]
    vocab, df, aligned = merged_statistics([s.vocab for s in shards], [np.diff(s.post_ptr) for s in shards])
    article_shard, article_local = corpus_order(shards, listing)
    staging = Path(tempfile.mkdtemp(prefix="g-", suffix=".partial", dir=folder))
    try:
        infos = [ShardInfo(version, s.size, int(np.asarray(s.term_ptr)[-1]) if s.size else 0)
                 for version, s in zip(versions, shards)]
        for file, array in (("df.npy", df), ("article_shard.npy", article_shard),
                            ("article_local.npy", article_local),
                            *((f"df-{i}.npy", a) for i, a in enumerate(aligned))):
            with store._create(staging / file) as handle:
                np.lib.format.write_array(store._Writer(handle), np.ascontiguousarray(array), allow_pickle=False)
        store._write(staging / "vocab.json", json.dumps(vocab, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        manifest = {
            "format": FORMAT, "version": VERSION, "root": str(Path(root).resolve()),
            # Its shards were loaded (store.load) only when made by this analyzer's settings.
            **analyzer_record(ANALYZER),
            "name": name, "digest": digest, "created": time.time(), "follow_links": follow_links,
            "selection": selection, "units": sum(i.units for i in infos), "length": sum(i.length for i in infos),
            "shards": [{"version": i.version, "units": i.units, "length": i.length} for i in infos],
        }
        store._write(staging / GENERATION, json.dumps(manifest, ensure_ascii=True).encode("ascii"))
        for path in staging.iterdir():
            store._fsync(path)
        generation = staging.with_name(staging.name.removesuffix(".partial"))
        staging.rename(generation)
        store.switch(folder, generation.name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _remove_unnamed(folder, generation.name, set(versions))
    return read_generation(generation, root)


def merged_statistics(vocabs: list[list[str]], dfs: list[np.ndarray]
                      ) -> tuple[list[str], np.ndarray, list[np.ndarray]]:
    """The corpus's sorted vocabulary and document frequencies from its shards', and each
    shard's terms' corpus-wide frequency in the shard's order: dfs_query_then_fetch's table."""
    vocab = sorted(set().union(*vocabs))
    place = {term: i for i, term in enumerate(vocab)}
    df = np.zeros(len(vocab), dtype=np.int64)
    positions = []
    for terms, counts in zip(vocabs, dfs):
        at = np.fromiter((place[t] for t in terms), dtype=np.int64, count=len(terms))
        np.add.at(df, at, np.asarray(counts, dtype=np.int64))
        positions.append(at)
    return vocab, df, [df[at] for at in positions]


def corpus_order(shards: list[IndexData], listing: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(shard, place in the shard) of every article in the order one index would hold them:
    the corpus listing's. Articles the listing no longer names (removed while building) go
    last, in their shard's order."""
    rank = {rel: i for i, rel in enumerate(listing)}
    entries = [(rank.get(a.rel, len(rank)), s, i) for s, shard in enumerate(shards) for i, a in enumerate(shard.articles)]
    entries.sort()
    return (np.array([s for _, s, _ in entries], dtype=np.int32).reshape(-1),
            np.array([i for _, _, i in entries], dtype=np.int64).reshape(-1))


def _remove_unnamed(folder: Path, generation: str, versions: set[str]) -> None:
    """Older generations and shard versions no generation names: readers that still hold
    them keep their mapped files (the system frees them once unmapped)."""
    for entry in os.scandir(folder):
        if entry.name.startswith("g-") and entry.name != generation and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        elif entry.name.startswith("shard-") and entry.is_dir(follow_symlinks=False):
            for version in os.scandir(entry.path):
                if f"{entry.name}/{version.name}" not in versions and version.is_dir(follow_symlinks=False):
                    shutil.rmtree(version.path, ignore_errors=True)
            with contextlib.suppress(OSError):
                os.rmdir(entry.path)  # a shard of another count, now empty


def articles_of(generation: Generation) -> tuple[list[ArticleInfo], list[np.ndarray], list[np.ndarray]]:
    """The corpus's articles in order, numbered as one index numbers them, and for each
    shard the corpus-wide number and first unit of each of its own articles."""
    per_shard = [store.manifest_articles(store.read_manifest(generation.shard_version(s), generation.root))
                 for s in range(generation.count)]
    article_shard, article_local = generation.order()
    articles: list[ArticleInfo] = []
    global_article = [np.zeros(len(a), dtype=np.int64) for a in per_shard]
    global_first = [np.zeros(len(a), dtype=np.int64) for a in per_shard]
    first = 0
    for g, (s, i) in enumerate(zip(article_shard.tolist(), article_local.tolist())):
        a = per_shard[s][i]
        articles.append(ArticleInfo(a.id, a.title, a.path, a.rel, a.size, a.mtime_ns, first, a.count,
                                    a.source, a.date, a.authors, a.format, a.digest, a.parts))
        global_article[s][i] = g
        global_first[s][i] = first
        first += a.count
    return articles, global_article, global_first
