"""AppTest: the linear-regression page's share links (a run replayed bit for bit, presets, bad values, a
long replay on the worker) and the instructor's hide and lock."""

import pytest
from apptest_util import open_link

PAGE = "pages/views/linear_regression.py"
LESSON = "_lesson.linear_regression"

LINK = {"recipe": "linreg-minibatch", "true_w": "2.5", "true_b": "-1.25", "noise": "0.2", "n": "40",
        "x_range": "3.0", "seed": "11", "lr": "0.02", "num_epochs": "500", "log": "0", "show_ls": "1",
        "scale": "0"}


def _direct_run(steps: int, **overrides):
    """The run the page should build for LINK, made straight from gdcore and run for `steps` steps."""
    from gdcore import Run
    from gdcore.devices import resolve_device
    from gdcore.lessons.linear_regression import run_config
    settings = dict(true_w=(2.5,), true_b=-1.25, noise=0.2, n=40, x_range=3.0, seed=11, lr=0.02, steps=500)
    settings.update(overrides)
    recipe = settings.pop("recipe", "linreg-minibatch")
    cfg = run_config(recipe, device=str(resolve_device("auto")), **settings)
    run = Run(cfg)
    run.run(steps)
    return run


def _same_run(run, direct) -> None:
    assert run.config == direct.config
    assert run.step_count == direct.step_count
    assert run.params() == direct.params()  # bit-identical floats
    assert run.losses().tobytes() == direct.losses().tobytes()


def test_share_link_round_trip_replays_the_run_bit_for_bit():
    at = open_link(PAGE, {**LINK, "steps": "7"})
    assert not at.exception, at.exception
    assert not at.warning
    assert at.radio(key="w.linear_regression.recipe").value == "linreg-minibatch"
    assert at.number_input(key="w.linear_regression.true_w").value == 2.5
    assert at.number_input(key="w.linear_regression.true_b").value == -1.25
    assert at.number_input(key="w.linear_regression.noise").value == 0.2
    assert at.number_input(key="w.linear_regression.n").value == 40
    assert at.number_input(key="w.linear_regression.x_range").value == 3.0
    assert at.number_input(key="w.linear_regression.seed").value == 11
    assert at.number_input(key="w.linear_regression.lr").value == 0.02
    assert at.number_input(key="w.linear_regression.steps").value == 500
    assert at.toggle(key="w.linear_regression.log").value is False
    assert at.toggle(key="w.linear_regression.show_ls").value is True
    run = at.session_state[LESSON].run
    direct = _direct_run(7)
    _same_run(run, direct)
    assert direct.step_count == 7 and direct.config.total_steps(40) == 500

    # the page writes its canonical link back; opening that link elsewhere gives the same numbers
    written = dict(at.query_params)
    assert written == {**LINK, "steps": "7"}
    again = open_link(PAGE, written)
    assert not again.exception and not again.warning
    _same_run(again.session_state[LESSON].run, direct)

    # a step taken after opening the link moves the link's steps with it
    at.button(key="b.linear_regression.step").click().run()
    assert at.query_params["steps"] == "8"
    direct.run(1)
    _same_run(at.session_state[LESSON].run, direct)


def test_link_preset_loads_the_tutorial_then_fields_override():
    at = open_link(PAGE, {"preset": "linreg-minibatch", "lr": "0.005", "steps": "3"})
    assert not at.exception, at.exception
    assert at.number_input(key="w.linear_regression.n").value == 150  # from the preset
    assert at.number_input(key="w.linear_regression.lr").value == 0.005  # the link's own value wins
    run = at.session_state[LESSON].run
    from gdcore import Run
    from gdcore.devices import resolve_device
    from gdcore.lessons.linear_regression import run_config
    direct = Run(run_config("linreg-minibatch", 792, true_w=(2.0,), true_b=6.0, noise=0.3, n=150, x_range=5.0,
                            seed=100, lr=0.005, device=str(resolve_device("auto"))))
    direct.run(3)
    _same_run(run, direct)


