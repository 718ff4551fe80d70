"""AppTest for pages/views/mini_batches.py: renders, steps, presets, page switches, divergence, bad batch_size."""

import pytest
from apptest_util import away_and_back, open_link, open_page
from streamlit.testing.v1 import AppTest

from gdcore.engine import Run
from gdcore.i18n import translator
from gdcore.lessons import mini_batches
from gdcore.links import MAX_LINK_STEPS

EN = translator("en")

PAGE = "pages/views/mini_batches.py"
LESSON = "_lesson.mini_batches"


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
    assert ((run.config.batch_size, run.config.lr, run.config.epochs, run.config.preset)
            == (20, 0.01, 99, "linreg-minibatch"))
    assert run.step_count == 0 and not any(v.startswith("[") for v in _codes(at))  # no empty batch box at step 0


def test_step_advances_exactly_one_step_and_the_batch_changes(at):
    run = _run(at)
    before = run.step_count
    at.button(key="b.mini_batches.step").click().run()
    assert not at.exception
    run = _run(at)
    assert run.step_count == before + 1
    first = _shown_batch(at)
    assert first == EN(mini_batches.format_batch(run.last_batch)) and len(run.last_batch) == 20
    at.button(key="b.mini_batches.step").click().run()
    assert _run(at).step_count == before + 2
    second = _shown_batch(at)
    assert second != first
    assert second == EN(mini_batches.format_batch(_run(at).last_batch))
    assert any("epoch(1) batch(1)" in v for v in _codes(at))  # the tutorial's print line for that step


def test_state_survives_a_switch_to_home_and_back(at):
    at.number_input(key="w.mini_batches.batch_size").set_value(25).run()
    for _ in range(3):
        at.button(key="b.mini_batches.step").click().run()
    run = _run(at)
    assert run.config.batch_size == 25 and run.step_count == 3
    away_and_back(at, PAGE)
    assert at.number_input(key="w.mini_batches.batch_size").value == 25
    assert _run(at) is run and run.step_count == 3


def test_presets_load_the_tutorials_values(at):
    at.button(key="b.mini_batches.preset_d2l").click().run()
    assert not at.exception
    run = _run(at)
    assert (run.config.preset, run.config.batch_size, run.config.lr, run.config.epochs) == ("linreg-d2l", 10, 0.03, 3)
    assert at.number_input(key="w.mini_batches.lr").value == 0.03
    assert at.radio(key="w.mini_batches.feature").value == 1  # d2l's book plots features[:, 1]
    at.button(key="b.mini_batches.epoch").click().run()
    assert not at.exception
    printed = next(v for v in _codes(at) if v.startswith("epoch 1, loss"))
    assert "error in estimating w" in printed
    at.button(key="b.mini_batches.preset_000").click().run()
    run = _run(at)
    assert ((run.config.preset, run.config.batch_size, run.config.lr, run.config.epochs)
            == ("linreg-minibatch", 20, 0.01, 99))
    assert at.number_input(key="w.mini_batches.epochs").value == 99


def test_diverging_lr_shows_the_message(at):
    at.button(key="b.mini_batches.preset_000").click().run()
    at.number_input(key="w.mini_batches.lr").set_value(1.0).run()
    at.button(key="b.mini_batches.run_n_btn").click().run()
    assert not at.exception
    assert _run(at).status == "diverged"
    assert any("diverged at step" in e.value and "stability limit" in e.value for e in at.error)


def test_batch_size_larger_than_n_is_prevented_or_explained(at):
    at.button(key="b.mini_batches.preset_000").click().run()
    box = at.number_input(key="w.mini_batches.batch_size")
    assert box.max == 150  # the widget itself stops at n
    box.set_value(500).run()
    assert not at.exception
    assert 1 <= _run(at).config.batch_size <= 150
    # a batch_size valid for d2l's 1000 samples, then tutorial 000's 150: capped and explained
    at.button(key="b.mini_batches.preset_d2l").click().run()
    at.number_input(key="w.mini_batches.batch_size").set_value(500).run()
    assert _run(at).config.batch_size == 500
    at.session_state["w.mini_batches.base"] = "linreg-minibatch"
    at.run()
    assert not at.exception
    assert any("larger than the 150 samples" in w.value for w in at.warning)
    assert at.number_input(key="w.mini_batches.batch_size").value == 150
    assert _run(at).config.batch_size == 150 and _run(at).config.preset == "linreg-minibatch"


