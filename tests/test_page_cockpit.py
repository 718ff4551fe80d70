"""AppTest: on the linear-regression page a learner sets (w, b) by hand (sliders, a landscape click),
sees the loss against least squares, and the run, its link and its script go on from there."""
from __future__ import annotations

import numpy as np
import pytest
from apptest_util import hand_slider, open_link, open_page

from gdcore import manual, reference
from gdcore.engine import Run
from gdcore.links import parse_link

PAGE = "pages/views/linear_regression.py"
LESSON = "_lesson.linear_regression"


@pytest.fixture
def at():
    return open_page(PAGE)


def _run(at):
    return at.session_state[LESSON].run


def test_sliders_set_the_start_before_any_step(at):
    run = _run(at)
    hand_slider(at, "linear_regression", "w").set_value(1.0).run()
    hand_slider(at, "linear_regression", "b").set_value(2.0).run()
    assert not at.exception
    run = _run(at)
    assert run.step_count == 0 and run.params() == {"w": [1.0], "b": [2.0]}
    assert [(m.step, m.w, m.b) for m in run.moves] == [(0, (1.0,), (2.0,))]
    # the loss shown is the MSE of the line y = 1 x + 2 on the data, against numpy's least squares
    X, y = run.data.X.numpy().reshape(-1), run.data.y.numpy().reshape(-1)
    mine = float(np.mean((1.0 * X.astype(np.float64) + 2.0 - y) ** 2))
    best = reference.least_squares(run.data.X, run.data.y).mse
    said = " ".join(m.value for m in at.markdown)
    assert f"your loss **{mine:.4g}** · least-squares loss **{best:.4g}**" in said
    # Step goes on from the hand-set start: its loss is the loss at (1, 2)
    at.button(key="b.linear_regression.step").click().run()
    run = _run(at)
    assert run.step_count == 1 and run.losses()[0] == pytest.approx(mine, rel=1e-5)
    assert hand_slider(at, "linear_regression", "w").value == pytest.approx(run.params()["w"][0])  # sliders follow


def test_moving_mid_run_is_recorded_and_the_run_goes_on_from_there(at):
    for _ in range(3):
        at.button(key="b.linear_regression.step").click().run()
    hand_slider(at, "linear_regression", "w").set_value(4.0).run()
    run = _run(at)
    assert run.step_count == 3 and [m.step for m in run.moves] == [3] and run.params()["w"] == [4.0]
    at.button(key="b.linear_regression.step").click().run()
    rec = run.records(last=1)[-1]
    b = run.moves[-1].b[0]
    gw, _ = manual.mse_gradient(run.data.X, run.data.y, 4.0, b)  # the step starts at the moved point
    assert rec["grad_w"] == pytest.approx(gw, rel=1e-4)
    code = " ".join(c.value for c in at.code)
    assert "w = 4 - 0.01" in code  # "what just happened" starts from the moved w
    # the address bar carries the moves, so the link rebuilds this very run
    params = at.query_params
    assert params["moves"] == "3:4.0:" + repr(float(np.float32(b))) and params["steps"] == "4"


def test_a_landscape_click_payload_sets_the_start(at):
    """AppTest cannot click a chart: the callback path is driven with the payload Streamlit sends."""
    payload = {"selection": {"pick": [{"w": 2.0, "w2": 2.5, "b": -1.0, "b2": -0.5}]}}
    assert manual.point_from_selection(payload) == (2.25, -0.75)
    lesson = at.session_state[LESSON]
    from pages.ui import cockpit  # the page's own callback, outside a script run
    lesson.run.move_to(*[[v] for v in manual.point_from_selection(payload)])
    assert lesson.run.params() == {"w": [2.25], "b": [-0.75]}
    at.run()
    assert not at.exception and hand_slider(at, "linear_regression", "w").value == pytest.approx(2.25)
    assert cockpit.moves_field("linear_regression").format(lesson.run.moves) == "0:2.25:-0.75"


def test_a_link_with_moves_replays_the_same_run():
    at = open_page(PAGE)
    hand_slider(at, "linear_regression", "w").set_value(0.5).run()
    for _ in range(5):
        at.button(key="b.linear_regression.step").click().run()
    hand_slider(at, "linear_regression", "b").set_value(3.0).run()
    for _ in range(4):
        at.button(key="b.linear_regression.step").click().run()
    run = _run(at)
    link = {k: at.query_params[k] for k in at.query_params}
    assert link["moves"].count(":") == 4 and link["steps"] == "9"
    other = open_link(PAGE, parse_link("?" + "&".join(f"{k}={v}" for k, v in link.items())))
    assert not other.exception and not other.warning
    again = _run(other)
    assert again.step_count == 9 and again.params() == run.params()
    assert again.losses().tolist() == run.losses().tolist()
    # and the same as a fresh engine run with those moves
    ref = Run(run.config)
    ref.set_moves(manual.parse_moves(link["moves"]))
    ref.run(9)
    assert ref.params() == run.params()


def test_a_bad_moves_link_value_is_named_and_skipped():
    at = open_link(PAGE, {"moves": "0:abc:1"})
    assert not at.exception
    assert any("moves" in w.value for w in at.warning)
    assert _run(at).moves == []


def test_back_to_the_drawn_start(at):
    drawn = _run(at).params()
    hand_slider(at, "linear_regression", "w").set_value(1.0).run()
    at.button(key="b.linear_regression.drawn_start").click().run()
    assert _run(at).params() == drawn and _run(at).moves == []


def test_a_new_setting_keeps_the_start_set_by_hand_but_not_later_moves(at):
    hand_slider(at, "linear_regression", "w").set_value(1.0).run()
    at.button(key="b.linear_regression.step").click().run()
    hand_slider(at, "linear_regression", "b").set_value(0.5).run()
    assert [m.step for m in _run(at).moves] == [0, 1]
    at.number_input(key="w.linear_regression.lr").set_value(0.02).run()
    run = _run(at)
    assert run.config.lr == 0.02 and run.step_count == 0
    assert [(m.step, m.w) for m in run.moves] == [(0, (1.0,))] and run.params()["w"] == [1.0]


def test_with_feature_scaling_the_hands_work_on_the_z_scores_the_loop_trains_on(at):
    at.toggle(key="w.linear_regression.scale").set_value(True).run()
    assert not at.exception
    hand_slider(at, "linear_regression", "w").set_value(1.0).run()
    run = _run(at)
    assert run.scaler is not None and run.params()["w"] == [1.0]
    at.button(key="b.linear_regression.step").click().run()
    gw, gb = manual.mse_gradient(run.train_data.X, run.train_data.y, 1.0, run.moves[0].b[0])
    rec = run.records(last=1)[-1]
    assert rec["grad_w"] == pytest.approx(gw, rel=1e-4) and rec["grad_b"] == pytest.approx(gb, rel=1e-4, abs=1e-6)
    at.button(key="b.linear_regression.slow").click().run()
    assert not at.exception and at.session_state["_linear_regression.slow"]["slow"].phase("update").values["w"] == \
        run.params()["w"][0]
