"""AppTest: the linear-regression page renders, steps, loads presets, keeps state, explains divergence."""

import pytest
from apptest_util import away_and_back, chart_frames, open_link, open_page
from streamlit.testing.v1 import AppTest

PAGE = "pages/views/linear_regression.py"
LESSON = "_lesson.linear_regression"


def _open() -> AppTest:
    return open_page(PAGE)


def _errors(at) -> str:
    return " ".join(e.value for e in at.error)


@pytest.fixture
def at() -> AppTest:
    return _open()


def test_renders_and_step_advances_exactly_one_step(at):
    run = at.session_state[LESSON].run
    assert run.step_count == 0 and not _errors(at)
    assert at.number_input(key="w.linear_regression.lr").value == pytest.approx(0.01)  # tutorial 003 by default
    at.button(key="b.linear_regression.step").click().run()
    assert not at.exception
    lesson = at.session_state[LESSON]
    assert lesson.run is run and run.step_count == 1 and len(run.losses()) == 1
    at.button(key="b.linear_regression.step").click().run()
    assert run.step_count == 2 and len(run.losses()) == 2
    codes = " ".join(c.value for c in at.code)
    assert "0 tensor(" in codes and "1 tensor(" not in codes  # 003's print(i, loss), at i % 500 == 0
    assert "w.data -= lr * w.grad" in codes and " - 0.01 × (" in codes  # the update with numbers
    assert any("2/λmax" in m.label for m in at.metric)


def test_presets_load_tutorial_values(at):
    at.button(key="b.linear_regression.preset000").click().run()
    assert not at.exception
    assert at.number_input(key="w.linear_regression.n").value == 150
    assert at.number_input(key="w.linear_regression.noise").value == pytest.approx(0.3)
    assert at.number_input(key="w.linear_regression.steps").value == 792  # 99 epochs × 8 batches
    cfg = at.session_state[LESSON].run.config
    assert (cfg.preset, cfg.mode, cfg.full_tensor_pitfall, cfg.impl, cfg.optimizer, cfg.seed) == \
        ("linreg-minibatch", "minibatch", True, "manual", "sgd", 100)  # 000's loop, on the full tensors
    assert cfg.total_steps(cfg.n) == 792 and cfg.steps_per_epoch(cfg.n) == 8

    at.button(key="b.linear_regression.preset003").click().run()
    assert at.number_input(key="w.linear_regression.lr").value == pytest.approx(0.01)
    assert at.number_input(key="w.linear_regression.steps").value == 3000
    assert at.number_input(key="w.linear_regression.n").value == 50
    cfg = at.session_state[LESSON].run.config
    assert (cfg.preset, cfg.lr, cfg.n, cfg.total_steps(cfg.n), cfg.true_w, cfg.true_b, cfg.noise) == \
        ("linreg-manual", 0.01, 50, 3000, (3.0,), 0.8, 0.0)
    assert cfg.seed == 0  # the tutorial's own seed while the sidebar seed is empty

    at.number_input(key="w.seed").set_value(7).run()  # the sidebar seed, then the page's own
    assert at.session_state[LESSON].run.config.seed == 7
    at.button(key="b.linear_regression.regen").click().run()
    assert at.number_input(key="w.linear_regression.seed").value == 8
    assert at.session_state[LESSON].run.config.seed == 8


def test_state_survives_a_page_switch(at):
    at.number_input(key="w.linear_regression.lr").set_value(0.05).run()
    for _ in range(3):
        at.button(key="b.linear_regression.step").click().run()
    run = at.session_state[LESSON].run
    assert run.step_count == 3
    away_and_back(at, PAGE)
    assert at.session_state[LESSON].run is run and run.step_count == 3
    assert at.number_input(key="w.linear_regression.lr").value == pytest.approx(0.05)


def test_lr_above_the_limit_diverges_with_an_explained_stop(at):
    limit = at.session_state[LESSON].run.stability_limit()
    at.number_input(key="w.linear_regression.lr").set_value(round(limit * 3, 2)).run()
    at.button(key="b.linear_regression.run_n_btn").click().run()
    assert not at.exception
    run = at.session_state[LESSON].run
    assert run.status == "diverged"
    assert "diverged at step" in _errors(at) and "stability limit" in _errors(at)
    assert any("Why it diverged" in w.value for w in at.warning)


