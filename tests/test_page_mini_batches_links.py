"""AppTest: the mini-batch page's share links (a run replayed bit for bit, presets, data choices, bad
values) and the instructor's hide and lock."""

import pytest
from apptest_util import open_link, open_page

from gdcore.i18n import translator
from gdcore.lessons import mini_batches
from gdcore.links import MAX_LINK_STEPS

EN = translator("en")

PAGE = "pages/views/mini_batches.py"
LESSON = "_lesson.mini_batches"


def _run(at):
    return at.session_state[LESSON].run


def _shown_batch(at) -> str:
    """The code block showing the current batch's indices ('[...]')."""
    shown = [c.value for c in at.code if c.value.startswith("[")]
    assert len(shown) == 1
    return shown[0]


LINK = {"data": "linreg-minibatch", "batch_size": "25", "lr": "0.02", "epochs": "5", "shuffle": "1",
        "pitfall": "0", "cmp_epochs": "4"}
LINK_D2L = {"data": "linreg-d2l", "batch_size": "40", "lr": "0.005", "epochs": "2", "shuffle": "0",
            "pitfall": "1", "cmp_epochs": "2"}


def _direct_run(steps: int, data: str, **settings):
    """The run the page should build for a link, made straight from gdcore and run for `steps` steps."""
    from gdcore import Run, preset_config
    from gdcore.devices import resolve_device
    from gdcore.presets import get_preset
    cfg = preset_config(data, seed=get_preset(data).seed, device=str(resolve_device("auto")), **settings)
    run = Run(cfg)
    run.run(steps)
    return run


def _link_warnings(at) -> list[str]:
    """Warnings other than the pitfall's own note (which the pitfall switch shows on purpose)."""
    from gdcore.i18n import translator
    pitfall = translator(at.session_state["w.lang"])("mini_batches.s2.pitfall_on")
    return [w.value for w in at.warning if not w.value.startswith(pitfall)]


def _same_run(run, direct) -> None:
    assert run.config == direct.config
    assert run.step_count == direct.step_count
    assert run.params() == direct.params()  # bit-identical floats
    assert run.losses().tobytes() == direct.losses().tobytes()
    assert run.last_batch == direct.last_batch


@pytest.mark.parametrize("link, settings, steps", [
    (LINK, dict(batch_size=25, lr=0.02, epochs=5, shuffle=True, full_tensor_pitfall=False), 9),
    (LINK_D2L, dict(batch_size=40, lr=0.005, epochs=2, shuffle=False, full_tensor_pitfall=True), 30),
])
def test_share_link_round_trip_replays_the_run_bit_for_bit(link, settings, steps):
    at = open_link(PAGE, {**link, "steps": str(steps)})
    assert not at.exception, at.exception
    assert not _link_warnings(at)
    assert at.selectbox(key="w.mini_batches.base").value == link["data"]
    assert at.number_input(key="w.mini_batches.batch_size").value == settings["batch_size"]
    assert at.number_input(key="w.mini_batches.lr").value == settings["lr"]
    assert at.number_input(key="w.mini_batches.epochs").value == settings["epochs"]
    assert at.toggle(key="w.mini_batches.shuffle").value is settings["shuffle"]
    assert at.toggle(key="w.mini_batches.pitfall").value is settings["full_tensor_pitfall"]
    assert at.number_input(key="w.mini_batches.cmp_epochs").value == int(link["cmp_epochs"])
    run = _run(at)
    direct = _direct_run(steps, link["data"], **settings)
    _same_run(run, direct)
    assert _shown_batch(at) == EN(mini_batches.format_batch(direct.last_batch))

    # the page writes its canonical link back; opening it in a fresh session gives the same numbers
    written = dict(at.query_params)
    assert written == {**link, "steps": str(steps)}
    again = open_link(PAGE, written)
    assert not again.exception and not _link_warnings(again)
    _same_run(_run(again), direct)

    # a step taken after opening the link moves the link's steps with it
    at.button(key="b.mini_batches.step").click().run()
    assert at.query_params["steps"] == str(steps + 1)
    direct.run(1)
    _same_run(_run(at), direct)


def test_link_preset_loads_the_tutorial_then_fields_override():
    at = open_link(PAGE, {"preset": "linreg-d2l", "lr": "0.01", "steps": "3"})
    assert not at.exception, at.exception
    assert at.selectbox(key="w.mini_batches.base").value == "linreg-d2l"  # from the preset
    assert at.number_input(key="w.mini_batches.batch_size").value == 10
    assert at.number_input(key="w.mini_batches.lr").value == 0.01  # the link's own value wins
    _same_run(_run(at), _direct_run(3, "linreg-d2l", batch_size=10, lr=0.01, epochs=3, shuffle=True,
                                    full_tensor_pitfall=False))


