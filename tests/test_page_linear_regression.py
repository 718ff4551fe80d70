"""AppTest: the linear-regression page renders, steps, loads presets, keeps state, explains divergence."""

import pytest
from apptest_util import away_and_back, open_link, open_page
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


# -- share links, instructor locks, two languages -------------------------------------------------

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


def test_a_page_seed_in_a_link_leaves_the_sidebar_seed_alone():
    at = open_link(PAGE, {"seed": "7"})
    assert not at.exception
    assert at.session_state["w.linear_regression.seed"] == 7 and at.session_state["w.seed"] is None


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


def _specs(at) -> list[dict]:
    import json
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _chart_frames(at) -> list:
    """The data frames the page's charts were sent with: Arrow beside the spec, and small layers inline."""
    import pandas as pd
    import pyarrow as pa
    frames = [pa.ipc.open_stream(d.data.data).read_pandas()
              for c in at.get("vega_lite_chart") for d in c.proto.datasets]
    return frames + [pd.DataFrame(layer["data"]["values"]) for spec in _specs(at) for layer in spec.get("layer", [spec])
                     if "values" in layer.get("data", {})]


def _colour_scales(spec) -> list[dict]:
    """Every quantitative colour scale in a Vega-Lite spec (the landscape's loss colours)."""
    found = []
    def walk(o):
        if isinstance(o, dict):
            c = o.get("color")
            if isinstance(c, dict) and c.get("type") == "quantitative" and "scale" in c:
                found.append(c["scale"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(spec)
    return found


@pytest.mark.parametrize("lang, low_bright, low_dark", [("en", "yellow = low", "dark purple = low"),
                                                         ("zh", "越黄越低", "越暗（深紫）越低")])
def test_landscape_caption_names_the_colour_scales_direction(lang, low_bright, low_dark):
    """viridis runs from dark purple (its first colour, #440154) to yellow (#fde725): with reverse the low
    end is yellow. The caption under the landscape must say what the colour bar shows."""
    at = open_link(PAGE, {"lang": lang})
    assert not at.exception
    scales = [s for spec in _specs(at) for s in _colour_scales(spec)]
    assert scales and all(s["scheme"] == "viridis" for s in scales)
    low_is_yellow = bool(scales[0].get("reverse", False))
    captions = [c.value for c in at.caption if "◆" in c.value]
    assert captions, "no landscape caption"
    assert (low_bright if low_is_yellow else low_dark) in captions[0]
    assert (low_dark if low_is_yellow else low_bright) not in captions[0]


def _line_colours(at) -> dict:
    """label -> colour of the straight lines in the page's data chart."""
    for spec in _specs(at):
        for layer in spec.get("layer", []):
            color = layer.get("encoding", {}).get("color", {})
            if color.get("field") == "line":
                return dict(zip(color["scale"]["domain"], color["scale"]["range"]))
    raise AssertionError("no chart with straight lines")


def test_line_colours_are_the_same_in_both_languages():
    """The fitted line, the true line and the least-squares line keep their colours when the labels are
    translated (before, the colours followed the labels' sort order and swapped in Chinese)."""
    from gdcore.i18n import translator
    seen = {}
    for lang in ("en", "zh"):
        T = translator(lang)
        at = open_link(PAGE, {"lang": lang, "show_ls": "1"})
        assert not at.exception
        colours = _line_colours(at)
        seen[lang] = {series: colours[T(f"linear_regression.train.line_{series}")] for series in ("now", "true", "ls")}
    assert seen["en"] == seen["zh"]
    assert len(set(seen["en"].values())) == 3


def test_optimizer_page_line_colours_are_the_same_in_both_languages():
    from gdcore.i18n import translator
    seen = {}
    for lang in ("en", "zh"):
        at = open_link("pages/views/optimizers.py", {"lang": lang})
        assert not at.exception
        colours = _line_colours(at)
        seen[lang] = (colours[translator(lang)("optimizers.train.model")], colours["y = 3x + 0.8"])
    assert seen["en"] == seen["zh"] and seen["en"][0] != seen["en"][1]


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
    lines = [f for f in _chart_frames(at) if "line" in f.columns]
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
