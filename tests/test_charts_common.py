"""Shared chart builders, checked on their Vega-Lite specs."""
import numpy as np
import pandas as pd
import vega_eval

from gdcore import charts, reference
from gdcore.data import linear_1d


def _layers(spec):
    return spec.get("layer", [spec])


def _data_rows(chart):
    spec = chart.to_dict()
    return {k: v for k, v in spec["datasets"].items()}


def test_loss_frame_downsamples_and_drops_non_finite():
    losses = np.abs(np.random.default_rng(1).normal(size=100_000)) + 1e-3
    losses[5] = np.inf
    f = charts.loss_frame(losses)
    assert len(f) <= 2000
    assert np.isfinite(f["loss"]).all()
    assert f["step"].iloc[0] == 1 and f["step"].iloc[-1] == 100_000


def test_loss_curve_spec_log_scale_and_tooltips():
    f = charts.loss_frame(np.linspace(10, 0.1, 5000))
    spec = charts.loss_curve(f, log=True).to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["y"]["scale"]["type"] == "log"
    assert spec["encoding"]["x"]["field"] == "step"
    assert any(t["field"] == "loss" for t in spec["encoding"]["tooltip"])
    assert "params" in spec  # zoom / pan
    rows = sum(len(v) for v in spec["datasets"].values())
    assert rows <= 2000


def test_loss_curve_linear_scale():
    f = charts.loss_frame([3.0, 2.0, 1.0])
    spec = charts.loss_curve(f, log=False).to_dict()
    assert spec["encoding"]["y"]["scale"].get("type") is None


def test_scatter_fit_layers_lines():
    ds = linear_1d(n=150, seed=100)
    opt = reference.least_squares(ds.X, ds.y)
    chart = charts.scatter_fit(ds.X, ds.y, [{"label": "fit", "w": opt.w[0], "b": opt.b},
                                            {"label": "true", "w": 2.0, "b": 6.0, "dash": True}])
    spec = chart.to_dict()
    layers = _layers(spec)
    marks = [lay["mark"]["type"] if isinstance(lay["mark"], dict) else lay["mark"] for lay in layers]
    assert marks == ["point", "line"]
    datasets = list(spec["datasets"].values())
    assert sorted(len(d) for d in datasets) == [4, 150]  # two lines x two end points, 150 points
    line_rows = next(d for d in datasets if len(d) == 4)
    fit = [r for r in line_rows if r["line"] == "fit"]
    for r in fit:  # end points lie on y = w x + b
        assert abs(r["y"] - (opt.w[0] * r["x"] + opt.b)) < 1e-9


def test_landscape_grid_path_and_optimum():
    ds = linear_1d(n=150, seed=100)
    opt = reference.least_squares(ds.X, ds.y)
    ws, bs = np.linspace(0, 4, 30), np.linspace(3, 9, 25)
    grid = reference.loss_grid(ds.X, ds.y, ws, bs)
    path = charts.path_frame(np.arange(1, 11), np.linspace(1, 2, 10), np.linspace(4, 6, 10))
    spec = charts.landscape(grid, ws, bs, paths=path, optimum=(opt.w[0], opt.b)).to_dict()
    layers = _layers(spec)
    assert len(layers) == 3
    assert layers[0]["mark"]["type"] == "rect"
    assert layers[0]["encoding"]["color"]["scale"]["type"] == "log"
    sizes = sorted(len(d) for d in spec["datasets"].values())
    assert sizes == [1, 10, 30 * 25]


def test_path_frame_thins_but_keeps_last_point():
    steps = np.arange(1, 10_001)
    f = charts.path_frame(steps, np.sqrt(steps), np.log(steps), max_points=300)
    assert len(f) <= 301
    assert f["step"].iloc[-1] == 10_000


def test_traces_one_series_per_column():
    frame = pd.DataFrame({"step": np.arange(1, 5001), "w": np.linspace(0, 1, 5000), "b": np.linspace(1, 0, 5000)})
    spec = charts.traces(frame, ["w", "b"]).to_dict()
    data = next(iter(spec["datasets"].values()))
    assert {r["series"] for r in data} == {"w", "b"}
    assert len(data) <= 4000


def test_low_loss_colour_follows_the_scheme_and_its_direction():
    from gdcore.charts.landscape import LOSS_COLOR_SCALE, low_loss_colour
    assert low_loss_colour({"scheme": "viridis"}) == "dark"  # viridis starts at dark purple
    assert low_loss_colour({"scheme": "viridis", "reverse": True}) == "bright"
    spec = charts.landscape(np.ones((3, 3)), [0, 1, 2], [0, 1, 2]).to_dict()
    heat = spec["layer"][0]["encoding"]["color"]["scale"]
    assert heat == LOSS_COLOR_SCALE and low_loss_colour(heat) == "bright"


def test_scatter_fit_keeps_the_datas_axis_when_a_line_runs_off_to_1e18():
    x = np.linspace(0, 1, 20)
    y = 3 * x + 0.8
    lines = [{"label": "model", "w": -5.8e18, "b": -1.2e19, "series": "fit"}]
    spec = charts.scatter_fit(x, y, lines).to_dict()
    lo, hi = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert lo <= 0.8 and hi >= 3.8 and hi - lo < 6
    assert spec["layer"][1]["encoding"]["y"]["scale"]["domain"] == [lo, hi] and spec["layer"][1]["mark"]["clip"] is True


def test_a_start_line_near_the_data_stays_in_view_a_diverged_one_is_clipped():
    from gdcore.charts.common import data_domain
    y = np.linspace(6.0, 16.0, 50)  # tutorial 000's points: y from about 6 to 16
    start = [{"label": "fit", "w": 0.36, "b": -0.29}]  # a torch.randn start: y from -0.29 to 1.5
    lo, hi = data_domain(y, start, (0.0, 5.0))
    assert lo < -0.29 and hi > 16.0  # the learner sees where the line starts
    lo, hi = data_domain(y, [{"label": "fit", "w": -1.3e18, "b": -4e18}], (0.0, 5.0))
    assert 0 < lo < 6.0 and 16.0 < hi < 25  # a diverged line does not flatten the points
    spec = charts.scatter_fit(np.linspace(0, 5, 50), y, start).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"][0] < -0.29


def test_a_bowl_landscape_carries_no_grid_and_draws_the_same_cells():
    ds = linear_1d(n=150, seed=100)
    ws, bs = np.linspace(0, 4, 30), np.linspace(3, 9, 25)
    grid = reference.loss_grid(ds.X, ds.y, ws, bs)
    spec = charts.landscape(reference.bowl(ds.X, ds.y), ws, bs).to_dict()
    heat = _layers(spec)[0]
    assert "datasets" not in spec or all(len(d) < 10 for d in spec["datasets"].values())
    cells = vega_eval.rows(heat, spec)
    assert len(cells) == 30 * 25
    from_grid = charts.landscape(grid, ws, bs).to_dict()
    want = sorted((r["w"], r["b"], r["w2"], r["b2"], r["loss"]) for r in next(iter(from_grid["datasets"].values())))
    got = sorted((r["w"], r["b"], r["w2"], r["b2"], r["loss"]) for r in cells)
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-9, atol=1e-12)