def test_link_data_choice_brings_its_tutorials_settings():
    """Like choosing it in the box: ?data=linreg-d2l loads d2l's batch_size and num_epochs; the link's lr wins."""
    at = open_link(PAGE, {"data": "linreg-d2l", "lr": "0.01", "steps": "2"})
    assert not at.exception, at.exception
    assert at.number_input(key="w.mini_batches.batch_size").value == 10
    assert at.number_input(key="w.mini_batches.epochs").value == 3
    _same_run(_run(at), _direct_run(2, "linreg-d2l", batch_size=10, lr=0.01, epochs=3, shuffle=True,
                                    full_tensor_pitfall=False))


def test_link_fields_match_the_widgets():
    """lo/hi and choices are the widgets' own (a link can never set a value a widget refuses)."""
    from gdcore.presets import get_preset
    fields = {f.name: f for f in mini_batches.LINK_FIELDS}
    assert set(fields) == {"data", "batch_size", "lr", "epochs", "shuffle", "pitfall", "cmp_epochs"}
    assert fields["data"].choices == mini_batches.BASES
    assert (fields["batch_size"].lo, fields["batch_size"].hi) == (1, max(get_preset(b).n for b in mini_batches.BASES))
    assert (fields["lr"].lo, fields["lr"].hi) == (1e-6, 100.0)
    assert (fields["epochs"].lo, fields["epochs"].hi) == (1, 1000)
    assert (fields["cmp_epochs"].lo, fields["cmp_epochs"].hi) == (1, mini_batches.max_compare_epochs(150))
    assert all(f.key.startswith("w.mini_batches.") for f in mini_batches.LINK_FIELDS)
    at = open_page(PAGE)
    assert at.number_input(key="w.mini_batches.lr").min == 1e-6
    assert at.number_input(key="w.mini_batches.lr").max == 100.0
    assert at.number_input(key="w.mini_batches.epochs").max == 1000
    assert at.number_input(key="w.mini_batches.cmp_epochs").max == mini_batches.max_compare_epochs(150)
    assert at.number_input(key="w.mini_batches.batch_size").max == 150  # tutorial 000's n; d2l's 1000 is the field's hi
    from gdcore.i18n import translator
    assert at.selectbox(key="w.mini_batches.base").options == [translator("en")(f"mini_batches.base.{b}")
                                                            for b in mini_batches.BASES]


def test_malformed_link_values_are_decoded_into_one_note_each():
    from gdcore.links import decode
    bad = {"batch_size": "0", "lr": "nan", "epochs": "2.5", "data": "foo", "shuffle": "maybe", "pitfall": "2",
           "cmp_epochs": "-1", "bogus": "1"}
    link = decode(bad, mini_batches.LINK_FIELDS, mini_batches.HIDE_GROUPS)
    assert link.values == {}
    reasons = {n.name: n.reason for n in link.notes}
    assert reasons == {"batch_size": "out_of_range", "lr": "not_finite", "epochs": "not_integer",
                       "data": "unknown_choice", "shuffle": "not_bool", "pitfall": "not_bool",
                       "cmp_epochs": "out_of_range", "bogus": "unknown_name"}
    for raw, reason in (("2.5", "not_integer"), ("abc", "not_a_number"), ("1001", "out_of_range")):
        assert [n.reason for n in decode({"batch_size": raw}, mini_batches.LINK_FIELDS).notes] == [reason]
    for raw, reason in (("-1", "out_of_range"), ("abc", "not_a_number"), ("inf", "not_finite"),
                        ("1e-7", "out_of_range")):
        assert [n.reason for n in decode({"lr": raw}, mini_batches.LINK_FIELDS).notes] == [reason]