def test_malformed_link_values_are_listed_and_defaults_used():
    at = open_link(PAGE, {"lr": "abc", "n": "2.5", "recipe": "foo", "num_epochs": "-1", "noise": "1e9",
                          "seed": "x", "log": "maybe", "true_w": "inf", "bogus": "1", "steps": "2.5"})
    assert not at.exception, at.exception
    (warning,) = at.warning
    text = warning.value
    for bad in ("lr=abc", "n=2.5", "recipe=foo", "num_epochs=-1", "noise=1e9", "seed=x", "log=maybe",
                "true_w=inf", "`bogus`", "steps=2.5"):
        assert bad in text, bad
    assert "not a number" in text and "not a whole number" in text and "outside the allowed range" in text
    # every widget kept its default (tutorial 003) and the run is the default one, not started
    assert at.number_input(key="w.linear_regression.lr").value == pytest.approx(0.01)
    assert at.number_input(key="w.linear_regression.n").value == 50
    assert at.number_input(key="w.linear_regression.steps").value == 3000
    assert at.radio(key="w.linear_regression.recipe").value == "linreg-manual"
    run = at.session_state[LESSON].run
    assert (run.config.lr, run.config.n, run.config.noise, run.config.seed, run.step_count) == (0.01, 50, 0.0, 0, 0)
    at.button(key="b.linear_regression.dismiss_notes").click().run()
    assert not at.warning and not at.exception


def test_instructor_hide_and_lock():
    at = open_link(PAGE, {"lr": "0.05", "hide": "lr,seed,controls", "lock": "1", "steps": "4"})
    assert not at.exception, at.exception
    keys = {w.key for w in at.number_input} | {b.key for b in at.button} | {r.key for r in at.radio}
    assert not {"w.linear_regression.lr", "w.linear_regression.seed", "b.linear_regression.regen"} & set(keys)
    assert "b.linear_regression.step" not in keys  # controls hidden
    assert "b.linear_regression.preset003" not in keys
    assert "b.linear_regression.preset000" not in keys  # lock hides the presets
    assert "w.linear_regression.recipe" not in keys
    assert "w.linear_regression.n" in keys and "w.linear_regression.steps" in keys  # groups not named stay
    assert any("instructor" in i.value for i in at.info)
    run = at.session_state[LESSON].run
    assert run.config.lr == 0.05 and run.step_count == 4  # the hidden lr still drives the run
    assert at.query_params["hide"] == "lr,seed,controls" and at.query_params["lock"] == "1"
    at.number_input(key="w.linear_regression.n").set_value(60).run()  # another setting changes: the hidden lr is kept
    assert not at.exception
    assert at.session_state[LESSON].run.config.lr == 0.05 and at.session_state[LESSON].run.config.n == 60

    at = open_link(PAGE, {"hide": "data"})
    keys = {w.key for w in at.number_input}
    assert not at.exception and "w.linear_regression.true_w" not in keys and "w.linear_regression.seed" in keys
    assert "b.linear_regression.preset003" in {b.key for b in at.button}  # not locked


def test_a_page_seed_in_a_link_leaves_the_sidebar_seed_alone():
    at = open_link(PAGE, {"seed": "7"})
    assert not at.exception
    assert at.session_state["w.linear_regression.seed"] == 7 and at.session_state["w.seed"] is None


def test_a_long_link_replays_on_the_worker_and_draws_once_at_the_end():
    """A link past the synchronous limit trains on the worker, quietly (progress only, no chart per
    tick), and ends at the link's step with the same numbers as a direct run."""
    import time

    from gdcore import Run
    from pages.ui.state import SYNC_STEPS
    steps = 3000  # tutorial 003's whole run
    assert steps > SYNC_STEPS
    at = open_link(PAGE, {"steps": str(steps)})
    assert not at.exception, at.exception
    lesson = at.session_state[LESSON]
    assert lesson.quiet or lesson.run.step_count == steps  # running quietly, or already done
    if lesson.busy:  # meanwhile the page shows progress, not the charts
        assert any("running: step" in p.proto.text for p in at.get("progress"))
    deadline = time.monotonic() + 120
    while lesson.busy and time.monotonic() < deadline:  # wait on the run's state, not a fixed time
        time.sleep(0.02)  # poll the state; the worker needs the interpreter meanwhile
    assert not lesson.busy, "the replay did not finish"
    at.run()
    assert at.get("vega_lite_chart"), "the charts are drawn once the replay ended"
    direct = Run(lesson.run.config)
    direct.run(steps)
    _same_run(lesson.run, direct)
