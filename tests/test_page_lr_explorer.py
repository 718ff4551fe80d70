"""The learning-rate explorer page, driven through Streamlit's AppTest."""
import json

from apptest_util import away_and_back, open_link, open_page
from streamlit.testing.v1 import AppTest

from gdcore.i18n import translator
from gdcore.lessons import lr_explorer

PAGE = "pages/views/lr_explorer.py"
LESSON = "_lesson.lr_explorer"


def _open() -> AppTest:
    return open_page(PAGE)


def _specs(at):
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_train_all_diverged_markers_state_across_pages_and_the_best_run():
    at = _open()
    assert at.session_state["w.lr_explorer.preset"] == "linreg-manual"
    assert (at.select_slider(key="w.lr_explorer.lr_min").value,
            at.select_slider(key="w.lr_explorer.lr_max").value) == (1e-3, 2.0)
    at.slider(key="w.lr_explorer.runs").set_value(8)
    at.number_input(key="w.lr_explorer.steps").set_value(300)
    at.button(key="b.lr_explorer.train").click().run()
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
    away_and_back(at, PAGE)
    assert at.slider(key="w.lr_explorer.runs").value == 8 and at.number_input(key="w.lr_explorer.steps").value == 300
    assert at.session_state[LESSON].extra["sweep"] is result
    assert len(_specs(at)) == 2 and not any("previous settings" in i.value for i in at.info)

    # the best lr as an ordinary run: built only when asked for, then stepped like every lesson
    assert at.session_state[LESSON].run is None
    at.toggle(key="w.lr_explorer.replay").set_value(True).run()
    assert not at.exception
    run = at.session_state[LESSON].run
    assert run is not None and run.config.lr == result.lrs[result.best] and run.step_count == 0
    at.button(key="b.lr_explorer.step").click().run()
    assert not at.exception and at.session_state[LESSON].run.step_count == 1
    assert any("Show the code" in e.label for e in at.expander)


def test_preset_change_tutorial_button_and_stale_results():
    at = _open()
    at.selectbox(key="w.lr_explorer.preset").set_value("linreg-minibatch").run()
    assert not at.exception
    assert at.select_slider(key="w.lr_explorer.lr_min").value == 1e-4
    assert at.select_slider(key="w.lr_explorer.lr_max").value == 0.5
    assert at.number_input(key="w.lr_explorer.steps").value == 792
    at.slider(key="w.lr_explorer.runs").set_value(5).run()
    at.number_input(key="w.lr_explorer.steps").set_value(40).run()
    at.button(key="b.lr_explorer.preset").click().run()  # the tutorial settings again
    assert at.slider(key="w.lr_explorer.runs").value == 32 and at.number_input(key="w.lr_explorer.steps").value == 792
    # train a short sweep, then change a setting: the page says the results are from before
    at.slider(key="w.lr_explorer.runs").set_value(4)
    at.number_input(key="w.lr_explorer.steps").set_value(16)
    at.button(key="b.lr_explorer.train").click().run()
    assert not at.exception and at.session_state[LESSON].extra["sweep"].n_runs == 4
    at.number_input(key="w.lr_explorer.steps").set_value(24).run()
    assert any("previous settings" in i.value for i in at.info)
    # both ends equal: a warning, nothing breaks
    at.select_slider(key="w.lr_explorer.lr_max").set_value(1e-4).run()
    assert not at.exception and any("same" in w.value for w in at.warning)


def test_a_range_where_every_lr_diverges():
    at = _open()
    at.select_slider(key="w.lr_explorer.lr_min").set_value(5.0)
    at.select_slider(key="w.lr_explorer.lr_max").set_value(100.0)
    at.slider(key="w.lr_explorer.runs").set_value(4)
    at.number_input(key="w.lr_explorer.steps").set_value(200)
    at.button(key="b.lr_explorer.train").click().run()
    assert not at.exception and not at.error
    result = at.session_state[LESSON].extra["sweep"]
    assert result.status == ["diverged"] * 4
    assert any("Every run diverged" in i.value for i in at.info)
    assert any("4 of 4 runs diverged" in w.value for w in at.warning)
    layers = _specs(at)[0]["layer"]
    assert [ly["mark"].get("shape") for ly in layers if ly["mark"]["type"] == "point"] == ["cross"]


# -- share links, instructor locks, two languages -------------------------------------------------

import numpy as np  # noqa: E402
import pytest  # noqa: E402

