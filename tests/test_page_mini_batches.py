"""AppTest for pages/mini_batches.py: renders, steps, presets, page switches, divergence, bad batch_size."""

import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import open_page

from gdcore.lessons import minibatch as mb

PAGE = "pages/mini_batches.py"
LESSON = "_lesson.minibatch"


def _open() -> AppTest:
    return open_page(PAGE)


def _run(at):
    return at.session_state[LESSON].run


def _codes(at) -> list[str]:
    return [c.value for c in at.code]


def _shown_batch(at) -> str:
    """The code block showing the current batch's indices ('[...]')."""
    shown = [v for v in _codes(at) if v.startswith("[")]
    assert len(shown) == 1
    return shown[0]


@pytest.fixture(scope="module")
def at():
    return _open()


def test_renders_with_the_tutorials_dataloader_printout(at):
    assert not at.exception
    assert at.title[0].value.endswith("Mini-batches")
    printout = next(v for v in _codes(at) if v.startswith("dataloader len"))
    assert printout.splitlines()[:2] == ["dataloader len =8", "index=0 num = 20"]
    assert printout.splitlines()[-1] == "index=7 num = 10"
    run = _run(at)
    assert (run.config.batch_size, run.config.lr, run.config.epochs, run.config.preset) == (20, 0.01, 99, "linreg-minibatch")
    assert run.step_count == 0 and _shown_batch(at) == "[]"


def test_step_advances_exactly_one_step_and_the_batch_changes(at):
    run = _run(at)
    before = run.step_count
    at.button(key="b.minibatch.step").click().run()
    assert not at.exception
    run = _run(at)
    assert run.step_count == before + 1
    first = _shown_batch(at)
    assert first == mb.format_batch(run.last_batch) and len(run.last_batch) == 20
    at.button(key="b.minibatch.step").click().run()
    assert _run(at).step_count == before + 2
    second = _shown_batch(at)
    assert second != first
    assert second == mb.format_batch(_run(at).last_batch)
    assert any("epoch(1) batch(1)" in v for v in _codes(at))  # the tutorial's print line for that step


def test_state_survives_a_switch_to_home_and_back(at):
    at.number_input(key="w.minibatch.batch_size").set_value(25).run()
    for _ in range(3):
        at.button(key="b.minibatch.step").click().run()
    run = _run(at)
    assert run.config.batch_size == 25 and run.step_count == 3
    at.switch_page("pages/home.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.number_input(key="w.minibatch.batch_size").value == 25
    assert _run(at) is run and run.step_count == 3


def test_presets_load_the_tutorials_values(at):
    at.button(key="b.minibatch.preset_d2l").click().run()
    assert not at.exception
    run = _run(at)
    assert (run.config.preset, run.config.batch_size, run.config.lr, run.config.epochs) == ("linreg-d2l", 10, 0.03, 3)
    assert at.number_input(key="w.minibatch.lr").value == 0.03
    assert at.radio(key="w.minibatch.feature").value == 1  # d2l's book plots features[:, 1]
    at.button(key="b.minibatch.epoch").click().run()
    assert not at.exception
    printed = next(v for v in _codes(at) if v.startswith("epoch 1, loss"))
    assert "error in estimating w" in printed
    at.button(key="b.minibatch.preset_000").click().run()
    run = _run(at)
    assert (run.config.preset, run.config.batch_size, run.config.lr, run.config.epochs) == ("linreg-minibatch", 20, 0.01, 99)
    assert at.number_input(key="w.minibatch.epochs").value == 99


def test_diverging_lr_shows_the_message(at):
    at.button(key="b.minibatch.preset_000").click().run()
    at.number_input(key="w.minibatch.lr").set_value(1.0).run()
    at.button(key="b.minibatch.run_n_btn").click().run()
    assert not at.exception
    assert _run(at).status == "diverged"
    assert any("diverged at step" in e.value and "stability limit" in e.value for e in at.error)


def test_batch_size_larger_than_n_is_prevented_or_explained(at):
    at.button(key="b.minibatch.preset_000").click().run()
    box = at.number_input(key="w.minibatch.batch_size")
    assert box.max == 150  # the widget itself stops at n
    box.set_value(500).run()
    assert not at.exception
    assert 1 <= _run(at).config.batch_size <= 150
    # a batch_size valid for d2l's 1000 samples, then tutorial 000's 150: capped and explained
    at.button(key="b.minibatch.preset_d2l").click().run()
    at.number_input(key="w.minibatch.batch_size").set_value(500).run()
    assert _run(at).config.batch_size == 500
    at.session_state["w.minibatch.base"] = "linreg-minibatch"
    at.run()
    assert not at.exception
    assert any("larger than the 150 samples" in w.value for w in at.warning)
    assert at.number_input(key="w.minibatch.batch_size").value == 150
    assert _run(at).config.batch_size == 150 and _run(at).config.preset == "linreg-minibatch"


def test_compare_three_modes_and_the_pitfall(at):
    at.button(key="b.minibatch.preset_000").click().run()
    at.number_input(key="w.minibatch.cmp_epochs").set_value(1).run()
    at.button(key="b.minibatch.compare").click().run()
    assert not at.exception
    runs = at.session_state[LESSON].extra["compare"]["runs"]
    assert list(runs) == ["batch", "stochastic", "minibatch"]
    starts = [mb.start_params(r) for r in runs.values()]
    assert starts[0] == starts[1] == starts[2]
    assert [r.step_count for r in runs.values()] == [1, 150, 8]
    at.radio(key="w.minibatch.cmp_view").set_value("epoch").run()
    assert not at.exception
    at.number_input(key="w.minibatch.epochs").set_value(2).run()
    at.button(key="b.minibatch.pitfall_run").click().run()
    assert not at.exception
    pit = at.session_state[LESSON].extra["pitfall"]["runs"]
    assert pit[True].config.full_tensor_pitfall and not pit[False].config.full_tensor_pitfall
    assert pit[True].step_count == pit[False].step_count == 16
    assert len(at.session_state[LESSON].extra) <= 3  # compare, pitfall, replay: bounded
