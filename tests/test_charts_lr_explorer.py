"""Chart builders of the learning-rate explorer, checked on their Vega-Lite specs."""
import numpy as np
import pandas as pd
import pytest

from gdcore.charts import lr_explorer as sweep_charts


def _frame(lrs, losses, zones):
    rows = []
    for i, (lr, fl, z) in enumerate(zip(lrs, losses, zones)):
        rows.append({"run": i, "lr": lr, "final_loss": np.nan if fl is None else fl,
                     "status": "diverged" if fl is None else "ok", "diverged_at": 40 + i if fl is None else 0,
                     "zone": z, "note": f"diverged at step {40 + i}" if fl is None else f"final loss {fl:g}"})
    return pd.DataFrame(rows)


FRAME = _frame([1e-3, 1e-2, 0.1, 0.5, 1.0, 2.0, 5.0],
               [1.0, 0.1, 1e-3, 1.5e-3, None, None, None],
               ["too small", "too small", "just right", "just right", "diverged", "diverged", "diverged"])


def _data(spec, layer):
    """A layer's rows (Altair hoists data shared by all layers to the top level)."""
    return spec["datasets"][layer.get("data", spec.get("data"))["name"]]


def test_final_loss_chart_layers_marks_and_scales():
    spec = sweep_charts.final_loss_chart(FRAME, limit=0.82, band=(0.03, 0.7), best_lr=0.1).to_dict()
    marks = [ly["mark"]["type"] for ly in spec["layer"]]
    assert marks == ["rect", "line", "point", "point", "point", "rule", "text"]
    band, line, pts, best, crosses, rule, text = spec["layer"]
    # log x everywhere, log y for the loss
    assert pts["encoding"]["x"]["scale"]["type"] == "log" and pts["encoding"]["y"]["scale"]["type"] == "log"
    lo, hi = pts["encoding"]["x"]["scale"]["domain"]
    assert lo < 1e-3 and hi > 5.0
    # the Goldilocks band spans the given edges over the full height
    assert _data(spec, band)[0]["lr"] == 0.03 and _data(spec, band)[0]["lr2"] == 0.7 and "y" not in band["encoding"]
    # finite runs as points (coloured by zone, with tooltips), the best one ringed
    assert len(_data(spec, pts)) == 4 and pts["encoding"]["color"]["field"] == "zone"
    assert {t["field"] for t in pts["encoding"]["tooltip"]} == {"lr", "final_loss", "zone", "note"}
    assert best["mark"]["shape"] == "diamond" and [r["lr"] for r in _data(spec, best)] == [0.1]
    # diverged runs: red crosses pinned to the top edge, the step in the tooltip
    assert crosses["mark"]["shape"] == "cross" and crosses["mark"]["color"] == sweep_charts.ZONE_COLORS["diverged"]
    assert crosses["encoding"]["y"] == {"value": 10}
    assert [r["note"] for r in _data(spec, crosses)] == ["diverged at step 44", "diverged at step 45",
                                                         "diverged at step 46"]
    # the stability limit: a vertical rule with its label
    assert _data(spec, rule)[0]["lr"] == 0.82 and "y" not in rule["encoding"]
    assert _data(spec, text)[0]["label"] == "2/λmax = 0.82"


