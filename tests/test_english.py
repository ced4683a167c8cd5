"""The shipped English lexicon: word frequencies, WordNet relations, base forms and its loading."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from verbatim.retrieval.words import english


def test_common_words_are_more_frequent_than_telling_ones():
    assert english.zipf("the") > english.zipf("putting") > english.zipf("parameters") > 0
    assert english.zipf("money") > english.zipf("capital") > english.zipf("investing")


def test_an_unknown_word_is_rare():
    assert english.zipf("florbaxity") == 0.0
    assert english.zipf("") == 0.0


def test_zipf_reads_words_in_any_case():
    assert english.zipf("Money") == english.zipf("money")


@pytest.mark.parametrize("word, related", [
    ("money", "monetary"),      # derivation
    ("car", "automobile"),      # synonym
    ("big", "large"),           # synonym
    ("quickly", "quick"),       # an adverb's adjective
    ("death", "die"),           # derivation
    ("founder", "found"),       # derivation of "a person who founds"
    ("found", "founder"),
    ("found", "establish"),
    ("invest", "put"),
])
def test_wordnet_relations(word, related):
    assert related in english.related_words(word)


@pytest.mark.parametrize("word, related", [
    ("died", "death"),          # through the lemma "die"
    ("founded", "founder"),     # through "found", by the suffix rule -ed
    ("putting", "place"),       # through "put", an irregular form in verb.exc
    ("investing", "investment"),
])
def test_inflected_words_reach_the_relations_of_their_lemma(word, related):
    assert related in english.related_words(word)


def test_related_words_are_capped_most_frequent_first_and_never_the_word():
    for word in ("go", "die", "found", "put", "better"):
        related = english.related_words(word)
        assert 0 < len(related) <= english.RELATED_CAP
        assert word not in related
        frequencies = [english.zipf(other) for other in related]
        assert frequencies == sorted(frequencies, reverse=True)
        assert all(frequency > 0 for frequency in frequencies)


def test_an_unknown_word_has_no_related_words():
    assert english.related_words("florbaxity") == ()
    assert english.related_words("") == ()


def test_fingerprint_is_sixteen_hex_digits_of_the_data_file():
    version = english.lexicon_version()
    assert version == english.lexicon_version()
    assert len(version) == 16 and int(version, 16) >= 0
    assert version == hashlib.sha256(Path(english.LEXICON_PATH).read_bytes()).hexdigest()[:16]


def test_the_data_file_names_its_sources_and_ships_their_licences():
    with gzip.open(english.LEXICON_PATH, "rt", encoding="utf-8") as data:
        header = [line for line in iter(data.readline, "@words\n")]
    assert all(line.startswith("# ") for line in header)
    text = "".join(header)
    for expected in ("command: python -m verbatim.retrieval.data.build_lexicon", "wordfreq version: ",
                     "WordNet 3.0", "sha256 data.noun: ", "words: "):
        assert expected in text
    folder = Path(english.LEXICON_PATH).parent
    assert "Princeton University" in (folder / "WORDNET-LICENSE").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in (folder / "WORDFREQ-LICENSE").read_text(encoding="utf-8")


def test_concurrent_first_use_reads_the_file_once(monkeypatch):
    monkeypatch.setattr(english, "_lexicon", None)
    reads = []
    original = english.Lexicon.__init__

    def counted(self, packed):
        reads.append(1)
        original(self, packed)

    monkeypatch.setattr(english.Lexicon, "__init__", counted)
    loaded = []
    threads = [threading.Thread(target=lambda: loaded.append(english.lexicon())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1
    assert all(lexicon is loaded[0] for lexicon in loaded)


# Records every file opened and every socket touched once the modules it needs are imported.
WATCH_LOADING = """
import sys, zlib, hashlib
from verbatim.retrieval.words import english
assert english._lexicon is None, "importing the module loaded the data"
opened, sockets = set(), []
def watch(event, args):
    if event == "open":
        opened.add(str(args[0]))
    elif event.startswith("socket."):
        sockets.append(event)
sys.addaudithook(watch)
english.zipf("money"), english.related_words("died")
english.lexicon_version()
print(repr((sorted(opened), sockets, english.LEXICON_PATH)))
"""


@pytest.mark.subprocess
def test_loading_reads_only_the_package_file_and_touches_no_network():
    import ast

    proc = subprocess.run([sys.executable, "-c", WATCH_LOADING], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    opened, sockets, data_file = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert opened == [data_file]
    assert sockets == []
