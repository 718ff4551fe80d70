"""AppTest of 'Step slowly' and the gradient's pull on the logistic-regression page."""
from __future__ import annotations

import json
import re

from apptest_util import open_page

from gdcore import slowmo_logistic
from gdcore.charts import vl

PAGE = "pages/views/logistic_regression.py"


def _run(at):
    return at.session_state["_lesson.logistic_regression"].run


def _numbers(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_step_slowly_plays_the_phases_and_ends_where_a_normal_step_does():
    at = open_page(PAGE)
    at.button(key="b.logistic_regression.slow").click().run()
    assert not at.exception
    run = _run(at)
    assert run.step_count == 1
    state = at.session_state["_logistic_regression.slow"]
    assert state["phase"] == 0 and state["playing"]
    assert any(">>     for step in range(n_items):" in c.value for c in at.code)
    assert any("**The sample.**" in m.value and "#0" in m.value for m in at.markdown)
    says = ["**Forward.**", "**Loss.**", "**Backward.**", "**Update.**", "**Zero the gradients.**"]
    marked = ["y_hat = forward(data_x[step])", "loss = loss_func(y_hat, y)", "loss.backward()",
              "w.data -= learning_rate * w.grad", "w.grad.data.zero_()"]
    for k, (word, line) in enumerate(zip(says, marked), start=1):
        at.button(key="b.logistic_regression.slow_next").click().run()
        assert not at.exception
        s = at.session_state["_logistic_regression.slow"]
        assert s["phase"] == k and not s["playing"]
        assert any(word in m.value for m in at.markdown), word
        assert any(re.search(">> +" + re.escape(line), c.value) for c in at.code), line
        assert "slow_step" in at.session_state["_charts.logistic_regression"]
    slow = at.session_state["_logistic_regression.slow"]["slow"]
    assert [p.name for p in slow.phases] == list(slowmo_logistic.PHASES)
    up = slow.phase("update").values
    p = run.params()
    assert (up["w"], up["b"]) == (p["w"], p["b"][0])  # the phases end where the run is
    drawn = json.dumps(vl.wire(at.session_state["_charts.logistic_regression"]["slow_step"]) | {"datasets": None})
    assert "after step 1 (dotted)" in drawn  # zero_grad: the boundary after the update, drawn
    slowly = _numbers(at)
    other = open_page(PAGE)  # a normal Step from the same start
    other.button(key="b.logistic_regression.step").click().run()
    assert _run(other).params() == p and _numbers(other) == slowly
    at.button(key="b.logistic_regression.step").click().run()  # the run moves on: the slow step closes
    assert "_logistic_regression.slow" not in at.session_state


def test_pause_and_play_and_the_pull_caption_after_a_step():
    at = open_page(PAGE)
    at.button(key="b.logistic_regression.slow").click().run()
    at.button(key="b.logistic_regression.slow_toggle").click().run()
    assert not at.session_state["_logistic_regression.slow"]["playing"]
    at.button(key="b.logistic_regression.slow_toggle").click().run()
    assert at.session_state["_logistic_regression.slow"]["playing"]
    at.button(key="b.logistic_regression.slow_close").click().run()
    assert "_logistic_regression.slow" not in at.session_state
    caption = next(c.value for c in at.caption if "The gradient's pull" in c.value)
    assert "Step 2 (sample #1) will move the boundary" in caption
    at.checkbox(key="w.logistic_regression.shuffle").check().run()
    assert not at.exception
    assert any("With shuffling on" in c.value for c in at.caption)
