"""Plain Vega-Lite specs: how the charts a Step redraws are built, cheaply, and how they become Altair.

A lesson page redraws its live charts on every Step of every learner, all in one server process, so
those charts are built as plain dicts (as gdcore/charts/board.py does): building and serialising the
same chart through Altair costs 5 to 15 ms of the interpreter each, a plain dict well under one.

A spec here is a Vega-Lite dict whose `data` may be a `Table` (columns of numbers or names) instead
of JSON. Two ways out:
- `wire(spec)`: what the page hands to `st.vega_lite_chart` (pages/ui/files.chart does it): a table
  of up to INLINE_ROWS rows goes inline as JSON rows, a longer one as a compact Arrow table (Table.arrow)
  under `datasets`, named data0, data1, ... in order of appearance (a table two layers draw is sent once).
- `altair(spec)`: the same chart as an Altair object, built in well under a millisecond (the spec's
  dicts are wrapped, not parsed). The public chart builders return this, so tests and downloads see
  what they always saw: `to_dict()` validates against the Vega-Lite schema, tables become data sets.

Adding a layer to a spec (e.g. arrows or a click selection on a landscape):
- as a dict: `vl.layer(vl.Table({"w": ..., "b": ...}), mark("line"), {"x": q("w", scale=xs), ...})`,
  appended to `spec["layer"]` (a parameter goes in the layer's "params", as Vega-Lite has it);
- or as Altair: `vl.add_layers(spec, alt.Chart(df).mark_line().encode(...))`, which converts each
  Altair layer once (its DataFrame becomes a Table): a few ms a layer, fine for a small one;
- or compose the Altair face as any Altair chart (`landscape_with_current(...) + arrows`), for tests
  and one-off figures; a page that draws it on every Step should keep to specs.
"""
from __future__ import annotations

import copy
import json
import math

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa

from .vl_columns import exact_in_float32, few_names, one_name, progression, scaled_units, small_gaps
from .vl_shared import shared_channels, shared_scales_once

# A table of up to INLINE_ROWS rows (counted once for every layer that draws it) goes inside the spec
# as JSON (a row there is 50 to 80 bytes; Arrow's framing alone is about 500), a longer one as Arrow.
INLINE_ROWS = 8
COMPACT_FROM = 50  # a table this long sends a column of at most MAX_CODES names as codes
MAX_CODES = 16


class Table:
    """A chart layer's data as named columns of equal length: numpy arrays, lists, or one name (a str)
    that every row has.

    shown: columns the chart shows only to so many decimals (its tooltips' format; on its axes a
    thousandth is far below a pixel): a long table sends such a column as whole units of that
    decimal in int16 (less a whole number of units where their span fits but they do not), and the
    layer adds and divides them back (wire()). What the learner
    reads is the same text: the rounding is the tooltip's own (half away from zero, as toFixed).
    """

    __slots__ = ("columns", "n", "shown")

    def __init__(self, columns: dict, n: int | None = None, shown: dict[str, int] | None = None) -> None:
        self.columns = columns
        if n is None:
            n = next((len(v) for v in columns.values() if not isinstance(v, str)), 0)
        self.n = int(n)
        self.shown = shown or {}

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Table:
        return cls({str(c): _frame_column(frame[c]) for c in frame.columns}, len(frame))

    def __len__(self) -> int:
        return self.n

    def values(self, name: str) -> list:
        v = self.columns[name]
        if isinstance(v, str):
            return [v] * self.n
        if isinstance(v, (np.ndarray, pa.Array, pa.ChunkedArray)):
            return v.tolist() if isinstance(v, np.ndarray) else v.to_pylist()
        return [x.item() if isinstance(x, np.generic) else x for x in v]

    def rows(self) -> list[dict]:
        """The rows as JSON-safe dicts: plain Python numbers, NaN and infinities as null."""
        names = list(self.columns)
        cols = []
        for name in names:
            vals = self.values(name)
            if any(isinstance(x, float) and not math.isfinite(x) for x in vals):
                vals = [None if isinstance(x, float) and not math.isfinite(x) else x for x in vals]
            cols.append(vals)
        return [dict(zip(names, r)) for r in zip(*cols)]

    def where(self, keep: np.ndarray) -> Table:
        """The rows where keep (a boolean array) is true."""
        cols = {}
        for k, v in self.columns.items():
            if isinstance(v, str):
                cols[k] = v
            elif isinstance(v, np.ndarray):
                cols[k] = v[keep]
            elif isinstance(v, (pa.Array, pa.ChunkedArray)):
                cols[k] = v.filter(pa.array(keep))
            else:
                cols[k] = [x for x, k_ in zip(v, keep) if k_]
        return Table(cols, int(np.count_nonzero(keep)), self.shown)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({k: (v if isinstance(v, np.ndarray) else self.values(k)) for k, v in self.columns.items()},
                            index=range(self.n))

    def arrow(self, lift: bool = False) -> tuple[pa.Table, list[dict]]:
        """The table as the browser receives it (no pandas metadata or index; float32 where that holds
        the numbers exactly, int16/int32 where they hold the integers, a column of a few names as codes),
        and the transforms that turn its scaled columns back into numbers; lift: a column of one name on
        every row (a curve's series) or of whole numbers counting up evenly (steps, epochs) is not sent
        but made by a transform, the same."""
        long = self.n > COMPACT_FROM
        arrays, back, count, total = {}, [], [], []
        for k, v in self.columns.items():
            name = one_name(v, self.n) if lift else None
            scaled = scaled_units(v, self.shown[k]) if long and k in self.shown else None
            even = progression(v, self.n) if lift else None
            coded = few_names(v, self.n, MAX_CODES) if lift and long and name is None else None
            rising = small_gaps(v, self.n) if lift and long and even is None else None
            if name is not None:
                back.append({"calculate": json.dumps(name), "as": k})
            elif rising is not None:  # steps a thinned curve keeps: int8 rises, summed in the browser
                arrays[k] = pa.array(rising[0])
                total.append({"op": "sum", "field": k, "as": k})
                if rising[1]:
                    back.append({"calculate": f"{_ref(k)} + {rising[1]}", "as": k})
            elif coded is not None:  # a few names (roles): int8 codes, the names said once in the spec
                arrays[k] = pa.array(coded[0])
                back.append({"calculate": f"{json.dumps(coded[1], ensure_ascii=False)}[{_ref(k)}]", "as": k})
            elif even is not None:  # the row's number (1, 2, ...), made start, start + step, ...
                count.append({"op": "row_number", "as": k})
                if even != (1, 1):
                    back.append({"calculate": f"{even[0]} + (datum[{json.dumps(k)}] - 1) * {even[1]}", "as": k})
            elif scaled is not None:
                arrays[k] = pa.array(scaled[0])
                ref = f"({_ref(k)} + {scaled[1]})" if scaled[1] else _ref(k)
                back.append({"calculate": f"{ref} / {10 ** self.shown[k]}", "as": k})
            else:
                arrays[k] = _arrow_column(v, self.n, long)
        # a running sum over the rows in the order sent (a window's default frame, [null, 0]; without a
        # sort the rows keep their order and no two are peers)
        running = [{"window": total}] if total else []
        return pa.table(arrays), ([{"window": count}] if count else []) + running + back


