"""The learning-rate explorer page, driven through Streamlit's AppTest."""
import json

from streamlit.testing.v1 import AppTest

from apptest_util import open_page

PAGE = "pages/lr_explorer.py"
LESSON = "_lesson.lr_explorer"


def _open() -> AppTest:
    return open_page(PAGE)


def _specs(at):
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_train_all_diverged_markers_state_across_pages_and_the_best_run():
    at = _open()
    assert at.session_state["w.lrx.preset"] == "linreg-manual"
    assert (at.select_slider(key="w.lrx.lr_min").value, at.select_slider(key="w.lrx.lr_max").value) == (1e-3, 2.0)
    at.slider(key="w.lrx.runs").set_value(8)
    at.number_input(key="w.lrx.steps").set_value(300)
    at.button(key="b.lrx.train").click().run()
    assert not at.exception and not at.error
    result = at.session_state[LESSON].extra["sweep"]
    assert result.n_runs == 8 and result.steps == 300 and result.lrs[0] == 1e-3 and result.lrs[-1] == 2.0
    # the range reaches past 2/λmax = 0.82: lr 2 diverges, shown as a marker and a warning
    assert result.diverged_at[-1] == 33 and sum(d is not None for d in result.diverged_at) == 1
    assert any("1 of 8 runs diverged" in w.value for w in at.warning)
    assert any(m.label == "diverged" and m.value == "1 of 8" for m in at.metric)
    specs = _specs(at)
    assert len(specs) == 2  # final loss against lr, and the selected runs' curves
    assert any(ly["mark"].get("shape") == "cross" for ly in specs[0]["layer"])
    assert any(ly["mark"]["type"] == "rule" for ly in specs[0]["layer"])  # the stability limit
    assert any("Goldilocks region" in m.value for m in at.markdown)

    # another page and back: the sweep and the settings are still there
    at.switch_page("pages/home.py")
    at.run()
    assert not at.exception
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert at.slider(key="w.lrx.runs").value == 8 and at.number_input(key="w.lrx.steps").value == 300
    assert at.session_state[LESSON].extra["sweep"] is result
    assert len(_specs(at)) == 2 and not any("previous settings" in i.value for i in at.info)

    # the best lr as an ordinary run: built only when asked for, then stepped like every lesson
    assert at.session_state[LESSON].run is None
    at.toggle(key="w.lrx.replay").set_value(True).run()
    assert not at.exception
    run = at.session_state[LESSON].run
    assert run is not None and run.config.lr == result.lrs[result.best] and run.step_count == 0
    at.button(key="b.lrx.step").click().run()
    assert not at.exception and at.session_state[LESSON].run.step_count == 1
    assert any("Show the code" in e.label for e in at.expander)


def test_preset_change_tutorial_button_and_stale_results():
    at = _open()
    at.selectbox(key="w.lrx.preset").set_value("linreg-minibatch").run()
    assert not at.exception
    assert at.select_slider(key="w.lrx.lr_min").value == 1e-4 and at.select_slider(key="w.lrx.lr_max").value == 0.5
    assert at.number_input(key="w.lrx.steps").value == 792
    at.slider(key="w.lrx.runs").set_value(5).run()
    at.number_input(key="w.lrx.steps").set_value(40).run()
    at.button(key="b.lrx.preset").click().run()  # the tutorial settings again
    assert at.slider(key="w.lrx.runs").value == 32 and at.number_input(key="w.lrx.steps").value == 792
    # train a short sweep, then change a setting: the page says the results are from before
    at.slider(key="w.lrx.runs").set_value(4)
    at.number_input(key="w.lrx.steps").set_value(16)
    at.button(key="b.lrx.train").click().run()
    assert not at.exception and at.session_state[LESSON].extra["sweep"].n_runs == 4
    at.number_input(key="w.lrx.steps").set_value(24).run()
    assert any("previous settings" in i.value for i in at.info)
    # both ends equal: a warning, nothing breaks
    at.select_slider(key="w.lrx.lr_max").set_value(1e-4).run()
    assert not at.exception and any("same" in w.value for w in at.warning)


def test_a_range_where_every_lr_diverges():
    at = _open()
    at.select_slider(key="w.lrx.lr_min").set_value(5.0)
    at.select_slider(key="w.lrx.lr_max").set_value(100.0)
    at.slider(key="w.lrx.runs").set_value(4)
    at.number_input(key="w.lrx.steps").set_value(200)
    at.button(key="b.lrx.train").click().run()
    assert not at.exception and not at.error
    result = at.session_state[LESSON].extra["sweep"]
    assert result.status == ["diverged"] * 4
    assert any("Every run diverged" in i.value for i in at.info)
    assert any("4 of 4 runs diverged" in w.value for w in at.warning)
    layers = _specs(at)[0]["layer"]
    assert [ly["mark"].get("shape") for ly in layers if ly["mark"]["type"] == "point"] == ["cross"]
