"""A CSV file as a table of named columns, and the choice of target and features that makes a data set.

`read_table` checks the file itself (size, text, header, rows, cells) and reads every cell as a number
where it is one; a column with text in it is kept, marked with its first such cell, so a learner can
leave it out. `Table.dataset(target, features)` checks the choice (one sentence each: the target among
the features, no feature, more than MAX_FEATURES, a column that is not numbers, values that are not
finite) and returns the Dataset. Nothing in a file is ever evaluated: cells go through float() only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .config import MAX_FEATURES
from .data import (
    MAX_CSV_COLUMNS,
    MAX_CSV_ROWS,
    MAX_UPLOAD_BYTES,
    Dataset,
    _decode,
    _is_float,
    _read_bytes,
    _sniff_separator,
)
from .errors import DataError


@dataclass(frozen=True, eq=False)
class Table:
    """The header, every cell as a float64 (NaN where it is not a number), and each text column's first
    non-number as (line, cell)."""

    header: tuple[str, ...]
    values: np.ndarray  # (rows, columns), float64
    text: dict  # column name -> (line, cell) of its first cell that is not a number
    first_text: tuple[int, str] | None = None  # the file's first such cell, in line order

    @property
    def rows(self) -> int:
        return int(self.values.shape[0])

    def numeric(self, name: str) -> bool:
        """Whether every cell of the column is a number (finite or not)."""
        return name in self.header and name not in self.text

    def numeric_columns(self) -> tuple[str, ...]:
        return tuple(h for h in self.header if h not in self.text)

    def default_target(self) -> str:
        """The column offered as y: the last numeric one (the usual place of y, past any trailing names or
        ids), unless that leaves no numeric feature; then the last column, so a typo in y is named at once."""
        numeric = self.numeric_columns()
        if numeric and self.default_features(numeric[-1]):
            return numeric[-1]
        return self.header[-1]

    def default_features(self, target: str) -> tuple[str, ...]:
        """Every numeric column but the target, in file order, at most MAX_FEATURES of them."""
        return tuple(h for h in self.numeric_columns() if h != target)[:MAX_FEATURES]

    def dataset(self, target: str, features, *, binary_labels: bool = False) -> Dataset:
        """The data set of these columns (X float32, C-contiguous), or one sentence on what is wrong."""
        features = tuple(features)
        if target not in self.header:
            raise DataError(key="csv_no_label", label=repr(target), columns=", ".join(self.header))
        if target in features:
            raise DataError(key="target_in_features", name=repr(target))
        if not features:
            raise DataError(key="no_features")
        if len(features) > MAX_FEATURES:
            raise DataError(key="too_many_features", count=len(features), max=MAX_FEATURES)
        for f in features:
            if f not in self.header:
                raise DataError(key="no_feature_column", name=repr(f))
        dupes = sorted({f for f in features if features.count(f) > 1})
        if dupes:
            raise DataError(key="feature_twice", name=repr(dupes[0]))
        for name in (target,) + features:
            if name in self.text:
                line, cell = self.text[name]
                raise DataError(key="column_not_numeric", name=repr(name), line=line, value=repr(cell[:40]))
        cols = [self.header.index(f) for f in features]
        j = self.header.index(target)
        chosen = self.values[:, cols + [j]]
        if not np.all(np.isfinite(chosen)):
            r, c = np.argwhere(~np.isfinite(chosen))[0]
            name = (features + (target,))[c]
            raise DataError(key="csv_not_finite", line=int(r) + 2, column=repr(name), value=str(chosen[r, c]))
        if chosen.size and np.abs(chosen).max() > 1e15:
            raise DataError(key="csv_too_large_values")
        y = chosen[:, -1:]
        if binary_labels and not np.all((y == 0) | (y == 1)):
            raise DataError(key="csv_binary_label", label=repr(target))
        X = torch.from_numpy(np.ascontiguousarray(chosen[:, :-1])).float()  # row-major: the sums of X @ w
        return Dataset(X, torch.from_numpy(np.ascontiguousarray(y)).float(), features, label_name=target)


def read_table(source, *, max_bytes: int = MAX_UPLOAD_BYTES, max_rows: int = MAX_CSV_ROWS) -> Table:
    """Parse a CSV (bytes, text or a path); raise DataError with one sentence if the file is unusable."""
    raw = _read_bytes(source, max_bytes)
    lines = [ln for ln in _decode(raw).splitlines() if ln.strip()]
    if not lines:
        raise DataError(key="csv_empty")
    sep = _sniff_separator(lines[0])
    header = tuple(h.strip().strip('"').strip() for h in lines[0].split(sep))
    if len(lines) == 1:
        raise DataError(key="csv_no_rows")
    if len(header) < 2:
        raise DataError(key="csv_two_columns")
    if len(header) > MAX_CSV_COLUMNS:
        raise DataError(key="csv_too_many_columns", count=len(header), max=MAX_CSV_COLUMNS)
    if any(h == "" for h in header):
        raise DataError(key="csv_unnamed_column")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise DataError(key="csv_duplicate_columns", names=", ".join(dupes))
    if len(lines) - 1 > max_rows:
        raise DataError(key="csv_too_many_rows", count=len(lines) - 1, max=max_rows)
    values = np.empty((len(lines) - 1, len(header)), dtype=np.float64)
    text: dict = {}
    first = None
    for i, ln in enumerate(lines[1:], start=2):
        cells = ln.split(sep)
        if len(cells) != len(header):
            raise DataError(key="csv_cell_count", line=i, count=len(cells), columns=len(header))
        try:
            values[i - 2] = [float(c.strip().strip('"')) for c in cells]
        except ValueError:
            for k, c in enumerate(cells):
                cell = c.strip().strip('"')
                if _is_float(cell):
                    values[i - 2, k] = float(cell)
                else:
                    values[i - 2, k] = np.nan
                    text.setdefault(header[k], (i, cell))
                    first = first or (i, cell)
    return Table(header, values, text, first)

