"""Downsampling keeps the curve's shape: extremes, first and last points survive."""
import numpy as np
import pytest

from gdcore.downsample import MAX_POINTS, minmax_indices


def test_short_series_untouched():
    y = np.arange(10.0)
    assert minmax_indices(y).tolist() == list(range(10))


@pytest.mark.parametrize("n", [2001, 10_000, 100_000, 1_000_003])
def test_bounded_and_keeps_extremes(n):
    rng = np.random.default_rng(n)
    y = rng.normal(size=n).cumsum()
    y[n // 3] = 1e6  # a spike
    y[2 * n // 3] = -1e6  # a dip
    idx = minmax_indices(y, MAX_POINTS)
    assert len(idx) <= MAX_POINTS
    assert np.all(np.diff(idx) > 0)
    kept = y[idx]
    assert kept.max() == y.max() and kept.min() == y.min()
    assert idx[0] == 0 and idx[-1] == n - 1


def test_every_bucket_extreme_is_kept():
    rng = np.random.default_rng(0)
    y = rng.normal(size=50_000)
    idx = minmax_indices(y, 1000)
    kept = set(idx.tolist())
    # each bucket's max appears: check on the buckets the function promises (edges as documented)
    edges = np.linspace(1, len(y) - 1, (1000 - 2) // 2 + 1).astype(int)
    for s, e in zip(edges[:-1], edges[1:]):
        if e > s:
            assert s + int(np.argmax(y[s:e])) in kept
            assert s + int(np.argmin(y[s:e])) in kept

