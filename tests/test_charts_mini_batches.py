"""gdcore.charts.mini_batches: chart specs (marks, encodings, layers, point counts)."""
import numpy as np
import pandas as pd
import pytest

from gdcore.charts import mini_batches as mbc
from gdcore.downsample import MAX_POINTS


def _holds(predicate: dict, row: dict) -> bool:
    """A Vega-Lite field predicate ({"field", "equal"}, or {"not": ...}) on one row."""
    if "not" in predicate:
        return not _holds(predicate["not"], row)
    return row[predicate["field"]] == predicate["equal"]


def _rows(spec: dict, layer: dict, parent: dict | None = None) -> list:
    """The rows a layer draws: its data set (or the layer's it is nested in), through its filters."""
    source = layer if parent is None else parent
    rows = spec["datasets"][source.get("data", spec.get("data"))["name"]]  # (Altair lifts a lone layer's data)
    for t in layer.get("transform", []):
        rows = [r for r in rows if _holds(t["filter"], r)]
    return rows


def test_batch_scatter_highlights_the_current_batch_and_draws_lines():
    x = np.linspace(0, 5, 150)
    y = 2 * x + 6
    roles = np.zeros(150, dtype=int)
    roles[:40] = 1
    roles[[3, 50, 99]] = 2
    lines = [{"label": "fit: y_hat = w·x + b", "w": 2.0, "b": 6.0},
             {"label": "true line", "w": 2, "b": 6, "dash": True}]
    spec = mbc.batch_scatter(x, y, roles, lines).to_dict()
    assert len(spec["layer"]) == 2
    points, line = spec["layer"]  # the points' layer: the rest and the current batch nested in it
    others, current = points["layer"]
    assert others["mark"]["type"] == "point" and current["mark"]["type"] == "circle"
    assert len(_rows(spec, others, points)) == 147 and len(_rows(spec, current, points)) == 3
    assert sorted(r["sample"] for r in _rows(spec, current, points)) == [3, 50, 99]
    assert {r["role"] for r in _rows(spec, others, points)} == {"not drawn yet", "drawn this epoch"}
    assert points["encoding"]["color"]["scale"]["domain"] == mbc.ROLE_DOMAIN
    assert {t["field"] for t in points["encoding"]["tooltip"]} == {"sample", "x", "y", "role"}
    assert line["mark"]["type"] == "line" and len(_rows(spec, line)) == 4
    assert len(mbc.batch_scatter(x, y, roles).to_dict()["layer"]) == 1


def test_batch_scatter_thins_big_data_but_keeps_every_current_point():
    n = 4500
    roles = np.zeros(n, dtype=int)
    roles[-10:] = 2
    spec = mbc.batch_scatter(np.arange(n), np.arange(n), roles).to_dict()
    (points,) = spec["layer"]
    others, current = points["layer"]
    assert len(_rows(spec, others, points)) + len(_rows(spec, current, points)) <= MAX_POINTS
    assert len(_rows(spec, current, points)) == 10


def _reshuffle_frame(nb, per):
    n = nb * per
    rng = np.random.default_rng(0)
    return pd.DataFrame({"position": np.r_[np.arange(n), np.arange(n)], "sample": np.r_[np.arange(n), np.arange(n)],
                         "epoch": ["epoch 1"] * n + ["epoch 2"] * n,
                         "batch": np.r_[np.repeat(np.arange(nb), per), rng.permutation(np.repeat(np.arange(nb), per))]})


def test_reshuffle_chart_rects_rows_and_colours():
    spec = mbc.reshuffle_chart(_reshuffle_frame(8, 20)).to_dict()
    assert spec["mark"]["type"] == "rect"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "position" and enc["y"]["field"] == "epoch" and enc["color"]["type"] == "ordinal"
    assert spec["height"] == {"step": 34}
    assert len(spec["datasets"][spec["data"]["name"]]) == 320
    many = mbc.reshuffle_chart(_reshuffle_frame(100, 10)).to_dict()
    assert many["encoding"]["color"]["type"] == "quantitative"


