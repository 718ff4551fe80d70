"""Linear regression by hand (seeds 003 and 000): the manual loop, one step at a time."""
import numpy as np
import streamlit as st

from gdcore import charts, limits, manual, reference, seeding
from gdcore.charts import linear_regression as lr_charts
from gdcore.devices import resolve_device
from gdcore.lessons import linear_regression as lesson_math
from gdcore.lessons.precision import rounding_note
from gdcore.loops import tutorials
from gdcore.presets import PRESETS, preset_config
from gdcore.reference import bowl
from pages import ui
from pages.parts import linear_regression_features as feature_view
from pages.parts import linear_regression_numbers, linear_regression_printout
from pages.parts import linear_regression_scaling as feature_scaling
from pages.ui import cockpit, columns, layout, slowmo

T = ui.tr()

K = "linear_regression"  # this page's key prefix: widgets "w.linear_regression.*", buttons "b.linear_regression.*"
W = f"w.{K}."

# the lr verdict's mark: Material icons in colour (emoji need a font the learner may not have)
VERDICT_ICONS = {"smooth": ":green[:material/check_circle:]", "zigzag": ":orange[:material/warning:]",
                 "edge": ":orange[:material/warning:]", "diverges": ":red[:material/cancel:]"}
RECIPES = lesson_math.RECIPES  # option values; their labels are linear_regression.recipes.<value>
UPLOAD = "upload"


def _preset_values(name: str) -> dict:
    """A tutorial's data and loop settings as this page's widget values (seed: the tutorial's own)."""
    c = PRESETS[name]
    return {W + "recipe": name, W + "true_w": float(c.true_w[0]), W + "true_b": float(c.true_b),
            W + "noise": float(c.noise), W + "n": int(c.n), W + "x_range": float(c.x_range), W + "seed": None,
            W + "lr": float(c.lr), W + "steps": int(c.total_steps(c.n))}


TUT_003 = _preset_values("linreg-manual")  # 3000 full-batch steps at lr 0.01 on 50 points
TUT_000 = _preset_values("linreg-minibatch")  # 150 noisy points; 99 epochs × 8 batches = 792 updates

lesson = ui.lesson(K)
ui.defaults({**TUT_003, W + "log": True, W + "show_ls": False, W + "scale": False})
FIELDS = lesson_math.LINK_FIELDS + [cockpit.moves_field(K)]  # the settings, and (w, b) set by hand
ui.share(K, FIELDS, lesson_math.HIDE_GROUPS,
          presets={"linreg-manual": TUT_003, "linreg-minibatch": TUT_000})


def _load(values: dict) -> None:
    ui.set_values(values)
    lesson.reset()


def _effective_seed() -> tuple[int, str]:
    """The seed the run uses and where it comes from (a locale key: linear_regression.data.source_*)."""
    recipe = st.session_state.get(W + "recipe", "linreg-manual")
    own = st.session_state.get(W + "seed")
    if own is not None:
        return int(own), "linear_regression.data.source_page"
    seed, _ = ui.settings(PRESETS.get(recipe, PRESETS["linreg-manual"]).seed)
    sidebar = st.session_state.get("w.seed") is not None
    source = "linear_regression.data.source_sidebar" if sidebar else "linear_regression.data.source_tutorial"
    return seed, source


def _new_sample() -> None:
    st.session_state[W + "seed"] = (_effective_seed()[0] + 1) % 2**31


# -- intro ---------------------------------------------------------------------------------------

st.title(":material/show_chart: " + T("linear_regression.title"))
ui.link_notes(K)
_s = st.session_state  # the settings fold into one expander above the run, named by what they are now
_recipe = _s.get(W + "recipe")
settings_box = layout.settings(
    K, T("layout.data", name=T("linear_regression.recipes.upload") if _recipe == UPLOAD
      else T(f"ui.preset_name.{_recipe if _recipe in PRESETS else 'linreg-manual'}")),
    layout.lr_text(float(_s[W + "lr"])), T("layout.steps", n=int(_s[W + "steps"])), expanded=_recipe == UPLOAD)
