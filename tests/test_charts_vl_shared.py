"""A shared scale said once draws the same chart: checked by rendering both specs with Vega itself."""
import json
import re

import numpy as np
import pytest
import vl_convert

from gdcore import charts
from gdcore.charts import cockpit, vl
from gdcore.charts import linear_regression as lr
from gdcore.charts import mini_batches as mb
from gdcore.charts.landscape import window as grid_window
from gdcore.charts.vl_shared import shared_channels, shared_scales_once
from gdcore.reference import bowl

RNG = np.random.default_rng(5)
X = RNG.uniform(0, 5, 50).astype(np.float32)
Y = (2 * X + 6 + RNG.normal(0, 1, 50)).astype(np.float32)


def _landscape(steps: int, dtype=np.float64) -> dict:
    """The linear-regression landscape as a Step draws it: the path (its w and b of `dtype`: a float32
    run's or a float64 run's), the optimum, now, the click selection and the gradient arrow."""
    w, b = (np.linspace(lo, hi, steps + 1).astype(dtype).astype(np.float64) for lo, hi in ((0.3, 1.7), (-0.3, 0.2)))
    wv, bv = np.linspace(-0.2, 2.7, 44), np.linspace(-2.5, 8.4, 44)
    spec = lr.landscape_with_current_spec(bowl(X.reshape(-1, 1), Y), wv, bv,
                                          charts.path_table(np.arange(steps + 1), w, b), (2.0, 6.0), (w[-1], b[-1]))
    window = grid_window(wv, bv)  # as the page has it
    return cockpit.with_layers(cockpit.pickable(spec), *cockpit.gradient_arrow((w[-1], b[-1]), (-32.3, -12.8), 0.01,
                                                                               window))


def _specs() -> dict:
    lines = [{"label": "now", "w": 1.7, "b": 0.2, "series": "fit"},
             {"label": "true", "w": 2.0, "b": 6.0, "dash": True, "series": "true"}]
    roles = np.r_[np.ones(20, int), np.full(10, 2), np.zeros(20, int)]
    every = charts.loss_table(np.geomspace(90, 1, 400) * (1 + 0.3 * np.sin(np.arange(400))))
    ends = mb.epoch_end_table(np.geomspace(80, 1, 40), 10)
    return {"landscape": _landscape(3), "landscape_long": _landscape(300),
            "fit_view": lr.fit_view_spec(X, Y, lines),
            "loss": lr.loss_curve_with_optimum_spec(charts.loss_table(np.geomspace(90, 1, 30)), 0.9),
            "batch_scatter": mb.batch_scatter_spec(X, Y, roles, lines),
            "batch_loss": mb.loss_with_epochs_spec(every, ends)}


def _svg(sent: dict) -> str:
    """The chart as Vega draws it (SVG), with Arrow data sets turned into rows."""
    plain = {**sent, "datasets": {k: t.to_pylist() for k, t in sent.get("datasets", {}).items()}}
    if not plain["datasets"]:
        del plain["datasets"]
    svg = vl_convert.vegalite_to_svg(json.loads(json.dumps(plain, default=float)))
    return re.sub(r"\b(clip|gradient_)\d+", r"\1#", svg)  # ids count up across renders in one process


def _drawn(sent: dict) -> str:
    """The SVG, the layers' group names aside (a nested layer's marks are layer_0_layer_1_marks)."""
    return re.sub(r"\blayer_[0-9_]*(layer_[0-9]+_)?", "layer_", _svg(sent))


@pytest.mark.parametrize("name", ["landscape", "landscape_long", "fit_view", "loss", "batch_scatter", "batch_loss"])
def test_compact_specs_draw_the_same(name):
    spec = _specs()[name]
    full, compact = vl.wire(spec, compact=False), vl.wire(spec)
    saved = len(json.dumps(full, default=str)) - len(json.dumps(compact, default=str))
    assert saved > 0 if name != "loss" else saved >= 0  # (the loss chart's layers give different scales)
    assert _svg(compact) == _svg(full)