def test_compare_three_modes_and_the_pitfall(at):
    at.button(key="b.mini_batches.preset_000").click().run()
    at.number_input(key="w.mini_batches.cmp_epochs").set_value(1).run()
    at.button(key="b.mini_batches.compare").click().run()
    assert not at.exception
    runs = at.session_state[LESSON].extra["compare"]["runs"]
    assert list(runs) == ["batch", "stochastic", "minibatch"]
    starts = [mini_batches.start_params(r) for r in runs.values()]
    assert starts[0] == starts[1] == starts[2]
    assert [r.step_count for r in runs.values()] == [1, 150, 8]
    at.radio(key="w.mini_batches.cmp_view").set_value("epoch").run()
    assert not at.exception
    at.number_input(key="w.mini_batches.epochs").set_value(2).run()
    at.button(key="b.mini_batches.pitfall_run").click().run()
    assert not at.exception
    pit = at.session_state[LESSON].extra["pitfall"]["runs"]
    assert pit[True].config.full_tensor_pitfall and not pit[False].config.full_tensor_pitfall
    assert pit[True].step_count == pit[False].step_count == 16
    assert len(at.session_state[LESSON].extra) <= 3  # compare, pitfall, replay: bounded


# -- share links, instructor locks, two languages -------------------------------------------------


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


def test_page_in_chinese():
    from gdcore.i18n import translator
    zh = translator("zh")
    at = open_link(PAGE, {"lang": "zh", **LINK_D2L, "pitfall": "0", "steps": "50"})
    assert not at.exception, at.exception
    assert at.session_state["w.lang"] == "zh"
    assert at.title[0].value.endswith(zh("mini_batches.title")) and zh("mini_batches.title") == "小批量"
    assert at.header[0].value == zh("mini_batches.s1.header")
    assert at.toggle(key="w.mini_batches.pitfall").label == zh("mini_batches.widget.pitfall")
    assert at.button(key="b.mini_batches.preset_d2l").label == zh("mini_batches.preset_d2l")
    assert at.number_input(key="w.mini_batches.batch_size").label == "batch_size"  # the tutorial's own name
    # d2l's printout: its epoch lines as printed, its closing lines as the Chinese book prints them
    printed = next(v for v in _codes(at) if v.startswith("epoch 1, loss"))
    assert "\nw的估计误差: tensor([" in printed and "\nb的估计误差: tensor([" in printed
    # the tutorial printout keeps its own words
    assert any(v.startswith("dataloader len =25") for v in _codes(at))
    at.number_input(key="w.mini_batches.cmp_epochs").set_value(1).run()
    at.button(key="b.mini_batches.compare").click().run()
    at.button(key="b.mini_batches.pitfall_run").click().run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe]
    assert any(zh("mini_batches.table.samples_per_step") in t.columns
               and zh("mini_batches.mode.stochastic") in set(t.iloc[:, 0]) for t in tables)
    assert any(zh("mini_batches.pitfall_label.pitfall") in set(t.iloc[:, 0]) for t in tables)


