"""AppTest for pages/views/mini_batches.py: renders, steps, presets, page switches, divergence, bad batch_size."""

import pytest
from apptest_util import away_and_back, open_link, open_page
from streamlit.testing.v1 import AppTest

from gdcore.engine import Run
from gdcore.i18n import translator
from gdcore.lessons import mini_batches

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
    assert len(at.session_state[LESSON].extra) <= 4  # compare, pitfall, replay, the reshuffle frame: bounded


# -- two languages, the status and the batch panel --------------------------------------------

def test_page_in_chinese():
    from gdcore.i18n import translator
    zh = translator("zh")
    link_d2l = {"data": "linreg-d2l", "batch_size": "40", "lr": "0.005", "epochs": "2", "shuffle": "0",
                "cmp_epochs": "2"}
    at = open_link(PAGE, {"lang": "zh", **link_d2l, "pitfall": "0", "steps": "50"})
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


def test_the_reshuffle_chart_is_built_once_an_epoch_and_follows_the_next():
    """The reshuffle frame is kept between Steps of one epoch and built anew for the next epoch."""
    import pandas as pd
    at = _open()
    step = at.button(key="b.mini_batches.step")
    step.click().run()
    kept = at.session_state[LESSON].extra["reshuffle"]
    at.button(key="b.mini_batches.step").click().run()
    assert at.session_state[LESSON].extra["reshuffle"][1] is kept[1]  # the same epoch: not rebuilt
    for _ in range(8):  # 8 batches an epoch: into the next one
        at.button(key="b.mini_batches.step").click().run()
    (rep, first), frame = at.session_state[LESSON].extra["reshuffle"]
    assert first == kept[0][1] + 1 and frame is not kept[1]
    pd.testing.assert_frame_equal(frame, mini_batches.reshuffle_frame(rep, first))
