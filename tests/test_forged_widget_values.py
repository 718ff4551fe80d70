"""A forged websocket message that gives widgets values of the wrong type never breaks a page.

The browser sends each widget's value in the widget's own type; a hand-made message need not.
Every widget of every page gets a value of another type in one message: the page must draw
without an exception, keep its run controls, and show the widgets' defaults.
"""
import pytest
from apptest_util import open_page

PAGES = ["home", "autograd_basics", "linear_regression", "mini_batches", "why_squared_loss", "optimizers",
         "logistic_regression", "lr_explorer", "exercises", "instructor"]


def _forge(at):
    """The widget states the browser would send, each value replaced by one of another type."""
    states = at._tree.get_widget_states()
    forged = 0
    for w in states.widgets:
        kind = w.WhichOneof("value")
        if kind in (None, "trigger_value", "string_trigger_value"):
            continue  # buttons: a click is a click
        if kind == "string_value":
            w.int_value = 7
        elif kind == "bool_value":
            w.string_value = "yes"
        elif kind in ("double_value", "int_value"):
            w.string_value = "abc"
        else:
            w.double_value = float("nan")
        forged += 1
    return states, forged


@pytest.mark.parametrize("page", PAGES)
def test_wrong_typed_widget_values_leave_the_page_working(page):
    at = open_page(f"pages/views/{page}.py")
    buttons = {b.key for b in at.button}
    states, forged = _forge(at)
    assert forged > 0
    at._run(states)
    assert not at.exception, at.exception
    assert buttons <= {b.key for b in at.button}  # every control is still there
    at.run()  # and the next ordinary rerun is fine too
    assert not at.exception, at.exception


def _send(at, key: str, set_value) -> None:
    """Rerun with the browser's widget states, the widget `key`'s value replaced by set_value(state)."""
    states = at._tree.get_widget_states()
    wid = next(w for w in at._tree.get_widget_states().widgets if w.id.endswith(key))
    set_value(next(w for w in states.widgets if w.id == wid.id))
    at._run(states)
    assert not at.exception, at.exception


def test_a_value_of_another_kind_is_ignored_and_the_widget_keeps_its_value():
    at = open_page("pages/views/linear_regression.py")
    at.number_input(key="w.linear_regression.lr").set_value(0.05).run()
    _send(at, "w.linear_regression.lr", lambda w: setattr(w, "string_value", "0.1; import os"))
    assert at.number_input(key="w.linear_regression.lr").value == 0.05
    assert at.session_state["_lesson.linear_regression"].run.config.lr == 0.05
    at.button(key="b.linear_regression.step").click().run()
    assert not at.exception and at.session_state["_lesson.linear_regression"].run.step_count == 1


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -5.0, 1e300])
def test_a_number_the_widget_refuses_is_ignored(bad):
    at = open_page("pages/views/linear_regression.py")
    at.number_input(key="w.linear_regression.lr").set_value(0.05).run()
    _send(at, "w.linear_regression.lr", lambda w: setattr(w, "double_value", bad))
    assert at.number_input(key="w.linear_regression.lr").value == 0.05
    assert at.session_state["_lesson.linear_regression"].run.config.lr == 0.05
