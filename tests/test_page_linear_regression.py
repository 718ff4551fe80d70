"""AppTest: the linear-regression page renders, steps, loads presets, keeps state, explains divergence."""

import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import open_page

PAGE = "pages/linear_regression.py"
LESSON = "_lesson.linreg"


def _open() -> AppTest:
    return open_page(PAGE)


def _errors(at) -> str:
    return " ".join(e.value for e in at.error)


@pytest.fixture
def at() -> AppTest:
    return _open()


def test_renders_and_step_advances_exactly_one_step(at):
    run = at.session_state[LESSON].run
    assert run.step_count == 0 and not _errors(at)
    assert at.number_input(key="w.linreg.lr").value == pytest.approx(0.01)  # tutorial 003 by default
    at.button(key="b.linreg.step").click().run()
    assert not at.exception
    lesson = at.session_state[LESSON]
    assert lesson.run is run and run.step_count == 1 and len(run.losses()) == 1
    at.button(key="b.linreg.step").click().run()
    assert run.step_count == 2 and len(run.losses()) == 2
    codes = " ".join(c.value for c in at.code)
    assert "epoch(2) batch(0) loss,Δw,Δb,w,b = " in codes  # the tutorial's printout
    assert "w.data -= lr * w.grad" in codes and " - 0.01 × (" in codes  # the update with numbers
    assert any("2/λmax" in m.label for m in at.metric)


def test_presets_load_tutorial_values(at):
    at.button(key="b.linreg.preset000").click().run()
    assert not at.exception
    assert at.number_input(key="w.linreg.n").value == 150
    assert at.number_input(key="w.linreg.noise").value == pytest.approx(0.3)
    assert at.number_input(key="w.linreg.steps").value == 792  # 99 epochs × 8 batches
    cfg = at.session_state[LESSON].run.config
    assert (cfg.preset, cfg.mode, cfg.impl, cfg.optimizer, cfg.seed) == \
        ("linreg-minibatch", "batch", "manual", "sgd", 100)
    assert cfg.total_steps(cfg.n) == 792

    at.button(key="b.linreg.preset003").click().run()
    assert at.number_input(key="w.linreg.lr").value == pytest.approx(0.01)
    assert at.number_input(key="w.linreg.steps").value == 3000
    assert at.number_input(key="w.linreg.n").value == 50
    cfg = at.session_state[LESSON].run.config
    assert (cfg.preset, cfg.lr, cfg.n, cfg.total_steps(cfg.n), cfg.true_w, cfg.true_b, cfg.noise) == \
        ("linreg-manual", 0.01, 50, 3000, (3.0,), 0.8, 0.0)
    assert cfg.seed == 0  # the tutorial's own seed while the sidebar seed is empty

    at.number_input(key="w.seed").set_value(7).run()  # the sidebar seed, then the page's own
    assert at.session_state[LESSON].run.config.seed == 7
    at.button(key="b.linreg.regen").click().run()
    assert at.number_input(key="w.linreg.seed").value == 8
    assert at.session_state[LESSON].run.config.seed == 8


def test_state_survives_a_page_switch(at):
    at.number_input(key="w.linreg.lr").set_value(0.05).run()
    for _ in range(3):
        at.button(key="b.linreg.step").click().run()
    run = at.session_state[LESSON].run
    assert run.step_count == 3
    at.switch_page("pages/home.py")
    at.run()
    assert not at.exception
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert at.session_state[LESSON].run is run and run.step_count == 3
    assert at.number_input(key="w.linreg.lr").value == pytest.approx(0.05)


def test_lr_above_the_limit_diverges_with_an_explained_stop(at):
    limit = at.session_state[LESSON].run.stability_limit()
    at.number_input(key="w.linreg.lr").set_value(round(limit * 3, 2)).run()
    at.button(key="b.linreg.run_n_btn").click().run()
    assert not at.exception
    run = at.session_state[LESSON].run
    assert run.status == "diverged"
    assert "diverged at step" in _errors(at) and "stability limit" in _errors(at)
    assert any("Why it diverged" in w.value for w in at.warning)


def test_bad_input_does_not_crash(at):
    at.number_input(key="w.linreg.n").set_value(1).run()
    at.number_input(key="w.linreg.noise").set_value(0.5).run()
    assert not at.exception
    assert any("not unique" in w.value for w in at.warning)
    at.button(key="b.linreg.step").click().run()
    assert not at.exception and at.session_state[LESSON].run.step_count == 1
    at.number_input(key="w.linreg.x_range").set_value(1000.0).run()  # huge curvature: lr 0.01 diverges
    at.button(key="b.linreg.run_n_btn").click().run()
    assert not at.exception and "diverged" in _errors(at)