def test_bad_input_does_not_crash(at):
    at.number_input(key="w.linear_regression.n").set_value(1).run()
    at.number_input(key="w.linear_regression.noise").set_value(0.5).run()
    assert not at.exception
    assert any("not unique" in w.value for w in at.warning)
    at.button(key="b.linear_regression.step").click().run()
    assert not at.exception and at.session_state[LESSON].run.step_count == 1
    at.number_input(key="w.linear_regression.x_range").set_value(1000.0).run()  # huge curvature: lr 0.01 diverges
    at.button(key="b.linear_regression.run_n_btn").click().run()
    assert not at.exception and "diverged" in _errors(at)


# -- two languages, the verdict, the charts --------------------------------------------------

def test_page_in_chinese():
    from gdcore.i18n import translator
    zh = translator("zh")
    at = open_link(PAGE, {"lang": "zh"})
    assert not at.exception, at.exception
    assert at.session_state["w.lang"] == "zh"
    assert at.title[0].value.endswith(zh("linear_regression.title")) and zh("linear_regression.title") == "手写线性回归"
    assert at.number_input(key="w.linear_regression.true_w").label == zh("linear_regression.data.true_w")
    assert at.button(key="b.linear_regression.preset003").label == zh("linear_regression.preset.p003")
    assert at.subheader[0].value == zh("linear_regression.data.header")
    for _ in range(2):
        at.button(key="b.linear_regression.step").click().run()
    assert not at.exception
    codes = " ".join(c.value for c in at.code)
    assert zh("linear_regression.explain.forward") in codes and "w.data -= lr * w.grad" in codes
    assert any(zh("linear_regression.train.what_happened", step=2, where="i = 1") == m.value for m in at.markdown)
    # a diverging run in Chinese: the explanation is the Chinese one
    limit = at.session_state[LESSON].run.stability_limit()
    at.number_input(key="w.linear_regression.lr").set_value(round(limit * 3, 2)).run()
    at.button(key="b.linear_regression.run_n_btn").click().run()
    assert not at.exception and at.session_state[LESSON].run.status == "diverged"
    assert any(w.value.startswith(zh("linear_regression.train.why_diverged")) and "全批量梯度下降才会收敛" in w.value
               for w in at.warning)
    at.radio(key="w.linear_regression.recipe").set_value("upload").run()
    assert not at.exception and any(i.value == zh("linear_regression.data.upload_first") for i in at.info)


def test_page_in_english_has_no_chinese_and_both_languages_have_every_string():
    import re

    from gdcore.i18n import placeholders, strings
    en = {k: v for k, v in strings("en").items() if k.startswith("linear_regression.")}
    zh = {k: v for k, v in strings("zh").items() if k.startswith("linear_regression.")}
    assert en.keys() == zh.keys()
    assert all(placeholders(en[k]) == placeholders(zh[k]) for k in en)
    from gdcore.lessons.linear_regression import HIDE_GROUPS, RECIPES
    assert all(f"linear_regression.groups.{g}" in en for g in HIDE_GROUPS)
    assert all(f"linear_regression.recipes.{r}" in en for r in RECIPES)
    at = open_link(PAGE, {"steps": "2"})
    assert not at.exception
    shown = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])
    assert not re.search(r"[\u4e00-\u9fff]", shown)


def test_the_lr_verdict_is_a_material_icon_never_an_emoji(at):
    """The verdict's mark must show without an emoji font: a coloured Material icon beside the words."""
    import re
    emoji = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
    limit = at.session_state[LESSON].run.stability_limit()
    for lr, mark in ((0.01, ":green[:material/check_circle:]"), (round(limit * 3, 2), ":red[:material/cancel:]")):
        at.number_input(key="w.linear_regression.lr").set_value(lr).run()
        verdict = [m.value for m in at.markdown if "2/λmax" in m.value]
        assert verdict and verdict[0].startswith(mark), verdict
        assert not any(emoji.search(m.value) for m in list(at.markdown) + list(at.caption))


