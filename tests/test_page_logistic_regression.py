"""AppTest of the 'Logistic regression' page: stepping, preset, variants, page switch, the unsafe loss,
share links, instructor locks and the two languages."""

import pytest
from apptest_util import away_and_back, open_link, open_page

from gdcore.engine import Run
from gdcore.i18n import translator
from gdcore.lessons import logistic_regression
from gdcore.limits import LOGREG_EPOCHS

PAGE = "pages/views/logistic_regression.py"


@pytest.fixture
def at():
    return open_page(PAGE)


def _run(app):
    return app.session_state["_lesson.logistic_regression"].run


def test_renders_the_tutorial_run(at):
    c = _run(at).config
    assert (c.preset, c.impl, c.loss, c.mode, c.lr, c.epochs, c.seed) == (
        "logreg-manual", "manual", "bce_manual", "stochastic", 0.001, 100, 123)
    assert _run(at).total_steps == 100_000
    assert not at.error
    assert any(m.label == "accuracy" for m in at.metric)


def test_step_advances_exactly_one_step(at):
    run = _run(at)
    at.button(key="b.logistic_regression.step").click().run()
    assert not at.exception
    assert _run(at) is run and run.step_count == 1
    assert run.last_batch == [0]  # data_x[0] first, as the tutorial
    assert any("#0" in m.value for m in at.markdown)  # the sample the step used is named


def test_variants_and_preset(at):
    at.radio(key="w.logistic_regression.impl").set_value("module").run()
    at.toggle(key="w.logistic_regression.safe").set_value(True).run()
    at.radio(key="w.logistic_regression.mode").set_value("minibatch").run()
    at.selectbox(key="w.logistic_regression.batch_size").set_value(64).run()
    at.selectbox(key="w.logistic_regression.loader").set_value("dataloader").run()
    at.button(key="b.logistic_regression.epoch").click().run()
    assert not at.exception
    run = _run(at)
    c = run.config
    assert (c.impl, c.loss, c.mode, c.batch_size, c.loader) == ("module", "bce_logits", "minibatch", 64, "dataloader")
    assert run.step_count == 16 and run.epoch == 1  # ceil(1000 / 64) steps
    at.button(key="b.logistic_regression.preset").click().run()
    c = _run(at).config
    assert (c.impl, c.loss, c.mode, c.batch_size, c.loader, c.shuffle, c.lr, c.epochs) == (
        "manual", "bce_manual", "stochastic", 1, "index", False, 0.001, 100)


def test_state_survives_a_page_switch(at):
    at.number_input(key="w.logistic_regression.lr").set_value(0.01).run()
    at.button(key="b.logistic_regression.step").click().run()
    run = _run(at)
    away_and_back(at, PAGE)
    assert at.number_input(key="w.logistic_regression.lr").value == 0.01
    assert _run(at) is run and run.step_count == 1


def test_large_lr_with_hand_written_loss_stops_with_reason_and_safe_loss_does_not(at):
    at.number_input(key="w.logistic_regression.lr").set_value(10.0).run()
    at.button(key="b.logistic_regression.run_n_btn").click().run()
    assert not at.exception
    assert _run(at).status == "diverged"
    assert any("log(0)" in e.value for e in at.error)
    at.toggle(key="w.logistic_regression.safe").set_value(True).run()
    at.button(key="b.logistic_regression.run_n_btn").click().run()
    assert _run(at).status == "ok" and _run(at).step_count == 100
    assert not any("diverged" in e.value for e in at.error)


# -- share links -----------------------------------------------------------------------------------

LINK = {"impl": "module", "safe": "1", "mode": "minibatch", "batch_size": "16", "loader": "dataloader",
        "shuffle": "1", "lr": "0.05", "epochs": "3", "log": "0", "steps": "7"}


def _direct(steps, seed=123, **knobs):
    """The trusted answer: the same variant built straight from gdcore and run for `steps` steps."""
    run = Run(logistic_regression.variant_config(seed=seed, device="cpu", **knobs))
    run.run(steps)
    return run


def _warnings(app):
    return " ".join(w.value for w in app.warning)


