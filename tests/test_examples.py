"""Example questions for the welcome: from the corpus's own titles and headings, and answered by it."""

from __future__ import annotations

from verbatim.retrieval.conversation.examples import EXAMPLE_COUNT, EXAMPLE_PROBABILITY, describes, example_questions
from verbatim.retrieval.engine import Engine


def _headings_and_titles(engine: Engine) -> str:
    from verbatim.corpus.segment import UnitKind

    index = engine.index
    headings = [index.text_of(u) for u in range(len(index)) if index.data.unit_kind[u] == UnitKind.HEADING]
    return "\n".join([*headings, *(a.title for a in index.articles)])


def _topic(question: str) -> str:
    return question.split(" ", 2)[2].rstrip("?")


def check_examples(engine: Engine, questions: list[str]) -> None:
    named = _headings_and_titles(engine)
    headings = set(named.splitlines())
    answers = set()
    for question in questions:
        result = engine.ask(question, top=1)
        assert result.answered and result.probability >= EXAMPLE_PROBABILITY  # at full strength
        assert describes(result.answers[0].sentence, _topic(question))  # says what it is
        assert result.answers[0].sentence not in headings  # answered by the text, not a heading
        answers.add(result.answers[0].sentence)
    assert len(answers) == len(questions)


def test_the_bundled_articles_get_examples_they_answer_well(engine):
    questions = example_questions(engine)
    assert 1 <= len(questions) <= EXAMPLE_COUNT and len(set(questions)) == len(questions)
    check_examples(engine, questions)


def test_a_name_only_mentioned_is_not_described():
    """The answers the welcome once offered for "What is AI?" and "What is China?" name them
    in passing; an apposition or a sentence about the name says what it is."""
    assert not describes("While other Chinese tech firms focused on building consumer-facing AI "
                         "applications, DeepSeek concentrated on refining model quality.", "AI")
    assert not describes("Last month, Washington announced a new export control package against "
                         "China, curbing exports of chips.", "China")
    assert describes("DeepSeek’s rise is closely tied to its founder, Liang Wenfeng, a former "
                     "quantitative hedge fund manager.", "Liang Wenfeng")
    assert describes("DeepSeek has rapidly emerged as a formidable player in the AI industry.", "DeepSeek")


def test_a_sharded_corpus_gets_the_same_examples(tmp_path):
    """A sharded index holds no array of unit kinds: its units are fetched from its shards."""
    from verbatim.corpus.bundled import ARTICLES_DIR

    one = Engine.load(ARTICLES_DIR, index_dir=tmp_path / "one")
    sharded = Engine.load(ARTICLES_DIR, index_dir=tmp_path / "sharded", shards=2)
    try:
        questions = example_questions(one)
        assert questions and example_questions(sharded) == questions
    finally:
        sharded.index.close()


def test_any_corpus_gets_examples_from_its_own_headings(tmp_path):
    (tmp_path / "lighthouse.md").write_text(
        "# The Keeper of Skerry Rock\n\n"
        "Skerry Rock is a granite islet off the western coast, and its lighthouse was built in 1851.\n\n"
        "## Margaret Tolland\n\n"
        "Margaret Tolland kept the Skerry Rock light for thirty years after her husband died.\n\n"
        "Margaret Tolland said the light never failed in a storm.\n", encoding="utf-8")
    (tmp_path / "ferry.md").write_text(
        "# The Skerry Rock ferry\n\n"
        "The ferry to Skerry Rock leaves the harbour at dawn, and Margaret Tolland met it every week.\n",
        encoding="utf-8")
    engine = Engine.load(tmp_path, index_dir=tmp_path.parent / "index")
    questions = example_questions(engine)
    assert questions and questions[0].endswith("Skerry Rock?")  # named by both files: first
    assert "Who is Margaret Tolland?" in questions  # a person, as the text speaks of her
    check_examples(engine, questions)


def test_a_corpus_without_headings_or_names_gets_no_examples(tmp_path):
    (tmp_path / "notes.txt").write_text("lowercase notes only.\n\nnothing here is named at all.\n",
                                        encoding="utf-8")
    engine = Engine.load(tmp_path, index_dir=tmp_path.parent / "index")
    assert example_questions(engine) == []