with settings_box:  # closed before the run is built; the rest of the page draws below it

    show_presets = ui.shown(K, "presets")
    show_data = ui.shown(K, "data")
    show_seed = ui.shown(K, "seed")
    if show_presets:
        c1, c2 = st.columns(2)
        c1.button(T("linear_regression.preset.p003"), key=f"b.{K}.preset003", on_click=_load, args=(TUT_003,),
                  width="stretch", help=T("linear_regression.preset.p003_help"))
        c2.button(T("linear_regression.preset.p000"), key=f"b.{K}.preset000", on_click=_load, args=(TUT_000,),
                  width="stretch", help=T("linear_regression.preset.p000_help"))
        st.caption(T("linear_regression.preset_caption"))


    def _grid(draws) -> None:
        """Widgets in rows of three columns, in order; a hidden group leaves no gap between the others."""
        for i in range(0, len(draws), 3):
            for col, draw in zip(st.columns(3), draws[i:i + 3]):
                with col:
                    draw()


    # -- the data -------------------------------------------------------------------------------------

    own = st.session_state.get(W + "recipe") == UPLOAD
    if show_presets or show_data or show_seed or own:
        st.subheader(T("linear_regression.data.header"))
    if show_presets:
        st.radio(T("linear_regression.data.recipe"), list(RECIPES), key=W + "recipe", persist_state="session",
                 format_func=lambda r: T(f"linear_regression.recipes.{r}"), horizontal=True,
                 help=T("linear_regression.data.recipe_help"))
    own = st.session_state.get(W + "recipe") == UPLOAD
    upload = None
    if own:
        upload = columns.upload_columns(K)  # the target and 1 to 64 features (feature_view draws d > 1)
        if upload is None:
            st.info(T("linear_regression.data.upload_first"))
            st.stop()
        st.caption(T("linear_regression.data.upload_used"))


    def _number(name: str, **kwargs):
        """A draw function for one of the data number inputs (label and help from linear_regression.data.<name>)."""
        def draw():
            st.number_input(T(f"linear_regression.data.{name}"), key=W + name, persist_state="session",
                            help=T(f"linear_regression.data.{name}_help"), **kwargs)
        return draw


    def _seed_input() -> None:
        st.number_input(T("linear_regression.data.seed"), min_value=0, max_value=limits.MAX_SEED, step=1, value=None,
                        key=W + "seed", persist_state="session",
                        placeholder=T("linear_regression.data.seed_placeholder"),
                        help=T("linear_regression.data.seed_help"))


    draws = []
    if show_data:
        draws += [_number("true_w", disabled=own, **limits.bounds(limits.PAGE_TRUE), step=0.5),
                  _number("true_b", disabled=own, **limits.bounds(limits.PAGE_TRUE), step=0.5),
                  _number("noise", disabled=own, **limits.bounds(limits.PAGE_NOISE), step=0.1),
                  _number("n", disabled=own, **limits.bounds(limits.PAGE_N), step=10),
                  _number("x_range", disabled=own, **limits.bounds(limits.PAGE_X_RANGE), step=0.5)]
    if show_seed:
        draws.append(_seed_input)
    if show_data:
        draws.append(lambda: feature_scaling.toggle(K))
    _grid(draws)
    seed, seed_source = _effective_seed()
    pure = T("linear_regression.data.pure_upload" if own else "linear_regression.data.pure", seed=seed,
             source=T(seed_source))
    if show_seed:
        r1, r2 = st.columns([1, 3], vertical_alignment="center")
        r1.button(T("linear_regression.data.new_sample"), icon=":material/casino:", key=f"b.{K}.regen",
                  on_click=_new_sample,
                  width="stretch",
                  help=T("linear_regression.data.new_sample_help_upload" if own
                         else "linear_regression.data.new_sample_help"))
        r2.caption(pure)
    elif show_data:
        st.caption(pure)
    if (show_seed or show_data) and not own:  # which tutorials fix their numbers, and how far unseeded runs end apart
        st.caption(T(seeding.sentence(st.session_state[W + "recipe"])))

    # -- lr and length --------------------------------------------------------------------------------

    st.subheader(T("linear_regression.lr.header"))
    cols = iter(st.columns(3))
    if ui.shown(K, "lr"):
        next(cols).number_input(T("linear_regression.lr.lr"), **limits.bounds(limits.PAGE_LR), step=0.01, format="%g",
                                key=W + "lr", persist_state="session", help=T("linear_regression.lr.lr_help"))
    if ui.shown(K, "steps"):
        next(cols).number_input(T("linear_regression.lr.steps"), **limits.bounds(limits.PAGE_STEPS), step=500,
                                key=W + "steps", persist_state="session", help=T("linear_regression.lr.steps_help"))
    limit_box = next(cols).container()
    sentence_box = st.container()