def test_link_round_trip_replays_the_steps_bit_for_bit():
    at = open_link(PAGE, LINK)
    assert not at.exception, at.exception
    assert at.radio(key="w.logistic_regression.impl").value == "module"
    assert at.toggle(key="w.logistic_regression.safe").value is True
    assert at.radio(key="w.logistic_regression.mode").value == "minibatch"
    assert at.selectbox(key="w.logistic_regression.batch_size").value == 16
    assert at.selectbox(key="w.logistic_regression.loader").value == "dataloader"
    assert at.checkbox(key="w.logistic_regression.shuffle").value is True
    assert at.number_input(key="w.logistic_regression.lr").value == 0.05
    assert at.number_input(key="w.logistic_regression.epochs").value == 3
    assert at.toggle(key="w.logistic_regression.log").value is False
    run = _run(at)
    assert run.step_count == 7
    want = _direct(7, impl="module", safe=True, mode="minibatch", batch_size=16, loader="dataloader",
                   shuffle=True, lr=0.05, epochs=3)
    assert run.config == want.config
    assert run.params() == want.params()  # bit-identical floats
    assert list(run.losses()) == list(want.losses())
    assert _direct(7, lr=0.05, epochs=3).params() != run.params()  # the variant knobs matter
    # the page writes the canonical link back: the same settings and the steps taken
    assert {k: at.query_params[k] for k in LINK} == LINK
    assert not _warnings(at)


def test_link_preset_then_fields():
    at = open_link(PAGE, {"preset": logistic_regression.PRESET, "lr": "0.01", "steps": "5"})
    assert not at.exception, at.exception
    c = _run(at).config
    assert (c.impl, c.loss, c.mode, c.lr, c.epochs) == ("manual", "bce_manual", "stochastic", 0.01, 100)
    assert _run(at).params() == _direct(5, lr=0.01).params()
    assert not _warnings(at)


def test_link_with_a_seed_replays_on_that_seed():
    at = open_link(PAGE, {"lr": "0.01", "seed": "7", "steps": "4"})
    assert not at.exception, at.exception
    run = _run(at)
    assert at.session_state["w.seed"] == 7 and run.config.seed == 7 and run.step_count == 4
    assert run.params() == _direct(4, seed=7, lr=0.01).params()
    assert run.params() != _direct(4, lr=0.01).params()  # the seed matters
    assert at.query_params["seed"] == "7"
    assert not _warnings(at)


def test_malformed_link_values_are_named_and_defaults_used():
    at = open_link(PAGE, {"lr": "abc", "epochs": "2.5", "batch_size": "3", "mode": "foo", "safe": "maybe",
                          "seed": "-1", "steps": "x", "optimizer": "adam"})
    assert not at.exception, at.exception
    text = _warnings(at)
    for part in ("lr=abc", "epochs=2.5", "batch_size=3", "mode=foo", "safe=maybe", "seed=-1", "steps=x",
                 "optimizer"):
        assert part in text, part
    c = _run(at).config
    assert (c.lr, c.epochs, c.mode, c.loss, c.seed) == (0.001, 100, "stochastic", "bce_manual", 123)
    assert _run(at).step_count == 0
    at = open_link(PAGE, {"lr": "-1", "epochs": str(LOGREG_EPOCHS[1] + 1)})  # outside the widgets' ranges
    assert not at.exception, at.exception
    assert "lr=-1" in _warnings(at) and f"epochs={LOGREG_EPOCHS[1] + 1}" in _warnings(at)
    assert (_run(at).config.lr, _run(at).config.epochs) == (0.001, 100)


def test_link_fields_match_the_widgets():
    at = open_page(PAGE)
    fields = {f.key: f for f in logistic_regression.LINK_FIELDS}
    for key in ("w.logistic_regression.lr", "w.logistic_regression.epochs"):
        w = at.number_input(key=key)
        assert (w.min, w.max) == (fields[key].lo, fields[key].hi), key
    sizes = fields["w.logistic_regression.batch_size"].choices
    assert at.selectbox(key="w.logistic_regression.batch_size").options == [str(v) for v in sizes]
    for key, widget in (("w.logistic_regression.impl", at.radio), ("w.logistic_regression.mode", at.radio),
                        ("w.logistic_regression.source", at.radio), ("w.logistic_regression.loader", at.selectbox)):
        assert len(widget(key=key).options) == len(fields[key].choices), key
    assert set(logistic_regression.HIDE_GROUPS) <= {"presets", "data", "lr", "steps", "seed", "loss", "controls"}