LINK = {"preset_name": "linreg-d2l", "lr_min": "0.01", "lr_max": "5.0", "runs": "4", "num_steps": "30",
        "seed": "7", "factor": "3.0", "log": "0", "replay": "0"}


def _direct_sweep(preset: str, lr_min: float, lr_max: float, runs: int, steps: int, seed: int | None):
    """The sweep the page should train for a link, made straight from gdcore."""
    from gdcore.lessons import lr_explorer
    from gdcore.sweep import lr_grid, sweep
    return sweep(lr_explorer.make_config(preset, steps, seed=seed, device="cpu"), lr_grid(lr_min, lr_max, runs))


def _same_sweep(result, direct) -> None:
    assert result.config == direct.config and result.lrs == direct.lrs
    assert result.losses.tobytes() == direct.losses.tobytes()  # bit-identical floats
    assert result.lengths.tolist() == direct.lengths.tolist()
    assert result.final_loss == direct.final_loss and result.diverged_at == direct.diverged_at
    assert result.w.tobytes() == direct.w.tobytes() and result.b.tobytes() == direct.b.tobytes()


def _keys(at) -> set:
    widgets = [*at.selectbox, *at.select_slider, *at.slider, *at.number_input, *at.button, *at.toggle]
    return {w.key for w in widgets}


def test_share_link_round_trip_trains_the_links_sweep_bit_for_bit():
    at = open_link(PAGE, LINK)
    assert not at.exception, at.exception
    assert not at.warning and not at.error
    assert at.selectbox(key="w.lr_explorer.preset").value == "linreg-d2l"
    assert at.select_slider(key="w.lr_explorer.lr_min").value == 0.01
    assert at.select_slider(key="w.lr_explorer.lr_max").value == 5.0
    assert at.slider(key="w.lr_explorer.runs").value == 4 and at.number_input(key="w.lr_explorer.steps").value == 30
    assert at.number_input(key="w.lr_explorer.seed").value == 7
    assert at.select_slider(key="w.lr_explorer.factor").value == 3.0
    assert at.toggle(key="w.lr_explorer.log").value is False
    # the link's sweep was trained on opening, exactly as gdcore trains it
    result = at.session_state[LESSON].extra["sweep"]
    direct = _direct_sweep("linreg-d2l", 0.01, 5.0, 4, 30, seed=7)
    _same_sweep(result, direct)
    assert direct.config.seed == 7 and direct.steps == 30 and direct.n_runs == 4
    assert not any("previous settings" in i.value for i in at.info)

    # the page writes its canonical link back; opening it elsewhere trains the same sweep
    written = dict(at.query_params)
    assert written == LINK
    again = open_link(PAGE, written)
    assert not again.exception and not again.warning
    _same_sweep(again.session_state[LESSON].extra["sweep"], direct)

    # a rerun of the same page is not a new link: nothing is trained again
    at.run()
    assert at.session_state[LESSON].extra["sweep"] is result
    at.slider(key="w.lr_explorer.runs").set_value(5).run()
    assert at.session_state[LESSON].extra["sweep"] is result and at.query_params["runs"] == "5"
    assert any("previous settings" in i.value for i in at.info)


def test_link_preset_loads_its_range_and_the_best_lr_replays_the_links_steps():
    from gdcore.engine import Run
    from gdcore.lessons import lr_explorer
    at = open_link(PAGE, {"preset_name": "linreg-minibatch", "runs": "3", "num_steps": "24", "replay": "1",
                          "steps": "5"})
    assert not at.exception, at.exception
    # the preset's own range (1e-4 to 0.5), the link's runs and steps
    assert at.select_slider(key="w.lr_explorer.lr_min").value == 1e-4
    assert at.select_slider(key="w.lr_explorer.lr_max").value == 0.5
    result = at.session_state[LESSON].extra["sweep"]
    _same_sweep(result, _direct_sweep("linreg-minibatch", 1e-4, 0.5, 3, 24, seed=None))
    # the best lr's single run, replayed to the link's 5 steps, as an ordinary gdcore Run
    run = at.session_state[LESSON].run
    direct = Run(lr_explorer.make_config("linreg-minibatch", 24, device="cpu").replace(lr=result.lrs[result.best]))
    direct.run(5)
    assert run.config == direct.config and run.step_count == 5
    assert run.losses().tobytes() == direct.losses().tobytes() and run.params() == direct.params()
    assert at.query_params["steps"] == "5" and at.query_params["replay"] == "1"
    # a step taken moves the link's steps with it
    at.button(key="b.lr_explorer.step").click().run()
    assert not at.exception and at.query_params["steps"] == "6"


