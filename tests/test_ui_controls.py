"""The run controls act once per click, even when Streamlit hands the same click to a callback twice
(the fragment's run, then the full rerun it asks for when a long run starts or stops)."""
from apptest_util import open_page

from gdcore import preset_config
from gdcore.session import Lesson
from pages import ui


def _lesson(**overrides) -> Lesson:
    lesson = Lesson()
    lesson.ensure(preset_config("linreg-manual", **overrides))
    return lesson


def test_a_step_click_seen_twice_steps_once():
    lesson = _lesson()
    drawn_at = lesson.run.step_count
    ui._step(lesson, drawn_at)
    ui._step(lesson, drawn_at)  # the same click, again
    assert lesson.run.step_count == 1
    ui._step(lesson, lesson.run.step_count)  # a new click, drawn after the first
    assert lesson.run.step_count == 2


def test_a_step_click_during_a_long_run_stops_it_and_steps_once():
    lesson = _lesson()
    lesson.start()
    lesson.tick(0.01)
    drawn_at = lesson.run.step_count
    ui._step(lesson, drawn_at)
    ui._step(lesson, drawn_at)
    assert not lesson.busy and lesson.run.step_count == drawn_at + 1


def test_an_epoch_click_seen_twice_runs_one_epoch():
    lesson = Lesson()
    lesson.ensure(preset_config("linreg-minibatch"))
    ui._epoch(lesson, 0)
    ui._epoch(lesson, 0)
    assert lesson.run.step_count == lesson.run.steps_per_epoch


def test_play_and_stop_are_separate_buttons():
    at = open_page("pages/views/linear_regression.py")
    keys = {b.key for b in at.button}
    assert "b.linear_regression.play" in keys and "b.linear_regression.stop" not in keys
    next(b for b in at.button if b.key == "b.linear_regression.play").click().run()
    assert at.session_state["_lesson.linear_regression"].mode == "playing"
    keys = {b.key for b in at.button}
    assert "b.linear_regression.stop" in keys and "b.linear_regression.play" not in keys
    next(b for b in at.button if b.key == "b.linear_regression.stop").click().run()
    assert at.session_state["_lesson.linear_regression"].mode == "idle"
    assert "b.linear_regression.play" in {b.key for b in at.button}


def test_a_long_run_shows_its_progress_and_draws_the_charts_once_it_stops():
    """Run to end trains on the worker; meanwhile the lesson shows progress and Stop, not a redraw of
    every chart per tick. Stopped (or done), the charts are back, at the steps taken."""
    at = open_page("pages/views/linear_regression.py")
    at.number_input(key="w.linear_regression.steps").set_value(1_000_000).run()
    charts_idle = len(at.get("vega_lite_chart"))
    at.button(key="b.linear_regression.run_all").click().run()
    lesson = at.session_state["_lesson.linear_regression"]
    assert lesson.busy and lesson.quiet
    charts_running = len(at.get("vega_lite_chart"))
    assert "b.linear_regression.long_stop" in {b.key for b in at.button} and charts_running < charts_idle
    assert any("running: step" in p.proto.text for p in at.get("progress"))
    next(b for b in at.button if b.key == "b.linear_regression.long_stop").click().run()
    assert not lesson.busy and 0 < lesson.run.step_count < 1_000_000
    assert len(at.get("vega_lite_chart")) >= charts_idle > charts_running  # with the loss curve now
