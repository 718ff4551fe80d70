"""One step in slow motion: each phase's numbers equal the engine's record of that step."""
from __future__ import annotations

import json
import re

import pytest
import torch
from apptest_util import open_page

from gdcore import slowmo
from gdcore.charts import vl
from gdcore.engine import Run
from gdcore.lessons.linear_regression import run_config

PAGE = "pages/views/linear_regression.py"


def _before(run) -> tuple[float, float]:
    p = run.params()
    return p["w"][0], p["b"][0]


@pytest.mark.parametrize("recipe, steps", [("linreg-manual", 40), ("linreg-minibatch", 20)])
def test_every_phase_equals_the_engine_step_record(recipe, steps):
    run = Run(run_config(recipe, steps, seed=3))
    for _ in range(steps):
        w_old, b_old = _before(run)
        if run.step_count == 7:  # a hand move in between: the next step starts from it
            run.move_to(-1.0, 2.0)
            w_old, b_old = -1.0, 2.0
        rec = run.step()
        slow = slowmo.slow_step(recipe, run.data.X, run.data.y, w_old, b_old, run.config.lr, rec["step"])
        assert slow.phase("loss").values["loss"] == rec["loss"]
        assert slow.phase("backward").values == {"w.grad": rec["grad_w"], "b.grad": rec["grad_b"]}
        up = slow.phase("update").values
        assert (up["w"], up["b"]) == (rec["w"], rec["b"])
        assert slow.phase("zero_grad").values == {"w.grad": 0.0, "b.grad": 0.0}


def test_the_forward_values_are_the_predictions_and_the_loss_names_its_largest_terms():
    run = Run(run_config("linreg-minibatch", 5, seed=100))
    w, b = _before(run)
    slow = slowmo.slow_step("linreg-minibatch", run.data.X, run.data.y, w, b, 0.01, 1)
    x, y = run.data.X.reshape(-1), run.data.y.reshape(-1)
    fwd = slow.phase("forward").values
    assert fwd["h"] == (x * torch.tensor(w) + torch.tensor(b))[:slowmo.SHOWN_VALUES].tolist()
    sq = ((x * w + b) - y) ** 2
    top = slow.phase("loss").values["top"]
    assert [i for i, *_ in top] == torch.topk(sq, slowmo.TOP).indices.tolist()
    assert top[0][3] == pytest.approx(float(sq.max() / sq.sum()), rel=1e-5)


def test_phases_follow_the_tutorials_own_order_and_lines():
    w, b, X, y = 0.5, 0.5, torch.rand(10), torch.rand(10)
    s003 = slowmo.slow_step("linreg-manual", X, y, w, b, 0.01, 1)
    assert [p.name for p in s003.phases] == ["forward", "loss", "zero_grad", "backward", "update"]  # 003 zeroes first
    s000 = slowmo.slow_step("linreg-minibatch", X, y, w, b, 0.01, 1)
    assert [p.name for p in s000.phases] == ["forward", "loss", "backward", "update", "zero_grad"]
    for slow in (s003, s000):
        assert "loss.backward()" in slow.code[slow.phase("backward").lines[0]]
        assert all(".data -=" in slow.code[i] for i in slow.phase("update").lines)
    shown = slowmo.annotated(s000, 2)
    assert ">>         loss.backward()" in shown and "# -> w.grad = " in shown and "# -> w = " not in shown
    assert "lr" not in slowmo.loop_lines("linreg-manual", 0.5)[-1] and "0.5 * b.grad" in slowmo.loop_lines(
        "linreg-manual", 0.5)[-1]


def test_step_slowly_on_the_page_plays_one_step_by_phases():
    at = open_page(PAGE)
    run = at.session_state["_lesson.linear_regression"].run
    w_old, b_old = _before(run)
    at.button(key="b.linear_regression.slow").click().run()
    assert not at.exception and run.step_count == 1
    state = at.session_state["_linear_regression.slow"]
    assert state["phase"] == 0 and state["slow"].phase("update").values["w"] == run.params()["w"][0]
    assert any(">>     y_predict = x*w + b" in c.value for c in at.code)
    at.button(key="b.linear_regression.slow_next").click().run()
    assert at.session_state["_linear_regression.slow"]["phase"] == 1
    assert not at.session_state["_linear_regression.slow"]["playing"]
    assert any("**Loss.**" in m.value for m in at.markdown)
    for _ in range(3):  # zero_grad, backward, update: each draws its picture
        at.button(key="b.linear_regression.slow_next").click().run()
        assert not at.exception
    assert at.session_state["_linear_regression.slow"]["phase"] == 4
    saved = at.session_state["_charts.linear_regression"]["slow_step"]  # a plain spec, as a Step's charts
    drawn = json.dumps(vl.altair(saved).to_dict())
    up = at.session_state["_linear_regression.slow"]["slow"].phase("update").values
    assert "the update: -lr * gradient" in drawn  # the update's own arrow, from the old point to the new
    w_end = float(re.search(r'"w_end": ([-0-9.e]+)', drawn).group(1))
    assert w_end == pytest.approx(up["w"], rel=1e-6)  # the arrow ends at the new w
    at.button(key="b.linear_regression.step").click().run()  # the run moves on: the slow step closes
    assert "_linear_regression.slow" not in at.session_state


def test_the_forward_picture_draws_each_residual_and_marks_the_largest_terms():
    from gdcore.charts.cockpit import residual_view

    x = torch.tensor([0.0, 1.0, 2.0, 3.0])
    y = torch.tensor([1.0, 1.0, 9.0, 2.0])
    spec = residual_view(x, y, 1.0, 0.5, top=[2]).to_dict()
    rows = next(v for v in spec["datasets"].values() if len(v) == 4)
    assert [r["residual"] for r in rows] == [1.0 * xi + 0.5 - yi for xi, yi in zip(x.tolist(), y.tolist())]
    assert [r["top"] for r in rows].count("adds most to the loss") == 1 and rows[2]["top"] == "adds most to the loss"
    assert all("tooltip" in layer["encoding"] for layer in spec["layer"])
