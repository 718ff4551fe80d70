"""The columns of a chart's table as the browser receives them: which numbers fit a smaller type, and
which column is one name on every row (gdcore.charts.vl.Table.arrow)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa


def scaled_units(values, decimals: int) -> np.ndarray | None:
    """values in whole units of 10^-decimals, rounded half away from zero, as int16 (None where they do
    not fit, or a value is not finite)."""
    v = np.asarray(values, dtype=np.float64)
    if not np.isfinite(v).all():
        return None
    # |v| * 10^d is exact in float64 for float32 data (24 + 3.4 d bits of 53), so .5 ties are seen exactly
    units = np.sign(v) * np.floor(np.abs(v) * 10 ** decimals + 0.5)
    if len(units) and np.abs(units).max() > np.iinfo(np.int16).max:
        return None
    return units.astype(np.int16)


def exact_in_float32(values: np.ndarray) -> bool:
    with np.errstate(over="ignore"):
        return bool(np.array_equal(values.astype(np.float32).astype(np.float64), values, equal_nan=True))


def one_name(values, n: int) -> str | None:
    """The name every one of n > 0 rows has (a str column, or a column of strings all equal), else None."""
    if isinstance(values, str):
        return values if n else None
    if isinstance(values, np.ndarray) or not n:
        return None
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else None
    if arr is None:
        first = values[0]
        return first if isinstance(first, str) and all(x == first for x in values) else None
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) or pa.types.is_dictionary(arr.type)):
        return None
    if arr.null_count:
        return None
    uniq = arr.unique()
    if isinstance(uniq, pa.DictionaryArray):
        uniq = uniq.dictionary_decode()
    return uniq[0].as_py() if len(uniq) == 1 and isinstance(uniq[0].as_py(), str) else None