def _config():
    _, device = ui.settings(0)
    device = str(resolve_device(device))  # "auto" -> the device it picks, so the config names it
    s = st.session_state
    scale = "standard" if s.get(W + "scale") else "none"
    if upload is not None:  # the uploaded points, the 003 loop (its init); the true line is unknown
        return preset_config("linreg-manual", mode="batch", impl="manual", optimizer="sgd", data="custom",
                             n=upload.n, seed=seed, lr=float(s[W + "lr"]), epochs=int(s[W + "steps"]), device=device,
                             scaling=scale, dtype=ui.precision())
    return lesson_math.run_config(  # the tutorial's own loop: 003's `for i`, or 000's epochs of batches
        s[W + "recipe"], int(s[W + "steps"]), true_w=(float(s[W + "true_w"]),), true_b=float(s[W + "true_b"]),
        noise=float(s[W + "noise"]), n=int(s[W + "n"]), x_range=float(s[W + "x_range"]), seed=seed,
        lr=float(s[W + "lr"]), device=device, scaling=scale, dtype=ui.precision())


run = ui.build(lesson, _config, upload)
if run is None:
    st.stop()
cockpit.attach(lesson, run, K)
ui.replay(lesson, K)


def _facts(run):
    """The optimum, curvatures and stability limit of the data as trained (z-scores when scaled), once per
    data set and scaling; the extra: the landscape (one feature) and the raw data's optimum."""
    cached = lesson.extra.get("facts")
    if cached is None or cached[0] is not run.train_data:
        X, y = run.train_data.X, run.train_data.y  # the landscape as six numbers (see gdcore.reference.Bowl)
        one = run.data.n_features == 1
        cached = (run.train_data, lesson_math.facts(X, y), bowl(X, y) if one else None,
                  reference.least_squares(run.data.X, run.data.y) if run.scaler is not None else None)
        lesson.extra["facts"] = cached
    return cached[1]


facts = _facts(run)
lr = run.config.lr
if facts.limit is None:
    limit_box.info(T("linear_regression.lr.flat"))
else:
    limit_box.metric(T("linear_regression.lr.limit"), f"{facts.limit:.4g}", help=T("linear_regression.lr.limit_help"))
    icon = VERDICT_ICONS[lesson_math.lr_regime(lr, facts.lambda_max)]
    above = T("linear_regression.lr.above", limit=f"{facts.limit:.4g}", lam=f"{facts.lambda_max:.4g}")
    with lesson.lock:  # the worker may be training this run: read its parameters between two slices
        rounding = rounding_note(run.stall, run.params(), facts.optimum, run.config.dtype)  # rounding may stop it
    sentence_box.markdown(f"{icon} {above} {T(lesson_math.lr_sentence(lr, facts, rounding))}")
with settings_box:
    if not facts.unique and run.data.n_features == 1:
        st.warning(T("linear_regression.lr.not_unique"))
    feature_scaling.effect(lesson, run)

# -- the run: controls, then the data, the loss and the landscape side by side --------------------


