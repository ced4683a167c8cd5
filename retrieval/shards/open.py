"""Open a sharded index: serve its current generation, rebuilding first only the shards whose files changed."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from verbatim.corpus import CorpusError
from verbatim.corpus.bundled import ARTICLES_DIR
from verbatim.corpus.reader import corpus_listing, corpus_root, no_text_message
from verbatim.corpus.select import Selection
from verbatim.retrieval.index import store
from verbatim.retrieval.index.build import BuildReport
from verbatim.retrieval.index.open import Opened, _bundled_catalog
from verbatim.retrieval.shards import BadRayAddress, check_ray_address, folder_of, layout
from verbatim.retrieval.shards.layout import Generation, ShardBuilt, ShardTask, build_shard
from verbatim.retrieval.shards.shard import Shard
from verbatim.retrieval.shards.sharded import LocalShards, ShardedData, ShardedIndex


def open_sharded(
    path: str | os.PathLike[str] | None = None,
    *,
    count: int | None = None,
    ray_address: str | None = None,
    index_dir: str | os.PathLike[str] | None = None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    follow_links: bool = False,
    force: bool = False,
    stale: frozenset[str] = frozenset(),
    waiting: Callable[[str], None] | None = None,
    lock_wait: float = store.LOCK_WAIT_SECONDS,
) -> Opened:
    """The sharded index of the corpus at ``path``: its current generation when every file
    is as recorded, else a new generation in which only the shards whose files changed (or
    were named in ``stale``) are built again, by Ray tasks with ``ray_address``, else one
    after another here. ``count`` shards (the saved count when None; a new count builds
    every shard). Served by one Ray actor per shard with ``ray_address``, else in this
    process."""
    if count is not None and not 1 <= count <= layout.MAX_SHARDS:
        raise CorpusError(f"--shards must be between 1 and {layout.MAX_SHARDS}")
    if ray_address is not None:
        try:
            check_ray_address(ray_address)
        except BadRayAddress as error:
            raise CorpusError(str(error)) from None
    root = corpus_root(ARTICLES_DIR if path is None else path)
    entries, digest, name = _bundled_catalog() if path is None else ({}, "", None)
    selection = Selection.of(root, include, exclude)
    digest = "+".join(filter(None, [digest, selection.fingerprint()]))
    resolved = str(root.resolve())
    # Each choice of files (--include, --exclude, --follow-links) its own sharded index, as
    # each has its own single index.
    folder = folder_of(store.corpus_folder(resolved, index_dir, selection.choice_key(follow_links)))
    for checked in (folder.parent, folder):
        refused = store.untrusted(checked)
        if refused is not None:
            raise CorpusError(f"refusing the index folder {checked}: {refused}")
    notices: list[str] = []
    runner = _ray(ray_address) if ray_address is not None else None

    def saved() -> Generation | None:
        try:
            return layout.current(folder, resolved)
        except store.IndexDamaged as problem:
            notices.append(f"the sharded index in {folder} cannot be used ({problem}); rebuilding it")
            return None

    def plan(generation: Generation | None, stamps: dict[str, tuple[int, int]], shards: int) -> list[ShardTask]:
        usable = generation is not None and generation.count == shards and generation.digest == digest
        mine: list[dict[str, tuple[int, int]]] = [{} for _ in range(shards)]
        for rel, stamp in stamps.items():
            mine[layout.shard_of(rel, shards)][rel] = stamp
        tasks = []
        for s in range(shards):
            # --reindex reads every file again, as on one index: no shard's files are taken as
            # they were from its previous version, whatever their size and time say.
            previous = generation.shards[s].version if usable and not force else None
            if (previous is not None and not force and not any(layout.shard_of(r, shards) == s for r in stale)
                    and _recorded(generation, s) == mine[s]):
                continue
            tasks.append(ShardTask(resolved, s, shards, str(folder), previous, digest, name,
                                   tuple(include or ()), tuple(exclude or ()), follow_links, entries or None,
                                   frozenset(r for r in stale if layout.shard_of(r, shards) == s)))
        return tasks

    def listing() -> tuple[list[str], dict[str, tuple[int, int]]]:
        files, _ = corpus_listing(root, follow_links, selection, max_files=layout.most_files(shards))
        return [rel for _, rel in files], layout.now_stamps(files)

    generation = saved()
    shards = count or (generation.count if generation is not None else None)
    if shards is None:
        raise CorpusError(f"{root}: no sharded index yet; build one with --index --shards N")
    rels, stamps = listing()
    if count is not None and count > max(1, len(rels)):
        # A shard holds at least one file: more would be actors and folders with nothing in them.
        notices.append(f"{count} shards asked for, {max(1, len(rels))} made: the corpus has "
                       f"{len(rels)} {'file' if len(rels) == 1 else 'files'}, and a shard holds at least one")
        shards = max(1, len(rels))
    report = None
    if plan(generation, stamps, shards):
        started = time.perf_counter()
        with store.locked(folder, lock_wait, waiting):
            generation = saved()  # built by another process while this one waited?
            rels, stamps = listing()
            tasks = plan(generation, stamps, shards)
            if tasks:
                built = runner.build(tasks) if runner is not None else [build_shard(t) for t in tasks]
                versions = _versions(generation, built, shards)
                generation = layout.commit(folder, resolved, name or root.name, digest, versions, rels,
                                           follow_links, {"include": include or [], "exclude": exclude or []})
                report = _report(built, len(rels), generation, time.perf_counter() - started)
    assert generation is not None
    if report is not None and not report.sentences:
        raise CorpusError(no_text_message(root, _data(generation).warnings, report.other_types))
    backend = runner.serve(generation) if runner is not None else LocalShards(
        [Shard.open(generation, s) for s in range(generation.count)])
    index = ShardedIndex(generation, backend, _data(generation))

    def reopen(files: frozenset[str]) -> Opened:
        return open_sharded(path, count=shards, ray_address=ray_address, index_dir=index_dir, include=include,
                            exclude=exclude, follow_links=follow_links, stale=files, waiting=waiting,
                            lock_wait=lock_wait)

    return Opened(index, folder, report, notices, follow_links, reopen)


def _recorded(generation: Generation, shard: int) -> dict[str, tuple[int, int]] | None:
    try:
        return layout.stamps_of(generation.shard_version(shard), generation.root)
    except store.IndexDamaged:
        return None


def _versions(generation: Generation | None, built: list[ShardBuilt], shards: int) -> list[str]:
    new = {b.shard: b.version for b in built}
    return [new[s] if s in new else generation.shards[s].version for s in range(shards)]


def _report(built: list[ShardBuilt], files: int, generation: Generation, seconds: float) -> BuildReport:
    report = BuildReport(files=files, sentences=generation.units, seconds=seconds)
    for b in built:
        report.read += b.report.read
        report.skipped += b.report.skipped
        report.removed += b.report.removed
        for kind, n in b.report.other_types.items():
            report.other_types[kind] = n
    report.reused = files - report.read - report.skipped
    return report


def _data(generation: Generation) -> ShardedData:
    """The files left out and the warnings of every shard (the folder warnings once)."""
    data = ShardedData()
    for s in range(generation.count):
        manifest = store.read_manifest(generation.shard_version(s), generation.root)
        data.skipped.update({rel: tuple(stamp) for rel, stamp in (manifest.get("skipped") or {}).items()})
        data.notes.update({rel: list(n) for rel, n in (manifest.get("notes") or {}).items()})
        if not data.listing_warnings:
            data.listing_warnings = list(manifest.get("listing_warnings") or [])
    return data


# Ray reads this when it is first imported: unset, it takes the address of a process on this
# machine to be the one other machines reach it by (found by routing towards a public address),
# so a cluster started on 127.0.0.1 is looked for on an outward interface and never answers.
RAY_LOOPBACK_SWITCH = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def on_this_machine_only(address: str) -> bool:
    """Whether the Ray address names a cluster on this machine's loopback (or one to start here)."""
    return address == "local" or address.rsplit(":", 1)[0].strip("[]") in LOOPBACK_HOSTS


def _ray(address: str):
    if on_this_machine_only(address) and "ray" not in sys.modules:
        os.environ.setdefault(RAY_LOOPBACK_SWITCH, "0")
    try:
        from verbatim.retrieval.shards import on_ray
    except ImportError:
        raise CorpusError('--ray needs Ray: pip install "verbatim-qa[cluster]"') from None
    return on_ray.RayRunner(address)
