"""The optimizer page's data chart as a plain spec draws what the Altair chart drew (Vega renders both)."""
import json
import re

import numpy as np
import pytest
import vl_convert

from gdcore import charts
from gdcore.charts import vl
from gdcore.charts.linear_regression import scatter_fit_spec
from gdcore.charts.optimizers import fit_width
from gdcore.i18n import translator


def _svg(spec: dict) -> str:
    plain = {**spec, "datasets": {k: (t.to_pylist() if hasattr(t, "to_pylist") else t)
                                  for k, t in spec.get("datasets", {}).items()}}
    if not plain["datasets"]:
        del plain["datasets"]
    svg = vl_convert.vegalite_to_svg(json.loads(json.dumps(plain, default=float)))
    return re.sub(r"\b(clip|gradient_)\d+", r"\1#", svg)  # ids count up across renders in one process


@pytest.mark.parametrize("case", ["tutorial", "diverged", "no_lines", "thinned", "zh"])
def test_scatter_fit_spec_draws_the_altair_chart(case):
    rng = np.random.default_rng(2)
    n = 1500 if case == "thinned" else 50
    x = rng.uniform(-1, 1, n).astype(np.float32)
    y = (3 * x + 0.8).astype(np.float32)
    w, b = (812.5, -40.0) if case == "diverged" else (2.913, 0.7957)
    lines = None if case == "no_lines" else [
        {"label": "model", "w": w, "b": b, "series": "fit"},
        {"label": "y = 3x + 0.8", "w": 3.0, "b": 0.8, "dash": True, "series": "true"}]
    T = translator("zh" if case == "zh" else "en")
    before = fit_width(charts.scatter_fit(x, y, lines, height=260, labels=T.labels)).to_dict()
    after = vl.wire(fit_width(scatter_fit_spec(x, y, lines, height=260, labels=T.labels)))
    assert _svg(after) == _svg(before)
    assert [la["encoding"]["tooltip"] for la in after["layer"]] == [la["encoding"]["tooltip"] for la in before["layer"]]
