"""The optimizers lesson's math: race configs and runs, optimizer state, lockstep, timing.

References are plain PyTorch (nn.Linear + torch.optim) written out here, not the engine's own output.
"""
import math

import numpy as np
import pytest
import torch
from torch import nn

from gdcore.engine import Run
from gdcore.errors import ConfigError
from gdcore.i18n import translator
from gdcore.lessons import optimizers
from gdcore.presets import preset_config

EN = translator("en")

BASE = preset_config("linreg-module")


@pytest.fixture(scope="module")
def race():
    settings = optimizers.race_settings(optimizers=optimizers.RACE_OPTIMIZERS + optimizers.EXTRA_OPTIMIZERS)
    return optimizers.run_race(BASE, settings, steps=60)


def test_race_settings_defaults_and_overrides():
    s = optimizers.race_settings({"adam": {"lr": 0.2, "momentum": 0.5, "beta2": None}})
    assert list(s) == list(optimizers.RACE_OPTIMIZERS)
    assert s["adam"]["lr"] == 0.2 and s["adam"]["beta2"] == 0.999
    assert "momentum" not in s["adam"]  # Adam has no momentum knob
    assert s["sgd"] == {"lr": 0.1}


def test_race_configs_differ_only_in_optimizer():
    cfgs = optimizers.race_configs(BASE, optimizers.race_settings(), steps=50)
    assert set(cfgs) == {"sgd", "momentum", "adagrad", "rmsprop", "adam"}
    for name, c in cfgs.items():
        assert c.optimizer == name and c.impl == "module" and c.steps == 50
        assert (c.seed, c.data, c.n, c.init, c.device) == (BASE.seed, BASE.data, BASE.n, BASE.init, BASE.device)
    assert cfgs["momentum"].momentum == 0.9 and cfgs["adam"].beta1 == 0.9 and cfgs["rmsprop"].alpha == 0.99


def test_race_configs_reject_bad_values():
    with pytest.raises(ConfigError):
        optimizers.race_configs(BASE, optimizers.race_settings(), steps=optimizers.MAX_RACE_STEPS + 1)
    with pytest.raises(ConfigError):
        optimizers.race_configs(BASE, optimizers.race_settings({"sgd": {"lr": -1.0}}), steps=10)


def test_race_runners_start_at_identical_params_and_share_data(race):
    starts = optimizers.start_params(race)
    assert len(starts) == 6
    first = next(iter(starts.values()))
    assert all(v == first for v in starts.values())
    datas = {id(r.data) for r in race.values()}
    assert len(datas) == 1
    assert all(r.step_count == 60 and r.status == "ok" for r in race.values())


def test_race_first_step_is_plain_gradient_step_for_sgd(race):
    # from the same start all runners compute the same first gradient
    g = {n: (r.records()[0]["grad_w"], r.records()[0]["grad_b"]) for n, r in race.items()}
    ref = g["sgd"]
    assert all(np.allclose(v, ref, rtol=1e-6) for v in g.values())


def test_race_defaults_make_an_interesting_race():
    runs = optimizers.run_race(BASE, optimizers.race_settings(), steps=optimizers.RACE_STEPS)
    final = {n: float(r.losses()[-1]) for n, r in runs.items()}
    assert all(r.status == "ok" for r in runs.values())
    assert all(v < final["sgd"] * 0.5 for n, v in final.items() if n in ("momentum", "adagrad", "adam"))
    assert final["momentum"] < 1e-6 and final["sgd"] > 1e-4  # a clear spread, no runner diverging


def test_race_frames(race):
    lf = optimizers.race_loss_frame(race)
    assert set(lf["series"]) == {optimizers.LABELS[n] for n in race}
    assert len(lf) == 6 * 60
    pf = optimizers.race_path_frame(race)
    assert (pf.groupby("series")["step"].min() == 0).all()
    start = pf[pf["step"] == 0]
    assert start["w"].nunique() == 1 and start["b"].nunique() == 1
    summary = EN.frame(optimizers.race_summary(race))
    assert list(summary["optimizer"]) == [optimizers.LABELS[n] for n in race]
    assert (summary["status"] == "ok").all()


def test_landscape_holds_paths_and_optimum(race):
    pf = optimizers.race_path_frame(race)
    grid, ws, bs, opt = optimizers.landscape_data(next(iter(race.values())).data, pf, resolution=30)
    assert grid.shape == (30, 30)
    assert ws[0] <= pf["w"].min() and ws[-1] >= pf["w"].max()
    assert bs[0] <= pf["b"].min() and bs[-1] >= pf["b"].max()
    assert abs(opt[0] - 3.0) < 1e-4 and abs(opt[1] - 0.8) < 1e-4


def test_landscape_window_clips_a_runaway_path(race):
    pf = optimizers.race_path_frame(race).copy()
    pf.loc[pf.index[-1], "w"] = 1e30
    (wlo, whi), _ = optimizers.landscape_window(next(iter(race.values())).data, pf)
    assert whi < 100


