"""gdcore.charts.vl: the plain specs the pages send, checked against Altair and the Vega-Lite schema."""
import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from gdcore import charts
from gdcore.charts import linear_regression as lr
from gdcore.charts import logistic_regression as lg
from gdcore.charts import vl
from gdcore.charts.vl_shared import shared_channels, shared_scales_once
from gdcore.reference import bowl
from pages.ui.files import chart_spec

RNG = np.random.default_rng(3)
X = RNG.uniform(0, 1, 50).astype(np.float32)
Y = (3 * X + 0.8 + RNG.normal(0, 0.1, 50)).astype(np.float32)
P = RNG.normal(size=(1000, 2)).astype(np.float32)
POINTS = pd.DataFrame({"i": np.arange(1000), "x1": P[:, 0].astype(float), "x2": P[:, 1].astype(float),
                       "y": np.where(P[:, 0] > P[:, 1], "class 1", "class 0")})
BOX = (-4.0, 4.0, -4.0, 4.0)
CUR = {"i": 3, "x1": 0.1, "x2": 0.2, "y": 1.0, "z": 0.3, "y_hat": 0.57}


def _specs(steps: int) -> dict:
    """Every spec a lesson page draws on a Step, with a run `steps` long."""
    losses = np.geomspace(1.0, 0.01, steps).astype(np.float32)
    w, b = np.linspace(0.5, 2.9, steps + 1), np.linspace(1.0, 0.8, steps + 1)
    path = charts.path_table(np.arange(steps + 1), w, b)
    lines = [{"label": "now", "w": 2.5, "b": 0.9, "series": "fit"},
             {"label": "true", "w": 3.0, "b": 0.8, "dash": True, "series": "true"}]
    return {
        "fit_view": lr.fit_view_spec(X, Y, lines),
        "loss": lr.loss_curve_with_optimum_spec(charts.loss_table(losses), 0.005),
        "landscape": lr.landscape_with_current_spec(bowl(X.reshape(-1, 1), Y), np.linspace(0, 4, 44),
                                                    np.linspace(0.4, 1.4, 44), path, (3.0, 0.8), (2.9, 0.8)),
        "boundary": lg.boundary_chart_spec(POINTS, BOX, ((-4, 1), (4, -1)), ((-4, 2), (4, -2)),
                                           lg.Shading(1.0, -2.0, 0.1, BOX), CUR),
        "sigmoid": lg.sigmoid_chart_spec(CUR),
    }


class _Row(SimpleNamespace):
    """A row whose fields read as datum.x and datum["x"]."""

    def __init__(self, row: dict) -> None:
        super().__init__(**row)

    def __getitem__(self, key):
        return getattr(self, key)


def _resolved(spec: dict, datasets) -> dict:
    """The spec with every layer's data as its rows, after the transforms that scale columns back."""
    def rows(node):
        data = node.get("data", {})
        if "name" in data:
            table = datasets[data["name"]]
            out = table.to_pylist() if isinstance(table, pa.Table) else list(table)
        elif "values" in data:
            out = [dict(r) for r in data["values"]]
        else:
            return node
        made = re.compile(r'^\(?datum\.\w+( \+ -?\d+\))? / 10+$|^".*"$|^-?\d+ \+ \(datum\["\w+"\] - 1\) \* -?\d+$'
                          r'|^\[".*"\]\[datum\.\w+\]$|^datum\.\w+ \+ -?\d+$')
        steps = [t for t in node.get("transform", []) if made.match(t.get("calculate", ""))
                 or all(w["op"] in ("row_number", "sum") for w in t.get("window", [{"op": ""}]))]
        for t in steps:  # thousandths back to numbers; a name on every row; counting numbers; codes; rises
            sums = {}
            for i, r in enumerate(out):
                if "window" in t:
                    for w in t["window"]:
                        if w["op"] == "sum":
                            sums[w["as"]] = sums.get(w["as"], 0) + r[w["field"]]
                    r.update({w["as"]: i + 1 if w["op"] == "row_number" else sums[w["as"]] for w in t["window"]})
                elif t["calculate"].startswith('"'):
                    r[t["as"]] = json.loads(t["calculate"])
                else:
                    r[t["as"]] = eval(t["calculate"], {"__builtins__": {}}, {"datum": _Row(r)})  # noqa: S307
        rest = [t for t in node.get("transform", []) if t not in steps]
        node = {**node, "data": out}
        if rest:
            node["transform"] = rest
        else:
            node.pop("transform", None)
        return node
    out = rows({k: v for k, v in spec.items() if k not in ("datasets", "$schema", "config")})
    if "layer" in out:
        out["layer"] = [rows(x) for x in out["layer"]]
    return out


