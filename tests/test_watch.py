"""Noticing a corpus folder changing: what counts as a change, what does not, and what looking costs."""

from __future__ import annotations

import os

from verbatim.retrieval import watch
from verbatim.retrieval.index.open import open_index
from verbatim.retrieval.watch import Changes, FolderWatch, indexed_stamps

FERRY = "Ferries\n\nThe ferry numbered 7 crossed the bay at dawn. Its captain was Ada Brook.\n"
BRIDGE = "# Bridge\n\nThe old bridge was built in 1887 by the Hale company.\n"


def test_added_changed_and_removed_files_are_told_apart_and_ignored_ones_are_not_changes(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "exports").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
    (folder / "bridge.md").write_text(BRIDGE, encoding="utf-8")
    (folder / "old.txt").write_text(FERRY, encoding="utf-8")
    (folder / "exports" / "chat.md").write_text(BRIDGE, encoding="utf-8")
    index = open_index(folder, index_dir=tmp_path / "index").index
    looker = FolderWatch(folder, exclude=["*.log.txt"], ignored=[folder / "exports"])
    assert not looker.changes(indexed_stamps(index), looker.stamps())  # the exports were indexed, yet no change

    (folder / "new.txt").write_text(BRIDGE, encoding="utf-8")
    (folder / "old.txt").unlink()
    stamp = (folder / "ferry.txt").stat()
    (folder / "ferry.txt").write_text(FERRY + "More.\n", encoding="utf-8")
    os.utime(folder / "ferry.txt", ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))
    (folder / "exports" / "chat2.md").write_text(BRIDGE, encoding="utf-8")  # Verbatim's own
    (folder / ".hidden" / "secret.txt").write_text(FERRY, encoding="utf-8")  # hidden, as the index has it
    (folder / "run.log.txt").write_text(FERRY, encoding="utf-8")  # excluded
    (folder / "photo.jpg").write_bytes(b"\xff\xd8")  # not a format read
    changes = looker.changes(indexed_stamps(index), looker.stamps())
    assert changes == Changes(added=("new.txt",), changed=("ferry.txt",), removed=("old.txt",))
    assert changes.summary() == "3 files changed (1 added, 1 changed, 1 removed)"
    assert Changes(changed=("a.txt", "b.txt")).summary() == "2 files changed"
    assert Changes(added=("a.pdf",)).summary() == "1 file added"
    # Counted as the index read them: files it could not read are skipped, not added.
    read = Changes(added=("a.pdf", "b.txt"), changed=("c.md",), removed=("d.txt",)).read_by({"b.txt", "x.txt"})
    assert read == Changes(added=("b.txt",), removed=("d.txt",), skipped=("a.pdf", "c.md"))
    assert read.summary() == "4 files changed (1 added, 1 removed, 2 skipped)"
    assert Changes(added=("a.pdf",)).read_by(set()).summary() == "1 file skipped"


def test_a_folder_that_costs_more_to_look_at_is_looked_at_less_often(tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
    looker = FolderWatch(folder)
    looker.stamps()
    assert looker.interval == watch.POLL_SECONDS  # a small folder: the shortest wait
    clock = iter([100.0, 103.0])  # a look that took 3 seconds
    monkeypatch.setattr(watch.time, "monotonic", lambda: next(clock))
    looker.stamps()
    assert looker.interval == watch.COST_SHARE * 3.0
