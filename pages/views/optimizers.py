"""Lesson: nn.Module and optimizers (seed 002): Lr(nn.Module), nn.MSELoss, torch.optim, the race."""
import functools

import streamlit as st

from gdcore import charts, printouts, seeding
from gdcore.charts import linear_regression as lr_charts
from gdcore.charts import optimizers as ocharts
from gdcore.config import OPTIMIZERS
from gdcore.devices import resolve_device
from gdcore.errors import GdError
from gdcore.lessons import optimizers
from gdcore.loops import tutorials
from gdcore.numbers import fixed
from gdcore.presets import preset_config
from pages import ui
from pages.parts.optimizers_lockstep import device_section, lockstep_section
from pages.ui import board, cockpit, layout

T = ui.tr()

NAME = "optimizers"
PRESET = "linreg-module"
TUTORIAL = {"w.optimizers.optimizer": "sgd", "w.optimizers.lr": 1e-3, "w.optimizers.steps": 30000,
            "w.optimizers.seed": None}
HP_FORMAT = {"lr": "%g", "momentum": "%.3f", "beta1": "%.3f", "beta2": "%.4f", "alpha": "%.3f", "eps": "%.0e"}
HP_MAX = optimizers.HP_MAX

DEFAULTS = {**TUTORIAL, "w.optimizers.momentum": 0.9, "w.optimizers.beta1": 0.9, "w.optimizers.beta2": 0.999,
            "w.optimizers.alpha": 0.99, "w.optimizers.log": True, "w.optimizers.race_steps": optimizers.RACE_STEPS,
            "w.optimizers.race_nesterov": False, "w.optimizers.race_log": True, "w.optimizers.x": 0.5,
            **{f"w.optimizers.race.{n}.{k}": v for n, hp in optimizers.RACE_DEFAULTS.items() for k, v in hp.items()}}
ui.defaults(DEFAULTS)
ui.share(NAME, optimizers.LINK_FIELDS, optimizers.HIDE_GROUPS, presets={PRESET: TUTORIAL})

lesson = ui.lesson(NAME)
sidebar_seed, device = ui.settings(0)
own_seed = st.session_state.get("w.optimizers.seed")
seed = sidebar_seed if own_seed is None else int(own_seed)  # this page's seed, else the sidebar's, else 0

st.title(":material/sports_score: " + T("optimizers.title"))
st.caption(T("optimizers.follows", source=T("optimizers.source")))
ui.link_notes(NAME)
_s = st.session_state  # the main run's settings fold into one expander above it, named by what they are now
settings_box = layout.settings(NAME, optimizers.LABELS.get(_s["w.optimizers.optimizer"]),
                               layout.lr_text(float(_s["w.optimizers.lr"])), T("layout.steps",
                                                                               n=int(_s["w.optimizers.steps"])))
with settings_box:
    if ui.shown(NAME, "presets"):
        ui.preset_button(T("optimizers.preset"), TUTORIAL, key="b.optimizers.preset", help=T("optimizers.preset_help"))
    # an instructor's link may hide some of these; a hidden widget's value stays in session state
    main_widgets = [(g, w) for g, w in (("optimizer", 1.2), ("lr", 1), ("steps", 1), ("seed", 1)) if ui.shown(NAME, g)]
    cc = dict(zip([g for g, _ in main_widgets], st.columns([w for _, w in main_widgets]))) if main_widgets else {}
    if "optimizer" in cc:
        cc["optimizer"].selectbox(T("optimizers.train.optimizer"), OPTIMIZERS, key="w.optimizers.optimizer",
                                  persist_state="session",
                                  format_func=optimizers.LABELS.get, help=T("optimizers.train.optimizer_help"))
    if "lr" in cc:
        cc["lr"].number_input("lr", min_value=optimizers.LR_MIN, max_value=optimizers.LR_MAX, step=1e-3, format="%g",
                              key="w.optimizers.lr", persist_state="session", help=T("optimizers.help.lr"))
    if "steps" in cc:
        cc["steps"].number_input(T("optimizers.train.steps"), min_value=1, max_value=optimizers.MAX_STEPS, step=1000,
                                 key="w.optimizers.steps", persist_state="session",
                                 help=T("optimizers.train.steps_help"))
    if "seed" in cc:
        cc["seed"].number_input(T("optimizers.train.seed"), min_value=0, max_value=optimizers.MAX_SEED, step=1,
                                value=None, key="w.optimizers.seed", persist_state="session",
                                placeholder=T("optimizers.train.seed_placeholder"),
                                help=T("optimizers.train.seed_help"))
    if "seed" in cc:  # tutorial 002 sets no seed: say so, with how far its runs end apart
        st.caption(T(seeding.sentence(PRESET)))
    opt_name = st.session_state["w.optimizers.optimizer"]
    hp_names = [h for h in optimizers.HYPER[opt_name] if h in optimizers.MAIN_HYPER]
    if hp_names and ui.shown(NAME, "optimizer"):
        hc = st.columns(len(hp_names) + 1)
        for col, h in zip(hc, hp_names):
            col.number_input(h, min_value=0.0, max_value=HP_MAX[h], step=0.01, format=HP_FORMAT[h],
                             key=f"w.optimizers.{h}", persist_state="session", help=T(f"optimizers.help.{h}"))


