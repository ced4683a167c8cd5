"""A corpus of any size with a realistic word distribution, and questions to ask it.

The most frequent words, with their real frequencies, come from the English text that ships
with Python (the language reference and the standard library's docstrings); below them a
Zipfian tail of made-up words (names, rare terms) lets the vocabulary keep growing with the
corpus, as it does in real archives. Sentences carry names, numbers, amounts and dates;
articles have titles, headings and paragraphs. Everything is seeded: the same arguments
give the same corpus.
"""

from __future__ import annotations

import collections
import importlib
import json
import re
from pathlib import Path

import numpy as np

ZIPF_EXPONENT = 1.3
TAIL_WORDS = 2_000_000
SENTENCES_PER_ARTICLE = (30, 70)
ARTICLES_PER_FOLDER = 500
_MODULES = """json os re collections itertools functools pathlib subprocess threading asyncio
argparse logging email http urllib xml sqlite3 datetime decimal fractions statistics random
string textwrap unittest dataclasses enum socket ssl zipfile tarfile csv configparser inspect
ast pickle shutil tempfile glob heapq bisect array queue sched selectors signal mmap codecs
locale gettext calendar time math operator contextlib abc copy pprint weakref types traceback
warnings platform struct base64 hashlib hmac secrets uuid ipaddress smtplib imaplib ftplib
mailbox mimetypes html wsgiref multiprocessing concurrent difflib doctest pdb timeit trace
tracemalloc io stat filecmp lzma bz2 gzip zlib plistlib cmd shlex graphlib numbers runpy
importlib pkgutil code keyword tokenize symtable compileall""".split()
_SYLLABLES = "ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to va ve vi zo".split()


def real_word_counts() -> collections.Counter:
    """Word frequencies of the English that ships with Python."""
    from pydoc_data.topics import topics

    texts = list(topics.values())
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        texts.append(module.__doc__ or "")
        for attribute in dir(module):
            doc = getattr(getattr(module, attribute, None), "__doc__", None)
            if isinstance(doc, str):
                texts.append(doc)
    counts: collections.Counter = collections.Counter()
    for text in texts:
        counts.update(w.lower() for w in re.findall(r"[A-Za-z][a-z]+", text))
    return counts


def _made_up(rng: np.random.Generator, n: int) -> list[str]:
    parts = rng.integers(0, len(_SYLLABLES), size=(n, 4))
    lengths = rng.integers(2, 5, size=n)
    return ["".join(_SYLLABLES[p] for p in row[:k]) + str(i % 97 if i % 3 == 0 else "")
            for i, (row, k) in enumerate(zip(parts, lengths))]


class WordSource:
    """Words drawn by a Zipf law over real words first, made-up ones after."""

    def __init__(self, seed: int = 7):
        self.rng = np.random.default_rng(seed)
        counts = real_word_counts()
        self.words = [w for w, _ in counts.most_common()] + _made_up(self.rng, TAIL_WORDS)
        ranks = np.arange(1, len(self.words) + 1, dtype=np.float64)
        weights = ranks ** -ZIPF_EXPONENT
        self.cdf = np.cumsum(weights) / weights.sum()

    def draw(self, n: int) -> list[str]:
        picks = np.searchsorted(self.cdf, self.rng.random(n))
        return [self.words[i] for i in np.minimum(picks, len(self.words) - 1)]


def _sentence(source: WordSource) -> str:
    rng = source.rng
    words = source.draw(int(rng.integers(8, 32)))
    roll = rng.random()
    if roll < 0.12:
        words.insert(int(rng.integers(0, len(words))), f"{int(rng.integers(2, 900))},{int(rng.integers(100, 999))}")
    elif roll < 0.20:
        words.insert(int(rng.integers(0, len(words))), f"${rng.integers(1, 90)}.{rng.integers(1, 9)} billion")
    elif roll < 0.26:
        month = ["January", "March", "June", "September", "December"][int(rng.integers(0, 5))]
        words.insert(int(rng.integers(0, len(words))), f"in {month} {int(rng.integers(1990, 2026))}")
    if rng.random() < 0.3:
        name = " ".join(w.capitalize() for w in source.draw(2))
        words.insert(int(rng.integers(0, len(words))), name)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def write_corpus(folder: Path, sentences: int, seed: int = 7) -> Path:
    """Write a corpus of about ``sentences`` sentences (.txt articles in subfolders)."""
    marker = folder / ".synthetic.json"
    if marker.exists() and json.loads(marker.read_text()) == {"sentences": sentences, "seed": seed}:
        return folder
    source = WordSource(seed)
    rng = source.rng
    written = article = 0
    while written < sentences:
        count = min(int(rng.integers(*SENTENCES_PER_ARTICLE)), sentences - written)
        lines = [" ".join(w.capitalize() for w in source.draw(int(rng.integers(3, 8)))), ""]
        done = 0
        while done < count:
            if done and rng.random() < 0.08:
                lines += [" ".join(w.capitalize() for w in source.draw(int(rng.integers(2, 6)))), ""]
            size = min(int(rng.integers(2, 6)), count - done)
            lines += [" ".join(_sentence(source) for _ in range(size)), ""]
            done += size
        path = folder / f"part{article // ARTICLES_PER_FOLDER:04d}" / f"article{article:07d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
        written += count
        article += 1
    marker.write_text(json.dumps({"sentences": sentences, "seed": seed}))
    return folder


_FORMS = ["What {0} {1} {2}?", "Who {0} the {1} {2}?", "When did {0} {1} {2}?",
          "How many {0} {1} {2}?", "Why {0} {1} {2}?", "Which {0} {1} {2}?"]


def questions(sample: list[str], seed: int = 11) -> list[str]:
    """Questions made of a few words of real sentences of the corpus, in varied forms."""
    rng = np.random.default_rng(seed)
    out = []
    for i, sentence in enumerate(sample):
        words = [w.strip(".,") for w in sentence.split() if len(w) > 3 and w[0].isalpha()]
        if len(words) < 3:
            continue
        picked = [words[j] for j in sorted(rng.choice(len(words), size=3, replace=False))]
        if i % 5 == 4:
            picked[1] = "zyzzogeton"  # a word the corpus never uses
        out.append(_FORMS[i % len(_FORMS)].format(*picked))
    return out
