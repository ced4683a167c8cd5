"""The link race's corpus, shared by its tests and its long benchmark (benchmarks/link_race.py)."""

from __future__ import annotations

from pathlib import Path

SECRET = "The password of the admin account is swordfish-4417."
INSIDE = "The password of the guest account is printed on the ferry ticket."
QUESTION = "What is the password of the admin account?"


def write_corpus(root: Path) -> tuple[Path, Path]:
    """A corpus with s.txt, and beside it (outside the folder) a link to a secret file that
    the swap exchanges with s.txt."""
    folder = root / "notes"
    folder.mkdir()
    (folder / "ferry.txt").write_text("Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n",
                                      encoding="utf-8")
    (folder / "s.txt").write_text(INSIDE + "\n", encoding="utf-8")
    (root / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    link = root / "swap"
    link.symlink_to(root / "secret.txt")
    return folder, link


def quoted(result) -> list[str]:
    """Every sentence a result quotes, answers and closest passages."""
    return [p.sentence for p in [*result.answers, *result.closest]]
