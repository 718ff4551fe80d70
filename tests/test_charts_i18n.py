"""Chart builders in two languages: every word a chart draws comes from locales/<lang>/charts.toml."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gdcore import charts
from gdcore.charts import autograd_basics as ag
from gdcore.charts import linear_regression as lr
from gdcore.charts import logistic_regression as lg
from gdcore.charts import lr_explorer as sw
from gdcore.charts import mini_batches as mb
from gdcore.charts import optimizers as op
from gdcore.charts import why_squared_loss as th
from gdcore.i18n import placeholders, strings, translator

ZH = translator("zh")
EN = translator("en")


def _charts_strings(lang):
    return {k: v for k, v in strings(lang).items() if k.startswith("charts.")}


def test_both_languages_have_the_same_chart_strings():
    en, zh = _charts_strings("en"), _charts_strings("zh")
    assert en and set(en) == set(zh)
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key


def _grid(n=12):
    wv, bv = np.linspace(0, 4, n), np.linspace(2, 10, n)
    W, B = np.meshgrid(wv, bv)
    return (W - 2) ** 2 + (B - 6) ** 2 + 0.1, wv, bv


def _inputs():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 5, 40)
    y = 2 * x + 6
    grid, wv, bv = _grid()
    loss = charts.loss_frame(np.geomspace(10, 0.1, 30), labels=ZH.labels)
    path = charts.path_frame(np.arange(20), np.linspace(0.5, 2, 20), np.linspace(3, 6, 20), labels=ZH.labels)
    pts = pd.DataFrame({"i": np.arange(40), "x1": x - 2.5, "x2": y / 4 - 4,
                        "y": np.where(x > 2.5, "class 1", "class 0")})
    roles = np.r_[np.zeros(30, int), np.ones(5, int), 2 * np.ones(5, int)]
    race = pd.DataFrame({"step": np.tile(np.arange(1, 11), 2), "loss": np.geomspace(5, 0.5, 20),
                         "series": ["SGD"] * 10 + ["Adam"] * 10})
    race_paths = pd.DataFrame({"step": np.tile(np.arange(11), 2), "w": np.linspace(0.5, 2, 22),
                               "b": np.linspace(3, 6, 22), "series": ["SGD"] * 11 + ["Adam"] * 11})
    sweep = pd.DataFrame({"lr": [0.01, 0.1, 0.5, 2.0], "final_loss": [1.0, 0.01, 0.5, np.nan],
                          "zone": ["too small", "just right", "too large", "diverged"],
                          "note": ["a", "b", "c", "d"], "diverged_at": [0, 0, 0, 7]})
    hist = pd.DataFrame({"left": [-1.0, 0.0], "right": [0.0, 1.0], "density": [0.5, 0.5], "count": [20, 20]})
    gauss = pd.DataFrame({"x": [-1.0, 0.0, 1.0], "p": [0.2, 0.4, 0.2], "label": "σ = 1"})
    like = pd.DataFrame({"w": [1.0, 2.0, 3.0], "nll": [5.0, 1.0, 5.0], "mse": [2.0, 0.1, 2.0]})
    return dict(x=x, y=y, grid=grid, wv=wv, bv=bv, loss=loss, path=path, pts=pts, roles=roles, race=race,
                race_paths=race_paths, sweep=sweep, hist=hist, gauss=gauss, like=like)


D = _inputs()
SEG = ((-2.0, -1.0), (2.0, 1.0))
CUR = {"i": 3, "x1": 0.1, "x2": 0.2, "y": 1.0, "z": 0.3, "y_hat": 0.57}
LINE = [{"label": "w·x + b", "w": 2.0, "b": 6.0}]
# every builder that draws words, called with the labels L of one language
BUILDERS = {
    "loss_curve": lambda L: charts.loss_curve(D["loss"], labels=L),
    "scatter_fit": lambda L: charts.scatter_fit(D["x"], D["y"], LINE, labels=L),
    "landscape": lambda L: charts.landscape(D["grid"], D["wv"], D["bv"], paths=D["path"], optimum=(2, 6), labels=L),
    "traces": lambda L: charts.traces(pd.DataFrame({"step": [1, 2], "w": [1.0, 2.0]}), ["w"], labels=L),
    "loss_curve_with_optimum": lambda L: lr.loss_curve_with_optimum(D["loss"], 0.1, labels=L),
    "landscape_with_current": lambda L: lr.landscape_with_current(D["grid"], D["wv"], D["bv"], D["path"], (2, 6),
                                                                  (1.0, 5.0), labels=L),
    "fit_view": lambda L: lr.fit_view(D["x"], D["y"], LINE, labels=L),
    "boundary_chart": lambda L: lg.boundary_chart(D["pts"], (-3, 3, -3, 3), SEG, SEG, None, CUR, labels=L),
    "sigmoid_chart": lambda L: lg.sigmoid_chart(CUR, labels=L),
    "batch_scatter": lambda L: mb.batch_scatter(D["x"], D["y"], D["roles"], LINE, labels=L),
    "reshuffle_chart": lambda L: mb.reshuffle_chart(pd.DataFrame({"position": [0, 1, 0, 1], "sample": [0, 1, 1, 0],
                                                                   "epoch": ["e1", "e1", "e2", "e2"],
                                                                   "batch": [0, 1, 1, 0]}), labels=L),
    "loss_with_epochs": lambda L: mb.loss_with_epochs(D["loss"], pd.DataFrame({"step": [10], "epoch": [1],
                                                                               "loss": [1.0]}), labels=L),
    "compare_chart": lambda L: mb.compare_chart(D["loss"], "step", log_x=True, labels=L),
    "race_losses": lambda L: op.race_losses(D["race"], labels=L),
    "race_landscape": lambda L: op.race_landscape(D["grid"], D["wv"], D["bv"], D["race_paths"], (2, 6), labels=L),
    "lockstep_diffs": lambda L: op.lockstep_diffs(pd.DataFrame({"step": [1, 2], "|Δw|": [1e-8, 2e-8]}), labels=L),
    "timing_bars": lambda L: op.timing_bars(pd.DataFrame({"n (samples)": [50], "device": ["cpu"], "µs per step": [80.0],
                                                          "steps per second": [12500.0]}), labels=L),
    "final_loss_chart": lambda L: sw.final_loss_chart(D["sweep"], limit=0.8, band=(0.05, 0.3), best_lr=0.1, labels=L),
    "curves_chart": lambda L: sw.curves_chart([("a", np.geomspace(1, 0.1, 10))], labels=L),
    "pdf_chart": lambda L: th.pdf_chart(D["gauss"], labels=L),
    "noise_histogram": lambda L: th.noise_histogram(D["hist"], [D["gauss"]], labels=L),
    "likelihood_chart": lambda L: th.likelihood_chart(D["like"], 2.0, labels=L),
    "grad_history_chart": lambda L: ag.grad_history_chart([{"n": 1, "action": "out.backward()", "x_grad": 4.5,
                                                            "expected": 4.5}], labels=L),
}


def _texts(obj, out):
    """Every string in a spec but its data sets and field names."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k not in ("datasets", "field"):
                _texts(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _texts(v, out)
    elif isinstance(obj, str):
        out.add(obj)
    return out


ENGLISH_ONLY = {v for k, v in _charts_strings("en").items()
                if not placeholders(v) and v != _charts_strings("zh")[k]}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builder_in_chinese_draws_no_english_words(name):
    spec = BUILDERS[name](ZH.labels).to_dict()  # validated against the Vega-Lite schema
    assert not (_texts(spec, set()) & ENGLISH_ONLY)
    en = BUILDERS[name](None).to_dict()
    # default: en
    assert json.dumps(en, sort_keys=True) == json.dumps(BUILDERS[name](EN.labels).to_dict(), sort_keys=True)


def test_chinese_titles_labels_and_legends():
    spec = lr.landscape_with_current(D["grid"], D["wv"], D["bv"], D["path"], (2, 6), (1.0, 5.0),
                                     labels=ZH.labels).to_dict()
    assert spec["layer"][0]["title"] == "(w, b) 上的 loss 曲面"
    labels = {r["label"] for v in spec["datasets"].values() for r in v if "label" in r}
    assert labels == {"最优解", "当前"}
    assert {r["series"] for v in spec["datasets"].values() for r in v if "series" in r} == {"路径"}

    spec = lg.boundary_chart(D["pts"], (-3, 3, -3, 3), SEG, SEG, labels=ZH.labels).to_dict()
    assert spec["title"] == "按类别着色的数据与决策边界"
    pts = spec["layer"][0]
    assert pts["encoding"]["color"]["scale"]["domain"] == ["类别 0", "类别 1"]
    assert {r["y"] for r in spec["datasets"][pts["data"]["name"]]} == {"类别 0", "类别 1"}  # data and legend agree
    assert spec["layer"][1]["encoding"]["strokeDash"]["scale"]["domain"] == ["模型：w1·x1 + w2·x2 + b = 0",
                                                                           "生成标签的规则"]

    spec = sw.final_loss_chart(D["sweep"], labels=ZH.labels).to_dict()
    assert spec["title"] == "训练结束时的 loss，每个 lr 一个点"
    points = spec["layer"][1]
    assert points["encoding"]["color"]["scale"]["domain"] == ["太小", "恰到好处", "太大", "发散"]
    assert {r["zone"] for r in spec["datasets"][points["data"]["name"]]} == {"太小", "恰到好处", "太大"}
    assert points["encoding"]["x"]["title"] == "lr（对数刻度）"

    spec = mb.compare_chart(D["loss"], "step", log_x=True, labels=ZH.labels).to_dict()
    assert spec["encoding"]["x"]["title"] == "step（每步一次更新）（对数）"
    assert spec["encoding"]["y"]["title"] == "loss（对数）"

    spec = th.likelihood_chart(D["like"], 2.0, labels=ZH.labels).to_dict()
    assert spec["title"] == "两者在同一个 w 处取到最小"
    assert spec["datasets"][spec["layer"][2]["data"]["name"]][0]["label"] == "最小二乘 w* = 2.0000"


def test_given_titles_win_and_english_is_the_default():
    assert charts.loss_curve(D["loss"], title="mine", labels=ZH.labels).to_dict()["title"] == "mine"
    assert charts.loss_curve(D["loss"]).to_dict()["title"] == "Loss"
    assert charts.loss_frame([1.0]).loc[0, "series"] == "train"
    assert charts.loss_frame([1.0], labels=ZH.labels).loc[0, "series"] == "训练"
    assert charts.loss_frame([1.0], series="mine", labels=ZH.labels).loc[0, "series"] == "mine"
    assert mb.batch_scatter(D["x"], D["y"], D["roles"]).to_dict()["layer"][0]["encoding"]["color"]["scale"][
        "domain"] == mb.ROLE_DOMAIN
    zh_spec = mb.batch_scatter(D["x"], D["y"], D["roles"], labels=ZH.labels).to_dict()
    roles = zh_spec["layer"][0]["encoding"]["color"]["scale"]
    assert roles["domain"] == ["尚未抽到", "本 epoch 已抽到", "当前 batch"]


def test_line_colours_belong_to_the_series_not_the_translated_label():
    """The fitted and the true line keep their colours in every language (a colour never follows a
    label's sort order, which differs between English and Chinese)."""
    from gdcore.charts.common import LINE_COLORS
    from gdcore.charts.linear_regression import fit_view
    from gdcore.i18n import translator
    for T in (translator("en"), ZH):
        lines = [{"label": T("charts.minibatch.fit_line"), "w": 2.0, "b": 6.0, "series": "fit"},
                 {"label": T("charts.minibatch.true_line"), "w": 2.0, "b": 6.0, "dash": True, "series": "true"}]
        spec = mb.batch_scatter(D["x"], D["y"], D["roles"], lines, labels=T.labels).to_dict()
        scale = spec["layer"][1]["encoding"]["stroke"]["scale"]
        assert scale == {"domain": [ln["label"] for ln in lines], "range": [LINE_COLORS["fit"], LINE_COLORS["true"]]}
        for chart in (fit_view(D["x"], D["y"], lines[::-1], labels=T.labels),
                      charts.scatter_fit(D["x"], D["y"], lines[::-1], labels=T.labels)):
            scale = chart.to_dict()["layer"][1]["encoding"]["color"]["scale"]
            assert dict(zip(scale["domain"], scale["range"])) == {lines[0]["label"]: LINE_COLORS["fit"],
                                                                  lines[1]["label"]: LINE_COLORS["true"]}
