"""Rounding that stops a run: the pure functions of gdcore/stall.py, then the engine on data that stalls.

The trusted answers: float32's spacing between 64 and 128 is 2**-17 (23 fraction bits), numpy's own
float32 arithmetic for whether an update rounds away, numpy.linalg.lstsq for the optimum.
"""
from __future__ import annotations

import numpy as np
import pytest
from precision_data import bmi_like

from gdcore import Run, preset_config
from gdcore.i18n import english, translator
from gdcore.presets import PRESETS
from gdcore.reference import stability_limit
from gdcore.stall import MIN_STEPS, far_from_optimum, frozen, loss_flat, lost_update, make_stall, streak_start


def _lstsq(ds):
    A = np.c_[ds.X.double().numpy(), np.ones(ds.n)]
    return np.linalg.lstsq(A, ds.y.double().numpy().reshape(-1), rcond=None)[0]  # (w*, b*)


# -- pure functions ------------------------------------------------------------------------------

def test_frozen_needs_no_change_and_a_gradient():
    before = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])
    after = np.array([[1.0, 2.0], [1.0, 2.5], [1.0, 2.0]])
    grads = np.array([[0.0, 1e-9], [0.1, 0.1], [0.0, 0.0]])
    assert frozen(before, after, grads).tolist() == [True, False, False]  # the last: gradient zero, arrived


@pytest.mark.parametrize("flags, first, since, expected", [
    ([True, True], 10, None, 10),  # a stretch starting at this chunk
    ([True, True], 10, 4, 4),  # going on from an earlier chunk
    ([True, False, True, True], 10, 4, 12),  # broken, started again at step 12
    ([True, False], 10, 4, None),  # the last step moved
    ([], 10, 7, 7),
])
def test_streak_start(flags, first, since, expected):
    assert streak_start(np.array(flags, bool), first, since) == expected


def test_lost_update_picks_the_largest_update_that_rounded_away():
    ulp_b = 2.0 ** -17  # float32 spacing in [64, 128)
    ulp_w = 2.0 ** -20  # in [8, 16)
    values = np.array([10.2, -117.7], np.float32)
    lr = 1e-3
    grads = np.array([0.2 * ulp_w / lr, 0.49 * ulp_b / lr])  # both below half a step
    assert lost_update(values, grads, lr, "float32") == 1
    assert lost_update(values, np.array([0.2 * ulp_w / lr, 3 * ulp_b / lr]), lr, "float32") == 0
    assert lost_update(values, np.zeros(2), lr, "float32") is None
    s = make_stall(7, ["w", "b"], values, grads, lr, "float32", [10.233, -117.77])
    assert (s.step, s.name, s.ulp, s.optimum) == (7, "b", ulp_b, -117.77)
    assert s.update == pytest.approx(0.49 * ulp_b)


def test_far_from_optimum_counts_ulps():
    ulp = 2.0 ** -17
    assert not far_from_optimum([100.0], [100.0 + 1000 * ulp], "float32")
    assert far_from_optimum([100.0], [100.0 + 2000 * ulp], "float32")


def test_far_from_optimum_float64_spacing():
    assert far_from_optimum([100.0], [100.0 + 2000 * 2.0 ** -46], "float64")
    assert not far_from_optimum([100.0], [100.0 + 100 * 2.0 ** -46], "float64")


def test_loss_flat_above_the_optimum_only():
    flat = np.full(MIN_STEPS, 3900.5, np.float32)
    assert loss_flat(flat, 3800.0, "float32")
    assert not loss_flat(flat, 3900.49, "float32")  # within rounding of loss*
    assert not loss_flat(np.r_[flat[:-1], np.float32(3900.4)], 3800.0, "float32")  # still moving
    assert not loss_flat(flat[:5], 3800.0, "float32")  # too short to say


# -- the engine on raw-BMI-like data -------------------------------------------------------------

def _stall_run(ds, dtype, steps):
    lr = 0.9 * stability_limit(ds.X)
    return Run(preset_config("linreg-manual", data="custom", n=ds.n, lr=lr, epochs=steps, seed=0, dtype=dtype), ds)


