"""Quote only what the file says now, whatever the saved index holds."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verbatim.corpus.reader import read_text
from verbatim.corpus.segment import normalize_space
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index import store
from verbatim.retrieval.index.open import open_index
from verbatim.tui.cli import ExitCode

COST = "The project will cost 12 million dollars, the council said on Monday."
ARTICLES = {
    "budget.txt": f"Council budget\n\n{COST} Work starts in May.\n",
    "ferry.txt": "Ferries\n\nThe ferry numbered 7 crossed the bay at dawn. Its captain was Ada Brook.\n",
    "bridge.md": "# Bridge\n\nThe old bridge was built in 1887 by the Hale company.\n",
}
QUESTIONS = ["How much will the project cost?", "Which ferry crossed the bay?",
             "When was the old bridge built?", "Who was the captain of the ferry?"]


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def version_of(folder: Path, index_dir: Path) -> Path:
    return store.current_version(store.corpus_folder(str(folder.resolve()), index_dir))


def rewrite_text_bin(version: Path, old: bytes, new: bytes) -> None:
    """Replace bytes of the saved text and update the checksum: damage the checks cannot see."""
    assert len(old) == len(new)
    text = (version / "text.bin").read_bytes()
    assert old in text
    text = text.replace(old, new)
    (version / "text.bin").write_bytes(text)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    manifest["crc32"]["text.bin"] = zlib.crc32(text)
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def edit_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    """Edit a file and put back its modification time, as `touch -r` or `cp -p` would."""
    assert len(old.encode()) == len(new.encode())
    stamp = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert path.stat().st_size == stamp.st_size


def shown_passages(result):
    found = [*result.answers, *result.closest]
    if result.explanation is not None and result.explanation.runner_up is not None:
        found.append(result.explanation.runner_up)
    return found


def assert_quotes_the_files(result, folder: Path) -> None:
    for passage in shown_passages(result):
        text, _ = read_text(folder / passage.article.id)  # plain text: the file at the offsets is the sentence
        assert text is not None
        assert normalize_space(text[passage.start:passage.end]) == passage.sentence


def test_a_poisoned_index_is_not_quoted(tmp_path, verbatim):
    folder = write_corpus(tmp_path / "notes")
    index_dir = tmp_path / "idx"
    assert verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--index").code == 0
    rewrite_text_bin(version_of(folder, index_dir), b"12 million", b"97 billion")
    run = verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--ask",
                   "How much will the project cost?")
    assert run.code == ExitCode.ANSWERED
    assert "97 billion" not in run.out and "12 million dollars" in run.out
    notes = [line for line in run.err.splitlines() if "budget.txt" in line]
    assert len(notes) == 1 and "read it again and answered anew" in notes[0]
    # The refreshed index was saved: the next run needs no second look.
    again = verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--json", "--ask",
                     "How much will the project cost?")
    assert json.loads(again.out)["notice"] is None and "12 million" in again.out


def test_an_edit_with_its_time_restored_is_read_again(tmp_path, verbatim):
    folder = write_corpus(tmp_path / "notes")
    index_dir = tmp_path / "idx"
    assert verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--index").code == 0
    edit_keeping_size_and_time(folder / "budget.txt", "12 million", "15 million")
    run = verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--json", "--ask",
                   "How much will the project cost?")
    result = json.loads(run.out)
    assert result["answered"] and "15 million" in result["answers"][0]["sentence"]
    assert "budget.txt" in result["notice"] and "note: budget.txt" in run.err


def test_a_marked_up_file_is_checked_as_its_reader_sees_it(tmp_path, verbatim):
    # The quoted words are not the source's bytes (the markup is gone), so the check reads
    # the file as the index does and compares the unit at the same offsets.
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "span.md").write_text("# Spans\n\nThe *old* bridge spans **1887** metres of the river.\n",
                                    encoding="utf-8")
    index = ["--corpus", str(folder), "--index-dir", str(tmp_path / "idx"), "--json", "--ask",
             "How long is the old bridge?"]
    first = json.loads(verbatim(*index).out)
    assert first["answers"][0]["sentence"] == "The old bridge spans 1887 metres of the river."
    assert first.get("notice") is None  # markup alone is no mismatch
    edit_keeping_size_and_time(folder / "span.md", "1887", "1889")
    run = verbatim(*index)
    result = json.loads(run.out)
    assert result["answers"][0]["sentence"] == "The old bridge spans 1889 metres of the river."
    assert "span.md" in result["notice"]


def test_reindex_reads_every_file_again(tmp_path, verbatim):
    folder = write_corpus(tmp_path / "notes")
    index_dir = tmp_path / "idx"
    assert verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--index").code == 0
    edit_keeping_size_and_time(folder / "ferry.txt", "numbered 7", "numbered 9")
    stamps = verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--index")
    assert "up to date" in stamps.out and "--reindex" in stamps.out
    full = verbatim("--corpus", str(folder), "--index-dir", str(index_dir), "--index", "--reindex")
    assert full.code == ExitCode.ANSWERED and "3 read" in full.out
    assert "numbered 9" in (version_of(folder, index_dir) / "text.bin").read_text(encoding="utf-8")


def test_the_reading_pane_reads_the_corpus_file_not_a_path_the_index_names(tmp_path):
    folder = write_corpus(tmp_path / "notes")
    (tmp_path / "secret.txt").write_text("The admin password is swordfish.\n", encoding="utf-8")
    index_dir = tmp_path / "idx"
    open_index(folder, index_dir=index_dir)
    version = version_of(folder, index_dir)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    for article in manifest["articles"]:
        article["path"] = str(tmp_path / "secret.txt")
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    engine = Engine.load(folder, index_dir=index_dir)
    assert engine.opened.report is None  # the damage passes every check of the saved index
    assert "swordfish" not in engine.article("ferry.txt").text


# -- whatever the index files contain ---------------------------------------------------------
ARRAYS_WITH_OFFSETS = ("unit_start", "unit_end", "text_ptr")
damage = st.one_of(
    st.tuples(st.just("text"), st.integers(0, 10**6), st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("array"), st.sampled_from(ARRAYS_WITH_OFFSETS), st.integers(0, 10**6),
              st.integers(-5, 400)),
    st.tuples(st.just("file"), st.sampled_from(sorted(ARTICLES)), st.integers(0, 10**6),
              st.sampled_from("0123456789xyzXYZ. ")),
)


def apply(change, folder: Path, version: Path) -> None:
    kind = change[0]
    if kind == "text":  # bytes of the quoted text changed, the checksum kept in step
        _, at, new = change
        text = bytearray((version / "text.bin").read_bytes())
        at %= len(text)
        text[at:at + len(new)] = new[:len(text) - at]
        (version / "text.bin").write_bytes(bytes(text))
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        manifest["crc32"]["text.bin"] = zlib.crc32(bytes(text))
        (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif kind == "array":  # an offset moved, the file keeping its size
        _, name, at, value = change
        array = np.load(version / f"{name}.npy")
        array[at % len(array)] = value
        np.save(version / f"{name}.npy", array, allow_pickle=False)
    else:  # the article edited in place, its size and time restored
        _, name, at, char = change
        path = folder / name
        raw = bytearray(path.read_bytes())
        stamp = path.stat()
        raw[at % len(raw)] = ord(char)
        path.write_bytes(bytes(raw))
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(damage, min_size=1, max_size=4))
def test_an_answer_is_the_files_text_at_its_offsets_whatever_the_index_holds(tmp_path_factory, changes):
    root = tmp_path_factory.mktemp("poisoned")
    folder = write_corpus(root / "notes")
    index_dir = root / "idx"
    open_index(folder, index_dir=index_dir)
    version = version_of(folder, index_dir)
    for change in changes:
        apply(change, folder, version)
    try:
        engine = Engine.load(folder, index_dir=index_dir)
    except Exception as error:  # only the documented refusal of an unusable corpus
        assert type(error).__name__ == "CorpusError", error
        return
    for question in QUESTIONS:
        result = engine.ask(question, explain=True)
        assert_quotes_the_files(result, folder)
