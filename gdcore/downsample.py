"""Shrink long series for the screen while keeping their shape: min and max of every bucket."""
from __future__ import annotations

import numpy as np

MAX_POINTS = 1000  # per series: 500 min/max buckets, more than a chart a few hundred pixels wide can show
# what a loss curve on a page sends: 149 min/max buckets, one per two or three pixels of a chart a few hundred
# pixels wide, each drawn as its lowest and highest loss (a spike shows as tall as it was)
SCREEN_POINTS = 300
CELLS = 1000  # a path's steps that stay in the cell (1/CELLS of the path's extent) of the one before: not kept
SCREEN_CELLS = 500  # ... and on a chart: 1/SCREEN_CELLS of its window, a pixel of a chart up to 500 pixels wide


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



def moved_indices(x: np.ndarray, y: np.ndarray, cells: int = CELLS, extent: tuple[float, float] | None = None
                  ) -> np.ndarray:
    """Sorted indices of the points of a path (x, y finite) that are not in the same cell as the point before:
    the grid divides extent (x's span, y's span; default the path's own) into cells x cells. First and last
    are kept.

    A point dropped lies within one cell of the one kept before it: below a pixel of a chart under `cells`
    pixels wide, so every turn of a zigzag stays, and only steps too small to see are left out."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = len(x)
    if n <= 2:
        return np.arange(n)
    sx, sy = (float(np.ptp(x)), float(np.ptp(y))) if extent is None else extent
    cx = np.floor((x - x.min()) * (cells / max(sx, 1e-300)))
    cy = np.floor((y - y.min()) * (cells / max(sy, 1e-300)))
    keep = np.r_[True, (cx[1:] != cx[:-1]) | (cy[1:] != cy[:-1])]
    keep[-1] = True
    return np.flatnonzero(keep)


def head_and_even(idx: np.ndarray, max_points: int) -> np.ndarray:
    """At most max_points of idx: its first half in full (a path's early steps, where its zigzag is), then
    every k-th, k odd, and the last. An odd k keeps a zigzag that changes side at every step changing side
    between the points kept; an even k, or even spacing, would draw it as a line along one side or as a
    slow wave that is not there."""
    if len(idx) <= max_points:
        return idx
    head = max_points // 2
    rest = idx[head:]
    k = -(-len(rest) // max(max_points - head - 1, 1))
    k += 1 - k % 2
    return np.unique(np.r_[idx[:head], rest[::k], idx[-1]])


def screen_mask(y: np.ndarray, groups=None, max_points: int = SCREEN_POINTS) -> np.ndarray:
    """Which rows of a long table of curves to draw: in each group (a curve: rows with the same name in
    groups; one curve without groups) of more than max_points rows, its minmax_indices."""
    y = np.asarray(y, dtype=np.float64)
    keep = np.ones(len(y), dtype=bool)
    if len(y) <= max_points:
        return keep
    names = np.zeros(len(y), dtype=np.int64) if groups is None or isinstance(groups, str) \
        else np.unique(np.asarray(groups, dtype=object), return_inverse=True)[1].reshape(-1)
    for g in np.unique(names):
        rows = np.flatnonzero(names == g)
        if len(rows) > max_points:
            keep[rows] = False
            keep[rows[minmax_indices(y[rows], max_points)]] = True
    return keep
