"""Any folder of articles, and its saved index: built once, refreshed in part, never half-written."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import cli_env, read_folder, verbatim_command

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index import analysis, store, terms
from verbatim.retrieval.index.analysis import analysis_fingerprint
from verbatim.retrieval.index.open import open_index
from verbatim.retrieval.words import lexicon

HTML = """<!doctype html><html><head><title>Harbour &amp; Quay report</title>
<style>p { color: red }</style><script>var hidden = "The secret word is zebra.";</script></head>
<body><h1>Harbour works</h1><p>The new quay opened in <b>March 2024</b> after two years of work.</p>
<p>It cost &euro;40 million, paid by the port authority.</p></body></html>"""


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "archive"
    (root / "b").mkdir(parents=True)
    (root / "a.txt").write_text("Garden notes\n\nThe tomatoes were planted on 3 May.\n", encoding="utf-8")
    (root / "b" / "bees.md").write_text("# Bees\n\nThe hive was moved in June.\n", encoding="utf-8")
    (root / "b" / "port.html").write_text(HTML, encoding="utf-8")
    return root


def index_dir(tmp_path) -> Path:
    return tmp_path / "indexes"


def test_folders_read_txt_md_and_html_in_a_stable_order(folder):
    articles = read_folder(folder)
    assert [a.id for a in articles] == ["a.txt", "b/bees.md", "b/port.html"]
    port = articles[2]
    assert port.title == "Harbour & Quay report"
    texts = [u.text for u in port.units]
    assert "Harbour works" in texts
    assert "The new quay opened in March 2024 after two years of work." in texts
    assert not any("secret word" in t or "color" in t for t in texts)


def test_unusable_files_are_skipped_with_one_warning_each(folder, tmp_path):
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "empty.md").write_text("   \n", encoding="utf-8")
    (folder / "latin.txt").write_bytes("Caf\xe9 society met at noon.".encode("latin-1"))
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    (folder / "b" / "loop").symlink_to(folder)
    opened = open_index(folder, index_dir=index_dir(tmp_path))
    warnings = opened.index.warnings
    assert any("blob.txt: skipped, binary file" in w for w in warnings)
    assert any("empty.md: skipped, empty" in w for w in warnings)
    assert any("gone.txt: skipped, cannot be read" in w for w in warnings)
    assert not any("latin.txt" in w for w in warnings)  # Latin-1 is decoded, not repaired
    assert any("symbolic link loops" in w for w in warnings)
    assert "latin.txt" in [a.id for a in opened.index.articles]
    assert opened.report.skipped == 3


def test_the_saved_index_is_reused_and_refreshed_file_by_file(folder, tmp_path):
    first = open_index(folder, index_dir=index_dir(tmp_path))
    assert first.report is not None and first.report.read == 3
    again = open_index(folder, index_dir=index_dir(tmp_path))
    assert again.report is None  # fresh: loaded, nothing read
    time.sleep(0.01)
    (folder / "a.txt").write_text("Garden notes\n\nThe roses were planted on 9 May.\n", encoding="utf-8")
    (folder / "c.txt").write_text("A new file about kites flown in April.\n", encoding="utf-8")
    (folder / "b" / "bees.md").unlink()
    changed = open_index(folder, index_dir=index_dir(tmp_path))
    report = changed.report
    assert (report.read, report.reused, report.removed) == (2, 1, 1)
    texts = {changed.index.text_of(u) for u in range(len(changed.index))}
    assert "The roses were planted on 9 May." in texts and "The hive was moved in June." not in texts
    scratch = open_index(folder, index_dir=tmp_path / "scratch")
    assert np.allclose(scratch.index.bm25.get_scores(["kite", "rose"]), changed.index.bm25.get_scores(["kite", "rose"]))


def test_cache_location_follows_xdg_and_index_dir(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    opened = open_index(folder)
    assert opened.folder.parent == tmp_path / "xdg" / "verbatim"
    other = open_index(folder, index_dir=tmp_path / "elsewhere")
    assert other.folder.parent == tmp_path / "elsewhere"


def test_saves_are_whole_versions_of_arrays_and_json(folder, tmp_path):
    opened = open_index(folder, index_dir=index_dir(tmp_path))
    version = store.current_version(opened.folder)
    files = sorted(p.name for p in version.iterdir())
    assert files == sorted([f"{name}.npy" for name in store.ARRAYS] + ["text.bin", "vocab.json", "stems.txt", "manifest.json"])
    for name in store.ARRAYS:
        np.load(version / f"{name}.npy", allow_pickle=False)  # never a pickle
    assert not [p for p in opened.folder.iterdir() if p.name.endswith(".partial")]
    open_index(folder, index_dir=index_dir(tmp_path), force=True)
    versions = [p for p in opened.folder.iterdir() if p.name.startswith("v-")]
    assert versions == [store.current_version(opened.folder)]  # the old version is gone


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda v: (v / "post_unit.npy").write_bytes((v / "post_unit.npy").read_bytes()[:-8]), "bytes"),
        (lambda v: (v / "manifest.json").write_text("{not json", encoding="utf-8"), "manifest"),
        (lambda v: (v / "manifest.json").write_text(json.dumps({"format": "other"}), encoding="utf-8"),
         "not a Verbatim index"),
        (lambda v: (v / "vocab.json").unlink(), "vocab.json"),
        (lambda v: v.parent.joinpath("current").write_text("../../etc", encoding="utf-8"), "pointer"),
    ],
)
def test_a_damaged_index_is_reported_and_rebuilt(folder, tmp_path, damage, message):
    opened = open_index(folder, index_dir=index_dir(tmp_path))
    damage(store.current_version(opened.folder) if message != "pointer" else opened.folder / "x")
    rebuilt = open_index(folder, index_dir=index_dir(tmp_path))
    assert rebuilt.report is not None and rebuilt.report.read == 3
    assert len(rebuilt.notices) == 1 and "cannot be used" in rebuilt.notices[0]
    assert open_index(folder, index_dir=index_dir(tmp_path)).report is None


def test_an_index_of_another_corpus_is_not_used(folder, tmp_path):
    opened = open_index(folder, index_dir=index_dir(tmp_path))
    version = store.current_version(opened.folder)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    manifest["root"] = "/somewhere/else"
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rebuilt = open_index(folder, index_dir=index_dir(tmp_path))
    assert "another corpus" in rebuilt.notices[0]


def saved_manifest(opened) -> tuple[Path, dict]:
    path = store.current_version(opened.folder) / "manifest.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_an_index_saves_its_analyzers_settings_and_is_opened_with_that_analyzer(folder, tmp_path):
    opened = open_index(folder, index_dir=index_dir(tmp_path))
    _, manifest = saved_manifest(opened)
    settings = analysis.AnalyzerSettings.from_record(manifest["analyzer"])
    assert settings == analysis.analyzer_settings() and manifest["analysis"] == settings.fingerprint()
    assert settings.record()["k1"] == 1.5 and settings.record()["normalizer"] == terms.NORMALIZER_VERSION
    reused = open_index(folder, index_dir=index_dir(tmp_path))
    assert reused.report is None and reused.notices == []  # a normal index: reused
    assert reused.index.analyzer is terms.ANALYZER and reused.index.analyzer.settings == settings


@pytest.mark.parametrize(
    "change, why",
    [
        ({"normalizer": 1}, "normalizer 1, not 2"),
        ({"k1": 1.2}, "k1 1.2, not 1.5"),
        ({"tokenizer": r"\w+"}, "tokenizer"),
        ({"nltk": "0.0"}, "nltk '0.0'"),
    ],
)
def test_an_index_saved_with_other_analyzer_settings_is_rebuilt_once(folder, tmp_path, change, why):
    assert open_index(folder, index_dir=index_dir(tmp_path)).report is not None
    path, manifest = saved_manifest(open_index(folder, index_dir=index_dir(tmp_path)))
    other = analysis.AnalyzerSettings(**{**manifest["analyzer"], **change})
    manifest.update(analyzer=other.record(), analysis=other.fingerprint())  # saved whole, by other settings
    path.write_text(json.dumps(manifest), encoding="utf-8")
    rebuilt = open_index(folder, index_dir=index_dir(tmp_path))
    assert rebuilt.report is not None and (rebuilt.report.read, rebuilt.report.reused) == (3, 0)
    assert len(rebuilt.notices) == 1 and "\n" not in rebuilt.notices[0]
    assert "analysed by other rules" in rebuilt.notices[0] and why in rebuilt.notices[0]
    assert "rebuilding it" in rebuilt.notices[0]
    again = open_index(folder, index_dir=index_dir(tmp_path))
    assert again.report is None and again.notices == []


@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda m: m.pop("analyzer"), "missing"),  # saved before indexes kept their analyzer's settings
        (lambda m: m["analyzer"].update(b=0.5), "do not match their fingerprint"),
        (lambda m: m["analyzer"].update(segmenter="one"), "segmenter is not a int"),
    ],
)
def test_an_index_whose_analyzer_settings_cannot_be_trusted_is_rebuilt(folder, tmp_path, damage, why):
    path, manifest = saved_manifest(open_index(folder, index_dir=index_dir(tmp_path)))
    damage(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")
    rebuilt = open_index(folder, index_dir=index_dir(tmp_path))
    assert rebuilt.report is not None and len(rebuilt.notices) == 1 and why in rebuilt.notices[0]


def test_a_sharded_index_saved_with_other_analyzer_settings_is_rebuilt(folder, tmp_path):
    from verbatim.retrieval.shards import layout
    from verbatim.retrieval.shards.open import open_sharded

    open_sharded(folder, count=2, index_dir=index_dir(tmp_path))
    [path] = index_dir(tmp_path).rglob(layout.GENERATION)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["analyzer"] == analysis.analyzer_settings().record()
    other = analysis.AnalyzerSettings(**{**manifest["analyzer"], "normalizer": 1})
    manifest.update(analyzer=other.record(), analysis=other.fingerprint())
    path.write_text(json.dumps(manifest), encoding="utf-8")
    rebuilt = open_sharded(folder, count=2, index_dir=index_dir(tmp_path))
    assert any("analysed by other rules" in notice and "normalizer 1" in notice for notice in rebuilt.notices)


@pytest.fixture
def fingerprint_recomputed():
    analysis.analyzer_settings.cache_clear()
    yield
    analysis.analyzer_settings.cache_clear()


@pytest.mark.parametrize(
    "module, name, value",
    [
        (analysis, "SEGMENTER_VERSION", -1),
        (analysis, "TOKEN_PATTERN", r"\w+"),
        (lexicon, "STOPWORDS", lexicon.STOPWORDS | {"harbour"}),
        (lexicon, "IRREGULAR_FORMS", {**lexicon.IRREGULAR_FORMS, "spake": "speak"}),
        (analysis, "NORMALIZER_VERSION", -1),
        (analysis.unicodedata, "unidata_version", "1.1.0"),
        (analysis, "nltk_version", lambda: "0.0"),
        (analysis, "K1", 1.2),
        (analysis, "B", 0.5),
    ],
)
def test_the_fingerprint_follows_every_part_of_the_analysis_chain(
    module, name, value, monkeypatch, fingerprint_recomputed
):
    before = analysis_fingerprint()
    assert analysis_fingerprint() == before and len(before) == 16
    monkeypatch.setattr(module, name, value)
    analysis.analyzer_settings.cache_clear()
    assert analysis_fingerprint() != before


def test_the_engine_reads_an_article_again_for_reading(folder, tmp_path):
    engine = Engine.load(folder, index_dir=index_dir(tmp_path))
    article = engine.article("b/port.html")
    assert article.title == "Harbour & Quay report"
    result = engine.ask("When did the new quay open?")
    assert result.answers[0].sentence == "The new quay opened in March 2024 after two years of work."


def run_cli(*args, env_extra=None, cwd=None, empty_nltk_data=None):
    return subprocess.run([*verbatim_command(), *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=cli_env(empty_nltk_data, **(env_extra or {})))


def test_index_command_says_what_it_did(folder, tmp_path, empty_nltk_data):
    first = run_cli("--corpus", str(folder), "--index", "--index-dir", str(tmp_path / "i"),
                    empty_nltk_data=empty_nltk_data)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Indexed archive: 3 files (3 read, 0 unchanged, 0 removed, 0 skipped)")
    assert "sentences in" in first.stdout and " MB at " in first.stdout
    second = run_cli("--corpus", str(folder), "--index", "--index-dir", str(tmp_path / "i"),
                     empty_nltk_data=empty_nltk_data)
    assert second.stdout.startswith("Index of archive is up to date: 3 articles")


@pytest.mark.subprocess
def test_two_processes_indexing_one_folder_take_turns(folder, tmp_path, empty_nltk_data):
    for n in range(80):
        (folder / f"extra{n}.txt").write_text(f"Line {n} is about ferries and tides.\n" * 20, encoding="utf-8")
    command = [*verbatim_command(), "--corpus", str(folder), "--index", "--index-dir", str(tmp_path / "i")]
    env = cli_env(empty_nltk_data)
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    built = [out for out, _ in outputs if out.startswith("Indexed")]
    fresh = [out for out, _ in outputs if "up to date" in out]
    assert len(built) == 1 and len(fresh) == 1  # the second waited, then found it fresh
    opened = open_index(folder, index_dir=tmp_path / "i")
    assert opened.report is None and len(opened.index.articles) == 83
