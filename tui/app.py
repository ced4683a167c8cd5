"""The Textual chat (placeholder until the chat lands)."""


def run_chat(corpus: str | None = None, top: int = 3) -> int:
    raise NotImplementedError("the chat is not built yet")