def make_config():
    # 'auto' is resolved here so the run's config names the device it really uses
    changes = dict(seed=seed, device=str(resolve_device(device)), optimizer=opt_name,
                   lr=float(st.session_state["w.optimizers.lr"]),
                   steps=int(st.session_state["w.optimizers.steps"]), dtype=ui.precision())
    for h in hp_names:
        changes[h] = float(st.session_state[f"w.optimizers.{h}"])
    return preset_config(PRESET, **changes)


run = ui.build(lesson, make_config)
ui.replay(lesson, NAME)


def draw(run):
    a, b = st.columns(2)  # the data with the model's line, the loss
    p = run.params()
    lines = [{"label": T("optimizers.train.model"), "w": p["w"][0], "b": p["b"][0], "series": "fit"},
             {"label": "y = 3x + 0.8", "w": run.data.true_w[0], "b": run.data.true_b, "dash": True, "series": "true"}]
    with a:
        ui.chart(ocharts.fit_width(lr_charts.scatter_fit_spec(run.data.X.numpy(), run.data.y.numpy(), lines,
                                                              height=OPT_H, labels=T.labels)), "fit")
    a.caption(T("optimizers.train.fit_caption", w=fixed(p["w"][0]), b=fixed(p["b"][0])))
    log = b.toggle(T("optimizers.train.log"), key="w.optimizers.log", persist_state="session",
                   help=T("optimizers.train.log_help"))
    with b:
        if run.step_count == 0:
            st.info(T("ui.loss_placeholder"), icon=":material/show_chart:")
        else:
            ui.chart(ocharts.fit_width(charts.loss_curve_spec(charts.loss_table(run.losses(), labels=T.labels),
                                                               log=log, title=T("optimizers.train.loss_title"),
                                                               height=OPT_H - 20)), "loss")
    layout.folded("layout.printout", NAME, "printout", lambda: _printout(run), icon=":material/terminal:")
    layout.folded("layout.state", NAME, "state", lambda: _state(run), icon=":material/memory:")


def _printout(run):
    """What the tutorial's loop would have printed by now."""
    st.markdown(T("optimizers.train.printout"))
    printed = printouts.lines(run.config.preset, run.losses(), [], run.total_steps, last=10)
    if printed:
        st.code("\n".join(printed), language="text", wrap_lines=True)
    else:
        st.info(T("optimizers.train.printout_none"), icon=":material/terminal:")
    st.caption(T("optimizers.train.printout_caption"))


def _state(run):
    """What optimizer.state holds for w and b, and how it moved."""
    keys = optimizers.state_keys(run)
    st.markdown(T("optimizers.train.state_heading"))
    if not keys:
        st.caption(T("optimizers.train.no_state"))
        return
    for k in keys:
        st.caption(f"`{k}`: {T(optimizers.state_meaning(k))}")
    if run.step_count:
        st.dataframe(optimizers.state_frame(run, last=5), hide_index=True, width="stretch")
        tc = st.columns(len(keys))
        for col, key, chart in zip(tc, keys, ocharts.state_traces(optimizers.state_history(run), keys)):
            with col:
                ui.chart(chart, f"state_{key}")