def _ref(k: str) -> str:
    """A field of the row in a Vega expression."""
    return f"datum.{k}" if k.isidentifier() else f"datum[{json.dumps(k)}]"


def table(data: Table | pd.DataFrame) -> Table:
    """data as a Table (a DataFrame's columns; a Table as it is)."""
    return data if isinstance(data, Table) else Table.from_frame(data)


def _frame_column(s: pd.Series):
    if s.dtype.kind in "biuf":
        return s.to_numpy()
    return pa.array(s, from_pandas=True).to_pylist() if len(s) <= INLINE_ROWS else pa.array(s, from_pandas=True)


_CODES = pa.dictionary(pa.int8(), pa.large_string())  # what pandas categories become


def _arrow_column(v, n: int, long: bool) -> pa.Array:
    if isinstance(v, str):  # one name on every row
        return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int8)), pa.array([v], pa.large_string())) \
            if long else pa.array([v] * n, pa.large_string())
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
        if v.dtype == np.float64 and exact_in_float32(v):
            v = v.astype(np.float32)
        elif v.dtype.kind in "iu" and len(v):  # steps, indices: the same numbers in fewer bytes
            lo, hi = int(v.min()), int(v.max())
            v = v.astype(next((t for t in (np.int16, np.int32) if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max),
                              v.dtype))
        return pa.array(v)
    arr = v if isinstance(v, (pa.Array, pa.ChunkedArray)) else pa.array(v)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        return arr.cast(_CODES)
    if pa.types.is_string(arr.type):
        arr = arr.cast(pa.large_string())
    if long and pa.types.is_large_string(arr.type) and len(arr.unique()) <= MAX_CODES:
        arr = arr.dictionary_encode().cast(_CODES)
    return arr


# -- building specs ---------------------------------------------------------------------------------

def q(name: str, **props) -> dict:
    """A quantitative field (`"name:Q"`)."""
    return {"field": name, "type": "quantitative", **props}


def n(name: str, **props) -> dict:
    """A nominal field (`"name:N"`)."""
    return {"field": name, "type": "nominal", **props}


def tip(name: str, type_: str = "nominal", title: str | None = None, **props) -> dict:
    """A tooltip field with its title only where it is not the field's own name (common.tip's rule)."""
    if title is None or title == name:
        return {"field": name, "type": type_, **props}
    return {"field": name, "type": type_, "title": title, **props}


