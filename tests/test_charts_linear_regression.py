"""gdcore.charts.linear_regression: chart specs (marks, encodings, layers, point counts)."""
import numpy as np
import pandas as pd

from gdcore.charts import loss_frame, path_frame
from gdcore.charts.linear_regression import (
    fit_view,
    landscape_with_current,
    loss_curve_with_optimum,
    optimum_rule_value,
)
from gdcore.downsample import MAX_POINTS


def _values(spec, layer):
    """The data rows a layer draws (inline or from the top-level datasets)."""
    data = layer.get("data", {})
    if "values" in data:
        return data["values"]
    return spec["datasets"][data["name"]]


def test_rule_value_rules():
    L = np.array([1.0, 0.5, 0.2])
    assert optimum_rule_value(0.1, L, log=True) == 0.1
    assert optimum_rule_value(0.1, L, log=False) == 0.1
    assert optimum_rule_value(0.0, L, log=False) == 0.0  # linear axis: 0 is on the chart
    assert optimum_rule_value(0.0, L, log=True) is None  # log axis: 0 is not
    assert optimum_rule_value(1e-15, L, log=True) is None  # far below every loss: would squash the curve
    assert optimum_rule_value(None, L, log=True) is None
    assert optimum_rule_value(float("nan"), L, log=False) is None


def test_loss_curve_with_optimum_layers_a_rule_and_downsamples():
    losses = np.exp(-np.arange(10_000) / 800.0) + 0.1
    frame = loss_frame(losses)
    spec = loss_curve_with_optimum(frame, 0.1, log=True).to_dict()
    assert len(spec["layer"]) == 2
    line, rule = spec["layer"]
    assert line["mark"]["type"] == "line" and rule["mark"]["type"] == "rule"
    assert line["encoding"]["y"]["scale"]["type"] == "log"
    assert rule["encoding"]["y"]["field"] == "loss"
    assert _values(spec, rule)[0]["loss"] == 0.1
    assert len(_values(spec, line)) <= MAX_POINTS
    assert any(p.get("bind") == "scales" for p in spec.get("params", []))  # zoom kept


def test_loss_curve_without_a_drawable_optimum_is_the_plain_curve():
    frame = loss_frame(np.geomspace(1, 0.01, 100))
    spec = loss_curve_with_optimum(frame, 1e-16, log=True).to_dict()
    assert "layer" not in spec and spec["mark"]["type"] == "line"
    spec = loss_curve_with_optimum(frame, 1e-16, log=False).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "rule"]
    empty = loss_curve_with_optimum(loss_frame([]), 0.1, log=True).to_dict()
    assert [layer["mark"]["type"] for layer in empty["layer"]] == ["line", "rule"]


def test_short_loss_curve_gets_a_dot_per_step():
    spec = loss_curve_with_optimum(loss_frame([1.0]), 1e-16, log=True).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point"]
    assert len(_values(spec, spec["layer"][1])) == 1
    spec = loss_curve_with_optimum(loss_frame([1.0, 0.5, 0.2]), 0.1, log=True).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point", "rule"]


def _grid(n=44):
    wv, bv = np.linspace(0, 4, n), np.linspace(0, 8, n)
    W, B = np.meshgrid(wv, bv)
    return (W - 2) ** 2 + (B - 6) ** 2 + 0.1, wv, bv


def test_landscape_with_current_marks_path_optimum_and_now():
    grid, wv, bv = _grid()
    steps = np.arange(3000)
    path = path_frame(steps, np.linspace(0.5, 2, 3000), np.linspace(0.5, 6, 3000))
    spec = landscape_with_current(grid, wv, bv, path, (2.0, 6.0), (2.0, 6.0)).to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["rect", "line", "point", "point"]
    heat, line, opt, now = spec["layer"]
    assert len(_values(spec, heat)) == 44 * 44
    assert len(_values(spec, line)) <= 601
    assert heat["encoding"]["color"]["scale"]["type"] == "log"
    assert heat["encoding"]["color"]["legend"]["format"] == ".2~g"  # short legend labels
    assert heat["encoding"]["stroke"]["scale"] == heat["encoding"]["color"]["scale"]  # no seams between cells
    assert now["mark"]["filled"] is False and _values(spec, now)[0]["label"] == "now"
    assert spec["height"] == 340


def test_landscape_current_outside_the_window_is_not_drawn():
    grid, wv, bv = _grid(10)
    spec = landscape_with_current(grid, wv, bv, None, (2.0, 6.0), (50.0, 6.0)).to_dict()
    assert len(spec["layer"]) == 2  # heat map and optimum only
    spec = landscape_with_current(grid, wv, bv, None, None, (2.0, 6.0)).to_dict()
    assert len(spec["layer"]) == 2  # heat map and the current point
    heat_rows = spec["datasets"][(spec["layer"][0].get("data") or spec["data"])["name"]]
    assert len(heat_rows) == 100  # the heat map keeps its cells when it is the only other layer
    spec = landscape_with_current(grid, wv, bv, pd.DataFrame(columns=["w", "b", "step"]), None,
                                  (float("nan"), 1.0)).to_dict()
    assert len(spec["layer"]) == 1


def test_fit_view_axes_follow_the_data_not_a_runaway_line():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 5, 150)
    y = 2 * x + 6
    lines = [{"label": "now", "w": -6e5, "b": 1e5}, {"label": "true line", "w": 2.0, "b": 6.0, "dash": True}]
    spec = fit_view(x, y, lines).to_dict()
    assert len(spec["layer"]) == 2
    pts, ln = spec["layer"]
    assert pts["mark"]["type"] == "point" and ln["mark"]["type"] == "line" and ln["mark"]["clip"] is True
    lo, hi = pts["encoding"]["y"]["scale"]["domain"]
    assert lo <= y.min() and hi >= y.max() and hi - lo < 3 * (y.max() - y.min())  # not stretched to 1e6
    assert ln["encoding"]["y"]["scale"]["domain"] == [lo, hi]  # both layers share the data's axis
    assert len(_values(spec, ln)) == 4  # two end points per line
    assert len(_values(spec, pts)) == 150 and {"x", "y"} <= set(_values(spec, pts)[0])  # the points are drawn
    assert ln["encoding"]["strokeDash"]["field"] == "dash"


def test_fit_view_single_point_and_downsampling():
    spec = fit_view([2.0], [5.0], [{"label": "now", "w": 1.0, "b": 0.0}]).to_dict()
    xlo, xhi = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert xlo < 2.0 < xhi  # one x value still gets a line of visible length
    rows = _values(spec, spec["layer"][1])
    assert rows[0]["x"] < rows[1]["x"]
    assert _values(spec, spec["layer"][0]) == [{"x": 2.0, "y": 5.0}]
    big = fit_view(np.arange(10_000.0), np.arange(10_000.0), []).to_dict()
    assert len(_values(big, big["layer"][0])) <= MAX_POINTS
