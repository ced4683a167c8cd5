"""The chat over a sharded corpus (its welcome shows the example questions, as over one index), and with a threshold set."""

from __future__ import annotations

import shutil

from chat_pilot import chat, settle

from verbatim.corpus.bundled import ARTICLES_DIR
from verbatim.retrieval.conversation.examples import example_questions
from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.open import open_index
from verbatim.retrieval.settings import Settings
from verbatim.retrieval.shards.open import open_sharded
from verbatim.tui.widgets import ExampleQuestion, Welcome


async def test_the_welcome_shows_examples_on_a_sharded_corpus(tmp_path):
    corpus = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, corpus, ignore=shutil.ignore_patterns("catalog.json"))
    sharded = Engine(open_sharded(corpus, count=2, index_dir=tmp_path / "many"))
    expected = example_questions(Engine(open_index(corpus, index_dir=tmp_path / "one")))
    app = chat(sharded)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = [e.question for e in app.query_one(Welcome).query(ExampleQuestion)]
    assert expected and shown == expected


async def test_the_chat_answers_with_the_threshold_set(tmp_path):
    app = chat(settings=Settings(index_dir=str(tmp_path / "idx"), threshold=1.0))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.engine is not None and app.engine.abstainer.threshold == 1.0
        assert not app.engine.ask("Who founded DeepSeek?").answered