def layer(data, mark: dict, encoding: dict, **props) -> dict:
    """One layer: data (a Table, or a Vega-Lite data dict such as {"sequence": ...}), mark, encoding."""
    return {"data": data, "mark": mark, "encoding": encoding, **props}


def add_layers(spec: dict, *charts) -> dict:
    """spec with more layers appended: plain layer dicts, or Altair charts (each converted once, its
    data frame becoming a Table)."""
    out = dict(spec)
    layers = list(out.pop("layer", None) or [_unlayer(out)])
    for c in charts:
        layers.append(c if isinstance(c, dict) else _from_altair(c))
    out["layer"] = layers
    return out


def _unlayer(spec: dict) -> dict:
    """A single-view spec's view, taken out of it (what stays is the top level)."""
    view = {k: spec.pop(k) for k in ("data", "mark", "encoding", "transform", "params", "name") if k in spec}
    return view


def _from_altair(chart) -> dict:
    data = chart.data
    frame = data if isinstance(data, pd.DataFrame) else None
    if frame is not None:
        chart = chart.copy(deep=False)
        chart.data = alt.Undefined
    d = chart.to_dict(validate=False)
    for k in ("$schema", "config", "datasets"):
        d.pop(k, None)
    if frame is not None:
        d["data"] = Table.from_frame(frame)
    return d


# -- the two ways out ---------------------------------------------------------------------------------

def wire(spec: dict, inline_rows: int = INLINE_ROWS, compact: bool = True) -> dict:
    """The spec for st.vega_lite_chart: tables inline (short) or as Arrow data sets (long); with
    compact, a layer's scale that an earlier layer already gave is said once (shared_scales_once), and
    an x or y that every layer draws alike once at the top (shared_channels)."""
    datasets: dict[str, pa.Table] = {}
    names: dict[int, tuple[str, list[dict]]] = {}  # id(table) -> its name, the transforms its layers need
    uses: dict[int, int] = {}  # id(table) -> layers that draw it
    for node in [spec, *spec.get("layer", [])]:
        if isinstance(node.get("data"), Table):
            uses[id(node["data"])] = uses.get(id(node["data"]), 0) + 1

    def place(node: dict) -> dict:
        data = node.get("data")
        if not isinstance(data, Table):
            return node
        node = dict(node)
        if len(data) * uses[id(data)] <= inline_rows:
            node["data"] = {"values": data.rows()}
        else:
            if id(data) not in names:
                datasets[f"data{len(names)}"], back = data.arrow(lift=True)
                names[id(data)] = (f"data{len(names)}", back)
            name, back = names[id(data)]
            node["data"] = {"name": name}
            if back:
                node["transform"] = [*back, *node.get("transform", [])]
        return node

    out = dict(place(spec))  # the caller's spec stays as it is (the page keeps it for the SVG download)
    if "encoding" in out:  # Streamlit fills in a null legend title here, in place: not in the caller's spec
        out["encoding"] = copy.deepcopy(out["encoding"])
    if "layer" in out:
        out["layer"] = [place(x) for x in out["layer"]]
        if compact:
            out["layer"] = shared_scales_once(out["layer"])
            if "encoding" not in out:  # a channel every layer draws alike, said once at the top
                top, layers = shared_channels(out["layer"])
                if top:
                    out["encoding"], out["layer"] = top, layers
    # no "$schema" (60 bytes a chart): Streamlit's chart hands vega-embed no mode, and vega-embed reads a
    # spec with layers, a mark or an encoding as Vega-Lite, as the schema would say
    if datasets:
        out["datasets"] = datasets
    return out


def altair(spec: dict) -> alt.Chart | alt.LayerChart:
    """The spec as an Altair chart (tables as data frames): to_dict() validates it, and it composes
    with other Altair charts (`+`, alt.layer, .properties)."""
    if "layer" not in spec:
        return _view(spec)
    top = {k: _data(v) if k == "data" else v for k, v in spec.items() if k != "layer"}
    if "params" in top:
        top["params"] = [_param(p, alt.TopLevelSelectionParameter) for p in top["params"]]
    if "encoding" in top:  # what a layer's nested layers share
        top["encoding"] = alt.SharedEncoding(**top["encoding"])
    return alt.LayerChart(layer=[_view(x) for x in spec["layer"]], **top)


def _data(data):
    return data.frame() if isinstance(data, Table) else data


def _param(p, selection):
    if not isinstance(p, dict):
        return p
    return selection(**p) if "select" in p else alt.VariableParameter(**p)


def _view(spec: dict) -> alt.Chart | alt.LayerChart:
    if "layer" in spec:  # a layer with layers nested in it
        return altair(spec)
    props = {k: _data(v) if k == "data" else v for k, v in spec.items()}
    if "params" in props:
        props["params"] = [_param(p, alt.SelectionParameter) for p in props["params"]]
    if "encoding" in props:
        props["encoding"] = alt.FacetedEncoding(**props["encoding"])
    return alt.Chart(**props)
