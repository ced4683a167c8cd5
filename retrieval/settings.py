"""Settings: the options of one corpus and its answering, whether they come from the command line, the configuration or the Python API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``Engine.open`` needs to know; every field's default is the program's."""

    corpus: str | None = None  # a file or folder; None for the bundled articles
    index_dir: str | None = None  # where indexes are saved (the XDG cache when None)
    include: tuple[str, ...] = ()  # globs of the files read
    exclude: tuple[str, ...] = ()  # globs of the files left out
    follow_links: bool = False  # read links that lead outside the folder
    reindex: bool = False  # read every file again
    shards: int | None = None  # build a sharded index of this many shards
    ray: str | None = None  # the Ray cluster serving the shards
    threshold: float | None = None  # the least probability answered; the shipped reader's when None

    def __post_init__(self) -> None:
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"the threshold is a probability, between 0 and 1, not {self.threshold}")
