"""AppTest of the 'nn.Module and optimizers' page: stepping, preset, page switch, divergence, race, lockstep,
share links, instructor locks and the two languages."""

import pytest
from apptest_util import away_and_back, open_link, open_page

from gdcore.engine import Run
from gdcore.i18n import placeholders, strings, translator
from gdcore.lessons import optimizers
from gdcore.presets import preset_config

PAGE = "pages/views/optimizers.py"


@pytest.fixture
def at():
    return open_page(PAGE)


def _lesson(app):
    return app.session_state["_lesson.optimizers"]


def test_renders_the_tutorial_run(at):
    run = _lesson(at).run
    c = run.config
    assert (c.preset, c.impl, c.optimizer, c.lr, c.steps, c.mode) == (
        "linreg-module", "module", "sgd", 1e-3, 30000, "batch")
    assert run.step_count == 0
    assert at.button(key="b.optimizers.race") is not None and at.button(key="b.optimizers.lock_step") is not None
    assert not at.error


def test_step_advances_exactly_one_step(at):
    at.button(key="b.optimizers.step").click().run()
    assert not at.exception
    run = _lesson(at).run
    assert run.step_count == 1 and len(run.losses()) == 1
    at.button(key="b.optimizers.step").click().run()
    assert _lesson(at).run is run and run.step_count == 2


def test_preset_loads_tutorial_values_and_state_survives_page_switch(at):
    at.selectbox(key="w.optimizers.optimizer").set_value("adam").run()
    at.number_input(key="w.optimizers.lr").set_value(0.05).run()
    at.number_input(key="w.optimizers.steps").set_value(500).run()
    at.button(key="b.optimizers.step").click().run()
    run = _lesson(at).run
    assert run.config.optimizer == "adam" and run.step_count == 1
    assert optimizers.state_keys(run) == ["exp_avg", "exp_avg_sq"]
    assert any("exp_avg" in c for df in at.dataframe for c in df.value.columns)
    # away and back: settings and the run are kept
    away_and_back(at, PAGE)
    assert at.selectbox(key="w.optimizers.optimizer").value == "adam"
    assert at.number_input(key="w.optimizers.lr").value == 0.05
    assert _lesson(at).run is run and run.step_count == 1
    # the preset puts the tutorial back
    at.button(key="b.optimizers.preset").click().run()
    assert at.selectbox(key="w.optimizers.optimizer").value == "sgd"
    assert at.number_input(key="w.optimizers.lr").value == 1e-3
    assert at.number_input(key="w.optimizers.steps").value == 30000
    c = _lesson(at).run.config
    assert (c.optimizer, c.lr, c.steps) == ("sgd", 1e-3, 30000)


def test_diverging_lr_shows_the_message(at):
    at.number_input(key="w.optimizers.lr").set_value(5.0).run()
    at.button(key="b.optimizers.run_n_btn").click().run()
    assert not at.exception
    run = _lesson(at).run
    assert run.status == "diverged"
    assert any("diverged" in e.value and "stability limit" in e.value for e in at.error)


def test_race_makes_five_runs_from_one_start(at):
    at.number_input(key="w.optimizers.race_steps").set_value(50).run()
    at.button(key="b.optimizers.race").click().run()
    assert not at.exception
    race = _lesson(at).extra["race"]
    assert set(race) == set(optimizers.RACE_OPTIMIZERS)
    starts = list(optimizers.start_params(race).values())
    assert all(s == starts[0] for s in starts)
    assert all(r.step_count == 50 for r in race.values())
    assert len(at.dataframe) >= 1  # the summary table


def test_lockstep_step_both_keeps_diffs_tiny(at):
    at.button(key="b.optimizers.lock_step").click().run()
    manual, module = _lesson(at).extra["lockstep"]
    assert manual.step_count == module.step_count == 1
    at.button(key="b.optimizers.lock_step100").click().run()
    assert not at.exception
    assert manual.step_count == module.step_count == 101
    assert optimizers.max_abs_diff(manual, module) < 1e-5
    assert any(m.label.startswith("largest |manual") for m in at.metric)
    at.button(key="b.optimizers.lock_reset").click().run()
    assert manual.step_count == module.step_count == 0


def test_measuring_the_devices_times_the_run_on_each_one(at):
    from gdcore.devices import available_devices
    at.button(key="b.optimizers.measure").click().run()
    assert not at.exception and not at.error
    table = _lesson(at).extra["timing"]
    devices = [d for d in available_devices() if d != "auto"]
    assert sorted(set(table["device"])) == sorted(devices) and len(table) == 2 * len(devices)  # two sizes each
    assert (table["µs per step"] > 0).all()


# -- share links, instructor locks, languages ------------------------------------------------------

def _direct(taken, **changes):
    """The trusted answer: a gdcore Run built straight from the preset with the link's settings."""
    run = Run(preset_config("linreg-module", device="cpu", **{"seed": 0, **changes}))
    run.run(taken)
    return run


def _same_run(run, direct):
    assert run.config == direct.config
    assert run.step_count == direct.step_count
    assert run.params() == direct.params()  # bit-identical floats
    assert run.losses().tobytes() == direct.losses().tobytes()


