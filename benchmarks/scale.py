"""Speed and memory at scale: build, size, load, and answers beside plain rank-bm25.

usage: python benchmarks/scale.py [--sizes 10000,100000,1000000] [--work DIR]
       python benchmarks/scale.py --corpus DIR [--work DIR]
       python benchmarks/scale.py --shards 1,2,4 [--sizes 1000000] [--ray] [--reuse] [--over-limit]

For each size it writes a corpus with a realistic word distribution (benchmarks/synthetic.py)
or uses the folder given, then measures: the first build (in a fresh process; wall time and
the peak memory of the whole process tree, reading processes included), the index's size on
disk, loading the saved index (fresh process), full answers (retrieval plus selection) and
BM25 retrieval alone over varied questions (median and p95), plain rank-bm25 ``get_scores``
over the same terms in the same run, and a whole one-shot ``verbatim --ask`` process.

With --shards, for each size: the one index and the sharded index at each shard count, in
the same run: build time (fresh process), peak memory of the whole process tree and of its
largest process, and full answers (median, p95) over the same questions, each question
asked of every index in turn; the time the fan-out adds is, question by question, the
sharded time less the one index's (its median and p95). Shards are always served in this
process, one after another, and also by one Ray actor each with --ray (a local cluster
started here; the build then runs as Ray tasks). --reuse keeps indexes an earlier run built
in the same --work folder (with their recorded build figures) and measures answers again;
--over-limit lets one index or shard hold more than the product's 2,000,000 sentences, so
that 5M can be measured as one index and at 1 or 2 shards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import questions, write_corpus  # noqa: E402

BUILD = """
import json, sys, time
from verbatim.retrieval.index.open import open_index
from verbatim.retrieval.index import store
t = time.perf_counter()
opened = open_index(sys.argv[1], index_dir=sys.argv[2], force=True)
seconds = time.perf_counter() - t
version = store.current_version(opened.folder)
print(json.dumps({"seconds": seconds, "bytes": store.disk_size(version), "units": len(opened.index),
                  "files": len(opened.index.articles), "terms": len(opened.index.data.vocab)}))
"""
LOAD = """
import json, sys, time
t = time.perf_counter()
from verbatim.retrieval.index.open import open_index
imported = time.perf_counter()
opened = open_index(sys.argv[1], index_dir=sys.argv[2])
assert opened.report is None, "the saved index should have been fresh"
print(json.dumps({"seconds": time.perf_counter() - imported, "import": imported - t}))
"""


def _tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                for child in handle.read().split():
                    found += _tree(int(child))
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_measured(command: list[str], ok: tuple[int, ...] = (0,)) -> tuple[str, float, int]:
    """Run ``command``; (stdout, wall seconds, peak RSS of its whole process tree)."""
    out, wall, peak, _ = run_measured_processes(command, ok)
    return out, wall, peak


def _ray_workers() -> list[int]:
    """Ray's worker processes on this machine (a build's tasks run there, outside the tree of
    the command that asked for them)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if handle.read(5) == b"ray::":
                        found.append(int(entry))
            except OSError:
                pass
    return found