def test_a_landscape_says_w_and_b_once_at_the_top():
    sent = vl.wire(_landscape(300))
    assert sent["encoding"] == {"x": {"field": "w", "type": "quantitative"},
                                "y": {"field": "b", "type": "quantitative"}}
    own = [la["encoding"]["x"] for la in sent["layer"] if "x" in la.get("encoding", {})]
    assert own[0]["title"] == "w" and "scale" in own[0]  # the first layer's title and window stay with it
    assert len(own) == 1  # every other layer inherits it (the arrow's head draws its own end, w_end)
    layers = [{"encoding": {"x": {"field": "u", "type": "quantitative"}}},
              {"encoding": {"x": {"field": "v", "type": "quantitative"}}}]
    assert shared_channels(layers) == ({}, layers)  # different fields: each layer keeps its own


def test_a_landscape_says_its_window_once():
    sent = vl.wire(_landscape(3))
    with_scale = [la for la in sent["layer"] if "scale" in la.get("encoding", {}).get("x", {})]
    assert len(with_scale) == 1 and sent["layer"].index(with_scale[0]) == 0
    assert all("x" not in la.get("encoding", {}) or "scale" not in la["encoding"]["x"] for la in sent["layer"][1:])


def test_different_or_null_scales_stay_where_they_are():
    a, b = {"domain": [0, 1]}, {"domain": [0, 2]}
    layers = [{"encoding": {"x": {"field": "u", "scale": a}, "angle": {"field": "t", "scale": None}}},
              {"encoding": {"x": {"field": "v", "scale": b}, "angle": {"field": "t", "scale": None}}},
              {"encoding": {"x": {"field": "v", "scale": a}}}]
    assert shared_scales_once(layers) == layers  # a conflict is Vega-Lite's to merge, as it was
    same = [{"encoding": {"y": {"field": "u", "scale": dict(a)}}}, {"mark": "rule"},
            {"encoding": {"y": {"field": "v", "scale": dict(a)}, "x2": {"field": "w"}}}]
    assert shared_scales_once(same) == [same[0], same[1], {"encoding": {"y": {"field": "v"}, "x2": {"field": "w"}}}]
    assert "scale" in same[2]["encoding"]["y"]  # the caller's layers are left as they were


def test_one_table_with_filters_draws_what_two_tables_drew():
    """The mini-batch scatter sends its points once, in one layer with their axes, colours and tooltip,
    the crosses and the batch's circles nested in it, each filtering its roles: drawn, it is the chart
    of two layers with a table each (the rest, the current batch) that the page sent before."""
    roles = np.zeros(50, dtype=int)
    roles[:20], roles[[4, 30, 41]] = 1, 2
    lines = [{"label": "fit", "w": 1.7, "b": 0.2, "series": "fit"}]
    spec = mb.batch_scatter_spec(X, Y, roles, lines, title="Data")
    points = spec["layer"][0]
    role = np.asarray(points["data"].values("role"))
    kept = [role != "current batch", role == "current batch"]
    two = dict(spec, layer=[dict({k: v for k, v in la.items() if k != "transform"}, encoding=points["encoding"],
                                 data=points["data"].where(kept[i]), **({"title": points["title"]} if i == 0 else {}))
                            for i, la in enumerate(points["layer"])] + spec["layer"][1:])
    assert sum(len(la["data"]) for la in two["layer"][:2]) == 50 and len(two["layer"][1]["data"]) == 3
    one_sent, two_sent = vl.wire(spec, inline_rows=0), vl.wire(two, inline_rows=0)
    assert len(one_sent["datasets"]) == len(two_sent["datasets"]) - 1  # the points, once
    assert len(json.dumps(one_sent, default=str)) < len(json.dumps(two_sent, default=str)) - 500

    assert _drawn(one_sent) == _drawn(two_sent)


def test_the_nested_arrow_draws_what_its_shaft_and_head_drew_as_two_layers():
    """The gradient arrow is one layer with its row, axes and tooltip said once, its shaft and head
    nested: Vega draws the same picture as from two layers that each carry all of it."""
    nested = _landscape(3)
    arrow = nested["layer"][-1]
    assert [la["mark"]["type"] for la in arrow["layer"]] == ["rule", "point"]
    flat = [{**{k: v for k, v in arrow.items() if k not in ("layer", "encoding")}, **child,
             "encoding": {**arrow["encoding"], **child["encoding"]}} for child in arrow["layer"]]
    two = {**nested, "layer": nested["layer"][:-1] + flat}
    assert len(json.dumps(vl.wire(nested), default=str)) < len(json.dumps(vl.wire(two), default=str)) - 400
    assert _drawn(vl.wire(nested)) == _drawn(vl.wire(two))