def _keys(app):
    return ({w.key for w in app.number_input} | {w.key for w in app.selectbox} | {w.key for w in app.checkbox}
            | {b.key for b in app.button})


ADAM_LINK = {"optimizer": "adam", "lr": "0.05", "beta1": "0.8", "beta2": "0.99", "epochs": "400", "seed": "7"}


def test_share_link_round_trip_replays_the_run_bit_for_bit():
    at = open_link(PAGE, {**ADAM_LINK, "steps": "7"})
    assert not at.exception, at.exception
    assert not at.warning
    assert at.selectbox(key="w.optimizers.optimizer").value == "adam"
    assert at.number_input(key="w.optimizers.lr").value == 0.05
    assert at.number_input(key="w.optimizers.beta1").value == 0.8
    assert at.number_input(key="w.optimizers.beta2").value == 0.99
    assert at.number_input(key="w.optimizers.steps").value == 400
    assert at.number_input(key="w.optimizers.seed").value == 7
    direct = _direct(7, optimizer="adam", lr=0.05, beta1=0.8, beta2=0.99, steps=400, seed=7)
    _same_run(_lesson(at).run, direct)
    assert optimizers.state_keys(direct) == ["exp_avg", "exp_avg_sq"]

    # the page writes its canonical link back; opening it elsewhere gives the same numbers
    written = dict(at.query_params)
    assert {k: written[k] for k in ADAM_LINK} == ADAM_LINK and written["steps"] == "7"
    again = open_link(PAGE, written)
    assert not again.exception and not again.warning
    _same_run(_lesson(again).run, direct)

    # one more step moves the link's steps with it
    at.button(key="b.optimizers.step").click().run()
    assert at.query_params["steps"] == "8"
    direct.run(1)
    _same_run(_lesson(at).run, direct)


def test_link_preset_then_fields_and_momentum():
    at = open_link(PAGE, {"preset": "linreg-module", "optimizer": "momentum", "momentum": "0.5", "lr": "0.01",
                          "steps": "5"})
    assert not at.exception, at.exception
    assert at.number_input(key="w.optimizers.steps").value == 30000  # from the preset
    assert at.number_input(key="w.optimizers.momentum").value == 0.5
    _same_run(_lesson(at).run, _direct(5, optimizer="momentum", momentum=0.5, lr=0.01, steps=30000))


def test_malformed_link_values_are_listed_and_defaults_used():
    at = open_link(PAGE, {"optimizer": "foo", "lr": "inf", "momentum": "2", "epochs": "2.5", "race_steps": "0",
                          "seed": "x", "bogus": "1"})
    assert not at.exception, at.exception
    (warning,) = at.warning
    for bad in ("optimizer=foo", "lr=inf", "momentum=2", "epochs=2.5", "race_steps=0", "seed=x", "`bogus`"):
        assert bad in warning.value, bad
    assert "not one of the choices" in warning.value and "outside the allowed range" in warning.value
    assert at.selectbox(key="w.optimizers.optimizer").value == "sgd"
    assert at.number_input(key="w.optimizers.lr").value == 1e-3
    assert at.number_input(key="w.optimizers.steps").value == 30000
    assert at.session_state["w.optimizers.momentum"] == 0.9
    assert at.session_state["w.optimizers.race_steps"] == optimizers.RACE_STEPS
    run = _lesson(at).run
    assert (run.config.optimizer, run.config.lr, run.config.steps, run.config.seed, run.step_count) == (
        "sgd", 1e-3, 30000, 0, 0)
    at.button(key="b.optimizers.dismiss_notes").click().run()
    assert not at.warning and not at.exception


def test_hide_optimizer_keeps_the_links_optimizer():
    at = open_link(PAGE, {"optimizer": "momentum", "momentum": "0.5", "lr": "0.02", "hide": "optimizer",
                          "steps": "3"})
    assert not at.exception, at.exception
    keys = _keys(at)
    assert "w.optimizers.optimizer" not in keys and "w.optimizers.momentum" not in keys  # the group is hidden
    assert "w.optimizers.lr" in keys and "w.optimizers.steps" in keys and "b.optimizers.step" in keys  # the others stay
    assert "b.optimizers.preset" in keys  # not locked
    assert any("instructor" in i.value for i in at.info)
    direct = _direct(3, optimizer="momentum", momentum=0.5, lr=0.02, steps=30000)
    _same_run(_lesson(at).run, direct)
    assert at.query_params["hide"] == "optimizer" and at.query_params["optimizer"] == "momentum"
    at.button(key="b.optimizers.step").click().run()  # the hidden settings still drive the run
    assert not at.exception
    direct.run(1)
    _same_run(_lesson(at).run, direct)


