"""A saved manifest whose fields have the wrong types is a damaged index: rebuilt, never a question that fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index import store

QUESTION = "Which ferry crossed the bay?"


def indexed(tmp_path: Path) -> tuple[Path, Path, Path]:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "ferry.txt").write_text("Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n", encoding="utf-8")
    (folder / "bridge.txt").write_text("Bridges\n\nThe old bridge was built in 1887.\n", encoding="utf-8")
    index_dir = tmp_path / "idx"
    Engine.load(folder, index_dir=index_dir)
    return folder, index_dir, store.current_version(store.corpus_folder(str(folder.resolve()), index_dir))


def ferry(manifest: dict) -> dict:
    return next(a for a in manifest["articles"] if a["rel"] == "ferry.txt")


@pytest.mark.parametrize("field, damage", [
    ("title", lambda m: ferry(m).update(title=[1])),
    ("authors", lambda m: ferry(m).update(authors=[1])),
    ("source", lambda m: ferry(m).update(source={"a": 1})),
    ("size", lambda m: ferry(m).update(size="12")),
    ("first", lambda m: ferry(m).update(first=True)),
    ("articles", lambda m: m.update(articles={"ferry.txt": 1})),
    ("avgdl", lambda m: m.update(avgdl="7")),
    ("notes", lambda m: m.update(notes={"ferry.txt": 3})),
    ("skipped", lambda m: m.update(skipped={"ferry.txt": [1]})),
    ("name", lambda m: m.pop("name")),
])
def test_a_manifest_field_of_the_wrong_type_rebuilds_the_index(tmp_path, field, damage):
    folder, index_dir, version = indexed(tmp_path)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    damage(manifest)
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    engine = Engine.load(folder, index_dir=index_dir)
    assert engine.opened.report is not None  # rebuilt
    (notice,) = engine.notices
    assert "cannot be used" in notice and field in notice and "rebuilding it" in notice
    result = engine.ask(QUESTION)
    assert result.answered and result.answers[0].article.title == "Ferries"
    again = Engine.load(folder, index_dir=index_dir)  # and the rebuilt index is saved, whole
    assert again.opened.report is None and again.notices == []
    assert again.ask(QUESTION).answers[0].sentence == "The ferry numbered 7 crossed the bay at dawn."
