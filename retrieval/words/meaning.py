"""Word meaning from WordLlama's static token vectors, when the optional extra that carries them is installed."""

from __future__ import annotations

import importlib.util
import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# The two files of the wordllama wheel (MIT; its vectors' sources: README.md) that hold the
# 256-dimension "l2_supercat" token vectors and their tokenizer. WordLlama.load() would look
# for the tokenizer elsewhere and then try to download it, so they are read directly.
VECTORS_FILE = os.path.join("weights", "l2_supercat_256.safetensors")
TOKENIZER_FILE = os.path.join("tokenizers", "l2_supercat_tokenizer_config.json")
VECTORS_NAME = "embedding.weight"
# Set to any value, the reader does without word vectors though they are installed (to
# measure what they add, or to answer as an install without them would).
DISABLE_VARIABLE = "VERBATIM_NO_WORD_VECTORS"
# Words whose vectors a process keeps (a kibibyte each); past this the memo starts again.
MEMO_WORDS = 1 << 14


class WordVectors:
    """Unit vectors of words: the mean of their tokens' vectors, as WordLlama pools a text."""

    def __init__(self, tokenizer: Any, table: np.ndarray):
        self.tokenizer = tokenizer
        self.table = table
        self.memo: dict[str, np.ndarray] = {}
        self.lock = threading.Lock()  # the chat's workers share one memo

    def of(self, words: list[str]) -> np.ndarray:
        """One unit vector a word, in the order given (rows of zeros for words of no token)."""
        import numpy as np

        with self.lock:
            asked = list(dict.fromkeys(words))
            missing = [w for w in asked if w not in self.memo]
            if missing:
                if len(self.memo) + len(missing) > MEMO_WORDS:
                    self.memo.clear()
                    missing = asked
                self.memo.update(zip(missing, self._pooled(missing)))
            if not words:
                return np.zeros((0, self.table.shape[1]), dtype=np.float32)
            return np.stack([self.memo[w] for w in words])

    def _pooled(self, words: list[str]) -> np.ndarray:
        import numpy as np

        ids = [e.ids for e in self.tokenizer.encode_batch(words, add_special_tokens=False)]
        lengths = np.array([len(i) for i in ids])
        flat = np.fromiter((t for i in ids for t in i), dtype=np.int64, count=int(lengths.sum()))
        sums = np.zeros((len(words), self.table.shape[1]), dtype=np.float32)
        if len(flat):
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            some = lengths > 0
            sums[some] = np.add.reduceat(self.table[flat].astype(np.float32), starts[some], axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return sums / np.where(norms > 0, norms, 1.0)


@lru_cache(maxsize=1)
def word_vectors() -> WordVectors | None:
    """The word vectors, or None when the ``meaning`` extra (wordllama) is not installed
    or DISABLE_VARIABLE is set."""
    if os.environ.get(DISABLE_VARIABLE):
        return None
    try:
        spec = importlib.util.find_spec("wordllama")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    folder = os.path.dirname(spec.origin)
    try:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(os.path.join(folder, TOKENIZER_FILE))
        with safe_open(os.path.join(folder, VECTORS_FILE), "np") as vectors:
            table = vectors.get_tensor(VECTORS_NAME)
    except Exception:  # noqa: BLE001 - a broken optional install answers as no install does
        return None
    return WordVectors(tokenizer, table)
