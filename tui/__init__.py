"""Verbatim's faces: the one-shot command and the Textual chat. Importing this package
imports no Textual; only tui.app does."""