def test_loss_with_epochs_layers_and_log_scale():
    steps = pd.DataFrame({"step": np.arange(1, 17), "loss": np.linspace(10, 0.1, 16)})
    ends = pd.DataFrame({"step": [8, 16], "epoch": [1, 2], "loss": [5.0, 0.0]})
    spec = mbc.loss_with_epochs(steps, ends, log=True).to_dict()
    line, dots = spec["layer"]
    assert line["encoding"]["y"]["scale"]["type"] == "log"
    assert len(_rows(spec, line)) == 16
    assert len(_rows(spec, dots)) == 1  # the zero loss cannot sit on a log axis
    assert dots["mark"]["point"] is True
    lin = mbc.loss_with_epochs(steps, ends, log=False).to_dict()
    assert len(_rows(lin, lin["layer"][1])) == 2
    assert "params" in spec or any("params" in lay for lay in spec["layer"])  # zoom/pan


def test_compare_chart_series_order_and_scales():
    f = pd.DataFrame({"step": [1, 2, 1, 2, 3], "epoch": [1, 2, 1, 2, 3], "loss": [3, 2, 3, 0, 1],
                      "series": ["batch GD", "batch GD", "stochastic GD", "stochastic GD", "stochastic GD"]})
    order = ["batch GD", "stochastic GD", "mini-batch GD"]
    spec = mbc.compare_chart(f, "step", log_y=True, log_x=True, order=order).to_dict()
    assert spec["mark"]["type"] == "line"
    enc = spec["encoding"]
    assert enc["x"]["scale"]["type"] == "log" and enc["y"]["scale"]["type"] == "log"
    assert enc["color"]["scale"]["domain"] == order
    assert len(spec["datasets"][spec["data"]["name"]]) == 4  # the zero loss is left out on a log axis
    lin = mbc.compare_chart(f, "epoch", log_y=False, points=True).to_dict()
    assert lin["encoding"]["x"]["field"] == "epoch" and lin["mark"]["point"] is True
    assert len(lin["datasets"][lin["data"]["name"]]) == 5


def test_batch_scatter_keeps_the_datas_axis_when_the_fit_runs_off_to_1e18():
    x = np.linspace(0, 5, 30)
    y = 2 * x + 6
    lines = [{"label": "fit", "w": -1.3e18, "b": -4e18, "series": "fit"},
             {"label": "true", "w": 2.0, "b": 6.0, "dash": True, "series": "true"}]
    spec = mbc.batch_scatter(x, y, np.zeros(30, int), lines).to_dict()
    lo, hi = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert lo <= 6 and hi >= 16 and hi - lo < 20
    line = spec["layer"][1]
    assert line["encoding"]["y"]["scale"]["domain"] == [lo, hi] and line["mark"]["clip"] is True


@pytest.mark.parametrize("log", [True, False])
@pytest.mark.parametrize("epochs", [None, [], [0.9, 0.5, float("nan"), 0.2]])
def test_loss_with_epochs_from_tables_is_the_spec_from_frames(log, epochs):
    """The page's tables (no pandas on a Step) give the very spec the frames gave, epochs or none."""
    from gdcore import charts
    from gdcore.charts import vl
    from gdcore.charts.mini_batches import epoch_end_table, loss_with_epochs_spec
    from gdcore.lessons.mini_batches_compare import epoch_end_frame
    losses = np.abs(np.random.default_rng(1).normal(size=2500)) + np.r_[np.zeros(2499), -5.0]  # one <= 0
    frames = (charts.loss_frame(losses), None if epochs is None else epoch_end_frame(epochs, 8))
    tables = (charts.loss_table(losses), None if epochs is None else epoch_end_table(epochs, 8))
    assert vl.wire(loss_with_epochs_spec(*tables, log=log)) == vl.wire(loss_with_epochs_spec(*frames, log=log))