def test_language_switch_keeps_the_run_and_english_has_no_chinese():
    import re
    at = open_link(PAGE, {"steps": "3"})
    assert not at.exception
    shown = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header])
    assert not re.search(r"[\u4e00-\u9fff]", shown)
    run = _run(at)
    params = run.params()
    at.selectbox(key="w.lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert at.header[0].value == "1 · DataLoader 交出来的是什么"
    assert _run(at).step_count == 3 and _run(at).params() == params
    assert at.number_input(key="w.mini_batches.batch_size").value == 20


def test_gdcore_sentences_in_both_languages():
    from gdcore import Run, preset_config
    from gdcore.i18n import placeholders, strings, translator
    en = {k: v for k, v in strings("en").items() if k.startswith("mini_batches.")}
    zh = {k: v for k, v in strings("zh").items() if k.startswith("mini_batches.")}
    assert en.keys() == zh.keys() and all(placeholders(en[k]) == placeholders(zh[k]) for k in en)
    assert all(f"mini_batches.groups.{g}" in en for g in mini_batches.HIDE_GROUPS)
    assert all(f"mini_batches.base.{b}" in en for b in mini_batches.BASES)
    T = translator("zh")
    cfg = preset_config("linreg-d2l", full_tensor_pitfall=True)
    assert "100 倍" in T(mini_batches.pitfall_note(cfg, 1000)) and "lr = 3" in T(mini_batches.pitfall_note(cfg, 1000))
    assert "100× too large" in translator("en")(mini_batches.pitfall_note(cfg, 1000))
    assert [T(m) for m in mini_batches.error_lines({"w": [1e-4, -2e-4], "b": 3e-4})] == [
        "w的估计误差: tensor([1.0000e-04, -2.0000e-04])", "b的估计误差: tensor([3.0000e-04])"]
    bs, note = mini_batches.clamp_batch_size(500, 150)
    assert (bs, T(note)) == (
        150, "batch_size 500 超过了样本数 150，已改为 150（一个批次 = 全部数据）")
    assert T(mini_batches.format_batch(None)) == "全部样本（全批量）"
    assert T(mini_batches.format_batch([1, 2, 3], limit=1)) == "[1, ... 还有 2 个]"
    t = T.frame(mini_batches.batch_table([[3, 1], None]))
    assert list(t.columns) == ["index", "num", "样本下标"] and t["样本下标"].tolist() == ["3, 1", "全部"]
    runs = mini_batches.train_all(mini_batches.comparison_configs(preset_config("linreg-minibatch"), 1),
                        Run(preset_config("linreg-minibatch")).data)
    table = T.frame(mini_batches.summary_table(runs, mini_batches.MODE_LABELS))
    assert list(table.columns) == [T(f"mini_batches.table.{mini_batches.COLUMN_KEYS[c]}")
                                   for c in mini_batches.TABLE_COLUMNS]
    assert table["训练"].tolist() == ["批量梯度下降", "随机梯度下降", "小批量梯度下降"]
    assert table["每步样本数"].tolist() == [150, 1, 20] and set(table["状态"]) == {"正常"}
    english = translator("en").frame(mini_batches.summary_table(runs, mini_batches.MODE_LABELS))
    assert english["run"].tolist() == ["batch GD", "stochastic GD", "mini-batch GD"]


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


def _status(at) -> str:
    """The run's status line (a caption, or the success box of a finished run)."""
    lines = [c.value for c in list(at.caption) + list(at.success) if " of 792" in c.value]
    assert len(lines) == 1, lines
    return lines[0]


def _batch_head(at) -> str:
    heads = [m.value for m in at.markdown if m.value.startswith("**epoch(")]
    assert len(heads) == 1, heads
    return heads[0]


def test_status_and_panel_count_steps_the_way_the_tutorial_prints_them():
    at = _open()
    assert "first up: epoch(1) batch(0)" in _status(at)
    for _ in range(3):
        at.button(key="b.mini_batches.step").click().run()
    # the third step is the tutorial's `epoch(1) batch(2)`: status, panel and printout say so alike
    assert "epoch(1) batch(2)" in _status(at)
    assert "epoch(1) batch(2)" in _batch_head(at)
    assert any(v.splitlines()[-1].startswith("epoch(1) batch(2) ") for v in _codes(at))
    counting = next(c.value for c in at.caption if "range(1, 100)" in c.value)
    assert "batch(0) … batch(7)" in counting and "epoch(99) batch(7)" in counting
    # to the end of the 99 epochs: the last step is epoch(99) batch(7), and there is no epoch 100
    at.number_input(key="w.mini_batches.run_n").set_value(792).run()
    at.button(key="b.mini_batches.run_n_btn").click().run()
    assert not at.exception and _run(at).step_count == 792
    assert "epoch(99) batch(7)" in _status(at) and "batch 0" not in _status(at)
    assert "epoch(99) batch(7)" in _batch_head(at)
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    texts = [str(x.value) for x in list(at.markdown) + list(at.caption)] + specs
    assert not [t for t in texts if "epoch 100" in t]
    assert any("epoch 98 vs epoch 99" in s for s in specs)


def test_after_divergence_the_panel_shows_the_last_finite_steps_batch():
    """lr 0.2 blows up within the first staged rows; Run to end must leave the batch of the step it reports."""
    at = _open()
    at.number_input(key="w.mini_batches.lr").set_value(0.2).run()
    at.button(key="b.mini_batches.run_all").click().run()
    for _ in range(20):  # a long run advances on the live fragment's ticks; AppTest reruns instead
        if _run(at).done:
            break
        at.run()
    run = _run(at)
    assert not at.exception and run.status == "diverged"
    s = run.step_count
    stepped = Run(run.config)  # the same run, one step at a time: nothing drawn past the last finite step
    for _ in range(s):
        stepped.run(1)
    epoch, batch = (s - 1) // 8 + 1, (s - 1) % 8
    assert _shown_batch(at) == EN(mini_batches.format_batch(stepped.last_batch)) \
        == EN(mini_batches.format_batch(run.last_batch))
    assert f"epoch({epoch}) batch({batch})" in _batch_head(at) and f"num = {len(stepped.last_batch)}" in _batch_head(at)
    assert f"epoch({epoch}) batch({batch})" in _status(at)
    table = next(d.value for d in at.dataframe if list(d.value.columns)[:2] == ["index", "num"])
    assert len(table) == batch + 1
    assert table.iloc[-1, 2] == ", ".join(str(i) for i in stepped.last_batch)


def test_a_bad_steps_value_in_a_link_is_explained_with_its_bounds():
    at = open_link(PAGE, {"steps": "-5", "lr": "0.02"})
    assert not at.exception
    note = next(w.value for w in at.warning if "steps=-5" in w.value)
    assert f"outside the allowed range 0 to {MAX_LINK_STEPS:,}" in note
    assert _run(at).config.lr == 0.02 and _run(at).step_count == 0
