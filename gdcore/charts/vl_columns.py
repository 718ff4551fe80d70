"""The columns of a chart's table as the browser receives them: which numbers fit a smaller type, and
which column is one name on every row or counts up evenly (gdcore.charts.vl.Table.arrow)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa


def scaled_units(values, decimals: int) -> tuple[np.ndarray, int] | None:
    """values in whole units of 10^-decimals, rounded half away from zero, as int16 less an offset (a whole
    number of units, 0 where they fit without), and the offset; None where their span does not fit, or a
    value is not finite or not a float32 (a float64 run's path then goes as it is)."""
    v = np.asarray(values, dtype=np.float64)
    if not np.isfinite(v).all() or not exact_in_float32(v):
        return None  # a float64 value may sit a hair from a tie that |v| * 10^d would round onto
    # |v| * 10^d is exact in float64 for float32 data (24 + 3.4 d bits of 53), so .5 ties are seen exactly
    units = np.sign(v) * np.floor(np.abs(v) * 10 ** decimals + 0.5)
    top = np.iinfo(np.int16).max
    if not len(units) or np.abs(units).max() <= top:
        return units.astype(np.int16), 0
    lo, hi = units.min(), units.max()
    if hi - lo > 2 * top:
        return None
    offset = int((lo + hi) // 2)  # whole units: (unit - offset) + offset is that unit again, exactly
    return (units - offset).astype(np.int16), offset


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


def few_names(values, n: int, most: int) -> tuple[np.ndarray, list[str]] | None:
    """(codes, names) where n rows hold at most `most` names (roles, series) and no missing value: each
    row's name as its int8 index in names (in order of first appearance), else None."""
    if isinstance(values, (str, np.ndarray)) or not n:
        return None
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        if values.null_count:
            return None
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            return None
        values = values.to_pylist()
    if not all(isinstance(x, str) for x in values):
        return None
    names = list(dict.fromkeys(values))
    if len(names) > min(most, 127):
        return None
    index = {name: i for i, name in enumerate(names)}
    return np.fromiter((index[x] for x in values), dtype=np.int8, count=n), names


def progression(values, n: int) -> tuple[int, int] | None:
    """(start, step) where n > 2 whole numbers count up evenly, start, start + step, ... (steps, epochs, the
    indices of samples), else None."""
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "iu" or n <= 2:
        return None
    d = np.diff(values.astype(np.int64))
    return (int(values[0]), int(d[0])) if (d == d[0]).all() else None


def small_gaps(values, n: int) -> tuple[np.ndarray, int] | None:
    """(gaps, start) where n > 2 whole numbers rise by at most 127 from one row to the next (the steps a
    thinned curve or path keeps): each row's rise from the row before as int8 (0 for the first row)
    and the first number, else None. The browser sums the gaps back (a running sum, exact)."""
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "iu" or n <= 2:
        return None
    v = values.astype(np.int64)
    gaps = np.diff(v, prepend=v[0])
    if gaps.min() < 0 or gaps.max() > np.iinfo(np.int8).max or abs(int(v[0])) > 2 ** 31:
        return None
    return gaps.astype(np.int8), int(v[0])


def lean_table(frame) -> pa.Table:
    """A small table for `st.dataframe` as an Arrow table: its columns without the frame's index and
    without pandas' schema notes (about 500 bytes of JSON Streamlit would send with every draw), and
    a column of whole numbers in the smallest integer type that holds them: an integer column, or a
    float column that is whole numbers and missing values (what pandas makes of integers with a None)."""
    columns = {}
    for name in frame.columns:
        col = frame[name]
        if col.dtype.kind in "iuf":
            v = col.to_numpy().astype(np.float64)
            known = ~np.isnan(v)
            top = np.abs(v[known]).max() if known.any() else 0
            counts = col.dtype.kind in "iu" or (not known.all() and np.array_equal(v[known], np.round(v[known])))
            if counts and top < 2 ** 31:
                kind = next(t for t, most in ((pa.int8(), 127), (pa.int16(), 32767), (pa.int32(), 2 ** 31 - 1))
                            if top <= most)
                columns[str(name)] = pa.array(np.where(known, v, 0).astype(np.int64), mask=~known).cast(kind)
                continue
        columns[str(name)] = pa.Array.from_pandas(col)
    return pa.table(columns)