def test_loaded_weights_show_at_step_0_in_the_box_and_on_the_chart(at):
    """Uploading saved weights restarts the run there: the Step-0 box and the fitted line show the
    loaded w, b at once, not the drawn ones (before, they changed only after the first Step)."""
    import torch

    from gdcore import weights
    drawn = at.session_state[LESSON].run.params()
    raw = weights.save({"w": torch.tensor([2.031471]), "b": torch.tensor([0.5])})
    at.file_uploader(key="u.linear_regression.pt").set_value(("saved.pt", raw, "application/octet-stream")).run()
    assert not at.exception
    step0 = [i.value for i in at.info if i.value.startswith("Step 0")]
    assert step0 and "w = 2.03147" in step0[0] and "b = 0.5 " in step0[0], step0
    assert f"{drawn['w'][0]:.6g}" not in step0[0] and "drawn by" not in step0[0]
    lines = [f for f in chart_frames(at) if "line" in f.columns]
    assert lines, "no chart with straight lines"
    now = lines[0][lines[0]["line"].str.startswith("y_hat")]
    assert len(now) and set(now["w"].round(5)) == {2.03147} and set(now["b"]) == {0.5}
    assert any("Started from the weights in saved.pt" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_uploaded_data_caption_says_the_controls_are_off_and_what_the_seed_still_does(lang):
    """With a CSV the data controls are greyed out: the caption must not call the points 'a pure
    function of these controls'; it says the file decides them and the seed only draws w, b."""
    from gdcore.i18n import translator
    T = translator(lang)
    at = open_link(PAGE, {"lang": lang})
    pure_head = T("linear_regression.data.pure", seed=0, source="").split("（")[0].split("(")[0]
    assert any(c.value.startswith(pure_head) for c in at.caption)  # the tutorial's recipe: the controls decide
    at.radio(key="w.linear_regression.recipe").set_value("upload").run()
    csv = b"x,y\n" + b"".join(f"{i / 10},{3 * i / 10 + 0.8}\n".encode() for i in range(20))
    at.file_uploader(key="u.linear_regression.csv").set_value(("line.csv", csv, "text/csv")).run()
    assert not at.exception
    assert at.number_input(key="w.linear_regression.true_w").disabled
    captions = [c.value for c in at.caption]
    assert not any(c.startswith(pure_head) for c in captions), captions
    seed = at.session_state[LESSON].run.config.seed
    assert any(c.startswith(T("linear_regression.data.pure_upload", seed=seed, source="")[:12]) and "torch.rand(1)" in c
               for c in captions), captions


def test_each_tutorial_prints_in_its_own_numbering_and_cadence(at):
    """003 prints `print(i, loss)` when i % 500 == 0 (i from 0); 000 prints every update as
    epoch(e) batch(i), epochs from 1 and 8 batches to an epoch: never 'epoch(792) batch(0)'."""
    at.number_input(key="w.linear_regression.run_n").set_value(600).run()
    at.button(key="b.linear_regression.run_n_btn").click().run()
    printed = [c.value for c in at.code if "tensor(" in c.value]
    assert printed and [ln.split(" ")[0] for ln in printed[0].splitlines()] == ["0", "500"]
    assert any("`i = 599` in the tutorial's loop" in m.value for m in at.markdown)

    at.button(key="b.linear_regression.preset000").click().run()
    for _ in range(10):
        at.button(key="b.linear_regression.step").click().run()
    printed = [c.value for c in at.code if "lossΔw,Δb,w,b, = " in c.value]
    assert printed and printed[0].splitlines()[-1].startswith("epoch(2) batch(1) lossΔw,Δb,w,b, = ")
    assert printed[0].splitlines()[0].startswith("epoch(1) batch(0) ")
    assert any("`epoch(2) batch(1)` in the tutorial's loop" in m.value for m in at.markdown)
    at.number_input(key="w.linear_regression.run_n").set_value(782).run()
    at.button(key="b.linear_regression.run_n_btn").click().run()
    run = at.session_state[LESSON].run
    assert run.step_count == 792
    last = [c.value for c in at.code if "lossΔw,Δb,w,b, = " in c.value][0].splitlines()[-1]
    assert last.startswith("epoch(99) batch(7) ") and "epoch(792)" not in last


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_says_which_tutorials_are_seeded_and_how_far_unseeded_runs_end_apart(lang):
    """003 sets no seed, so seed 0 is this page's, not 'the tutorial's'; 000 seeds only its data. The
    caption says so, with the measured spread of the final w and b over unseeded runs."""
    from gdcore import seeding
    from gdcore.i18n import translator
    T = translator(lang)
    at = open_link(PAGE, {"lang": lang})
    captions = [c.value for c in at.caption]
    assert "the tutorial's seed" not in " ".join(captions) and "教程的种子" not in " ".join(captions)
    s = seeding.spread("linreg-manual")
    note = [c for c in captions if "003" in c and f"{s.w_lo[0]:.3f} – {s.w_hi[0]:.3f}" in c]
    assert note and note[0] == T(seeding.sentence("linreg-manual"))
    at.button(key="b.linear_regression.preset000").click().run()
    captions = [c.value for c in at.caption]
    assert T(seeding.sentence("linreg-minibatch")) in captions
    assert any("np.random.seed(100)" in c for c in captions)
    opt = open_link("pages/views/optimizers.py", {"lang": lang})
    assert T(seeding.sentence("linreg-module")) in [c.value for c in opt.caption]