OPT_H, RACE_H = 170, 240  # plot heights: the main run's two charts side by side; the race's beside them

work, race_box = st.columns([1.6, 1.25])  # the main run and its controls; the race's landscape beside it
if run is not None:
    with work:
        ui.live(lesson, NAME, draw, fields=optimizers.LINK_FIELDS)

# -- the race: its button, landscape and losses beside the main run; its settings and rules below ---
race_head = race_box.container()
st.subheader(T("optimizers.race.heading"))
st.markdown(T("optimizers.race.intro"))
with st.expander(T("optimizers.race.rules"), expanded=False):
    st.latex(r"\textbf{SGD: } w \leftarrow w - \eta g \qquad "
             r"\textbf{Momentum: } v \leftarrow \mu v + g,\; w \leftarrow w - \eta v")
    st.latex(r"\textbf{AdaGrad: } s \leftarrow s + g^2,\; w \leftarrow w - \eta\, g / (\sqrt{s} + \epsilon) \qquad "
             r"\textbf{RMSProp: } s \leftarrow \alpha s + (1-\alpha) g^2,\; "
             r"w \leftarrow w - \eta\, g / (\sqrt{s} + \epsilon)")
    st.latex(r"\textbf{Adam: } m \leftarrow \beta_1 m + (1-\beta_1) g,\; v \leftarrow \beta_2 v + (1-\beta_2) g^2,\; "
             r"w \leftarrow w - \eta\, \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}")
    st.caption(T("optimizers.race.rules_caption"))

show_race = ui.shown(NAME, "race")
if show_race:
    st.checkbox(T("optimizers.race.nesterov"), key="w.optimizers.race_nesterov", persist_state="session",
                help=T("optimizers.race.nesterov_help"))
runners = optimizers.RACE_OPTIMIZERS + (optimizers.EXTRA_OPTIMIZERS if st.session_state["w.optimizers.race_nesterov"]
                                        else ())
if show_race:
    cols = st.columns(len(runners))
    for col, name in zip(cols, runners):
        col.markdown(f"**{optimizers.LABELS[name]}**")
        for h in optimizers.HYPER[name]:
            col.number_input(h, min_value=optimizers.HP_MIN[h], max_value=HP_MAX[h],
                             step=0.01 if h != "eps" else 1e-8, format=HP_FORMAT[h],
                             key=f"w.optimizers.race.{name}.{h}", persist_state="session",
                             help=T(f"optimizers.help.{h}"))


def _race(names):
    chosen = {n: {h: st.session_state[f"w.optimizers.race.{n}.{h}"] for h in optimizers.HYPER[n]} for n in names}
    settings = optimizers.race_settings(chosen, optimizers=names)
    base = lesson.config or preset_config(PRESET, seed=seed, device=device)
    data = lesson.run.data if lesson.run is not None else None
    try:
        lesson.extra["race"] = optimizers.run_race(base, settings, int(st.session_state["w.optimizers.race_steps"]),
                                                   data, start=lesson.extra.get("race_start"))
        lesson.extra.pop("race_error", None)
        board.race_winner(lesson.extra["race"])  # to the class board, if this learner is in a room
    except GdError as exc:
        lesson.extra["race_error"] = T(exc.message)


def _race_from(names, w=None, b=None):
    """Every racer starts from the clicked (w, b); without a point, from the drawn start again."""
    lesson.extra["race_start"] = None if w is None else (w, b)
    _race(names)


if show_race:
    st.number_input(T("optimizers.race.steps"), min_value=1, max_value=optimizers.MAX_RACE_STEPS, step=50,
                    key="w.optimizers.race_steps", persist_state="session", width=200,
                    help=T("optimizers.race.steps_help", max=optimizers.MAX_RACE_STEPS))
