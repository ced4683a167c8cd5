"""Fitting: a listwise logistic ranker and a logistic abstainer, in NumPy alone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Standardizer:
    """Centre and scale of each feature on the training rows, so weights are comparable."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, rows: np.ndarray, names: tuple[str, ...] = (), drop: frozenset[str] = frozenset()) -> Standardizer:
        """Fitted to ``rows``; a feature in ``drop`` gets an infinite scale, so it reads as
        zero, learns no weight and adds nothing."""
        scale = rows.std(axis=0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        scale[[i for i, name in enumerate(names) if name in drop]] = np.inf
        return cls(rows.mean(axis=0), scale)

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        return (rows - self.mean) / self.scale


def _adam(gradient, size: int, steps: int, rate: float) -> np.ndarray:
    """Adam (Kingma & Ba 2015) on a convex loss: full batches, fixed step count."""
    w = np.zeros(size)
    m = np.zeros(size)
    v = np.zeros(size)
    for step in range(1, steps + 1):
        g = gradient(w)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def fit_listwise(groups: list[tuple[np.ndarray, np.ndarray]], l2: float, steps: int = 400,
                 rate: float = 0.05, group_weights: np.ndarray | None = None) -> np.ndarray:
    """Weights of a conditional logit (a softmax over each question's candidates, as in
    ListNet with top-one probabilities, Cao et al. 2007): maximise the probability mass on
    the candidates that answer. ``groups`` holds (standardised rows, 0/1 labels) per
    question; questions with no answering candidate teach nothing and are left out.
    ``group_weights``: how much each question counts (one each by default)."""
    weight_of = np.ones(len(groups)) if group_weights is None else np.asarray(group_weights, dtype=float)
    kept = [n for n, (x, y) in enumerate(groups) if y.any() and len(y) > 1]
    groups = [groups[n] for n in kept]
    weight_of = weight_of[kept]
    rows = np.concatenate([x for x, _ in groups])
    labels = np.concatenate([y for _, y in groups]).astype(bool)
    bounds = np.cumsum([0] + [len(y) for _, y in groups])
    owner = np.repeat(np.arange(len(groups)), np.diff(bounds))
    count = weight_of.sum()
    row_weight = weight_of[owner]

    def gradient(w: np.ndarray) -> np.ndarray:
        s = rows @ w
        top = np.maximum.reduceat(s, bounds[:-1])
        e = np.exp(s - top[owner])
        p = e / np.add.reduceat(e, bounds[:-1])[owner]
        pos = np.where(labels, e, 0.0)
        q = pos / np.add.reduceat(pos, bounds[:-1])[owner]
        return rows.T @ ((p - q) * row_weight) / count + l2 * w

    return _adam(gradient, rows.shape[1], steps, rate)


def fit_logistic(rows: np.ndarray, labels: np.ndarray, l2: float, steps: int = 600,
                 rate: float = 0.05, sample_weights: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Weights and bias of a logistic regression: the probability that ``labels`` is 1
    (``sample_weights``: how much each row counts, one each by default)."""
    x = np.hstack([rows, np.ones((len(rows), 1))])
    y = labels.astype(float)
    sw = np.ones(len(y)) if sample_weights is None else np.asarray(sample_weights, dtype=float)

    def gradient(w: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-(x @ w)))
        g = x.T @ ((p - y) * sw) / sw.sum()
        g[:-1] += l2 * w[:-1]
        return g

    w = _adam(gradient, x.shape[1], steps, rate)
    return w[:-1], float(w[-1])