@pytest.mark.parametrize("steps", [3, 40, 400])
def test_what_a_page_sends_is_what_altair_would_send(steps):
    """vl.wire (the page) and Altair's own conversion of the same chart (tests, downloads) agree: the
    same spec, the same rows (to the decimals a chart shows where a column is sent in thousandths)."""
    for name, spec in _specs(steps).items():
        sent = vl.wire(spec)
        via_altair = chart_spec(vl.altair(spec))
        if "layer" in via_altair:  # the page says a shared scale once (its drawing: test_compact_specs_draw_the_same)
            via_altair["layer"] = shared_scales_once(via_altair["layer"])
            if "encoding" not in via_altair:  # and a field every layer draws alike at the top
                top, via_altair["layer"] = shared_channels(via_altair["layer"])
                if top:
                    via_altair["encoding"] = top
        assert via_altair.pop("$schema") == alt.SCHEMA_URL and "$schema" not in sent  # vega-embed tells Vega-Lite
        a, b = _resolved(sent, sent.get("datasets", {})), _resolved(via_altair, via_altair.get("datasets", {}))
        ta, tb = json.dumps(a, sort_keys=True, default=str), json.dumps(b, sort_keys=True, default=str)
        rounded = {"boundary": ("circle", ("x1", "x2"), 5e-4), "landscape": ("line", ("w", "b"), 5e-5)}
        if name in rounded:  # long: sent in the decimals the tooltip shows, equal to half of one
            kind, cols, tol = rounded[name]
            pa_, pb = (next(x["data"] for x in s["layer"] if x["mark"]["type"] == kind) for s in (a, b))
            assert len(pa_) == len(pb) > 0
            for ra, rb in zip(pa_, pb):
                assert {k: v for k, v in ra.items() if k not in cols} == {k: v for k, v in rb.items() if k not in cols}
                assert all(abs(ra[c] - rb[c]) <= tol + 1e-9 for c in cols)
            for s in (a, b):
                next(x for x in s["layer"] if x["mark"]["type"] == kind)["data"] = None
            ta, tb = json.dumps(a, sort_keys=True, default=str), json.dumps(b, sort_keys=True, default=str)
        assert ta == tb, name


@pytest.mark.parametrize("steps", [3, 400])
def test_sent_specs_are_valid_vega_lite(steps):
    for spec in _specs(steps).values():
        sent = vl.wire(spec)
        plain = {**sent, "datasets": {k: t.to_pylist() for k, t in sent.get("datasets", {}).items()}}
        (alt.TopLevelLayerSpec if "layer" in plain else alt.TopLevelUnitSpec).validate(plain)


