"""Chart builders of the optimizers lesson, checked on their Vega-Lite specs."""
import numpy as np
import pandas as pd
import pytest

from gdcore.charts import optimizers as ocharts
from gdcore.lessons import optimizers as optim_lesson
from gdcore.presets import preset_config


@pytest.fixture(scope="module")
def race():
    return optim_lesson.run_race(preset_config("linreg-module"), optim_lesson.race_settings(), steps=40)


def _rows(spec):
    return {k: len(v) for k, v in spec["datasets"].items()}


def _layers(spec):
    return spec.get("layer", [spec])


def test_race_losses_one_coloured_line_per_runner(race):
    frame = optim_lesson.race_loss_frame(race)
    spec = ocharts.race_losses(frame).to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["y"]["scale"]["type"] == "log"
    color = spec["encoding"]["color"]
    assert color["field"] == "series"
    assert color["scale"]["domain"] == ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"]  # only those present
    assert any(t["field"] == "loss" for t in spec["encoding"]["tooltip"])
    assert sum(_rows(spec).values()) == 5 * 40
    lin = ocharts.race_losses(frame, log=False).to_dict()
    assert "type" not in lin["encoding"]["y"]["scale"]


def test_race_losses_downsampled_for_long_runs():
    frame = pd.concat([pd.DataFrame({"step": np.arange(1, 100_001), "loss": np.linspace(1, 1e-3, 100_000),
                                     "series": name}) for name in ("SGD", "Adam")])
    # the lesson's frame builder caps each series; the chart keeps what it is given
    assert len(frame) == 200_000
    capped = pd.concat([g.iloc[np.linspace(0, len(g) - 1, 2000).astype(int)] for _, g in frame.groupby("series")])
    spec = ocharts.race_losses(capped).to_dict()
    assert sum(_rows(spec).values()) <= 4000


def test_race_landscape_layers(race):
    paths = optim_lesson.race_path_frame(race)
    grid, ws, bs, opt = optim_lesson.landscape_data(next(iter(race.values())).data, paths, resolution=25)
    spec = ocharts.race_landscape(grid, ws, bs, paths, opt).to_dict()
    layers = _layers(spec)
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers]
    assert marks == ["rect", "line", "point", "point"]  # heat, paths, start, optimum
    assert layers[0]["encoding"]["color"]["scale"]["type"] == "log"
    assert layers[1]["encoding"]["color"]["field"] == "series"
    assert layers[1]["encoding"]["order"]["field"] == "step"
    rows = sorted(_rows(spec).values())
    assert 25 * 25 in rows and 5 * 41 in rows  # grid cells; 5 paths of 41 points (start + 40 steps)
    assert 1 in rows  # the start / the optimum


def test_race_landscape_without_paths():
    ws, bs = np.linspace(0, 4, 10), np.linspace(-1, 2, 10)
    spec = ocharts.race_landscape(np.ones((10, 10)), ws, bs, None, (3.0, 0.8)).to_dict()
    assert len(_layers(spec)) == 2


def test_state_traces():
    frame = pd.DataFrame({"step": np.arange(1, 11), "exp_avg[w]": np.arange(10.0), "exp_avg[b]": np.ones(10),
                          "exp_avg_sq[w]": np.arange(10.0) ** 2, "exp_avg_sq[b]": np.zeros(10)})
    charts = ocharts.state_traces(frame, ["exp_avg", "exp_avg_sq"])
    assert len(charts) == 2
    specs = [c.to_dict() for c in charts]
    assert specs[0]["title"] == "optimizer.state[p]['exp_avg']"
    assert specs[1]["title"] == "optimizer.state[p]['exp_avg_sq']"
    for spec in specs:
        assert spec["mark"]["type"] == "line" and spec["encoding"]["color"]["field"] == "series"
        assert sum(_rows(spec).values()) == 20  # [w] and [b], 10 steps each
    assert ocharts.state_traces(frame, []) == []


def test_lockstep_diffs():
    from gdcore.lessons.optimizers import lockstep_diff, lockstep_pair, step_both
    manual, module = lockstep_pair(preset_config("linreg-module", lr=0.1))
    step_both(manual, module, 12)
    frame = lockstep_diff(manual, module, last=None)
    spec = ocharts.lockstep_diffs(frame).to_dict()
    assert spec["mark"]["type"] == "line"
    assert sum(_rows(spec).values()) == 3 * 12  # |Δw|, |Δb|, |Δloss|
    assert spec["encoding"]["y"]["field"] == "difference"


def test_timing_bars():
    table = pd.DataFrame({"n (samples)": [50, 200000], "device": ["cpu", "cpu"], "µs per step": [80.0, 900.0],
                          "steps per second": [12500.0, 1111.0]})
    spec = ocharts.timing_bars(table).to_dict()
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["x"]["field"] == "µs per step"
    assert sum(_rows(spec).values()) == 2