def test_the_sidebar_seed_goes_into_the_link():
    at = _open()
    assert "seed" not in at.query_params  # the tutorial's seed: not written
    at.number_input(key="w.seed").set_value(5).run()
    assert not at.exception and not at.warning and at.query_params["seed"] == "5"
    assert any("Seed 5 (the sidebar seed)" in c.value for c in at.caption)


@pytest.mark.parametrize("params, bad", [
    ({"lr_min": "5", "lr_max": "0.1", "runs": "0"},
     ["`lr_min=5` is outside the allowed range", "`lr_max=0.1` is outside the allowed range", "`runs=0`"]),
    ({"lr_max": "inf", "lr_min": "abc", "num_steps": "20000", "factor": "4", "bogus": "1"},
     ["`lr_max=inf` is not a finite number", "`lr_min=abc` is not a number",
      "`num_steps=20000` is outside the allowed range 1 to 10,000", "`factor=4` is not one of the choices",
      "`bogus` is not a setting"]),
])
def test_malformed_link_values_are_listed_and_defaults_used(params, bad):
    at = open_link(PAGE, params)
    assert not at.exception, at.exception
    (warning,) = at.warning
    for sentence in bad:
        assert sentence in warning.value, sentence
    assert (at.select_slider(key="w.lr_explorer.lr_min").value,
            at.select_slider(key="w.lr_explorer.lr_max").value) == (1e-3, 2.0)
    assert at.slider(key="w.lr_explorer.runs").value == 32 and at.number_input(key="w.lr_explorer.steps").value == 3000
    assert at.session_state["w.lr_explorer.factor"] == 2.0  # drawn with the results
    assert "sweep" not in at.session_state[LESSON].extra  # nothing trained from a link it could not use
    # the learner can go on from the defaults
    at.slider(key="w.lr_explorer.runs").set_value(3)
    at.number_input(key="w.lr_explorer.steps").set_value(20)
    at.button(key="b.lr_explorer.train").click().run()
    assert not at.exception and at.session_state[LESSON].extra["sweep"].n_runs == 3


def test_numbers_in_a_link_match_the_options_by_value():
    at = open_link(PAGE, {"lr_min": "1e-2", "lr_max": "0.50", "runs": "2", "num_steps": "10"})
    assert not at.exception and not at.warning
    assert at.select_slider(key="w.lr_explorer.lr_min").value == 0.01
    assert at.select_slider(key="w.lr_explorer.lr_max").value == 0.5
    assert at.query_params["lr_min"] == "0.01" and at.query_params["lr_max"] == "0.5"


def test_instructor_hide_keeps_the_links_values_and_lock_hides_the_presets():
    at = open_link(PAGE, {"lr_min": "0.01", "lr_max": "1.0", "runs": "3", "num_steps": "20", "seed": "3",
                          "hide": "range,steps,seed"})
    assert not at.exception, at.exception
    keys = _keys(at)
    for k in ("w.lr_explorer.lr_min", "w.lr_explorer.lr_max", "w.lr_explorer.runs", "w.lr_explorer.steps",
              "w.lr_explorer.seed"):
        assert k not in keys, k
    assert "w.lr_explorer.preset" in keys and "b.lr_explorer.preset" in keys
    assert any("instructor" in i.value for i in at.info)
    result = at.session_state[LESSON].extra["sweep"]
    _same_sweep(result, _direct_sweep("linreg-manual", 0.01, 1.0, 3, 20, seed=3))
    # the hidden settings stay fixed on later reruns, and the link keeps hiding them
    at.button(key="b.lr_explorer.train").click().run()
    assert not at.exception and at.session_state[LESSON].extra["sweep"].lrs == result.lrs
    assert at.query_params["hide"] == "range,steps,seed" and at.query_params["runs"] == "3"

    at = open_link(PAGE, {"preset_name": "linreg-module", "runs": "2", "num_steps": "10", "lock": "1"})
    assert not at.exception, at.exception
    keys = _keys(at)
    assert "w.lr_explorer.preset" not in keys and "b.lr_explorer.preset" not in keys
    assert "w.lr_explorer.lr_min" in keys and "w.lr_explorer.runs" in keys
    assert at.session_state[LESSON].extra["sweep"].config.preset == "linreg-module"
    assert at.query_params["lock"] == "1"


