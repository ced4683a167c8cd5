"""Questions are read and stemmed exactly as NLTK would, without importing NLTK for them."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nltk
import pytest
from conftest import cli_env
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.porter import PorterStemmer
from nltk.tokenize import RegexpTokenizer
from test_quotes_match_files import edit_keeping_size_and_time, write_corpus

from verbatim.corpus import reader
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index import terms
from verbatim.retrieval.index.build import build
from verbatim.retrieval.index.terms import TOKEN_PATTERN, StemMemo, nltk_version, question_spans

NLTK_TOKENIZER = RegexpTokenizer(TOKEN_PATTERN, flags=re.VERBOSE | re.UNICODE)
PORTER = PorterStemmer()
SQUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "squad-train" / "train-v1.1.from-explorer.json.gz"
SQUAD_QUESTIONS = 3000

PIECES = list("abcAB $€%.,'’\"0123456789-\u2010\u2212") + [
    "--", "-l", "US$", " billion", "U.S.", "é", "e\u0301", "ß", "ＦＭ", "１", "ﬁ", "İ", "٢", "Ω", "ſ",
    "K", "日本語", "Ελληνικά", "русский", "עברית", "العربية", "हिन्दी", "ไทย", "한국어", "\u200d", "\u200c",
    "\U0001f600", "\u1e9e", "ǅ", "\u0345", "\x1c", "\u00a0", "\u2028",
]


def porter(word: str) -> str:
    return PORTER.stem(word, to_lowercase=False)


def test_the_nltk_version_is_read_as_nltk_reads_it():
    assert nltk_version() == nltk.__version__


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(PIECES), max_size=30).map("".join)))
def test_question_tokens_are_nltks_on_any_text(text):
    assert question_spans(text) == list(NLTK_TOKENIZER.span_tokenize(text))


@pytest.mark.skipif(not SQUAD.exists(), reason="the SQuAD training set is not beside the repository")
def test_question_tokens_and_stems_are_nltks_on_real_questions():
    with gzip.open(SQUAD, "rt", encoding="utf-8") as file:
        data = json.load(file)["data"]
    questions = [qa["question"] for article in data for paragraph in article["paragraphs"]
                 for qa in paragraph["qas"]][::29][:SQUAD_QUESTIONS]
    assert len(questions) == SQUAD_QUESTIONS
    for question in questions:
        assert question_spans(question) == list(NLTK_TOKENIZER.span_tokenize(question)), question
        terms.tokens(question)
    stemmed = terms.stems_in_process()
    assert len(stemmed) > 1000
    assert {word: stem for word, stem in stemmed.items() if porter(word) != stem} == {}


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(categories=["Ll", "Lu", "Lo", "Mn"]), min_size=1, max_size=16))
def test_any_word_is_stemmed_as_porter_stems_it(word):
    assert terms.ANALYZER.stem(word) == porter(word)


def test_the_shipped_memo_holds_porters_stems_under_its_nltk_version():
    memo = terms._shipped_memo()
    header = gzip.decompress(Path(terms.SHIPPED_STEMS_PATH).read_bytes()).split(b"\n", 1)[0].decode()
    if header != f"nltk {nltk.__version__}":
        assert memo is None  # made under another NLTK: not used
        return
    entries = list(memo.items())
    assert len(entries) > 50_000
    assert [(word, stem) for word, stem in entries[::7] if porter(word) != stem] == []
    assert memo.get("running") == "run" and memo.get("zorblaxing") == ""


def test_an_index_remembers_porters_stem_of_every_word_it_read(tmp_path):
    folder = write_corpus(tmp_path / "notes")
    (folder / "names.txt").write_text("Zorblax and Quembrith founded Vantorix in Ürümqi.\n", encoding="utf-8")
    data, _ = build(folder, parallel=False)
    memo = dict(StemMemo(data.stems).items())
    for word in ("zorblax", "quembrith", "founded", "vantorix", "urumqi", "ferry", "captain"):
        assert memo[word] == porter(word)
    assert [(word, stem) for word, stem in memo.items() if porter(word) != stem] == []


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


ONE_SHOT = """
import sys
from verbatim.tui.cli import main
try:
    main(["--ask", sys.argv[1] if len(sys.argv) > 1 else QUESTION])
