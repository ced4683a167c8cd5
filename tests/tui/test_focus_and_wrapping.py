"""Every place Tab stops shows itself and says what Enter does; wrapped citations and help lines keep their indent."""

from __future__ import annotations

import pytest
from chat_pilot import ask, chat, screen_lines, settle

from verbatim.retrieval.engine import Engine
from verbatim.tui.screens import ArticleScreen, HelpScreen
from verbatim.tui.widgets import AnswerCard, Fold, FoldTitle, PassageRow

# The bar drawn at the left of the place that has focus (a character, so it shows without colour).
FOCUS_BAR = "┃"


def shown_keys(app) -> dict[str, str]:
    """The footer's keys now: description -> binding id."""
    return {binding.description: binding.id for _, binding, enabled, _ in app.active_bindings.values()
            if binding.show and enabled}


def assert_focus_is_drawn(app) -> None:
    """The focused place has the focus bar down its whole left edge, and nothing else has it."""
    lines = screen_lines(app)
    region = app.focused.region
    assert region.height >= 1
    for y in range(region.y, region.bottom):
        assert lines[y][region.x] == FOCUS_BAR, f"no focus bar at line {y}: {lines[y]!r}"
    elsewhere = [y for y, line in enumerate(lines) if FOCUS_BAR in line and not region.y <= y < region.bottom]
    assert not elsewhere


class TestFocusStops:
    async def test_tab_through_an_answer_card_shows_every_stop(self, engine):
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, "What is High-Flyer?")
            card = app.query_one(AnswerCard)
            fold = card.query_one(Fold)
            assert fold.collapsed, "the question's further sources should be folded"
            await pilot.press("tab")
            await settle(pilot)
            assert app.focused is card.query(PassageRow).first()
            assert_focus_is_drawn(app)
            assert shown_keys(app).get("Open") == "passage.open"
            await pilot.press("tab")
            await settle(pilot)
            assert isinstance(app.focused, FoldTitle)
            assert_focus_is_drawn(app)
            assert shown_keys(app).get("Show") == "fold.show" and "Open" not in shown_keys(app)
            await pilot.press("enter")
            await settle(pilot)
            assert not fold.collapsed and app.focused is fold.title_line
            assert shown_keys(app).get("Hide") == "fold.hide" and "Show" not in shown_keys(app)
            await pilot.press("tab")  # into the sources just shown
            await settle(pilot)
            assert isinstance(app.focused, PassageRow) and app.focused.role == "support"
            assert_focus_is_drawn(app)
            await pilot.press("shift+tab")
            await settle(pilot)
            assert isinstance(app.focused, FoldTitle)
            assert_focus_is_drawn(app)

    @pytest.mark.parametrize("key", ["tab", "ctrl+g"])
    async def test_a_folded_passage_is_never_chosen_unseen(self, engine, key):
        """On a card with no answer, its closest passages folded: Tab and Ctrl+G stop on the
        fold's line, and Enter opens the fold rather than an article never shown as chosen."""
        app = chat(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, "Who won the 2022 FIFA World Cup?")
            card = app.query_one(AnswerCard)
            assert not card.result.answered and card.query_one(Fold).collapsed
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.focused, FoldTitle)
            assert_focus_is_drawn(app)
            await pilot.press("enter")
            await settle(pilot)
            assert not isinstance(app.screen, ArticleScreen)
            assert not card.query_one(Fold).collapsed

    async def test_the_help_names_the_folds_keys(self, engine):
        app = chat(engine)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("f1")
            await settle(pilot)
            text = app.screen.text
            for binding in FoldTitle.BINDINGS:
                assert binding.tooltip in text


LONG_TITLE = ("The Keepers of the Northern Lights and the Long History of the Lighthouses on the "
              "Granite Islets off the Western Coast")
LONG_SECTION = ("How the keepers of Skerry Rock kept the light burning through the winter storms "
                "of the years before the lamps were automated")


@pytest.fixture(scope="module")
def long_citation(tmp_path_factory) -> Engine:
    root = tmp_path_factory.mktemp("long-citation")
    (root / "keepers.md").write_text(
        f"# {LONG_TITLE}\n\nThe islets lie off the western coast.\n\n## {LONG_SECTION}\n\n"
        "Margaret Tolland kept the Skerry Rock light for thirty years after her husband died.\n",
        encoding="utf-8")
    return Engine.load(root, index_dir=root.parent / "long-citation-index")


def assert_hanging_indent(app, row: PassageRow) -> None:
    """Under the sentence, every line of the citation starts right of its dash."""
    lines = screen_lines(app)
    region = row.region
    rows = lines[region.y:region.bottom]
    dash_line = next(i for i, line in enumerate(rows) if "— " in line[region.x:region.x + 4])
    dash = rows[dash_line].index("—", region.x)
    after = rows[dash_line + 1:]
    assert len(after) >= 3, "the title and the place should both wrap here"
    for line in after:
        assert not line[region.x:dash + 2].strip(), f"a citation line back at the margin: {line!r}"


@pytest.mark.parametrize("width", [80, 120])
async def test_a_wrapped_citation_keeps_its_indent(long_citation, width):
    app = chat(long_citation)
    async with app.run_test(size=(width, 40)) as pilot:
        await ask(pilot, "How long did Margaret Tolland keep the Skerry Rock light?")
        row = app.query_one(PassageRow)
        assert row.passage.section and LONG_SECTION in " ".join(row.passage.section)
        assert_hanging_indent(app, row)


async def test_help_descriptions_wrap_under_themselves(engine):
    app = chat(engine)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        wrapped = [w for w in app.screen.query(".help-what") if w.region.height > 1]
        assert wrapped, "at 80 columns some description should wrap"
        lines = screen_lines(app)
        key_x = app.screen.query(".help-key").first().region.x
        pane = app.screen.query_one("#help-pane").content_region
        for what in wrapped:
            for y in range(what.region.y + 1, min(what.region.bottom, pane.bottom)):
                assert not lines[y][key_x:what.region.x].strip(), f"wrapped to the margin: {lines[y]!r}"
                assert lines[y][what.region.x:].strip()


async def test_letters_typed_on_an_answer_go_to_the_question_box(engine):
    """A letter no key of the answer takes is not lost: it starts the next question; the
    answer's own keys (e, o, Enter) keep their meaning."""
    app = chat(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "What is High-Flyer?")
        for stop in (app.query_one(AnswerCard).query(PassageRow).first(), app.query_one(FoldTitle)):
            stop.focus()
            await pilot.press("W", "h", "y")
            await settle(pilot)
            box = app.query_one("#question")
            assert app.focused is box and box.value == "Why"
            box.value = ""
        app.query_one(PassageRow).focus()
        await pilot.press("e")
        await settle(pilot)
        from verbatim.tui.screens import ExplainScreen

        assert isinstance(app.screen, ExplainScreen)