def test_float32_stall_on_raw_bmi_is_found_with_its_numbers():
    ds = bmi_like()
    w_star, b_star = _lstsq(ds)
    run = _stall_run(ds, "float32", 140_000)
    run.run(callback=lambda r: r.stall is None)
    s = run.stall
    assert s is not None and s.name == "b" and s.dtype == "float32"
    run.run(500)  # it stays where it is
    b_end = run.params()["b"][0]
    assert b_end == s.value
    # the record of the first frozen step, checked with numpy's own float32 arithmetic
    rec = {r["step"]: r for r in run.records()}[s.step]
    lr = run.config.lr
    update = lr * rec["grad_b"]
    spacing = float(np.spacing(np.float32(abs(rec["b"]))))
    assert spacing == 2.0 ** -17  # |b| in [64, 128)
    assert s.update == pytest.approx(update, rel=1e-12) and s.ulp == spacing
    assert abs(update) < spacing / 2
    assert np.float32(np.float32(rec["b"]) - np.float32(update)) == np.float32(rec["b"])
    by_step = {r["step"]: r for r in run.records()}
    before, last_move = by_step[s.step - 1], by_step[s.step - 2]
    assert (before["w"], before["b"]) == (rec["w"], rec["b"])  # step s changed nothing...
    assert (last_move["w"], last_move["b"]) != (before["w"], before["b"])  # ...the step before it still did
    assert abs(b_end - b_star) > 1e-2  # far from lstsq's b*, by thousands of float32 steps
    assert s.optimum == pytest.approx(b_star, abs=1e-9)
    text = english(s.message())
    for number in (f"{s.step:,}", f"{b_end:.9g}", f"{abs(update):.2g}", f"{spacing:.2g}", f"{b_star:.9g}", "float64"):
        assert number in text, (number, text)
    assert f"{spacing:.2g}" in translator("zh")(s.message())


def test_float64_reaches_lstsq_where_float32_stalls():
    ds = bmi_like(mean=18.0)  # the same kind of data, better conditioned (7,300): float64 converges in ~115k steps
    w_star, b_star = _lstsq(ds)
    r32 = _stall_run(ds, "float32", 60_000)
    r32.run()
    assert r32.stall is not None and r32.stall.name == "b"
    assert abs(r32.params()["b"][0] - b_star) > 1e-3
    r64 = _stall_run(ds, "float64", 200_000)
    assert r64.params() == {"w": [float(v) for v in r32.w0.reshape(-1)], "b": [float(v) for v in r32.b0.reshape(-1)]}

    def close(run):
        p = run.params()
        return not (abs(p["w"][0] - w_star) <= 1e-10 and abs(p["b"][0] - b_star) <= 1e-10)

    r64.run(callback=close)
    p = r64.params()
    assert abs(p["w"][0] - w_star) <= 1e-10 and abs(p["b"][0] - b_star) <= 1e-10, (p, w_star, b_star)
    assert r64.stall is None


@pytest.mark.parametrize("name", list(PRESETS))
def test_no_stall_on_the_tutorial_presets(name):
    run = Run(preset_config(name))
    run.run()
    assert run.status == "ok" and run.stall is None
    # checked on the records themselves: the last steps still move (a single sample whose gradient is too
    # small to change anything is fine; a stretch of frozen steps is what a stall is)
    steps, rows = run.history.detail(last=MIN_STEPS + 1)
    P = run._P
    flags = frozen(rows[:-1, :P], rows[1:, :P], rows[1:, P:2 * P])
    assert flags.mean() < 0.5, (name, flags)


def test_the_csv_fixture_is_the_generators_data():
    """tests/data/raw_bmi_like.csv (the README's command line) holds exactly bmi_like()'s numbers."""
    from pathlib import Path

    from gdcore.data import load_csv

    ds, ref = load_csv(str(Path(__file__).parent / "data" / "raw_bmi_like.csv")), bmi_like()
    assert ds.X.equal(ref.X) and ds.y.equal(ref.y)


def test_message_shows_enough_digits_to_tell_value_from_optimum():
    from gdcore.stall import Stall

    s = Stall(476_373, "b", -117.77336327835486, 5.8e-12, 7.1e-15, 2.0 ** -46, "float64", -117.77336327847769)
    text = english(s.message())
    value = text.split("stays at ")[1].split(",")[0]
    star = text.split("b* = ")[1].split(",")[0]
    assert value != star and abs(float(value) - float(star)) > 0  # the two numbers read differently
    assert "feature scaling" in text and "switch the precision" not in text  # float64: scaling is what is left