except SystemExit:
    pass
print("NLTK MODULES:", sorted(m for m in sys.modules if m == "nltk" or m.startswith("nltk.")))
"""


@pytest.mark.subprocess
def test_the_one_shot_answer_from_a_saved_index_imports_no_nltk(empty_nltk_data, tmp_path):
    env = cli_env(empty_nltk_data, XDG_CACHE_HOME=str(tmp_path))
    code = f"QUESTION = {'How old is Liang Wenfeng?'!r}\n" + ONE_SHOT
    first = run_python(code, env)  # builds and saves the index
    assert first.returncode == 0, first.stderr
    again = run_python(code, env)
    assert again.returncode == 0, again.stderr
    assert "Liang Wenfeng" in again.stdout
    assert "NLTK MODULES: []" in again.stdout, again.stdout


@pytest.mark.subprocess
def test_a_word_no_memo_holds_is_stemmed_by_nltk_with_the_same_answer(empty_nltk_data, tmp_path):
    code = """
import sys
from nltk.stem.porter import PorterStemmer
from verbatim.corpus import reader
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index import terms

QUESTION = "How old was Liang Wenfeng when he was zorblaxing DeepSeek?"
with_memos = Engine.load().ask(QUESTION)
assert "nltk" in sys.modules  # "zorblaxing" is in no memo
porter = PorterStemmer()
wrong = {w: s for w, s in terms.stems_in_process().items() if porter.stem(w, to_lowercase=False) != s}
assert not wrong, wrong
assert terms.ANALYZER.stems["zorblaxing"] == "zorblax"
terms.ANALYZER.stems.clear()
terms.ANALYZER.words.clear()
terms.ANALYZER.use_memos = False  # every stem from NLTK's Porter, as before the memos
without = Engine.load().ask(QUESTION)
assert with_memos.model_dump() == without.model_dump()
assert with_memos.answered and "Liang Wenfeng" in with_memos.answers[0].sentence
print("same")
"""
    env = cli_env(empty_nltk_data, XDG_CACHE_HOME=str(tmp_path))
    assert run_python("from verbatim.retrieval.engine import Engine; Engine.load()", env).returncode == 0
    proc = run_python(code, env)
    assert proc.returncode == 0 and "same" in proc.stdout, proc.stderr


def test_a_conversation_sees_an_edit_that_kept_size_and_time(tmp_path):
    # Files read for the quote check are kept between questions while their status is
    # unchanged; the status change time moves with any edit, even one that restores the rest.
    folder = write_corpus(tmp_path / "notes")
    engine = Engine.load(folder, index_dir=tmp_path / "idx")
    assert "12 million" in engine.ask("How much will the project cost?").answers[0].sentence
    edit_keeping_size_and_time(folder / "budget.txt", "12 million", "15 million")
    os.sync()
    result = engine.ask("How much will the project cost?")
    assert "15 million" in result.answers[0].sentence and "budget.txt" in result.notice


def test_only_a_changed_or_marked_up_file_is_split_again_to_check_a_quote(tmp_path, monkeypatch):
    folder = write_corpus(tmp_path / "notes")
    engine = Engine.load(folder, index_dir=tmp_path / "idx")
    split: list[str] = []
    make_article = reader.make_article
    monkeypatch.setattr(reader, "make_article", lambda *args, **kw: split.append(Path(args[1]).name) or
                        make_article(*args, **kw))
    # Bytes the index was not made from are split by a reading process, within the budget.
    from verbatim.retrieval import verifier as verifier_module

    within_budget = verifier_module.within_budget
    monkeypatch.setattr(verifier_module, "within_budget", lambda function, task: split.append(Path(task[0]).name)
                        or within_budget(function, task))
    ferry = engine.ask("Which ferry crossed the bay?")
    assert ferry.answered and ferry.notice is None and "ferry.txt" not in split
    bridge = engine.ask("When was the old bridge built?")
    assert bridge.answered and "bridge.md" in split  # markup: read as the index reads it
    edit_keeping_size_and_time(folder / "ferry.txt", "numbered 7", "numbered 9")
    again = engine.ask("Which ferry crossed the bay?")
    assert "ferry.txt" in split and "numbered 9" in again.answers[0].sentence
