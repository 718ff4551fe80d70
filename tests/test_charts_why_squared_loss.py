"""Chart builders of 'Why squared loss' (gdcore.charts.why_squared_loss) and 'Autograd basics'
(gdcore.charts.autograd_basics)."""
from __future__ import annotations

import numpy as np

from gdcore.charts.autograd_basics import grad_history_chart
from gdcore.charts.why_squared_loss import likelihood_chart, noise_histogram, pdf_chart
from gdcore.data import linear_1d
from gdcore.lessons import why_squared_loss
from gdcore.lessons.autograd_basics import AutogradDemo


def _rows(spec: dict, layer: dict | None = None) -> list:
    """The data rows a (layer of a) chart spec points at."""
    name = (layer or spec).get("data", spec.get("data", {})).get("name")
    return spec["datasets"][name]


def test_pdf_chart():
    frame = why_squared_loss.pdf_table(why_squared_loss.DEFAULT_PAIRS)
    spec = pdf_chart(frame).to_dict()
    assert spec["mark"]["type"] == "line"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "x" and enc["y"]["field"] == "p" and enc["color"]["field"] == "label"
    assert {t["field"] for t in enc["tooltip"]} == {"label", "x", "p"}
    assert enc["color"]["sort"] == ["μ=0, σ=1", "μ=0, σ=2", "μ=3, σ=1"]  # legend in table order
    rows = _rows(spec)
    assert len(rows) == 3 * why_squared_loss.PDF_POINTS
    assert why_squared_loss.PDF_POINTS <= 2000  # points per series
    assert spec["params"]  # zoom / pan


def test_pdf_chart_empty():
    spec = pdf_chart(why_squared_loss.pdf_table([])).to_dict()
    assert _rows(spec) == []


def test_noise_histogram():
    ds = linear_1d(150, 2.0, 6.0, 0.3, 5.0, 100)
    fit = why_squared_loss.fit_noise(ds.X, ds.y)
    hist = why_squared_loss.histogram(fit.residuals)
    curves = [why_squared_loss.gaussian_curve(0, fit.sigma, -1, 1, label="fitted"),
              why_squared_loss.gaussian_curve(0, 0.3, -1, 1, label="true")]
    spec = noise_histogram(hist, curves).to_dict()
    assert len(spec["layer"]) == 2
    bars, lines = spec["layer"]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x"]["field"] == "left"
    assert bars["encoding"]["x2"]["field"] == "right" and bars["encoding"]["y"]["field"] == "density"
    assert len(_rows(spec, bars)) == len(hist)
    assert lines["mark"]["type"] == "line" and lines["encoding"]["strokeDash"]["field"] == "dashed"
    line_rows = _rows(spec, lines)
    assert len(line_rows) == 400 and {r["label"] for r in line_rows} == {"fitted", "true"}
    assert [r["dashed"] for r in line_rows[:1] + line_rows[-1:]] == [False, True]
    assert len(noise_histogram(hist, []).to_dict()["layer"]) == 1


def test_likelihood_chart():
    ds = linear_1d(150, 2.0, 6.0, 0.3, 5.0, 100)
    c = why_squared_loss.likelihood_curve(ds.X, ds.y)
    spec = likelihood_chart(c.frame("nll"), c.w_ls, w_name="w").to_dict()
    assert len(spec["layer"]) == 4
    nll, mse, rule, text = spec["layer"]
    assert spec["resolve"]["scale"]["y"] == "independent"  # two y axes
    assert nll["mark"]["type"] == "line" and nll["encoding"]["y"]["field"] == "nll"
    assert mse["mark"]["type"] == "line" and mse["encoding"]["y"]["field"] == "mse"
    assert nll["encoding"]["y"]["axis"]["orient"] == "left" and mse["encoding"]["y"]["axis"]["orient"] == "right"
    assert rule["mark"]["type"] == "rule" and text["mark"]["type"] == "text"
    assert _rows(spec, rule)[0]["w"] == c.w_ls
    assert len(_rows(spec, nll)) == 201
    # non-finite rows are dropped, not drawn
    f = c.frame("nll")
    f.loc[3, "nll"] = np.inf
    spec = likelihood_chart(f, c.w_ls).to_dict()
    assert len(_rows(spec, spec["layer"][0])) == 200


def test_grad_history_chart():
    d = AutogradDemo()
    d.backward()
    d.backward()
    d.zero_grad()
    spec = grad_history_chart(d.events).to_dict()
    assert len(spec["layer"]) == 3
    bars, ticks, labels = spec["layer"]
    assert bars["mark"]["type"] == "bar" and ticks["mark"]["type"] == "tick" and labels["mark"]["type"] == "text"
    assert bars["encoding"]["y"]["field"] == "x_grad" and ticks["encoding"]["y"]["field"] == "expected"
    rows = _rows(spec)
    assert [r["x_grad"] for r in rows] == [4.5, 9.0, 0.0]
    lo, hi = bars["encoding"]["y"]["scale"]["domain"]
    assert lo == 0.0 and hi > 9.0  # room above the tallest bar for its label
    assert grad_history_chart([]).to_dict()["layer"][0]["mark"]["type"] == "bar"


def test_legends_wrap_to_fit_a_phone_and_the_chart_grows_with_them():
    from gdcore.charts import why_squared_loss as tc
    short, rows = tc.legend_top(["μ=0, σ=1", "μ=0, σ=2", "μ=3, σ=1"])
    assert rows == 1 and short["columns"] == 3
    long_labels = ["fitted: N(0, σ̂²), σ̂ = 0.3174", "true noise: N(0, 0.3²)"]
    wrapped, rows = tc.legend_top(long_labels)
    assert wrapped["columns"] * (30 + 7 * max(map(len, long_labels))) <= tc.LEGEND_ROOM and rows == 2
    many = why_squared_loss.pdf_table([(m, 1.0) for m in range(8)])
    assert pdf_chart(many).to_dict()["height"] > pdf_chart(why_squared_loss.pdf_table([(0, 1)])).to_dict()["height"]
