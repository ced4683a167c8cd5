"""Driving the chat in tests: start it, ask, wait for the answer."""

from __future__ import annotations

from textual.pilot import Pilot

from verbatim.retrieval.settings import Settings
from verbatim.tui.app import VerbatimApp, make_app

# Workers that start workers are waited for this many times over before settling anyway.
MAX_WORKER_ROUNDS = 10


def chat(engine=None, settings: Settings | None = None, **kwargs) -> VerbatimApp:
    """The app as `verbatim` builds it, with the cursor still so screens are stable."""
    return make_app(settings, engine=engine, cursor_blink=False, **kwargs)


async def settle(pilot: Pilot) -> None:
    # Workers, then animations (a list's highlight, a scroll), then the refreshes they
    # asked for: on a loaded machine each can lag the one before.
    # A worker's result can start another (the corpus read, then its example questions):
    # wait until none is left running.
    for _ in range(MAX_WORKER_ROUNDS):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in pilot.app.workers):
            break
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def ask(pilot: Pilot, question: str) -> None:
    box = pilot.app.query_one("#question")
    box.focus()
    box.value = question
    await pilot.press("enter")
    await settle(pilot)


def screen_lines(app) -> list[str]:
    """The screen as plain text, one string a line, as a terminal would show it."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]