def run_measured_processes(command: list[str], ok: tuple[int, ...] = (0,),
                           with_ray_workers: bool = False) -> tuple[str, float, int, int]:
    """Run ``command``; (stdout, wall seconds, peak RSS of its process tree, peak RSS of its
    largest single process), Ray's workers counted in with ``with_ray_workers``."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = largest = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not done.is_set():
            sizes = [_rss(p) for p in _tree(proc.pid) + (_ray_workers() if with_ray_workers else [])]
            peak = max(peak, sum(sizes))
            largest = max(largest, max(sizes, default=0))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode not in ok:
        sys.exit(f"{command[:3]} failed:\n{err[-2000:]}")
    return out, time.perf_counter() - started, peak, largest


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(corpus: Path, index_dir: Path, n_questions: int, n_baseline: int) -> dict:
    shutil.rmtree(index_dir, ignore_errors=True)
    out, build_wall, peak = run_measured([sys.executable, "-c", BUILD, str(corpus), str(index_dir)])
    built = json.loads(out)
    loads = [json.loads(run_measured([sys.executable, "-c", LOAD, str(corpus), str(index_dir)])[0])["seconds"]
             for _ in range(3)]

    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.index.bm25 import SentenceBM25
    from verbatim.retrieval.reader.query import Query
    from verbatim.retrieval.reader.question import analyze

    engine = Engine.load(corpus, index_dir=index_dir)
    index = engine.index
    step = max(1, len(index) // (n_questions * 2))
    sample = [index.text_of(u) for u in range(0, len(index), step)][: n_questions * 2]
    asked = questions(sample)[:n_questions]
    for question in asked[:5]:
        engine.ask(question)
    full, retrieval, queries = [], [], []
    for question in asked:
        start = time.perf_counter()
        engine.ask(question)
        full.append(time.perf_counter() - start)
        query = Query.of(index, analyze(question))
        search = query.terms + [f for t in query.terms for f in sorted(query.related[t])]
        queries.append(search)
        start = time.perf_counter()
        index.top(search, 200)
        retrieval.append(time.perf_counter() - start)

    started = time.perf_counter()
    reference = SentenceBM25([index.terms_of(u) for u in range(len(index))])  # rank-bm25 over the same terms
    reference_build = time.perf_counter() - started
    plain = []
    for search in queries[:n_baseline]:
        start = time.perf_counter()
        reference.get_scores(search)
        plain.append(time.perf_counter() - start)
    del reference

    verbatim = shutil.which("verbatim") or str(Path(sys.executable).with_name("verbatim"))
    one_shot = []
    for question in asked[:5]:
        _, wall, _ = run_measured([verbatim, "--corpus", str(corpus), "--index-dir", str(index_dir),
                                   "--ask", question, "--json"], ok=(0, 1)) if Path(verbatim).exists() else ("", 0.0, 0)
        one_shot.append(wall)
    return {
        "sentences": built["units"], "files": built["files"], "terms": built["terms"],
        "build_s": build_wall, "peak_mb": peak / 2**20, "disk_mb": built["bytes"] / 1e6,
        "load_s": statistics.median(loads),
        "answer_median_ms": statistics.median(full) * 1000, "answer_p95_ms": percentile(full, 0.95) * 1000,
        "bm25_median_ms": statistics.median(retrieval) * 1000, "bm25_p95_ms": percentile(retrieval, 0.95) * 1000,
        "rank_bm25_median_ms": statistics.median(plain) * 1000, "rank_bm25_build_s": reference_build,
        "one_shot_median_s": statistics.median(one_shot) if one_shot else 0.0,
        "questions": len(full), "baseline_questions": len(plain),
    }


# With --over-limit (BENCHMARK_OVER_LIMIT=1): one index and each shard may hold any number of
# files and sentences, so that 5M can be measured as one index and at 1 or 2 shards.
LIFT_LIMITS = """
def lift_limits():
    from verbatim.corpus import reader
    from verbatim.retrieval.index import build
    from verbatim.retrieval.shards import layout
    reader.MAX_FILES = build.MAX_SENTENCES = layout.SENTENCES_PER_SHARD = layout.FILES_PER_SHARD = 10**9
"""
SHARDED_BUILD = LIFT_LIMITS + """
import json, os, sys, time
from verbatim.retrieval.shards import layout
from verbatim.retrieval.shards.open import open_sharded
from verbatim.retrieval.shards.layout import disk_size

def build_over_limit(task):
    lift_limits()
    from verbatim.retrieval.shards import layout
    return layout.build_shard(task)

if __name__ == "__main__":
    if os.environ.get("BENCHMARK_OVER_LIMIT") == "1":
        lift_limits()
        if sys.argv[4]:
            from verbatim.retrieval.shards import on_ray
            on_ray.RayRunner.shard_builder = staticmethod(build_over_limit)
    t = time.perf_counter()
    opened = open_sharded(sys.argv[1], count=int(sys.argv[3]), ray_address=sys.argv[4] or None,
                          index_dir=sys.argv[2], force=True)
    print(json.dumps({"seconds": time.perf_counter() - t, "units": len(opened.index),
                      "bytes": disk_size(opened.index.generation)}))
"""
ONE_BUILD = (LIFT_LIMITS + "if __name__ == '__main__':\n    import os\n"
             "    if os.environ.get('BENCHMARK_OVER_LIMIT') == '1':\n        lift_limits()\n"
             + "\n".join("    " + line for line in BUILD.strip().splitlines()))


def _built(command: list[str], folder: Path, reuse: bool, on_ray: bool = False) -> dict:
    """Build figures: measured now, or with ``reuse`` those recorded beside an index still there."""
    record = folder.with_name(folder.name + ".build.json")
    if reuse and record.exists() and folder.exists():
        return json.loads(record.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    _, wall, peak, largest = run_measured_processes(command, with_ray_workers=on_ray)
    figures = {"build_s": wall, "peak_mb": peak / 2**20, "largest_mb": largest / 2**20, "load": _load_average()}
    record.write_text(json.dumps(figures))
    return figures


def _load_average() -> float:
    """The machine's load over the last minute (other work slows a build measured beside it)."""
    return os.getloadavg()[0]


