"""Chart builders of the logistic-regression lesson, checked on their Vega-Lite specs."""
import numpy as np
import pandas as pd

from gdcore.charts import logistic_regression as lcharts
from gdcore.lessons import logistic_regression


def _layers(spec):
    return spec.get("layer", [spec])


def _mark(layer):
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def _points(n=200):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    y = np.where(0.5 * X[:, 0] - 1.5 * X[:, 1] > 0, "class 1", "class 0")
    return pd.DataFrame({"i": np.arange(n), "x1": X[:, 0], "x2": X[:, 1], "y": y}), X


def test_boundary_chart_full():
    pts, X = _points()
    box = logistic_regression.data_box(X)
    seg = logistic_regression.boundary_segment((1.0, -2.0), 0.1, box)
    tseg = logistic_regression.boundary_segment((0.5, -1.5), 0.0, box)
    grid = logistic_regression.probability_grid((1.0, -2.0), 0.1, box, k=20)
    cur = {"i": 3, "x1": 0.1, "x2": 0.2, "y": 1.0, "z": 0.3, "y_hat": 0.57}
    spec = lcharts.boundary_chart(pts, box, seg, tseg, grid, cur).to_dict()
    layers = _layers(spec)
    assert [_mark(layer) for layer in layers] == ["rect", "circle", "line", "point"]
    assert layers[1]["encoding"]["color"]["field"] == "y"
    assert layers[1]["encoding"]["color"]["scale"]["domain"] == ["class 0", "class 1"]
    assert layers[0]["encoding"]["color"]["scale"]["domain"] == [0, 0.5, 1]
    assert layers[2]["encoding"]["strokeDash"]["field"] == "line"
    rows = sorted(len(v) for v in spec["datasets"].values())
    assert rows == [1, 4, 200, 400]  # current sample, 2 segments x 2 ends, points, grid cells
    x_dom = layers[1]["encoding"]["x"]["scale"]["domain"]
    assert x_dom == [box[0], box[1]]
    assert any(t.get("title") == "ŷ" for t in layers[3]["encoding"]["tooltip"])


def test_boundary_chart_minimal():
    pts, X = _points(50)
    spec = lcharts.boundary_chart(pts, logistic_regression.data_box(X)).to_dict()
    assert [_mark(layer) for layer in _layers(spec)] == ["circle"]


def test_sigmoid_chart_marks_the_current_sample():
    spec = lcharts.sigmoid_chart({"i": 0, "x1": 0, "x2": 0, "y": 1.0, "z": 30.0, "y_hat": 1.0}).to_dict()
    layers = _layers(spec)
    assert [_mark(layer) for layer in layers] == ["line", "rule", "rule", "point"]
    data = spec["datasets"]
    import vega_eval
    curve = vega_eval.rows(layers[0], spec)
    assert len(curve) == 161 and curve[0]["z"] == -8.0 and abs(curve[-1]["z"] - 8.0) < 1e-12
    assert curve[0]["y_hat"] < 0.001 and curve[-1]["y_hat"] > 0.999
    point = next(v for v in data.values() if len(v) == 1 and "z_true" in v[0])
    assert point[0]["z"] == 8.0 and point[0]["z_true"] == 30.0  # clipped into view, tooltip keeps the value
    bare = lcharts.sigmoid_chart(None).to_dict()
    assert len(_layers(bare)) == 2


def test_shading_computed_by_the_browser_equals_the_probability_grid():
    import vega_eval
    pts, X = _points()
    box = logistic_regression.data_box(X)
    spec = lcharts.boundary_chart(pts, box, grid=lcharts.Shading(1.0, -2.0, 0.1, box, k=12)).to_dict()
    shade = _layers(spec)[0]
    assert _mark(shade) == "rect" and shade["encoding"]["color"]["scale"]["domain"] == [0, 0.5, 1]
    got = pd.DataFrame(vega_eval.rows(shade, spec))
    want = logistic_regression.probability_grid((1.0, -2.0), 0.1, box, k=12)
    for col in ("x1", "x1e", "x2", "x2e", "y_hat"):
        np.testing.assert_allclose(got[col].to_numpy(), want[col].to_numpy(), rtol=1e-9, atol=1e-12)
    assert max(len(v) for v in spec["datasets"].values()) == len(pts)  # no grid rows are sent


def test_points_are_sent_compactly():
    from pages.ui.files import chart_spec
    pts, X = _points(1000)
    spec = chart_spec(lcharts.boundary_chart(pts, logistic_regression.data_box(X)))
    import pyarrow as pa
    table = next(v for v in spec["datasets"].values() if len(v) == 1000)
    assert table.schema.metadata is None and table.column_names == ["x1", "x2", "y"]  # i: the row number
    assert table.schema.field("x1").type == pa.float32()
    dots = next(layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "circle")
    assert dots["transform"][0]["window"][0]["op"] == "row_number"
    assert dots["transform"][1] == {"calculate": "datum.row - 1", "as": "i"}
    assert pa.types.is_dictionary(table.schema.field("y").type)
    assert table.column("y").to_pylist()[:3] == list(pts["y"][:3])
