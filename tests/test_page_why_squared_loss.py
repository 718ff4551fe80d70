"""AppTest for pages/views/why_squared_loss.py: presets, the noise, NLL = squared loss minimiser, page switches."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from apptest_util import open_link, open_page

PAGE = "pages/views/why_squared_loss.py"


@pytest.fixture
def at():
    return open_page(PAGE)


def metric(app, label: str) -> float:
    return float(next(m.value for m in app.metric if m.label == label))


def minimiser_caption(app) -> str:
    return next(c.value for c in app.caption if c.value.startswith("Over this grid"))


def test_renders_seed000_data_and_the_same_minimiser(at):
    assert not at.error
    assert at.selectbox(key="w.why_squared_loss.source").value == "linreg-minibatch"
    assert at.slider(key="w.why_squared_loss.noise").value == 0.3
    assert at.number_input(key="w.why_squared_loss.n").value == 150
    assert metric(at, "w*") == pytest.approx(2.0, abs=0.1) and metric(at, "b*") == pytest.approx(6.0, abs=0.2)
    assert metric(at, "σ̂ of the residuals") == pytest.approx(0.3, rel=0.15)
    cap = minimiser_caption(at)
    # NLL, squared loss and least squares name the same w
    nums = re.findall(r"-?\d+\.\d{4}", cap)
    assert len(nums) == 3 and len(set(nums)) == 1, cap
    assert isinstance(at.session_state["_why_squared_loss.pairs"], pd.DataFrame)
    assert len(at.session_state["_why_squared_loss.pairs"]) == 3


def test_presets_noise_and_profile_likelihood(at):
    at.button(key="b.why_squared_loss.preset_d2l").click().run()
    assert not at.exception and not at.error
    assert at.selectbox(key="w.why_squared_loss.source").value == "linreg-d2l"
    assert at.slider(key="w.why_squared_loss.noise").value == 0.01
    assert at.number_input(key="w.why_squared_loss.n").value == 1000
    assert metric(at, "w1*") == pytest.approx(2.0, abs=0.01) and metric(at, "w2*") == pytest.approx(-3.4, abs=0.01)
    assert metric(at, "σ̂ of the residuals") == pytest.approx(0.01, rel=0.1)

    at.selectbox(key="w.why_squared_loss.j").set_value(1).run()
    at.radio(key="w.why_squared_loss.sigma_mode").set_value("profile").run()
    assert not at.exception
    assert "w2 = -3.3997" in minimiser_caption(at)

    at.slider(key="w.why_squared_loss.noise").set_value(1.0).run()
    assert metric(at, "σ̂ of the residuals") == pytest.approx(1.0, rel=0.1)

    at.button(key="b.why_squared_loss.preset_000").click().run()
    assert at.selectbox(key="w.why_squared_loss.source").value == "linreg-minibatch"
    assert at.slider(key="w.why_squared_loss.noise").value == 0.3
    assert at.number_input(key="w.why_squared_loss.n").value == 150

    at.button(key="b.why_squared_loss.pairs").click().run()  # d2l's (μ, σ) pairs back
    assert not at.exception


def test_state_survives_a_page_switch(at):
    at.slider(key="w.why_squared_loss.noise").set_value(0.8).run()
    at.number_input(key="w.why_squared_loss.n").set_value(400).run()
    at.switch_page("pages/views/autograd_basics.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.slider(key="w.why_squared_loss.noise").value == 0.8
    assert at.number_input(key="w.why_squared_loss.n").value == 400
    assert metric(at, "true noise σ") == 0.8


# -- share links, instructor locks, languages ----------------------------------------------------

def chart_frame(app, index: int = 0) -> pd.DataFrame:
    """The first dataset of the page's index-th chart (drawn by ui.chart as a Vega-Lite spec)."""
    import pyarrow as pa
    proto = app.get("vega_lite_chart")[index].proto
    return pa.ipc.open_stream(proto.datasets[0].data.data).read_pandas()


