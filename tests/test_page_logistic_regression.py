"""AppTest of the 'Logistic regression' page: stepping, preset, variants, page switch, the unsafe loss."""

import pytest

from apptest_util import open_page

PAGE = "pages/logistic_regression.py"


@pytest.fixture
def at():
    return open_page(PAGE)


def _run(app):
    return app.session_state["_lesson.logreg"].run


def test_renders_the_tutorial_run(at):
    c = _run(at).config
    assert (c.preset, c.impl, c.loss, c.mode, c.lr, c.epochs, c.seed) == (
        "logreg-manual", "manual", "bce_manual", "stochastic", 0.001, 100, 123)
    assert _run(at).total_steps == 100_000
    assert not at.error
    assert any(m.label == "accuracy" for m in at.metric)


def test_step_advances_exactly_one_step(at):
    run = _run(at)
    at.button(key="b.logreg.step").click().run()
    assert not at.exception
    assert _run(at) is run and run.step_count == 1
    assert run.last_batch == [0]  # data_x[0] first, as the tutorial
    assert any("#0" in m.value for m in at.markdown)  # the sample the step used is named


def test_variants_and_preset(at):
    at.radio(key="w.logreg.impl").set_value("module").run()
    at.toggle(key="w.logreg.safe").set_value(True).run()
    at.radio(key="w.logreg.mode").set_value("minibatch").run()
    at.selectbox(key="w.logreg.batch_size").set_value(64).run()
    at.selectbox(key="w.logreg.loader").set_value("dataloader").run()
    at.button(key="b.logreg.epoch").click().run()
    assert not at.exception
    run = _run(at)
    c = run.config
    assert (c.impl, c.loss, c.mode, c.batch_size, c.loader) == ("module", "bce_logits", "minibatch", 64, "dataloader")
    assert run.step_count == 16 and run.epoch == 1  # ceil(1000 / 64) steps
    at.button(key="b.logreg.preset").click().run()
    c = _run(at).config
    assert (c.impl, c.loss, c.mode, c.batch_size, c.loader, c.shuffle, c.lr, c.epochs) == (
        "manual", "bce_manual", "stochastic", 1, "index", False, 0.001, 100)


def test_state_survives_a_page_switch(at):
    at.number_input(key="w.logreg.lr").set_value(0.01).run()
    at.button(key="b.logreg.step").click().run()
    run = _run(at)
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.number_input(key="w.logreg.lr").value == 0.01
    assert _run(at) is run and run.step_count == 1


def test_large_lr_with_hand_written_loss_stops_with_reason_and_safe_loss_does_not(at):
    at.number_input(key="w.logreg.lr").set_value(10.0).run()
    at.button(key="b.logreg.run_n_btn").click().run()
    assert not at.exception
    assert _run(at).status == "diverged"
    assert any("log(0)" in e.value for e in at.error)
    at.toggle(key="w.logreg.safe").set_value(True).run()
    at.button(key="b.logreg.run_n_btn").click().run()
    assert _run(at).status == "ok" and _run(at).step_count == 100
    assert not any("diverged" in e.value for e in at.error)
