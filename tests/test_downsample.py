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



def _buckets_one_by_one(y, max_points):
    """The bucket rule written out bucket by bucket: first, last, each bucket's first min and first max."""
    n = len(y)
    edges = np.linspace(1, n - 1, max(1, (max_points - 2) // 2) + 1).astype(np.int64)
    keep = {0, n - 1}
    for s, e in zip(edges[:-1], edges[1:]):
        if e > s:
            part = y[s:e]  # a NaN makes min and max NaN, equal to nothing: the bucket's first point stands in
            keep |= {s + int(np.argmax(part == part.min())), s + int(np.argmax(part == part.max()))}
    return np.array(sorted(keep))[:max_points]


@pytest.mark.parametrize("n, max_points", [(1001, 1000), (1003, 1000), (3000, 1000), (5000, 7), (12_345, 400)])
def test_same_indices_as_bucket_by_bucket(n, max_points):
    rng = np.random.default_rng(n)
    y = np.round(rng.normal(size=n), 1)  # rounded: many ties inside a bucket, the first one must be kept
    y[n // 2:] = np.abs(y[n // 2:]) + 1  # a plateau of ties too
    y[n // 2: n // 2 + 40] = 2.0
    np.testing.assert_array_equal(minmax_indices(y, max_points), _buckets_one_by_one(y, max_points))


def test_a_bucket_with_nan_keeps_its_first_point():
    y = np.arange(3000.0)
    y[1500] = np.nan
    np.testing.assert_array_equal(minmax_indices(y, 1000), _buckets_one_by_one(y, 1000))
