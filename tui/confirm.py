"""A yes-or-no question before the chat does something that cannot be undone."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    """Asks first; Enter or y goes ahead, Esc or n keeps things as they are."""

    BINDINGS = [
        Binding("enter,y", "dismiss(True)", "Yes", tooltip="Go ahead", id="confirm.yes"),
        Binding("escape,n", "dismiss(False)", "No", tooltip="Keep things as they are", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self):
        with Vertical(id="confirm-pane"):
            yield Static(Content.styled(self.question, "bold"), markup=False, id="confirm-question")
            yield Static(Content.styled(self.detail, "$foreground-muted"), markup=False, id="confirm-detail")
            yield Static(Content.assemble(("Enter", "bold"), " or ", ("y", "bold"), f" {self.yes}  ·  ",
                                          ("Esc", "bold"), " or ", ("n", "bold"), " keep it"),
                         markup=False, id="confirm-keys")