race = lesson.extra.get("race")
with race_head:  # beside the main run: the button, the landscape every racer crosses, their losses
    st.button(T("optimizers.race.button", n=int(st.session_state["w.optimizers.race_steps"])), key="b.optimizers.race",
              on_click=_race, args=(runners,), type="primary", width="stretch", icon=":material/sports_score:",
              help=T("optimizers.race.button_help"))
    if lesson.extra.get("race_error"):
        st.error(lesson.extra["race_error"])
    if race:
        paths = optimizers.race_path_frame(race)
        any_run = next(iter(race.values()))
        grid, ws, bs, opt = optimizers.landscape_data(any_run.data, paths)
        cockpit.pick_chart(ocharts.race_landscape(grid, ws, bs, paths, opt, title=T("optimizers.race.landscape_title"),
                                                  height=RACE_H, labels=T.labels), NAME, "race_landscape",
                           functools.partial(_race_from, runners))
        log_race = st.toggle(T("optimizers.train.log"), key="w.optimizers.race_log", persist_state="session",
                             help=T("optimizers.race.log_help"))
        ui.chart(ocharts.race_losses(optimizers.race_loss_frame(race), log=log_race, height=RACE_H - 60,
                                     title=T("optimizers.race.losses_title"), labels=T.labels), "race_loss")
        cockpit.race_note(lesson.extra.get("race_start"), functools.partial(_race_from, runners))
    else:
        st.info(T("optimizers.race.press"))
if race:
    summary = T.frame(optimizers.race_summary(race, explain=lambda r: r.explain(T)))
    sc = summary.columns
    st.dataframe(summary.style.format({sc[2]: "{:.4f}", sc[3]: "{:.4f}", sc[4]: "{:.2e}", sc[5]: "{:.0f}"},
                                      na_rep=T("optimizers.race.not_reached")),
                 hide_index=True, width="stretch")
    starts = optimizers.start_params(race)
    w0, b0 = next(iter(starts.values()))
    limit = any_run.stability_limit() if "sgd" not in race else race["sgd"].stability_limit()
    hint = T("optimizers.race.hint", under=f"{0.95 * limit:.2f}", limit=f"{limit:.3g}", over=f"{1.1 * limit:.2f}") \
        if limit else ""
    st.caption(T("optimizers.race.started", w=f"{w0[0]:.4f}", b=f"{b0[0]:.4f}", hint=hint))

# -- below: the model and the loop, the code and the downloads ---------------------------------------
about, code = layout.below("layout.about", "layout.code")
with about:  # one above the other, at full width: two columns cut these lines in half
    st.subheader(T("optimizers.model.heading"))
    st.code(tutorials.shown(tutorials.linreg_module, "model"), language="python", wrap_lines=True)
    st.markdown(T("optimizers.model.text"))
    st.subheader(T("optimizers.loop.heading"))
    st.code(tutorials.shown(tutorials.linreg_module, "loop"), language="python", wrap_lines=True)
    st.markdown(T("optimizers.loop.text"))
with code:
    if run is not None:
        ui.code_and_downloads(run, NAME)

# -- manual vs module in lockstep; device and timing ---------------------------------------------------
lockstep_section(lesson)
device_section(lesson, run, PRESET)

# -- eval and predict --------------------------------------------------------------------------------
st.divider()
st.subheader(T("optimizers.eval.heading"))
e1, e2 = st.columns([1, 1])
e1.code("model.eval()                 # evaluation mode (matters for dropout / batch norm; not for Linear)\n"
        "predict = model(torch.tensor([[x]]))\n"
        "predict = predict.cpu().detach().numpy()", language="python", wrap_lines=True)
with e2:
    x = st.number_input("x", min_value=-1e6, max_value=1e6, step=0.1, format="%g", key="w.optimizers.x",
                        persist_state="session", help=T("optimizers.eval.x_help"))
    if run is not None:
        y_hat = float(run.predict([x])[0])
        st.metric("y_hat = model(x)", ui.fmt(y_hat),
                  delta=T("optimizers.eval.delta", d=f"{y_hat - (3 * x + 0.8):+.4g}"), delta_color="off",
                  help=T("optimizers.eval.y_hat_help"))