def link_warning(app) -> str:
    return "\n".join(w.value for w in app.warning)


def expected(source: str, noise: float, n: int, seed: int, j: int, which: str):
    """The fit and likelihood curve built directly with gdcore for these settings."""
    from gdcore.data import make_dataset
    from gdcore.lessons import why_squared_loss
    from gdcore.presets import preset_config
    data = make_dataset(preset_config(source, noise=noise, n=n, seed=seed))
    fit = why_squared_loss.fit_noise(data.X, data.y)
    return fit, why_squared_loss.likelihood_curve(data.X, data.y, j=j), which


def assert_numbers(app, fit, curve, which, name):
    assert at_metric_text(app, "w1*") == f"{fit.w[0]:.4f}" and at_metric_text(app, "w2*") == f"{fit.w[1]:.4f}"
    assert at_metric_text(app, "b*") == f"{fit.b:.4f}"
    assert at_metric_text(app, "σ̂ of the residuals") == f"{fit.sigma:.4g}"
    cap = minimiser_caption(app)
    assert f"{name} = {curve.argmin(which):.4f}" in cap and f"gives {curve.w_ls:.4f}." in cap, cap


def at_metric_text(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


LINK = {"data": "linreg-d2l", "noise": "0.5", "n": "200", "mu": "1.5", "sigma": "0.5", "sigma_mode": "profile",
        "vary": "1", "seed": "7"}


def test_link_round_trip():
    from gdcore.lessons import why_squared_loss
    from gdcore.presets import PRESETS
    app = open_link(PAGE, LINK)
    assert not app.exception and not app.error
    assert app.selectbox(key="w.why_squared_loss.source").value == "linreg-d2l"
    assert app.slider(key="w.why_squared_loss.noise").value == 0.5
    assert app.number_input(key="w.why_squared_loss.n").value == 200
    assert app.number_input(key="w.why_squared_loss.mu").value == 1.5
    assert app.number_input(key="w.why_squared_loss.sigma").value == 0.5
    assert app.radio(key="w.why_squared_loss.sigma_mode").value == "profile"
    assert app.selectbox(key="w.why_squared_loss.j").value == 1
    # the bell: its peak 1/sqrt(2π σ²) and the drawn curve are gdcore's density for the link's μ, σ
    assert at_metric_text(app, "peak height p(μ)") == f"{1 / (0.5 * (2 * 3.141592653589793) ** 0.5):.6g}" == "0.797885"
    dens = chart_frame(app, 0)
    bell = dens[dens["label"] == "μ=1.5, σ=0.5"]
    assert len(bell) == why_squared_loss.PDF_POINTS and dens["label"].iloc[0] == "μ=1.5, σ=0.5"
    assert np.array_equal(bell["p"].to_numpy(), why_squared_loss.normal_pdf(bell["x"].to_numpy(), 1.5, 0.5))
    # the app applies the link's seed to the sidebar before the page runs: the numbers are seed 7's
    assert app.session_state["w.seed"] == 7 and not link_warning(app)
    assert PRESETS["linreg-d2l"].seed != 7
    fit, curve, which = expected("linreg-d2l", 0.5, 200, 7, 1, "nll_profile")
    assert_numbers(app, fit, curve, which, "w2")
    assert fit.w[1] == pytest.approx(-3.4, abs=0.2)  # d2l's true_w[1]: the data really is d2l's
    # the page wrote the canonical link back, seed included; opened afresh, it gives the same page
    assert dict(app.query_params) == {**LINK}
    again = open_link(PAGE, dict(app.query_params))
    assert not again.exception and again.number_input(key="w.why_squared_loss.sigma").value == 0.5
    assert at_metric_text(again, "σ̂ of the residuals") == at_metric_text(app, "σ̂ of the residuals")
    assert minimiser_caption(again) == minimiser_caption(app)


def test_link_preset_then_fields():
    app = open_link(PAGE, {"preset": "linreg-d2l", "n": "300"})
    assert not app.exception and not app.warning
    assert app.selectbox(key="w.why_squared_loss.source").value == "linreg-d2l"
    assert app.slider(key="w.why_squared_loss.noise").value == 0.01
    assert app.number_input(key="w.why_squared_loss.n").value == 300


@pytest.mark.parametrize("params,bad", [
    ({"sigma": "0", "mu": "abc"}, ["`sigma=0` is outside", "`mu=abc` is not a number"]),
    ({"sigma": "-1", "seed": "abc", "foo": "1", "noise": "5", "n": "2.5", "data": "mnist"},
     ["`sigma=-1` is outside", "`seed=abc` is not a number", "`foo` is not a setting", "`noise=5` is outside",
      "`n=2.5` is not a whole number", "`data=mnist` is not one of the choices"]),
])
def test_malformed_link_values_are_named_and_defaults_used(params, bad):
    app = open_link(PAGE, params)
    assert not app.exception and not app.error
    text = link_warning(app)
    for b in bad:
        assert b in text, text
    assert app.number_input(key="w.why_squared_loss.mu").value == 0.0
    assert app.number_input(key="w.why_squared_loss.sigma").value == 1.0
    assert app.selectbox(key="w.why_squared_loss.source").value == "linreg-minibatch"
    assert app.slider(key="w.why_squared_loss.noise").value == 0.3
    assert app.number_input(key="w.why_squared_loss.n").value == 150
    assert at_metric_text(app, "peak height p(μ)") == "0.398942"  # N(0, 1): 1/sqrt(2π)
    assert app.session_state["w.seed"] is None


def test_instructor_hides_groups_and_the_link_values_still_count():
    app = open_link(PAGE, {"mu": "2", "sigma": "3", "noise": "0.7", "sigma_mode": "profile",
                           "hide": "bell,data,likelihood", "lock": "1"})
    assert not app.exception and not app.error
    keys = {w.key for w in [*app.number_input, *app.slider, *app.selectbox, *app.radio, *app.button]}
    for hidden in ("w.why_squared_loss.mu", "w.why_squared_loss.sigma", "w.why_squared_loss.source",
                   "w.why_squared_loss.noise", "w.why_squared_loss.n",
                   "w.why_squared_loss.sigma_mode", "b.why_squared_loss.preset_d2l", "b.why_squared_loss.preset_000"):
        assert hidden not in keys, hidden
    assert "b.why_squared_loss.pairs" in keys  # the table was not hidden
    assert any("instructor" in i.value for i in app.info)
    assert chart_frame(app, 0)["label"].iloc[0] == "μ=2, σ=3"
    assert at_metric_text(app, "peak height p(μ)") == f"{1 / (3 * (2 * 3.141592653589793) ** 0.5):.6g}"
    assert at_metric_text(app, "true noise σ") == "0.7"
    assert app.session_state["w.why_squared_loss.sigma_mode"] == "profile"
    assert app.query_params["hide"] == "bell,data,likelihood" and app.query_params["lock"] == "1"


def test_chinese():
    from gdcore.i18n import translator
    zh = translator("zh")
    app = open_link(PAGE, {"lang": "zh", "preset": "linreg-d2l", "sigma": "-1"})
    assert not app.exception and not app.error
    assert app.session_state["w.lang"] == "zh"
    title = app.title[0].value
    assert title == ":material/bar_chart: " + zh("why_squared_loss.title") == ":material/bar_chart: 为什么用平方损失"
    labels = [m.label for m in app.metric]
    assert zh("why_squared_loss.noise.sigma_hat") in labels and "σ̂ of the residuals" not in labels
    assert any(c.value.startswith("在这组网格上") for c in app.caption)
    assert app.selectbox(key="w.why_squared_loss.source").value == "linreg-d2l"  # option values do not change
    assert app.radio(key="w.why_squared_loss.sigma_mode").options == ["固定为 σ̂", "对每个 w 重新估计"]
    assert "`sigma=-1`" in link_warning(app)
