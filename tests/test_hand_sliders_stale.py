"""A slider value the browser reports for the run as it was (a Play tick or a second Step sent before the
last draw arrived) moves nothing: only a drag on the sliders of the run as it stands does."""
import pytest
import streamlit as st

from gdcore.presets import preset_config
from gdcore.session import Lesson
from pages.ui import cockpit


@pytest.fixture
def lesson():
    lesson = Lesson()
    lesson.ensure(preset_config("linreg-manual"))
    lesson.run.run(2)
    return lesson


def _report(lesson, keys_for, w, b, version):
    st.session_state[keys_for[0]], st.session_state[keys_for[1]] = w, b
    cockpit._slid(lesson, "linear_regression", *keys_for, version)


def test_a_report_from_before_the_last_step_moves_nothing(lesson):
    old_keys, old_version = cockpit.hand_keys("linear_regression", lesson.run), cockpit._version(lesson.run)
    before = lesson.run.params()
    lesson.play()
    lesson.run.run(1)  # a Play tick: the run moved on, the browser has not seen it yet
    now = lesson.run.params()
    _report(lesson, old_keys, before["w"][0], before["b"][0], old_version)
    assert lesson.run.params() == now and not lesson.run.moves and lesson.mode == "playing"


def test_a_drag_on_the_current_sliders_moves_the_run_and_stops_play(lesson):
    keys, version = cockpit.hand_keys("linear_regression", lesson.run), cockpit._version(lesson.run)
    lesson.play()
    _report(lesson, keys, 1.5, 0.25, version)
    assert lesson.run.params() == {"w": [1.5], "b": [0.25]} and len(lesson.run.moves) == 1
    assert lesson.mode == "idle"
    assert cockpit.hand_keys("linear_regression", lesson.run) != keys  # drawn afresh at the moved point


def test_no_report_stops_a_long_run_that_shows_only_its_progress(lesson):
    keys, version = cockpit.hand_keys("linear_regression", lesson.run), cockpit._version(lesson.run)
    before = lesson.run.params()
    lesson.start(quiet=True)  # Run to end: the page draws its progress and Stop, no sliders, no landscape
    _report(lesson, keys, 1.5, 0.25, version)  # the sliders' values, sent again with a live update
    cockpit._move(lesson, "linear_regression", 1.5, 0.25)  # a landscape selection sent again likewise
    assert lesson.mode == "running" and lesson.run.params() == before and not lesson.run.moves
    lesson.stop()  # stopped, the page draws the sliders again: a drag moves the run
    keys, version = cockpit.hand_keys("linear_regression", lesson.run), cockpit._version(lesson.run)
    _report(lesson, keys, 1.5, 0.25, version)
    assert lesson.run.params() == {"w": [1.5], "b": [0.25]} and len(lesson.run.moves) == 1