def test_malformed_link_values_are_listed_and_defaults_used():
    at = open_link(PAGE, {"batch_size": "2.5", "lr": "nan", "epochs": "0", "data": "foo", "shuffle": "maybe",
                          "bogus": "1", "steps": "-3"})
    assert not at.exception, at.exception
    (warning,) = at.warning
    text = warning.value
    for bad in ("batch_size=2.5", "lr=nan", "epochs=0", "data=foo", "shuffle=maybe", "`bogus`", "steps=-3"):
        assert bad in text, bad
    assert "not a whole number" in text and "not a finite number" in text and "outside the allowed range" in text
    # every widget kept its default (tutorial 000) and the run is the default one, not started
    assert at.number_input(key="w.mini_batches.batch_size").value == 20
    assert at.number_input(key="w.mini_batches.lr").value == 0.01
    assert at.number_input(key="w.mini_batches.epochs").value == 99
    assert at.selectbox(key="w.mini_batches.base").value == "linreg-minibatch"
    run = _run(at)
    assert (run.config.preset, run.config.batch_size, run.config.lr, run.config.epochs, run.step_count) == (
        "linreg-minibatch", 20, 0.01, 99, 0)
    at.button(key="b.mini_batches.dismiss_notes").click().run()
    assert not at.warning and not at.exception

    # batch_size 0 is refused; cmp_epochs 50 fits the field but not d2l's 1000 samples: capped, with a sentence
    at = open_link(PAGE, {"batch_size": "0", "cmp_epochs": "50", "data": "linreg-d2l", "steps": "2"})
    assert not at.exception, at.exception
    assert any("batch_size=0" in w.value and "outside the allowed range" in w.value for w in at.warning)
    assert at.number_input(key="w.mini_batches.batch_size").value == 10  # d2l's own, as the data choice brings it
    cap = mini_batches.max_compare_epochs(1000)
    assert at.number_input(key="w.mini_batches.cmp_epochs").value == cap
    assert any("50 epochs" in w.value and f"uses {cap}" in w.value for w in at.warning)
    # batch_size 500 fits the field (d2l has 1000 samples) but not tutorial 000's 150: capped, with a sentence
    at = open_link(PAGE, {"batch_size": "500", "steps": "1"})
    assert not at.exception, at.exception
    assert any("larger than the 150 samples" in w.value for w in at.warning)
    assert _run(at).config.batch_size == 150 and _run(at).step_count == 1
    assert at.query_params["batch_size"] == "150"


def test_instructor_hide_and_lock():
    at = open_link(PAGE, {"batch_size": "30", "lr": "0.02", "hide": "batch_size,controls", "steps": "4"})
    assert not at.exception, at.exception
    keys = {w.key for w in at.number_input} | {t.key for t in at.toggle} | {b.key for b in at.button}
    assert "w.mini_batches.batch_size" not in keys and "w.mini_batches.shuffle" not in keys
    assert "b.mini_batches.step" not in keys  # controls hidden
    assert {"w.mini_batches.lr", "w.mini_batches.epochs", "w.mini_batches.pitfall", "b.mini_batches.preset_000"} <= keys
    assert "w.mini_batches.base" in {s.key for s in at.selectbox}  # not locked: the data choice stays
    assert any("instructor" in i.value for i in at.info)
    run = _run(at)
    assert run.config.batch_size == 30 and run.step_count == 4  # the hidden batch_size still drives the run
    _same_run(run, _direct_run(4, "linreg-minibatch", batch_size=30, lr=0.02, epochs=99, shuffle=True,
                               full_tensor_pitfall=False))
    assert at.query_params["hide"] == "batch_size,controls" and at.query_params["batch_size"] == "30"
    at.number_input(key="w.mini_batches.lr").set_value(0.03).run()  # another setting changes: the hidden one is kept
    assert not at.exception
    assert (_run(at).config.batch_size, _run(at).config.lr) == (30, 0.03)

    at = open_link(PAGE, {"lock": "1", "hide": "pitfall", "steps": "1"})
    assert not at.exception, at.exception
    buttons = {b.key for b in at.button}
    assert "b.mini_batches.preset_000" not in buttons and "b.mini_batches.preset_d2l" not in buttons
    assert "w.mini_batches.base" not in {s.key for s in at.selectbox}  # the data choice is a preset chooser
    assert "w.mini_batches.pitfall" not in {t.key for t in at.toggle}
    assert "w.mini_batches.batch_size" in {w.key for w in at.number_input} and "b.mini_batches.step" in buttons
    assert at.query_params["lock"] == "1"


def test_a_link_with_the_sidebar_seed_reproduces_the_run():
    """The page has no seed of its own: the link carries the sidebar seed, applied before the sidebar draws."""
    from gdcore import Run
    at = open_link(PAGE, {"seed": "7", "steps": "3"})
    assert not at.exception and at.session_state["w.seed"] == 7
    run = _run(at)
    assert run.config.seed == 7 and run.step_count == 3
    ref = Run(run.config)
    ref.run(3)
    assert ref.params() == run.params()
    assert at.query_params["seed"] == "7"


def test_a_bad_steps_value_in_a_link_is_explained_with_its_bounds():
    at = open_link(PAGE, {"steps": "-5", "lr": "0.02"})
    assert not at.exception
    note = next(w.value for w in at.warning if "steps=-5" in w.value)
    assert f"outside the allowed range 0 to {MAX_LINK_STEPS:,}" in note
    assert _run(at).config.lr == 0.02 and _run(at).step_count == 0
