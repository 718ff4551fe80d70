"""What a chart costs on the wire: pages/ui/files.chart_spec hands Streamlit compact Arrow tables."""
import numpy as np
import pandas as pd
import pyarrow as pa

from gdcore import charts
from pages.ui.files import chart_spec


def _tables(spec) -> list[pa.Table]:
    return list(spec["datasets"].values())


def test_long_series_go_as_float32_with_their_names_as_codes():
    losses = np.geomspace(1.0, 1e-6, 3000).astype(np.float32)
    frame = pd.concat([charts.loss_frame(losses, series="SGD"), charts.loss_frame(losses * 2, series="Adam")])
    table = next(t for t in _tables(chart_spec(charts.loss_curve(frame))) if len(t) > 50)
    assert table.schema.metadata is None  # no pandas metadata, no index column
    assert table.schema.field("loss").type == pa.float32()
    assert pa.types.is_dictionary(table.schema.field("series").type)
    assert set(table.column("series").to_pylist()) == {"SGD", "Adam"}
    # float32 holds the engine's float32 losses exactly
    sgd = [r for r in table.to_pylist() if r["series"] == "SGD"]
    assert {r["loss"] for r in sgd} <= set(losses.tolist())


def test_small_layers_go_inline_with_their_exact_numbers():
    import json
    lines = [{"label": "fit", "w": 2.0000001234, "b": 0.8}, {"label": "bad", "w": float("nan"), "b": 1.0}]
    spec = chart_spec(charts.scatter_fit(np.linspace(0, 1, 30), np.linspace(0, 1, 30), lines))
    inline = [layer["data"]["values"] for layer in spec["layer"] if "values" in layer.get("data", {})]
    assert inline and all(len(v) <= 20 for v in inline)
    json.dumps(spec, default=str, allow_nan=False)  # valid JSON: no NaN, no numpy scalars
    fit_end = next(r for v in inline for r in v if r.get("line") == "fit" and r["x"] == 1.0)
    assert fit_end["y"] == 2.0000001234 * 1.0 + 0.8  # float64, to the last digit
    assert any(r.get("line") == "bad" and r["y"] is None for v in inline for r in v)
    assert all(len(t) > 20 for t in _tables(spec))  # only the 30 points travel as Arrow


def test_numbers_float32_cannot_hold_stay_float64():
    x = np.linspace(-8, 8, 401)
    density = np.exp(-x * x * 2) / 0.627  # down to 1e-56: zero in float32
    spec = chart_spec(charts.scatter_fit(x, density))
    table = next(t for t in _tables(spec) if len(t) > 50)
    assert table.schema.field("y").type == pa.float64()
    assert table.column("y").to_pylist() == density.tolist()