def test_diverging_runner_stops_and_others_go_on():
    runs = optimizers.run_race(BASE, optimizers.race_settings({"sgd": {"lr": 5.0}}), steps=100)
    assert runs["sgd"].status == "diverged" and "stability limit" in runs["sgd"].message
    assert all(r.status == "ok" for n, r in runs.items() if n != "sgd")
    summary = EN.frame(optimizers.race_summary(runs))
    assert "diverged" in summary.loc[summary["optimizer"] == "SGD", "status"].iloc[0]


def _reference_optimizer(run, make_opt, steps):
    """Plain seed-002 loop with nn.Linear + torch.optim from the run's own start."""
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.copy_(run.w0.reshape(1, 1))
        model.bias.copy_(run.b0.reshape(1))
    opt = make_opt(model.parameters())
    criterion = nn.MSELoss()
    x, y = run.data.X, run.data.y
    for _ in range(steps):
        loss = criterion(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model, opt


@pytest.mark.parametrize("name,make", [
    ("adam", lambda p: torch.optim.Adam(p, lr=0.05)),
    ("momentum", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99)),
    ("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.5)),
])
def test_state_columns_equal_torch_optim_state(name, make):
    cfg = BASE.replace(optimizer=name, steps=40,
                       **{k: v for k, v in optimizers.RACE_DEFAULTS[name].items() if k != "eps"})
    run = Run(cfg)
    run.run(25)
    model, opt = _reference_optimizer(run, make, 25)
    rec = optimizers.state_frame(run, last=1).iloc[-1]
    keys = optimizers.state_keys(run)
    assert keys and all(k in optimizers.STATE_MEANING for k in keys)
    for key in keys:
        np.testing.assert_allclose(rec[f"{key}[w]"], opt.state[model.weight][key].item(), rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(rec[f"{key}[b]"], opt.state[model.bias][key].item(), rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(rec["w"], model.weight.item(), rtol=1e-5)
    # and the engine's own optimizer agrees with what it recorded
    live = optimizers.torch_state(run)
    assert set(live) == set(optimizers.state_columns(run))
    for col, v in live.items():
        assert math.isclose(v, rec[col], rel_tol=1e-6, abs_tol=1e-12)


def test_sgd_has_no_state():
    run = Run(BASE.replace(steps=5))
    run.run(5)
    assert optimizers.state_columns(run) == [] and optimizers.state_keys(run) == []
    assert optimizers.torch_state(run) == {}
    frame = optimizers.state_frame(run, last=3)
    assert list(frame["step"]) == [3, 4, 5]


def test_state_history_has_every_step_for_short_runs():
    run = Run(BASE.replace(optimizer="adam", lr=0.05, steps=30))
    run.run()
    h = optimizers.state_history(run)
    assert len(h) == 30 and list(h.columns) == ["step", "exp_avg[w]", "exp_avg[b]", "exp_avg_sq[w]", "exp_avg_sq[b]"]


def test_lockstep_manual_and_module_agree_for_sgd():
    manual, module = optimizers.lockstep_pair(BASE.replace(lr=0.1))
    assert manual.config.impl == "manual" and module.config.impl == "module"
    assert manual.config.optimizer == module.config.optimizer == "sgd"
    assert manual.data is module.data
    assert torch.equal(manual.w0, module.w0) and torch.equal(manual.b0, module.b0)
    optimizers.step_both(manual, module, 1)
    assert manual.step_count == module.step_count == 1
    optimizers.step_both(manual, module, 299)
    diff = optimizers.lockstep_diff(manual, module, last=None)
    assert len(diff) == 300
    assert optimizers.max_abs_diff(manual, module) < 1e-5
    np.testing.assert_allclose(manual.losses(), module.losses(), rtol=1e-5, atol=1e-7)
    assert list(optimizers.lockstep_diff(manual, module, last=4)["step"]) == [297, 298, 299, 300]


def test_lockstep_forces_sgd_even_when_main_run_uses_adam():
    manual_cfg, module_cfg = optimizers.lockstep_configs(BASE.replace(optimizer="adam", lr=0.05))
    assert manual_cfg.optimizer == module_cfg.optimizer == "sgd"
    assert manual_cfg.lr == module_cfg.lr == 0.05


def test_ensure_lockstep_keeps_pair_until_config_changes():
    store = {}
    a = optimizers.ensure_lockstep(store, BASE)
    a[0].run(3)
    assert optimizers.ensure_lockstep(store, BASE.replace(optimizer="adam")) is a  # same lockstep configs
    b = optimizers.ensure_lockstep(store, BASE.replace(lr=0.01))
    assert b is not a and b[0].step_count == 0


def test_timing():
    run = Run(BASE.replace(steps=50))
    assert optimizers.us_per_step(run) is None
    run.run(50)
    us = optimizers.us_per_step(run)
    assert us is not None and 0 < us < 1e6
    assert 0 < optimizers.measure_step_time(BASE, "cpu", steps=20, warmup=2) < 1e6
    table = optimizers.timing_table(BASE, ["cpu"], sizes=(50, 2000), steps=10)
    assert list(table["n (samples)"]) == [50, 2000]
    assert (table["µs per step"] > 0).all()