def test_instructor_hide_lr_keeps_the_links_lr():
    at = open_link(PAGE, {"lr": "0.02", "hide": "lr,controls", "steps": "3"})
    assert not at.exception, at.exception
    assert not [w for w in at.number_input if w.key == "w.logistic_regression.lr"]
    assert not [b for b in at.button if b.key == "b.logistic_regression.step"]
    assert [w for w in at.number_input if w.key == "w.logistic_regression.epochs"]  # other groups stay
    run = _run(at)
    assert run.config.lr == 0.02 and run.params() == _direct(3, lr=0.02).params()
    assert any(i.value == translator("en")("ui.link.instructor") for i in at.info)
    at.run()  # a rerun keeps the hidden value and the hiding
    assert _run(at).config.lr == 0.02 and not [w for w in at.number_input if w.key == "w.logistic_regression.lr"]


def test_instructor_lock_hides_the_preset_button():
    at = open_link(PAGE, {"lock": "1"})
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "b.logistic_regression.preset"]
    assert [b for b in at.button if b.key == "b.logistic_regression.step"]


def test_hiding_every_group_leaves_a_working_page():
    at = open_link(PAGE, {"hide": ",".join(logistic_regression.HIDE_GROUPS), "mode": "batch", "steps": "2"})
    assert not at.exception, at.exception
    assert not [w for w in at.radio if w.key in ("w.logistic_regression.source", "w.logistic_regression.impl",
                                                 "w.logistic_regression.mode")]
    assert _run(at).step_count == 2 and _run(at).batch_size == 1000


# -- languages -------------------------------------------------------------------------------------

def test_chinese_page():
    at = open_link(PAGE, {"lang": "zh", "steps": "1001"})
    assert not at.exception, at.exception
    zh = translator("zh")
    assert at.title[0].value.endswith(zh("logistic_regression.title"))
    assert zh("logistic_regression.title") != translator("en")("logistic_regression.title")
    assert any(m.label == zh("logistic_regression.run.accuracy") for m in at.metric)
    # option values do not change with the language
    assert at.radio(key="w.logistic_regression.mode").value == "stochastic"
    assert any(e.label.startswith("教程打印") for e in at.expander)
    assert "Epoch: 000, Loss:" in " ".join(c.value for c in at.code)  # the tutorial's printout as it prints
    assert at.query_params["lang"] == "zh"


def test_locale_files_have_the_same_keys_and_placeholders_and_cover_the_page():
    import re
    from pathlib import Path

    from gdcore.i18n import placeholders, strings
    root = Path(__file__).resolve().parents[1]
    en = {k: v for k, v in strings("en").items() if k.startswith("logistic_regression.")}
    zh = {k: v for k, v in strings("zh").items() if k.startswith("logistic_regression.")}
    assert en.keys() == zh.keys()
    assert all(placeholders(en[k]) == placeholders(zh[k]) for k in en), \
        [k for k in en if placeholders(en[k]) != placeholders(zh[k])]
    src = (root / PAGE).read_text() + (root / "gdcore/lessons/logistic_regression.py").read_text()
    lesson = logistic_regression
    used = set(re.findall(r'"(logistic_regression\.[a-z_.]+)"',
                          src)) | {f"logistic_regression.groups.{g}" for g in lesson.HIDE_GROUPS}
    widgets = {"data": lesson.SOURCES, "impl": lesson.IMPLS, "mode": lesson.MODES, "loader": lesson.LOADERS}
    used |= {f"logistic_regression.widgets.{kind}_{v}" for kind, values in widgets.items() for v in values}
    assert sorted(used - en.keys()) == []
