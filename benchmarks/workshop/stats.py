"""Percentiles of the benchmark's latencies: nearest rank, as load-test reports give them."""
from __future__ import annotations

import math


def percentile(values, p: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def spread(values, digits: int = 3) -> dict:
    """n, p50, p95, p99 and max of a list of numbers, rounded."""
    out = {"n": len(values)}
    for name, p in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)):
        v = percentile(values, p)
        out[name] = None if v is None else round(v, digits)
    return out
