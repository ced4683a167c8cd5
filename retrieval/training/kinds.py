"""Kinds of training questions beside SQuAD: FAQ entries over whole FAQ files, in two folds of files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verbatim.retrieval.engine import Engine


@dataclass
class Kind:
    """One kind of question: the fold corpora it is asked of, each fold's files, its
    questions, which candidates answer one, and how much each of its questions counts."""

    name: str
    engines: list[Engine]
    files: list[set[str]]
    questions: list[dict]
    labels: Callable[[Engine, np.ndarray, dict], np.ndarray]
    weight: float


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def file_folds(corpus: Path, work: Path, prefix: str) -> list[tuple[Path, set[str]]]:
    """Two corpora of the files of ``corpus``, every other file (by name) each."""
    names = sorted(p.name for p in corpus.iterdir() if p.is_file())
    folds = []
    for k in range(2):
        folder = work / f"{prefix}-{k}"
        files = {name for i, name in enumerate(names) if i % 2 == k}
        if not folder.exists():
            folder.mkdir(parents=True)
            for name in sorted(files):
                shutil.copyfile(corpus / name, folder / name)
        folds.append((folder, files))
    return folds


def span_labels(engine: Engine, uids: np.ndarray, question: dict) -> np.ndarray:
    """1 for each candidate of the gold file that overlaps the gold span [start, end): a
    unit inside the entry's answer."""
    labels = np.zeros(len(uids))
    index = engine.index
    for row, uid in enumerate(uids.tolist()):
        if Path(index.article(uid).path).name != question["file"]:
            continue
        unit = index.unit(uid)
        start, end = unit.start, unit.end
        if start < question["end"] and question["start"] < end:
            labels[row] = 1.0
    return labels


def span_kind(name: str, built: Path, work: Path, weight: float) -> Kind:
    """Questions whose gold is a span of a whole file: the FAQ set's train split (``built``
    is the output of shared/data/faqs/build.py; its validation split is never read), or the
    questions generate.py made from manual pages. The files of corpus-train/ are dealt into
    two folds; each question is asked of the fold that holds its file (answerable) and of
    the other (not answerable)."""
    folds = file_folds(built / "corpus-train", work, f"{name}-fold")
    engines = [Engine.load(folder, index_dir=work / "index") for folder, _ in folds]
    return Kind(name, engines, [f for _, f in folds], read_jsonl(built / "train.jsonl"), span_labels, weight)
