"""(w, b) set by hand: the engine's moves, their link text, a click's payload, the gradient arrow."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gdcore import manual
from gdcore.charts import cockpit as cockpit_charts
from gdcore.charts.linear_regression import landscape_with_current
from gdcore.engine import Run
from gdcore.lessons.linear_regression import run_config
from gdcore.links import Field, decode, encode
from gdcore.manual import Move
from gdcore.presets import preset_config
from gdcore.reference import bowl, least_squares

# -- the gradient the arrow shows, against autograd --------------------------------------------------

@pytest.mark.parametrize("half", [False, True])
@pytest.mark.parametrize("w, b", [(0.3, -1.2), (3.0, 0.8), (-7.5, 12.0)])
def test_mse_gradient_equals_autograd(w, b, half):
    g = torch.Generator().manual_seed(5)
    X = torch.rand(40, 1, generator=g, dtype=torch.float64) * 4
    y = 2.5 * X - 1 + 0.3 * torch.randn(40, 1, generator=g, dtype=torch.float64)
    wt = torch.tensor([w], dtype=torch.float64, requires_grad=True)
    bt = torch.tensor([b], dtype=torch.float64, requires_grad=True)
    loss = ((X * wt + bt - y) ** 2).mean() / (2 if half else 1)
    loss.backward()
    gw, gb = manual.mse_gradient(X, y, w, b, half=half)
    assert gw == pytest.approx(wt.grad.item(), rel=1e-12, abs=1e-12)
    assert gb == pytest.approx(bt.grad.item(), rel=1e-12, abs=1e-12)


def test_mse_gradient_is_what_the_engine_records_for_a_full_batch_step():
    run = Run(run_config("linreg-manual", 5, seed=0))
    run.move_to(1.25, -0.5)
    rec = run.step()
    gw, gb = manual.mse_gradient(run.data.X, run.data.y, 1.25, -0.5)
    assert rec["grad_w"] == pytest.approx(gw, rel=1e-5) and rec["grad_b"] == pytest.approx(gb, rel=1e-5)


def test_arrow_points_down_the_gradient_and_fits_the_window():
    window = ((0.0, 4.0), (-1.0, 1.0))
    dw, db = cockpit_charts.arrow_vector((2.0, -0.5), window)
    assert dw < 0 < db  # along -grad
    assert dw / db == pytest.approx(2.0 / -0.5)  # same direction as -grad
    assert max(abs(dw) / 4.0, abs(db) / 2.0) == pytest.approx(cockpit_charts.ARROW_SHARE)
    assert cockpit_charts.arrow_vector((0.0, 0.0), window) == (0.0, 0.0)


def test_landscape_takes_a_click_selection_and_the_arrow():
    X = torch.linspace(0, 1, 30).reshape(-1, 1)
    y = 3 * X + 0.8
    opt = least_squares(X, y)
    wv, bv = np.linspace(0, 4, 44), np.linspace(-1, 2, 44)
    ch = landscape_with_current(bowl(X, y), wv, bv, None, (opt.w[0], opt.b), (1.0, 0.5))
    layers = cockpit_charts.gradient_arrow((1.0, 0.5), manual.mse_gradient(X, y, 1.0, 0.5), 0.1,
                                           ((0, 4.09), (-1, 2.07)))
    assert len(layers) == 1 and len(layers[0]["layer"]) == 2  # the shaft and the head, nested in one layer
    spec = cockpit_charts.pickable(cockpit_charts.with_layers(ch, *layers)).to_dict()
    (param,) = [p for p in spec["params"] if p["name"] == manual.PICK]
    assert param["select"]["type"] == "point" and param["views"] == [spec["layer"][0]["name"]]
    assert set(param["select"]["fields"]) == {"w", "w2", "b", "b2"}
    tips = {t.get("title") for t in spec["layer"][-1]["encoding"]["tooltip"]}
    assert {"dL/dw", "dL/db"} <= tips
    # outside the window: no arrow
    assert cockpit_charts.gradient_arrow((9.0, 0.5), (1.0, 1.0), 0.1, ((0, 4), (-1, 2))) == []


# -- a click's payload ----------------------------------------------------------------------------

@pytest.mark.parametrize("payload, want", [
    ({"selection": {"pick": [{"w": 1.0, "w2": 1.5, "b": 2.0, "b2": 2.25}]}}, (1.25, 2.125)),
    ({"selection": {"pick": [{"w": 1.0, "b": 2.0}]}}, (1.0, 2.0)),
    ({"selection": {"pick": {"w": [1.0], "w2": [2.0], "b": [0.0], "b2": [1.0]}}}, (1.5, 0.5)),
    ({"selection": {"pick": []}}, None),
    ({"selection": {"pick": {}}}, None),
    ({"selection": {}}, None),
    (None, None),
    ({"selection": {"pick": [{"w": "nan", "b": 1.0}]}}, None),
    ({"selection": {"pick": [{"w": "x", "b": 1.0}]}}, None),
])
def test_point_from_selection(payload, want):
    assert manual.point_from_selection(payload) == want


# -- moves in the engine --------------------------------------------------------------------------

def test_a_start_set_by_hand_replaces_the_drawn_one_and_reset_keeps_it():
    run = Run(run_config("linreg-manual", 50, seed=0))
    drawn = run.params()
    run.move_to(-2.0, 4.0)
    assert run.params() == {"w": [-2.0], "b": [4.0]} and run.step_count == 0
    run.run(10)
    run.move_to(1.0, 1.0)
    run.reset()
    assert run.params() == {"w": [-2.0], "b": [4.0]} and [m.step for m in run.moves] == [0]
    run.set_moves([])
    assert run.params() == drawn


def test_a_move_after_a_step_continues_from_there_like_a_fresh_run_from_that_point():
    """Full-batch GD has no memory: after a move to p, the next steps equal a new run started at p."""
    config = run_config("linreg-manual", 50, seed=0)
    run = Run(config)
    run.run(7)
    run.move_to(0.5, 2.0)
    run.run(5)
    fresh = Run(config)
    fresh.move_to(0.5, 2.0)
    fresh.run(5)
    assert run.params() == fresh.params()
    assert run.losses()[7:].tolist() == fresh.losses().tolist()


def test_a_move_on_a_finished_or_diverged_run_starts_over_from_there():
    run = Run(run_config("linreg-manual", 500, seed=0, lr=50.0))
    run.run()
    assert run.status == "diverged"
    run.move_to(3.0, 0.8)
    assert run.status == "ok" and run.step_count == 0 and [m.step for m in run.moves] == [0]


def test_bad_moves_are_refused_and_change_nothing():
    run = Run(run_config("linreg-manual", 5, seed=0))
    before = run.params()
    for w in (math.nan, math.inf, 2 * manual.PARAM_BOUND):
        with pytest.raises(ValueError):
            run.move_to(w, 0.0)
    with pytest.raises(ValueError):
        run.move_to([1.0, 2.0], 0.0)  # one feature: one w
    assert run.params() == before and run.moves == []


def test_a_run_keeps_at_most_max_moves_and_always_its_start():
    run = Run(preset_config("linreg-manual", epochs=100))
    run.move_to(1.0, 1.0)
    for k in range(manual.MAX_MOVES + 5):
        run.run(1)
        run.move_to(1.0 + k / 100, 1.0)
    assert len(run.moves) == manual.MAX_MOVES and run.moves[0].step == 0
    assert run.moves[-1].step == run.step_count


# -- moves in a link ------------------------------------------------------------------------------

FIELD = Field("moves", "_x.moves", "moves", -manual.PARAM_BOUND, manual.PARAM_BOUND)


def test_moves_round_trip_through_a_link():
    moves = [Move(0, (0.1,), (-2.5,)), Move(40, (1.0, -3.25), (7.0,))]
    params = encode({"_x.moves": moves}, [FIELD])
    assert params == {"moves": f"0:{float(np.float32(0.1))!r}:-2.5,40:1.0;-3.25:7.0"}
    back = decode(params, [FIELD]).values["_x.moves"]
    assert [(m.step, m.w, m.b) for m in back] == [(0, (float(np.float32(0.1)),), (-2.5,)), (40, (1.0, -3.25), (7.0,))]
    assert encode({"_x.moves": []}, [FIELD]) == {}


@pytest.mark.parametrize("raw, reason", [
    ("0:abc:1", "not_a_number"), ("0:1", "not_a_number"), ("1.5:1:1", "not_integer"),
    ("0:1e9:1", "out_of_range"), ("-1:1:1", "out_of_range"), ("0:nan:1", "not_finite"),
    ("0:1:1,0:2:2", "out_of_range"), (",".join(f"{k}:1:1" for k in range(manual.MAX_MOVES + 1)), "too_long"),
    ("0:1:1" * 500, "too_long"), ("__import__('os'):1:1", "not_a_number"),
])
def test_a_bad_moves_value_is_a_note_not_an_error(raw, reason):
    link = decode({"moves": raw}, [FIELD])
    assert "_x.moves" not in link.values
    assert [(n.name, n.reason) for n in link.notes] == [("moves", reason)]


# -- your loss against least squares -----------------------------------------------------------------

def test_versus_compares_with_numpy_least_squares():
    g = torch.Generator().manual_seed(1)
    X = torch.rand(60, 1, generator=g)
    y = 2 * X + 1 + 0.2 * torch.randn(60, 1, generator=g)
    x64, y64 = X.double().numpy().reshape(-1), y.double().numpy().reshape(-1)
    (w_ls, b_ls), *_ = np.linalg.lstsq(np.c_[x64, np.ones_like(x64)], y64, rcond=None)
    best = float(np.mean((w_ls * x64 + b_ls - y64) ** 2))
    assert manual.versus(X, y, w_ls, b_ls, best).verdict == "tie"
    assert manual.versus(X, y, w_ls + 0.05, b_ls, best).verdict == "close"
    far = manual.versus(X, y, 0.0, 0.0, best)
    assert far.verdict == "far" and far.loss == pytest.approx(float(np.mean(y64 ** 2)))
    assert far.excess == pytest.approx(far.loss - best)


def test_a_path_draws_the_jump_of_a_move():
    steps, w, b = manual.path_with_moves(np.array([0, 1, 2]), np.array([0.0, 0.1, 0.2]), np.array([1.0, 1.1, 1.2]),
                                         [Move(0, (0.0,), (1.0,)), Move(1, (5.0,), (6.0,))])
    assert steps.tolist() == [0, 1, 1, 2] and w.tolist() == [0.0, 0.1, 5.0, 0.2] and b.tolist() == [1.0, 1.1, 6.0, 1.2]


def test_the_step_after_a_move_is_explained_from_the_moved_point():
    recs = [{"step": 3, "w": 1.0, "b": 2.0}, {"step": 4, "w": 9.0, "b": 9.0}]
    assert manual.records_before(recs, [Move(3, (5.0,), (6.0,))])[0] == {"step": 3, "w": 5.0, "b": 6.0}
    assert manual.records_before(recs, [Move(2, (5.0,), (6.0,))]) == recs


def test_slider_range_holds_the_optimum_with_room_around_it():
    lo, hi = manual.slider_range(3.0, 3.0)
    assert lo <= 3.0 - 4 and hi >= 3.0 + 4
    lo, hi = manual.slider_range(-50.0, -50.0)
    assert lo <= -125 and hi >= 25
