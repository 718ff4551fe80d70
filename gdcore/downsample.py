"""Shrink long series for the screen while keeping their shape: min and max of every bucket."""
from __future__ import annotations

import numpy as np

MAX_POINTS = 1000  # per series: 500 min/max buckets, more than a chart a few hundred pixels wide can show


def minmax_indices(y: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Sorted indices of at most max_points samples of y: first, last, and each bucket's min and max.

    Every local extreme that matters on screen survives, so spikes and the final value are never lost.
    """
    y = np.asarray(y)
    n = len(y)
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, (max_points - 2) // 2)
    edges = np.linspace(1, n - 1, buckets + 1).astype(np.int64)
    starts, ends = edges[:-1], edges[1:]
    keep = [0, n - 1]
    # vectorised per-bucket argmin/argmax via reduceat on the bucket starts
    ok = ends > starts
    starts, ends = starts[ok], ends[ok]
    seg_min = np.minimum.reduceat(y[: n - 1], starts)
    seg_max = np.maximum.reduceat(y[: n - 1], starts)
    for s, e, lo, hi in zip(starts, ends, seg_min, seg_max):
        part = y[s:e]
        keep.append(s + int(np.argmax(part == lo)))
        keep.append(s + int(np.argmax(part == hi)))
    idx = np.unique(np.asarray(keep, dtype=np.int64))
    return idx[:max_points]