def _to_fixed(x: float, digits: int) -> str:
    """JavaScript's x.toFixed(digits), which d3-format's "f" uses: the exact value, ties away from zero."""
    text = str(Decimal(x).copy_abs().quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    return ("-" + text) if x < 0 and text.strip("0.") else text


def test_points_sent_in_thousandths_show_the_same_tooltip_text():
    ties = [0.0625, -0.0625, 1.0005, -2.5005, 0.0004, -0.0004, 32.767, -32.767]  # exact in float32 or not
    x = np.r_[np.float32(ties), RNG.normal(0, 3, 2000).astype(np.float32)].astype(np.float64)
    table = vl.Table({"x1": x, "x2": x[::-1].copy()}, shown={"x1": 3, "x2": 3})
    arrow, back = table.arrow()
    assert arrow.schema.field("x1").type == pa.int16()  # two bytes a number instead of four
    for row, want1, want2 in zip(arrow.to_pylist(), x, x[::-1]):
        for t in back:
            row[t["as"]] = eval(t["calculate"], {"__builtins__": {}}, {"datum": SimpleNamespace(**row)})  # noqa: S307
        assert _to_fixed(row["x1"], 3) == _to_fixed(want1, 3) and _to_fixed(row["x2"], 3) == _to_fixed(want2, 3)
        assert abs(row["x1"] - want1) <= 5e-4 + 1e-12


def test_numbers_far_from_zero_travel_less_a_whole_number_of_thousandths():
    ties = [30.0625, 40.0005, 50.5005, 33.767, 62.7665]
    x = np.r_[np.float32(ties), RNG.uniform(30, 62, 500).astype(np.float32)].astype(np.float64)
    arrow, back = vl.Table({"x1": x}, shown={"x1": 3}).arrow()
    assert arrow.schema.field("x1").type == pa.int16() and re.fullmatch(r"\(datum\.x1 \+ \d+\) / 1000",
                                                                        back[0]["calculate"])
    for row, want in zip(arrow.to_pylist(), x):
        row["x1"] = eval(back[0]["calculate"], {"__builtins__": {}}, {"datum": SimpleNamespace(**row)})  # noqa: S307
        assert _to_fixed(row["x1"], 3) == _to_fixed(want, 3)


def test_numbers_too_far_apart_for_thousandths_keep_their_float32():
    x = np.float32([-40.0, 40.0] * 40).astype(np.float64)
    arrow, back = vl.Table({"x1": x}, shown={"x1": 3}).arrow()
    assert arrow.schema.field("x1").type == pa.float32() and not back
    assert arrow.column("x1").to_pylist() == x.tolist()


def test_a_table_two_layers_draw_is_sent_once():
    spec = lr.loss_curve_with_optimum_spec(charts.loss_table(np.geomspace(1, 0.1, 55)), 0.05)
    sent = vl.wire(spec)
    assert len(sent["datasets"]) == 1
    assert sent["layer"][0]["data"] == sent["layer"][1]["data"] == {"name": "data0"}
    assert sent["datasets"]["data0"].column_names == ["loss"]  # steps 1..55 and the name made by both layers
    for layer in sent["layer"][:2]:
        assert layer["transform"][0] == {"window": [{"op": "row_number", "as": "step"}]}
    thinned = vl.wire(lr.loss_curve_with_optimum_spec(charts.loss_table(np.geomspace(1, 0.1, 5000)), 0.05))
    # not every step: sent as each one's rise from the one before (int8, 1 byte), summed in the browser
    assert thinned["datasets"]["data0"].schema.field("step").type == pa.int8()
    assert {"window": [{"op": "sum", "field": "step", "as": "step"}]} in thinned["layer"][0]["transform"]
    far = np.r_[np.arange(1, 60), 400, 401]  # a rise past 127: whole numbers as they are
    assert vl.Table({"step": far, "loss": np.ones(61)}).arrow(lift=True)[0].schema.field("step").type == pa.int16()


def test_altair_layers_added_to_a_spec_are_drawn_with_it():
    spec = _specs(3)["landscape"]
    arrows = alt.Chart(pd.DataFrame({"w": [1.0, 1.2], "b": [0.9, 1.0]})).mark_line(color="white").encode(
        x="w:Q", y="b:Q")
    more = vl.add_layers(spec, arrows)
    assert len(more["layer"]) == len(spec["layer"]) + 1 and more["layer"][:-1] == spec["layer"]
    sent = vl.wire(more)
    assert sent["layer"][-1]["mark"] == {"type": "line", "color": "white"}
    assert sent["layer"][-1]["data"]["values"] == [{"w": 1.0, "b": 0.9}, {"w": 1.2, "b": 1.0}]
    composed = (lr.landscape_with_current(*_landscape_args()) + arrows).to_dict()  # Altair composition still works
    assert len(composed["layer"]) == 5


def _landscape_args():
    path = charts.path_frame(np.arange(4), np.linspace(0.5, 1, 4), np.linspace(1.0, 0.9, 4))
    return (bowl(X.reshape(-1, 1), Y), np.linspace(0, 4, 44), np.linspace(0.4, 1.4, 44), path, (3.0, 0.8), (1.0, 0.9))


def test_rows_are_json_safe():
    t = vl.Table({"a": [np.float32(1.5), float("nan")], "b": np.array([1, 2]), "c": "name"})
    assert t.rows() == [{"a": 1.5, "b": 1, "c": "name"}, {"a": None, "b": 2, "c": "name"}]
    json.dumps(t.rows(), allow_nan=False)
    assert not math.isnan(t.frame()["b"].sum())


def test_wire_leaves_the_spec_it_was_given_as_it_was():
    spec = charts.loss_curve_spec(charts.loss_table([1.0, 0.5, 0.25]))
    before = json.dumps(vl.wire(spec), default=str)
    sent = vl.wire(spec)
    sent["encoding"]["color"]["title"] = " "  # what Streamlit does to a null legend title
    assert "$schema" not in spec and spec["encoding"]["color"]["title"] is None
    assert json.dumps(vl.wire(spec), default=str) == before
