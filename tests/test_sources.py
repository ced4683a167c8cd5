"""Further sources: other articles first, and no list says one sentence twice."""

from __future__ import annotations

import pytest

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.index.terms import terms
from verbatim.retrieval.reader.support import DUPLICATE_JACCARD

# One article says the opening twice on one line; another repeats its first sentence with a
# comma more; a third says it in other words.
HARBOUR = {
    "harbour.txt": "The Harbour Bridge opened to traffic in the spring of 1932 after long delays. "
                   "The Harbour Bridge opened with a parade across its deck in 1932.\n\n"
                   "The bridge carries eight lanes of road traffic and two railway lines.\n",
    "city.txt": "The Harbour Bridge opened to traffic in the spring of 1932, after long delays.\n\n"
                "The city council approved a new ferry terminal beside the bridge.\n",
    "history.txt": "The Harbour Bridge opened to the public in March 1932, the city's records say.\n",
}


@pytest.fixture(scope="module")
def harbour(tmp_path_factory):
    root = tmp_path_factory.mktemp("harbour")
    for name, text in HARBOUR.items():
        (root / name).write_text(text, encoding="utf-8")
    return Engine.load(root)


def alike(a: str, b: str) -> bool:
    ta, tb = set(terms(a)), set(terms(b))
    return len(ta & tb) / len(ta | tb) >= DUPLICATE_JACCARD


def assert_other_sources(result):
    best, *further = result.answers
    # Each other article's first sentence comes before more of an article already listed.
    new = [p.article.id not in [best.article.id, *(q.article.id for q in further[:i])] for i, p in enumerate(further)]
    assert new == sorted(new, reverse=True), "more of a listed article before another article's first sentence"
    listed = [p.sentence for p in result.answers]
    assert not any(alike(a, b) for i, a in enumerate(listed) for b in listed[i + 1:])


def test_further_sources_list_other_articles_first_and_never_a_sentence_twice(harbour):
    result = harbour.ask("When did the Harbour Bridge open?", top=3)
    assert result.answered
    assert_other_sources(result)


@pytest.mark.parametrize("question", [
    "What was Liang Wenfeng's job before DeepSeek?",
    "What is AI?",
    "Which companies are leading DeepSeek's funding talks?",
    "Who is Christopher Beddor?",
])
def test_further_sources_of_the_bundled_articles_are_other_places(engine, question):
    result = engine.ask(question, top=3)
    assert result.answered
    assert_other_sources(result)


def test_another_article_that_answers_too_is_still_listed(engine):
    result = engine.ask("What was Liang Wenfeng's job before DeepSeek?", top=3)
    assert len(result.answers) >= 2


def test_near_identical_closest_passages_are_shown_once(harbour):
    result = harbour.ask("How much did the Harbour Bridge cost?", top=3)
    assert not result.answered and len(result.closest) >= 2
    listed = [p.sentence for p in result.closest]
    assert not any(alike(a, b) for i, a in enumerate(listed) for b in listed[i + 1:])
    assert len(result.explanations) in (0, len(result.closest))


def test_a_single_document_lists_its_other_entries_as_further_sources(tmp_path):
    # One FAQ file: two entries answer, and the other is listed as a further source.
    (tmp_path / "faq.txt").write_text(
        "Backups\n\nThe backup tool keeps seven daily snapshots of every volume. "
        "The backup tool keeps them in the vault folder.\n\n"
        "Retention\n\nBy default the backup tool keeps seven daily snapshots before pruning older ones.\n",
        encoding="utf-8")
    result = Engine.load(tmp_path).ask("How many daily snapshots does the backup tool keep?", top=3)
    assert result.answered and len(result.answers) >= 2
    assert_other_sources(result)
