"""AppTest of the 'nn.Module and optimizers' page: stepping, preset, page switch, divergence, race, lockstep."""

import pytest

from apptest_util import open_page

from gdcore.lessons import optim as O

PAGE = "pages/optimizers.py"


@pytest.fixture
def at():
    return open_page(PAGE)


def _lesson(app):
    return app.session_state["_lesson.optim"]


def test_renders_the_tutorial_run(at):
    run = _lesson(at).run
    c = run.config
    assert (c.preset, c.impl, c.optimizer, c.lr, c.steps, c.mode) == (
        "linreg-module", "module", "sgd", 1e-3, 30000, "batch")
    assert run.step_count == 0
    assert at.button(key="b.optim.race") is not None and at.button(key="b.optim.lock_step") is not None
    assert not at.error


def test_step_advances_exactly_one_step(at):
    at.button(key="b.optim.step").click().run()
    assert not at.exception
    run = _lesson(at).run
    assert run.step_count == 1 and len(run.losses()) == 1
    at.button(key="b.optim.step").click().run()
    assert _lesson(at).run is run and run.step_count == 2


def test_preset_loads_tutorial_values_and_state_survives_page_switch(at):
    at.selectbox(key="w.optim.optimizer").set_value("adam").run()
    at.number_input(key="w.optim.lr").set_value(0.05).run()
    at.number_input(key="w.optim.steps").set_value(500).run()
    at.button(key="b.optim.step").click().run()
    run = _lesson(at).run
    assert run.config.optimizer == "adam" and run.step_count == 1
    assert O.state_keys(run) == ["exp_avg", "exp_avg_sq"]
    assert any("exp_avg" in c for df in at.dataframe for c in df.value.columns)
    # away and back: settings and the run are kept
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.selectbox(key="w.optim.optimizer").value == "adam"
    assert at.number_input(key="w.optim.lr").value == 0.05
    assert _lesson(at).run is run and run.step_count == 1
    # the preset puts the tutorial back
    at.button(key="b.optim.preset").click().run()
    assert at.selectbox(key="w.optim.optimizer").value == "sgd"
    assert at.number_input(key="w.optim.lr").value == 1e-3
    assert at.number_input(key="w.optim.steps").value == 30000
    c = _lesson(at).run.config
    assert (c.optimizer, c.lr, c.steps) == ("sgd", 1e-3, 30000)


def test_diverging_lr_shows_the_message(at):
    at.number_input(key="w.optim.lr").set_value(5.0).run()
    at.button(key="b.optim.run_n_btn").click().run()
    assert not at.exception
    run = _lesson(at).run
    assert run.status == "diverged"
    assert any("diverged" in e.value and "stability limit" in e.value for e in at.error)


def test_race_makes_five_runs_from_one_start(at):
    at.number_input(key="w.optim.race_steps").set_value(50).run()
    at.button(key="b.optim.race").click().run()
    assert not at.exception
    race = _lesson(at).extra["race"]
    assert set(race) == set(O.RACE_OPTIMIZERS)
    starts = list(O.start_params(race).values())
    assert all(s == starts[0] for s in starts)
    assert all(r.step_count == 50 for r in race.values())
    assert len(at.dataframe) >= 1  # the summary table


def test_lockstep_step_both_keeps_diffs_tiny(at):
    at.button(key="b.optim.lock_step").click().run()
    manual, module = _lesson(at).extra["lockstep"]
    assert manual.step_count == module.step_count == 1
    at.button(key="b.optim.lock_step100").click().run()
    assert not at.exception
    assert manual.step_count == module.step_count == 101
    assert O.max_abs_diff(manual, module) < 1e-5
    assert any(m.label.startswith("largest |manual") for m in at.metric)
