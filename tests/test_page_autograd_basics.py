"""AppTest for pages/autograd_basics.py: backward, accumulation, zeroing, requires_grad, page switches."""
from __future__ import annotations


import pytest

from apptest_util import open_page

PAGE = "pages/autograd_basics.py"
STATE = "_autograd.demo"


@pytest.fixture
def at():
    return open_page(PAGE)


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_backward_accumulates_and_zero_resets(at):
    demo = at.session_state[STATE]
    assert demo.settings == (1.0, 2, 2, True) and demo.x.grad is None
    assert metric(at, "x.grad") == "None"

    at.button(key="b.autograd.backward").click().run()
    assert not at.exception
    assert at.session_state[STATE].x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]  # 3 (x + 2) / 2
    assert metric(at, "x.grad") == "all 4.5" and metric(at, "one pass: 6(x+2)/4") == "all 4.5"
    assert any("agrees with the calculus" in s.value for s in at.success)

    at.button(key="b.autograd.backward").click().run()
    assert at.session_state[STATE].x.grad[0, 0].item() == 9.0
    assert metric(at, "x.grad") == "all 9" and metric(at, "backward passes since zero") == "2"
    assert any("Gradients accumulate" in w.value for w in at.warning)

    at.button(key="b.autograd.zero").click().run()
    assert at.session_state[STATE].x.grad[0, 0].item() == 0.0
    assert metric(at, "x.grad") == "all 0"

    at.button(key="b.autograd.same").click().run()  # fresh graph: allowed once
    at.button(key="b.autograd.same").click().run()  # the same graph again: refused, shown as text
    assert not at.exception
    assert any("second time" in e.value for e in at.error)

    # the .data / .detach() demo shows autograd's version-counter error as text
    assert any("modified by an inplace operation" in e.value for e in at.error)
    assert any("Can't call numpy()" in e.value for e in at.error)


def test_fill_value_preset_and_requires_grad(at):
    at.number_input(key="w.autograd.fill").set_value(3.0).run()
    at.button(key="b.autograd.backward").click().run()
    demo = at.session_state[STATE]
    assert demo.settings == (3.0, 2, 2, True)
    assert demo.x.grad[0, 0].item() == pytest.approx(7.5)  # 3 (3 + 2) / 2

    at.number_input(key="w.autograd.rows").set_value(3).run()
    at.button(key="b.autograd.backward").click().run()
    assert at.session_state[STATE].x.grad[0, 0].item() == pytest.approx(6 * 5 / 6)  # 6 (x + 2) / n, n = 6

    at.toggle(key="w.autograd.requires_grad").set_value(False).run()
    at.button(key="b.autograd.backward").click().run()
    assert not at.exception
    assert any("does not require grad" in e.value for e in at.error)
    assert at.session_state[STATE].tensors()[1]["grad_fn"] is None

    at.button(key="b.autograd.preset").click().run()
    assert at.number_input(key="w.autograd.fill").value == 1.0
    assert at.number_input(key="w.autograd.rows").value == 2
    assert at.toggle(key="w.autograd.requires_grad").value is True
    assert at.session_state[STATE].settings == (1.0, 2, 2, True)


def test_state_survives_a_page_switch(at):
    at.number_input(key="w.autograd.fill").set_value(2.0).run()
    at.radio(key="w.autograd.view").set_value("backward").run()
    at.button(key="b.autograd.backward").click().run()
    at.button(key="b.autograd.backward").click().run()
    at.switch_page("pages/home.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert not at.exception
    demo = at.session_state[STATE]
    assert demo.settings == (2.0, 2, 2, True) and demo.backward_count == 2
    assert demo.x.grad[0, 0].item() == pytest.approx(12.0)  # 2 passes x 3 (2 + 2) / 2
    assert at.radio(key="w.autograd.view").value == "backward"