def test_chinese_page_renders_a_whole_sweep():
    from gdcore.i18n import translator
    zh = translator("zh")
    at = open_link(PAGE, {"lang": "zh"})
    assert not at.exception, at.exception
    assert at.session_state["w.lang"] == "zh" and at.title[0].value.endswith(zh("lr_explorer.title"))
    assert at.button(key="b.lr_explorer.train").label == zh("lr_explorer.buttons.train")
    assert any(zh("lr_explorer.results.none_yet") == i.value for i in at.info)

    # a link in Chinese: trained, every section drawn, the single run stepped
    at = open_link(PAGE, {"lang": "zh", "lr_min": "0.001", "lr_max": "2.0", "runs": "4", "num_steps": "60",
                          "replay": "1"})
    assert not at.exception, at.exception
    assert at.title[0].value.endswith("学习率探索")
    assert any(m.label == "发散" and m.value == "1 / 4" for m in at.metric)
    assert any("Goldilocks 区间" in m.value for m in at.markdown)
    from gdcore.lessons import lr_explorer
    result = at.session_state[LESSON].extra["sweep"]
    assert zh(lr_explorer.limit_sentence(result)) in [m.value for m in at.markdown]  # gdcore's sentence, in Chinese
    assert "exactly where the theory says" in translator("en")(lr_explorer.limit_sentence(result))
    assert len(_specs(at)) == 3  # final loss, the picked curves, the single run
    at.button(key="b.lr_explorer.step").click().run()
    assert not at.exception and at.session_state[LESSON].run.step_count == 1
    assert at.query_params["lang"] == "zh"
    # the table's headers and zones are Chinese, its numbers the sweep's
    table = at.dataframe[0].value
    assert list(table.columns) == [zh(f"lr_explorer.table.{c}") for c in ("lr", "final_loss", "status", "diverged_at",
                                                                    "zone", "note")]
    assert table[zh("lr_explorer.table.zone")].iloc[-1] == "发散"
    np.testing.assert_array_equal(table["lr"], at.session_state[LESSON].extra["sweep"].lrs)


def test_presets_are_named_in_words_not_ids():
    from gdcore.presets import PRESETS
    for params in ({}, {"lang": "zh"}):
        at = open_link(PAGE, params) if params else _open()
        box = at.selectbox(key="w.lr_explorer.preset")
        assert box.value == "linreg-manual"  # the id stays the widget's value (and the link's)
        assert len(box.options) == len(PRESETS) and not [o for o in box.options if o in PRESETS]
        at.slider(key="w.lr_explorer.runs").set_value(4)
        at.number_input(key="w.lr_explorer.steps").set_value(50)
        at.button(key="b.lr_explorer.train").click().run()
        shown = [str(x.value) for x in list(at.caption) + list(at.markdown) + list(at.info) + list(at.warning)]
        shown += [box.help or "", at.button(key="b.lr_explorer.preset").help or ""]
        assert not [(p, t) for t in shown for p in PRESETS if p in t]


def test_captions_and_legend_follow_the_runs_shown():
    """The run just below divergence is the best one and falls at every step: no 'zigzags' caption;
    no 'too large' legend entry when no run is too large."""
    import numpy as np
    at = _open()
    at.slider(key="w.lr_explorer.runs").set_value(8)
    at.number_input(key="w.lr_explorer.steps").set_value(300)
    at.button(key="b.lr_explorer.train").click().run()
    result = at.session_state[LESSON].extra["sweep"]
    below = max(i for i, d in enumerate(result.diverged_at) if d is None)
    assert below == result.best
    x = result.loss_history(below).astype(np.float64)
    assert not ((x[1:] > x[:-1]) & (x[1:] > 1e-9 * x[0])).any()  # it never rises before rounding noise
    captions = "\n".join(c.value for c in at.caption)
    assert "zigzag" not in captions and f"(lr {result.lrs[below]:.3g}): falls at every step" in captions
    points = next(ly for ly in _specs(at)[0]["layer"] if ly["mark"].get("type") == "point"
                  and "color" in ly.get("encoding", {}))
    legend = points["encoding"]["color"]["scale"]["domain"]
    zones = set(translator("en")(lr_explorer.zone_label(z)) for z in lr_explorer.zones(result, lr_explorer.goldilocks(
        result.lrs, result.final_loss, 2.0, floor=lr_explorer.converged_floor(result))))
    assert legend and set(legend) <= zones and "too large" not in legend
    assert "orange" not in captions  # the colour key names only the zones shown