def _interleaved(engines: list, asked: list[str]) -> list[list[float]]:
    """Each engine's answer times over ``asked``, the engines taking each question in turn
    (in a rotating order): a shared machine's slow moments fall on all of them alike."""
    for engine in engines:
        for question in asked[:5]:  # warm: first touches of the mapped files
            engine.ask(question)
    times: list[list[float]] = [[] for _ in engines]
    for n, question in enumerate(asked):
        for k in range(len(engines)):
            e = (n + k) % len(engines)
            start = time.perf_counter()
            engines[e].ask(question)
            times[e].append(time.perf_counter() - start)
    return times


def measure_sharded(corpus: Path, work: Path, counts: list[int], n_questions: int, ray: bool,
                    reuse: bool = False) -> list[dict]:
    """The one index and each shard count over the same corpus and questions, all built
    first, then asked each question in turn (served here, and on Ray with ``ray``)."""
    from verbatim.retrieval.engine import Engine
    from verbatim.retrieval.index.open import open_index
    from verbatim.retrieval.shards.open import open_sharded

    one_dir = work / "one"
    built = _built([sys.executable, "-c", ONE_BUILD, str(corpus), str(one_dir)], one_dir, reuse)
    single = Engine(open_index(corpus, index_dir=one_dir))
    index = single.index
    step = max(1, len(index) // (n_questions * 2))
    asked = questions([index.text_of(u) for u in range(0, len(index), step)][: n_questions * 2])[:n_questions]
    expected = [single.ask(q) for q in asked[:20]]
    rows = [{"shards": "one index", "sentences": len(index), **built}]
    print(json.dumps(rows[-1]), file=sys.stderr)
    address = ""
    if ray:
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # a cluster on loopback
        import ray as ray_module

        ray_module.init(address="local", include_dashboard=False, log_to_driver=False, logging_level="ERROR",
                        _node_ip_address="127.0.0.1")
        address = ray_module.get_runtime_context().gcs_address
    engines = {"one index": single}
    for count in counts:
        folder = work / f"shards-{count}"
        built = _built([sys.executable, "-c", SHARDED_BUILD, str(corpus), str(folder), str(count), address],
                       folder, reuse, on_ray=ray)
        row = {"shards": count, **built}
        for backend in ["here"] + (["ray"] if ray else []):
            engine = Engine(open_sharded(corpus, ray_address=address if backend == "ray" else None, index_dir=folder))
            engines[f"{count}-{backend}"] = engine
            row["sentences"] = len(engine.index)
            row[f"{backend}_same"] = f"{sum(engine.ask(q) == e for q, e in zip(asked, expected))}/{len(expected)}"
            if backend == "ray":  # the actors' memory: each holds its shard mapped
                import ray as ray_module

                row["actor_mb"] = max(_rss(ray_module.get(a.pid.remote())) for a in engine.index.backend.actors) / 2**20
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    names = list(engines)
    times = dict(zip(names, _interleaved([engines[n] for n in names], asked)))
    for name, engine_times in times.items():
        count, _, backend = name.partition("-")
        row = rows[0] if name == "one index" else next(r for r in rows if str(r["shards"]) == count)
        prefix = "answer" if name == "one index" else backend
        row[f"{prefix}_median_ms"] = statistics.median(engine_times) * 1000
        row[f"{prefix}_p95_ms"] = percentile(engine_times, 0.95) * 1000
        # Question by question, this engine's time less the one index's.
        added = [(t - one) * 1000 for t, one in zip(engine_times, times["one index"])]
        row[f"{prefix}_adds_median_ms"], row[f"{prefix}_adds_p95_ms"] = statistics.median(added), percentile(added, 0.95)
    for name, engine in engines.items():
        if name != "one index":
            engine.index.close()
    for row in rows:
        print(json.dumps(row), file=sys.stderr)
    return rows


def sharded_table(rows: list[dict]) -> str:
    ray = any("ray_median_ms" in r for r in rows)
    head = ("| index | sentences | build (load avg) | peak memory (all processes / largest) | answer median / p95 "
            "| fan-out adds, median / p95 | same answers |"
            + (" on Ray: answer median / p95 | adds, median / p95 | same | actor memory |" if ray else ""))
    lines = [head, "| " + " | ".join(["---"] * (head.count("|") - 1)) + " |"]
    for r in rows:
        one = isinstance(r["shards"], str)
        name = r["shards"] if one else f"{r['shards']} shards"
        load = f" ({r['load']:.1f})" if "load" in r else ""
        line = f"| {name} | {r['sentences']:,} | {r['build_s']:.1f} s{load} | {r['peak_mb']:,.0f} / {r['largest_mb']:,.0f} MiB "
        if one:
            line += f"| {r['answer_median_ms']:.1f} / {r['answer_p95_ms']:.1f} ms | | |" + (" | | | |" if ray else "")
        else:
            line += (f"| {r['here_median_ms']:.1f} / {r['here_p95_ms']:.1f} ms "
                     f"| {r['here_adds_median_ms']:+.1f} / {r['here_adds_p95_ms']:+.1f} ms | {r['here_same']} |")
            if ray:
                line += (f" {r['ray_median_ms']:.1f} / {r['ray_p95_ms']:.1f} ms "
                         f"| {r['ray_adds_median_ms']:+.1f} / {r['ray_adds_p95_ms']:+.1f} ms "
                         f"| {r['ray_same']} | {r['actor_mb']:,.0f} MiB |")
        lines.append(line)
    return "\n".join(lines)


def _times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def table(rows: list[dict]) -> str:
    head = ("| sentences | files | terms | build | peak memory | index on disk | load | answer median / p95 | "
            "BM25 alone median / p95 | rank-bm25 get_scores | speed-up (answer / BM25) | one-shot `verbatim --ask` |")
    lines = [head, "| " + " | ".join(["---"] * (head.count("|") - 1)) + " |"]
    for r in rows:
        lines.append(
            f"| {r['sentences']:,} | {r['files']:,} | {r['terms']:,} | {r['build_s']:.1f} s | {r['peak_mb']:,.0f} MiB "
            f"| {r['disk_mb']:,.0f} MB | {r['load_s']:.2f} s | {r['answer_median_ms']:.1f} / {r['answer_p95_ms']:.1f} ms "
            f"| {r['bm25_median_ms']:.2f} / {r['bm25_p95_ms']:.2f} ms | {r['rank_bm25_median_ms']:,.1f} ms "
            f"| {_times(r['rank_bm25_median_ms'] / r['answer_median_ms'])} / {_times(r['rank_bm25_median_ms'] / r['bm25_median_ms'])} "
            f"| {r['one_shot_median_s']:.2f} s |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--corpus", type=Path, help="measure this folder instead of generated corpora")
    parser.add_argument("--work", type=Path, default=Path("benchmark-work"))
    parser.add_argument("--questions", type=int, default=150)
    parser.add_argument("--baseline", type=int, default=30, help="questions for plain rank-bm25 (slow)")
    parser.add_argument("--shards", help="shard counts to measure beside the one index, e.g. 1,2,4")
    parser.add_argument("--ray", action="store_true", help="with --shards: build and serve on a local Ray cluster")
    parser.add_argument("--reuse", action="store_true", help="with --shards: keep indexes built by an earlier run")
    parser.add_argument("--over-limit", action="store_true",
                        help="let one index or shard hold more than 2,000,000 sentences (to measure 5M unsharded)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.over_limit:
        os.environ["BENCHMARK_OVER_LIMIT"] = "1"
        namespace: dict = {}
        exec(LIFT_LIMITS, namespace)  # this process opens the indexes too
        namespace["lift_limits"]()
    rows = []
    if args.corpus:
        targets = [(args.corpus, args.work / "index-given")]
    else:
        targets = []
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"writing a corpus of {size:,} sentences ...", file=sys.stderr)
            targets.append((write_corpus(args.work / f"corpus-{size}", size), args.work / f"index-{size}"))
    if args.shards:
        counts = [int(c) for c in args.shards.split(",")]
        for corpus, index_dir in targets:
            print(f"measuring {corpus} sharded ...", file=sys.stderr)
            print(sharded_table(measure_sharded(corpus, index_dir.with_name(index_dir.name + "-sharded"), counts,
                                                args.questions, args.ray, args.reuse)))
        return
    for corpus, index_dir in targets:
        print(f"measuring {corpus} ...", file=sys.stderr)
        rows.append(measure(corpus, index_dir, args.questions, args.baseline))
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(table(rows))


if __name__ == "__main__":
    main()
