"""AppTest for pages/why_squared_loss.py: presets, the noise, NLL = squared loss minimiser, page switches."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from apptest_util import open_page

PAGE = "pages/why_squared_loss.py"


@pytest.fixture
def at():
    return open_page(PAGE)


def metric(app, label: str) -> float:
    return float(next(m.value for m in app.metric if m.label == label))


def minimiser_caption(app) -> str:
    return next(c.value for c in app.caption if c.value.startswith("Over this grid"))


def test_renders_seed000_data_and_the_same_minimiser(at):
    assert not at.error
    assert at.selectbox(key="w.squared.source").value == "linreg-minibatch"
    assert at.slider(key="w.squared.noise").value == 0.3 and at.number_input(key="w.squared.n").value == 150
    assert metric(at, "w*") == pytest.approx(2.0, abs=0.1) and metric(at, "b*") == pytest.approx(6.0, abs=0.2)
    assert metric(at, "σ̂ of the residuals") == pytest.approx(0.3, rel=0.15)
    cap = minimiser_caption(at)
    # NLL, squared loss and least squares name the same w
    nums = re.findall(r"-?\d+\.\d{4}", cap)
    assert len(nums) == 3 and len(set(nums)) == 1, cap
    assert isinstance(at.session_state["_squared.pairs"], pd.DataFrame)
    assert len(at.session_state["_squared.pairs"]) == 3


def test_presets_noise_and_profile_likelihood(at):
    at.button(key="b.squared.preset_d2l").click().run()
    assert not at.exception and not at.error
    assert at.selectbox(key="w.squared.source").value == "linreg-d2l"
    assert at.slider(key="w.squared.noise").value == 0.01 and at.number_input(key="w.squared.n").value == 1000
    assert metric(at, "w1*") == pytest.approx(2.0, abs=0.01) and metric(at, "w2*") == pytest.approx(-3.4, abs=0.01)
    assert metric(at, "σ̂ of the residuals") == pytest.approx(0.01, rel=0.1)

    at.selectbox(key="w.squared.j").set_value(1).run()
    at.radio(key="w.squared.sigma_mode").set_value("profile").run()
    assert not at.exception
    assert "w2 = -3.3997" in minimiser_caption(at)

    at.slider(key="w.squared.noise").set_value(1.0).run()
    assert metric(at, "σ̂ of the residuals") == pytest.approx(1.0, rel=0.1)

    at.button(key="b.squared.preset_000").click().run()
    assert at.selectbox(key="w.squared.source").value == "linreg-minibatch"
    assert at.slider(key="w.squared.noise").value == 0.3 and at.number_input(key="w.squared.n").value == 150

    at.button(key="b.squared.pairs").click().run()  # d2l's (μ, σ) pairs back
    assert not at.exception


def test_state_survives_a_page_switch(at):
    at.slider(key="w.squared.noise").set_value(0.8).run()
    at.number_input(key="w.squared.n").set_value(400).run()
    at.switch_page("pages/autograd_basics.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.slider(key="w.squared.noise").value == 0.8 and at.number_input(key="w.squared.n").value == 400
    assert metric(at, "true noise σ") == 0.8
