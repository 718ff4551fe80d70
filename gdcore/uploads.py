"""One learner's CSV upload: parsed once per file and label, and the same Dataset object on every rerun.

A lesson starts a new run whenever it is handed a different data object, so the data set an upload
yields must be the identical object until the file, the label column or the chosen features change.
No streamlit here: pages/ui.upload_data wires this to the widgets.
"""
from __future__ import annotations

from dataclasses import replace

from .data import Dataset, load_csv
from .errors import DataError
from .tables import Table, read_table


class Upload:
    """The current file's parsed tables (or their errors) and the data set last accepted for a run."""

    def __init__(self) -> None:
        self.file: tuple[str, int] | None = None  # (name, size) of the file the caches below belong to
        self._tables: dict = {}  # (label, binary_labels) -> Dataset or DataError; None -> Table or DataError
        self._views: dict = {}  # (label, binary_labels, features) -> Dataset
        self.accepted: Dataset | None = None  # the data set last handed to a run (kept through bad uploads)
        self.accepted_name: str = ""

    def _use_file(self, name: str, raw: bytes) -> None:
        sig = (str(name), len(raw))
        if sig != self.file:
            self.file, self._tables, self._views = sig, {}, {}

    def table(self, name: str, raw: bytes, label: str | None = None, *, binary_labels: bool = False) -> Dataset:
        """The file parsed with this label column (cached; a bad file raises the same DataError again)."""
        self._use_file(name, raw)
        return self._cached((label, bool(binary_labels)),
                            lambda: load_csv(bytes(raw), label, binary_labels=binary_labels))

    def sheet(self, name: str, raw: bytes) -> Table:
        """The file as a table of named columns, text columns included (cached, like table())."""
        self._use_file(name, raw)
        return self._cached(None, lambda: read_table(bytes(raw)))

    def _cached(self, key, parse):
        """parse()'s result for this file and key, parsed once; a bad file's DataError is kept and raised
        again on every rerun, never parsed twice."""
        if key not in self._tables:
            try:
                self._tables[key] = parse()
            except DataError as exc:
                self._tables[key] = exc
        got = self._tables[key]
        if isinstance(got, DataError):
            raise got
        return got

    def choose(self, name: str, table: Table, target: str, features) -> Dataset:
        """The data set of a target and feature columns (checked by Table.dataset), the same object for
        the same choice, and from then on the accepted one."""
        key = ("columns", id(table), target, tuple(features))
        view = self._views.get(key)
        if view is None:
            view = table.dataset(target, features)
            self._views = {key: view}  # only the current choice is kept
        self.accepted, self.accepted_name = view, str(name)
        return view

    def columns(self, name: str, raw: bytes) -> tuple[str, ...]:
        """The header's column names, in file order (raises DataError if the file is unusable)."""
        ds = self.table(name, raw, None)  # label = last column, so features + label is the header order
        return ds.feature_names + (ds.label_name,)

    def accept(self, name: str, ds: Dataset, features: tuple[str, ...] | None = None) -> Dataset:
        """The data set with only `features` (all when None), the same object for the same choice."""
        features = tuple(ds.feature_names) if features is None else tuple(features)
        missing = [f for f in features if f not in ds.feature_names]
        if missing:
            raise DataError(key="no_feature_column", name=repr(missing[0]))
        if not features:
            raise DataError(key="no_features")
        key = (ds.label_name, id(ds), features)
        view = self._views.get(key)
        if view is None:
            if features == tuple(ds.feature_names):
                view = ds
            else:
                idx = [ds.feature_names.index(f) for f in features]
                view = replace(ds, X=ds.X[:, idx], feature_names=features)
            self._views = {key: view}  # only the current choice is kept
        self.accepted, self.accepted_name = view, str(name)
        return view


def summary(ds: Dataset, name: str = "") -> str:
    """One line: file, rows, features, label."""
    feats = ", ".join(ds.feature_names)
    where = f"{name}: " if name else ""
    return (f"{where}{ds.n:,} rows · feature{'s' if ds.n_features > 1 else ''} {feats} · "
            f"label {ds.label_name}")