def _charts(run) -> None:
    f = _facts(run)
    opt = f.optimum  # of the data as trained: the landscape's
    p = run.params()
    w, b = p["w"][0], p["b"][0]
    ropt = lesson.extra["facts"][3] or opt  # the line, w*, b* and distances: in x's own units
    rw, rb = feature_scaling.raw_point(run, w, b)
    g1, g2, g3 = st.columns(layout.ROW)
    with g1:
        show_ls = st.toggle(T("linear_regression.train.show_ls"), key=W + "show_ls", persist_state="session",
                            help=T("linear_regression.train.show_ls_help"))
        lines = [{"label": T("linear_regression.train.line_now"), "w": rw, "b": rb, "series": "fit"}]
        if run.data.true_w is not None:  # an uploaded table has no true line
            lines.append({"label": T("linear_regression.train.line_true"), "w": run.data.true_w[0],
                          "b": run.data.true_b, "dash": True, "series": "true"})
        if show_ls:
            lines.append({"label": T("linear_regression.train.line_ls"), "w": ropt.w[0], "b": ropt.b, "dash": True,
                          "series": "least_squares"})
        ui.chart(lr_charts.fit_view_spec(run.data.X, run.data.y, lines, title=T("linear_regression.train.fit_title"),
                                          height=layout.CHART_H, labels=T.labels), "fit")
    with g2:
        log = st.toggle(T("linear_regression.train.log"), key=W + "log", persist_state="session",
                        help=T("linear_regression.train.log_help"))
        losses = run.losses()
        if not len(losses):  # step 0: nothing to draw yet, say what will come
            st.info(T("ui.loss_placeholder"), icon=":material/show_chart:")
        else:
            frame = charts.loss_table(losses, labels=T.labels)
            ui.chart(lr_charts.loss_curve_with_optimum_spec(frame, opt.mse, log=log, height=layout.CHART_H,
                                                            title=T("linear_regression.train.loss_title"),
                                                        label=T("linear_regression.train.rule_label"), labels=T.labels),
                     "loss")
            if lr_charts.optimum_rule_value(opt.mse, losses, log) is None:
                why = T("linear_regression.train.no_noise") if run.data.noise == 0 else ""
                st.caption(T("linear_regression.train.below_axis", loss=f"{opt.mse:.3g}", why=why))
            else:
                st.caption(T("linear_regression.train.rule_caption"))

    recs = run.records(last=2)  # the last two steps, for the distances' changes
    w0, b0 = float(run.w0.reshape(-1)[0]), float(run.b0.reshape(-1)[0])
    steps, pw, pb = manual.path_with_moves(*lesson_math.run_path(run, w0, b0), run.moves)
    z = run.scaler is not None  # z-scores: a round bowl, drawn square with equal units on both axes
    d0 = [float(t.reshape(-1)[0]) for t in run.drawn_start]  # the drawn start stays in view, as before a move
    window = feature_scaling.window(run, lesson_math.landscape_window(opt, (w0, b0), np.r_[pw, d0[0]],
                                                                      np.r_[pb, d0[1]]))
    wv, bv = lesson_math.grid_axes(window)
    grid = lesson.extra["facts"][2]
    path = charts.path_table(steps, pw, pb, series=T("linear_regression.train.path"), labels=T.labels)
    where = "features.scale" if z else "linear_regression.train"
    with g3:
        cockpit.landscape(lesson, run, K, lr_charts.landscape_with_current_spec(
            grid, wv, bv, path, (opt.w[0], opt.b), (w, b), height=layout.LANDSCAPE_H, square=z,
            title=T(f"{where}.landscape_title"), labels=T.labels, axes=feature_scaling.axes(run, "w", "b")), (wv, bv),
            grad=manual.mse_gradient(run.train_data.X, run.train_data.y, w, b), width="content" if z else "stretch")
        st.caption(T(f"{where}.landscape_caption", colours=T(f"charts.landscape.low_{charts.low_loss_colour()}")))
        if not lesson_math.in_window(window, w, b):
            st.caption(T("linear_regression.train.outside", w=f"{w:.4g}", b=f"{b:.4g}"))
    if run.status == "diverged":
        st.warning(T("linear_regression.train.why_diverged") + " "
                   + T(lesson_math.divergence_explanation(run.config.lr, f.lambda_max)))
    return recs, rw, rb, ropt


def draw(run) -> None:
    if run.data.n_features > 1:  # an upload with several features: its own view
        return feature_view.draw(run, K)
    slowmo.control(lesson, run, K, run.config.preset or "linreg-manual")  # one step, phase by phase
    recs, rw, rb, ropt = _charts(run)
    left, right = st.columns(2)
    with left:
        linear_regression_numbers.what_happened(run)
    with right:
        cockpit.hands(lesson, run, K, _facts(run).optimum)
    linear_regression_numbers.distances(run, recs, rw, rb, ropt)
    if run.step_count:
        layout.folded("layout.printout", K, "printout", lambda: linear_regression_printout.printout(run),
                      icon=":material/terminal:")


ui.live(lesson, K, draw, fields=FIELDS)

# -- below the run: the lesson's words, the tutorial's loop, the code and the downloads ----------
about, code = layout.below("layout.about", "layout.code")
with about:
    st.markdown(T("linear_regression.intro"))
    st.code(tutorials.shown(tutorials.linreg_manual), language="python", wrap_lines=True)
    st.caption(T("linear_regression.loop_000"))
with code:
    ui.code_and_downloads(run, K)
