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
    ok = ends > starts
    starts, ends = starts[ok], ends[ok]
    # each bucket's first minimum and first maximum, for all buckets at once: the first index in the
    # bucket holding its extreme (a bucket with a NaN has no such index: its first point stands in)
    part, lengths = y[starts[0]:ends[-1]], ends - starts
    first = starts - starts[0]
    for extreme in (np.minimum.reduceat(part, first), np.maximum.reduceat(part, first)):
        hits = np.flatnonzero(part == np.repeat(extreme, lengths))
        at = hits[np.minimum(np.searchsorted(hits, first), max(len(hits) - 1, 0))] if len(hits) else first
        keep.extend(starts[0] + np.where((at >= first) & (at < first + lengths), at, first))
    idx = np.unique(np.asarray(keep, dtype=np.int64))
    return idx[:max_points]