def test_final_loss_chart_options_and_edge_cases():
    spec = sweep_charts.final_loss_chart(FRAME, log_y=False).to_dict()
    assert [ly["mark"]["type"] for ly in spec["layer"]] == ["line", "point", "point"]
    assert spec["layer"][1]["encoding"]["y"]["scale"].get("type") is None
    # a limit far outside the tried range does not stretch the axis
    spec = sweep_charts.final_loss_chart(FRAME, limit=1e6).to_dict()
    assert spec["layer"][1]["encoding"]["x"]["scale"]["domain"][1] < 10
    # every run diverged: crosses only, no band, no exception
    all_div = _frame([0.5, 1.0], [None, None], ["diverged", "diverged"])
    spec = sweep_charts.final_loss_chart(all_div, limit=0.3, band=(0.1, 0.2)).to_dict()
    assert [ly["mark"]["type"] for ly in spec["layer"]] == ["point", "rule", "text"]
    # a loss of exactly 0 stays on the log axis
    zero = _frame([0.1, 0.2], [0.0, 1e-3], ["just right", "too large"])
    spec = sweep_charts.final_loss_chart(zero).to_dict()
    assert min(r["final_loss"] for r in _data(spec, spec["layer"][1])) == sweep_charts.LOSS_FLOOR
    # no runs at all: still a chart
    sweep_charts.final_loss_chart(_frame([], [], [])).to_dict()


def test_curves_chart_downsamples_each_run_and_keeps_the_order():
    long = np.exp(-np.linspace(0, 10, 30_000)) + 1e-6 * np.random.default_rng(0).random(30_000)
    curves = [("too small · lr 0.001", long), ("best · lr 0.5", long * 0.1),
              ("just below divergence · lr 0.8", long[:500])]
    spec = sweep_charts.curves_chart(curves).to_dict()
    rows = next(iter(spec["datasets"].values()))
    per = pd.DataFrame(rows).groupby("series").size()
    assert per["too small · lr 0.001"] <= sweep_charts.CURVE_POINTS
    assert per["best · lr 0.5"] <= sweep_charts.CURVE_POINTS
    assert per["just below divergence · lr 0.8"] == 500
    assert len(rows) < 5000  # Altair's default row limit
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "line" and enc["y"]["scale"]["type"] == "log"
    assert enc["color"]["scale"]["domain"] == [c[0] for c in curves]
    steps = [r["step"] for r in rows if r["series"] == "best · lr 0.5"]
    assert steps[0] == 1 and steps[-1] == 30_000  # first and last steps survive downsampling


def test_curves_chart_dashes_the_named_series():
    spec = sweep_charts.curves_chart([("sweep", np.ones(5)), ("single", np.ones(5))], dashed=["single"]).to_dict()
    dash = spec["encoding"]["strokeDash"]
    assert dash["scale"]["domain"] == ["sweep", "single"] and dash["scale"]["range"] == [[1, 0], [6, 4]]
    assert "strokeDash" not in sweep_charts.curves_chart([("sweep", np.ones(5))]).to_dict()["encoding"]


def test_curves_chart_linear_and_empty():
    spec = sweep_charts.curves_chart([("a", np.array([1.0, 0.5, 0.0]))], log=False).to_dict()
    assert len(next(iter(spec["datasets"].values()))) == 3  # 0 is kept on a linear axis
    spec = sweep_charts.curves_chart([("a", np.array([1.0, 0.5, 0.0]))], log=True).to_dict()
    assert len(next(iter(spec["datasets"].values()))) == 2  # but not on a log one
    sweep_charts.curves_chart([]).to_dict()


@pytest.mark.parametrize("log_y", [True, False])
def test_chart_of_a_real_sweep(log_y):
    from gdcore.lessons import lr_explorer as sweep_lesson
    from gdcore.presets import preset_config
    from gdcore.sweep import lr_grid, sweep

    res = sweep(preset_config("linreg-manual", steps=200), lr_grid(1e-3, 3.0, 12))
    band = sweep_lesson.goldilocks(res.lrs, res.final_loss, floor=sweep_lesson.converged_floor(res))
    spec = sweep_charts.final_loss_chart(sweep_lesson.frame(res, band), limit=res.stability_limit,
                                         band=(band.lo_edge, band.hi_edge), best_lr=res.lrs[res.best],
                                         log_y=log_y).to_dict()
    crosses = [ly for ly in spec["layer"] if ly["mark"].get("shape") == "cross"][0]
    assert len(_data(spec, crosses)) == sum(d is not None for d in res.diverged_at) > 0