def test_lock_hides_the_preset_and_hide_race_keeps_the_links_race():
    at = open_link(PAGE, {"lock": "1", "hide": "race,controls,seed", "race_steps": "30", "race_sgd_lr": "0.2",
                          "race_nesterov": "1", "race_adam_beta2": "0.95"})
    assert not at.exception, at.exception
    keys = _keys(at)
    assert "b.optimizers.preset" not in keys  # lock=1 hides the preset button
    assert "b.optimizers.step" not in keys and "w.optimizers.seed" not in keys
    assert not any(k.startswith("w.optimizers.race") for k in keys)
    assert "b.optimizers.race" in keys and "w.optimizers.lr" in keys
    assert at.query_params["lock"] == "1"
    at.button(key="b.optimizers.race").click().run()
    assert not at.exception
    race = _lesson(at).extra["race"]
    assert set(race) == set(optimizers.RACE_OPTIMIZERS + optimizers.EXTRA_OPTIMIZERS)
    names = optimizers.RACE_OPTIMIZERS + optimizers.EXTRA_OPTIMIZERS
    direct = optimizers.run_race(preset_config("linreg-module", seed=0, device="cpu"),
                        optimizers.race_settings({"sgd": {"lr": 0.2}, "adam": {"beta2": 0.95}}, optimizers=names), 30)
    for name in names:
        assert race[name].config == direct[name].config
        assert race[name].params() == direct[name].params(), name
        assert race[name].losses().tobytes() == direct[name].losses().tobytes()


def test_page_in_chinese():
    zh = translator("zh")
    at = open_link(PAGE, {"lang": "zh", "race_steps": "20"})
    assert not at.exception, at.exception
    assert at.session_state["w.lang"] == "zh"
    assert at.title[0].value.endswith(zh("optimizers.title"))
    assert at.button(key="b.optimizers.race").label == zh("optimizers.race.button", n=20)
    assert at.selectbox(key="w.optimizers.optimizer").label == zh("optimizers.train.optimizer")
    at.button(key="b.optimizers.race").click().run()
    at.button(key="b.optimizers.lock_step").click().run()
    at.button(key="b.optimizers.step").click().run()
    at.button(key="b.optimizers.measure").click().run()
    assert not at.exception, at.exception
    columns = {c for df in at.dataframe for c in df.value.columns}
    assert {zh(m) for m in optimizers.timing_headers().values()} <= columns
    assert {zh(c) for c in optimizers.summary_columns()} <= columns  # the race summary's headers
    assert zh("optimizers.lockstep.col_manual", q="w") in columns
    assert any(m.label == zh("optimizers.lockstep.largest") for m in at.metric)
    assert at.query_params["lang"] == "zh"


def test_page_in_english_has_the_english_title():
    at = open_page(PAGE)
    assert at.title[0].value.endswith(translator("en")("optimizers.title"))


def test_locale_files_match():
    en = {k: v for k, v in strings("en").items() if k.startswith("optimizers.")}
    zh = {k: v for k, v in strings("zh").items() if k.startswith("optimizers.")}
    assert en.keys() == zh.keys()
    assert all(placeholders(en[k]) == placeholders(zh[k]) for k in en)
    assert all(f"optimizers.groups.{g}" in en for g in optimizers.HIDE_GROUPS)
    assert all(f"optimizers.state_meaning.{k}" in en for k in optimizers.STATE_NAMES)


def test_after_divergence_the_data_keeps_its_axis_and_the_caption_reads_compactly():
    """lr = 3 blows w up to about -1e18: the data chart's y axis stays on the data (the line is clipped at
    its edge) and the caption writes w and b as -1.34e18, never as a 19-digit number with 4 decimals."""
    import json
    import re
    at = open_link(PAGE, {"lr": "3"})
    at.button(key="b.optimizers.run_n_btn").click().run()
    assert not at.exception
    run = _lesson(at).run
    assert run.status == "diverged" and abs(run.params()["w"][0]) > 1e12
    y = run.data.y.numpy()
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    domains = [layer["encoding"]["y"]["scale"]["domain"] for layer in spec["layer"]
               if "domain" in layer["encoding"]["y"].get("scale", {})]
    assert domains, "the data chart's y axis is not fixed to the data"
    for lo, hi in domains:
        assert lo <= y.min() and hi >= y.max() and hi - lo < 3 * (y.max() - y.min() + 1)
    caption = [c.value for c in at.caption if "y_hat" in c.value][0]
    assert not re.search(r"\d{8}", caption), caption
    assert re.search(r"-?\d\.\d+e\d+", caption), caption


def test_the_tutorials_printout_every_20_steps():
    """002 prints `Epoch[i/30000], loss: ...` when (i+1) % 20 == 0: nothing before step 20, then i = 19, 39, ..."""
    at = open_page(PAGE)
    assert any(i.value == translator("en")("optimizers.train.printout_none") for i in at.info)
    at.button(key="b.optimizers.run_n_btn").click().run()  # N = 100
    assert not at.exception
    printed = [c.value for c in at.code if c.value.startswith("Epoch[")]
    assert printed, "no printout"
    lines = printed[0].splitlines()
    assert [ln.split(",")[0] for ln in lines] == [f"Epoch[{i}/30000]" for i in (19, 39, 59, 79, 99)]
    losses = _lesson(at).run.losses()
    assert lines[-1] == f"Epoch[99/30000], loss: {float(losses[99]):.6f}"
