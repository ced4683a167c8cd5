"""A folder or a question in another language is told so in one line: Verbatim reads English today."""

from __future__ import annotations

import pytest

from verbatim.retrieval.engine import Engine
from verbatim.retrieval.words.language import SAYS_ENGLISH, folder_language, non_latin_share
from verbatim.tui.cli import ExitCode

GERMAN = {
    "wetter.txt": "Das Wetter in Berlin war gestern sehr schön, und viele Menschen gingen in den Parks "
                  "spazieren.\n\nDie Stadtverwaltung hat beschlossen, die Straßenbahnlinie bis zum neuen "
                  "Bahnhof zu verlängern.\n\nNach Angaben des Bürgermeisters sollen die Bauarbeiten im "
                  "nächsten Frühjahr beginnen und zwei Jahre dauern.\n",
    "firma.txt": "Das Unternehmen wurde im Jahr 1998 von zwei Ingenieuren in München gegründet.\n\n"
                 "Heute beschäftigt die Firma mehr als dreitausend Mitarbeiter in zwölf Ländern.\n\n"
                 "Der Umsatz stieg im letzten Geschäftsjahr um acht Prozent auf rund vierhundert "
                 "Millionen Euro.\n",
}
CHINESE = {"ai.txt": "深度求索是一家位于杭州的人工智能公司，由梁文锋于二零二三年创立。\n\n"
                     "该公司发布了多个开源大型语言模型，引起了全球科技界的广泛关注。\n"}


def folder(tmp_path, files: dict[str, str]):
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def language_notices(engine: Engine) -> list[str]:
    return [n for n in engine.notices if "another language" in n]


@pytest.mark.parametrize("files", [GERMAN, CHINESE], ids=["german", "chinese"])
def test_a_folder_of_another_language_is_told_so_in_one_line(tmp_path, files):
    engine = Engine.load(folder(tmp_path, files), index_dir=tmp_path / "index")
    [notice] = language_notices(engine)
    assert "the folder looks like another language" in notice and SAYS_ENGLISH in notice
    assert "\n" not in notice


def test_english_folders_are_not_told_anything(engine, tmp_path):
    assert not language_notices(engine)
    root = folder(tmp_path, {"log.txt": "The keeper of the lighthouse painted its door blue. " * 20})
    assert not language_notices(Engine.load(root, index_dir=tmp_path / "index"))


def test_a_sharded_folder_is_judged_too(tmp_path):
    engine = Engine.load(folder(tmp_path, GERMAN), index_dir=tmp_path / "index", shards=2)
    try:
        assert language_notices(engine)
    finally:
        engine.index.close()


def test_a_few_foreign_names_do_not_make_english_foreign():
    text = ("Liang Wenfeng founded DeepSeek in Hangzhou, and the company released its models "
            "to the public, which drew attention from Beijing, Zürich and Shenzhen. ") * 5
    assert folder_language(text) is None
    assert non_latin_share("DeepSeek (深度求索) was founded in 2023 by a hedge fund manager.") < 0.5


@pytest.mark.parametrize("question", [
    "深度求索的创始人是谁？",
    "Кто основал компанию DeepSeek?",
    "Wie hoch war der Umsatz im letzten Geschäftsjahr?",
    "Was sagte der Bürgermeister über die Bauarbeiten?",
])
def test_a_question_in_another_language_is_told_so(engine, question):
    result = engine.ask(question)
    assert not result.answered
    assert "the question looks like another language" in result.reason and SAYS_ENGLISH in result.reason


@pytest.mark.parametrize("question", [
    "Who is Christopher Beddor?",
    "Who were Wang Jiawei and Nyima Gyaincain?",  # names the corpus does not know
    "Is DeepSeek threadsafe?",
    "Was Liang Wenfeng a hedge fund manager?",
    "What did Xi Jinping discuss with Liang Wenfeng?",
])
def test_english_questions_with_names_are_read_as_english(engine, question):
    result = engine.ask(question)
    assert result.reason is None or "another language" not in result.reason


def test_the_command_says_it_on_stderr_in_one_line(cli, tmp_path):
    root = folder(tmp_path, GERMAN)
    run = cli("--corpus", str(root), "--index-dir", str(tmp_path / "index"), "--ask", "Who founded the company?")
    lines = [line for line in run.err.splitlines() if "another language" in line]
    assert len(lines) == 1 and lines[0].startswith("verbatim: note: the folder looks like another language")
    run = cli("--ask", "深度求索的创始人是谁？")
    assert run.code == ExitCode.NO_ANSWER
    assert "the question looks like another language" in run.out and SAYS_ENGLISH in run.out
