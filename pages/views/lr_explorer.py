"""Lesson: the learning-rate explorer. Dozens of lrs trained at once as one batched program."""
import streamlit as st

from gdcore.charts import lr_explorer as scharts
from gdcore.errors import GdError
from gdcore.lessons import lr_explorer
from gdcore.presets import PRESETS
from gdcore.sweep import lr_grid, sweep
from pages import ui

T = ui.tr()

NAME = "lr_explorer"
K = lr_explorer.PREFIX  # widgets "w.lr_explorer.*"
FIELDS = {f.name: f for f in lr_explorer.LINK_FIELDS}


def _preset_values(preset: str, runs: bool = True) -> dict:
    d = lr_explorer.defaults(preset)
    values = {K + "lr_min": d.lr_min, K + "lr_max": d.lr_max, K + "steps": d.steps}
    if runs:
        values[K + "runs"] = d.runs
    return values


def _on_preset() -> None:
    """A new preset brings its own lr range and steps (the number of runs stays)."""
    ui.set_values(_preset_values(st.session_state[K + "preset"], runs=False))


def _fmt_lr(v: float) -> str:
    return f"{v:g}"


def _query() -> dict:
    return {k: v for k, v in st.query_params.to_dict().items() if k != "lang"}


# first visit: the widgets' starting values live in session state (no value= on the widgets)
if K + "preset" not in st.session_state:
    st.session_state[K + "preset"] = "linreg-manual"
ui.defaults({**_preset_values(st.session_state[K + "preset"]), K + "factor": lr_explorer.DEFAULT_FACTOR,
              K + "log": True, K + "replay": False})

lesson = ui.lesson(NAME)

# -- a share link: its preset first, then its own values; then train what it describes ------------------
query = _query()
fresh = ui.link_pending(NAME)  # a link, on this page's first visit in the session
if fresh:
    lesson.stop()
    try:
        ui.set_values(_preset_values(FIELDS["preset_name"].parse(query["preset_name"])))
    except (KeyError, ValueError):
        pass  # no preset in the link (or a malformed one: share() notes it)
    st.session_state.pop(lr_explorer.LINK_SEED_KEY, None)
link = ui.share(NAME, lr_explorer.LINK_FIELDS, lr_explorer.HIDE_GROUPS)
auto_train = False
if fresh:
    # the link's seed (none: the default)
    st.session_state[K + "seed"] = st.session_state.get(lr_explorer.LINK_SEED_KEY)
    decoded = {n: st.session_state[K + n] for n in ("preset", "lr_min", "lr_max", "steps")}
    notes, fixed = lr_explorer.link_conflicts(decoded, query)
    ui.set_values({K + n: v for n, v in fixed.items()})
    link["notes"].extend(notes)
    auto_train = not link["notes"] and any(name in query for name in FIELDS)

st.title(":material/tune: " + T("lr_explorer.title"))
ui.link_notes(NAME)
st.markdown(T("lr_explorer.intro"))
st.code("w.data -= lr * w.grad.data     # the only line that differs between the runs",
        language="python", wrap_lines=True)
st.markdown(T("lr_explorer.batched"))

# -- settings ----------------------------------------------------------------------------------------
show_presets, show_range = ui.shown(NAME, "presets"), ui.shown(NAME, "range")
show_steps, show_seed = ui.shown(NAME, "steps"), ui.shown(NAME, "seed")
if st.session_state.get(K + "steps", 1) > lr_explorer.defaults(st.session_state[K + "preset"]).max_steps:
    # kept from another preset
    st.session_state[K + "steps"] = lr_explorer.defaults(st.session_state[K + "preset"]).max_steps
picked = {}  # what the drawn widgets return (a hidden one keeps its value in session state)


def _preset_box() -> None:
    descriptions = " · ".join(f"{T(f'ui.preset_name.{p}')}: {T(lr_explorer.preset_description(p))}"
                              for p in lr_explorer.PRESETS)
    picked["preset"] = st.selectbox(T("lr_explorer.settings.preset"), lr_explorer.PRESETS, key=K + "preset",
                                    persist_state="session", on_change=_on_preset,
                                    format_func=lambda p: T(f"ui.preset_name.{p}"),
                                    help=T("lr_explorer.settings.preset_help", descriptions=descriptions))


def _range_boxes() -> None:
    r = st.columns(2)
    lo = picked["lr_min"] = r[0].select_slider(T("lr_explorer.settings.lr_min"), options=lr_explorer.LR_CHOICES,
                                               key=K + "lr_min", persist_state="session",
                                               format_func=_fmt_lr, help=T("lr_explorer.settings.lr_min_help"))
    # the largest lr can only be picked at or above the smallest (a stale value resets to the smallest)
    picked["lr_max"] = r[1].select_slider(T("lr_explorer.settings.lr_max"),
                                          options=[v for v in lr_explorer.LR_CHOICES if v >= lo],
                                          key=K + "lr_max", persist_state="session", format_func=_fmt_lr,
                                          help=T("lr_explorer.settings.lr_max_help"))


def _runs_box() -> None:
    picked["runs"] = st.slider(T("lr_explorer.settings.runs"), min_value=lr_explorer.MIN_UI_RUNS,
                               max_value=lr_explorer.MAX_UI_RUNS, step=1,
                               key=K + "runs", persist_state="session", help=T("lr_explorer.settings.runs_help"))


def _steps_box() -> None:
    cap = lr_explorer.defaults(st.session_state[K + "preset"]).max_steps
    picked["steps"] = st.number_input(T("lr_explorer.settings.steps"), min_value=1, max_value=cap, step=100,
                                      key=K + "steps", persist_state="session",
                                      help=T("lr_explorer.settings.steps_help", max_steps=cap))


def _seed_box() -> None:
    st.number_input(T("lr_explorer.settings.seed"), min_value=0, max_value=lr_explorer.SEED_MAX, step=1, value=None,
                    key=K + "seed", persist_state="session",
                    placeholder=T("lr_explorer.settings.seed_placeholder"), help=T("lr_explorer.settings.seed_help"))


cells = ([(1.3, _preset_box)] if show_presets else []) + ([(2.2, _range_boxes), (1, _runs_box)] if show_range else []) \
    + ([(1, _steps_box)] if show_steps else []) + ([(1, _seed_box)] if show_seed else [])
if cells:  # a hidden group leaves no empty column
    for col, (_, draw) in zip(st.columns([w for w, _ in cells]), cells):
        with col:
            draw()
state = st.session_state
preset = picked.get("preset", state[K + "preset"])
lr_lo = float(picked.get("lr_min", state[K + "lr_min"]))
lr_hi = float(picked.get("lr_max", state[K + "lr_max"]))
runs = int(picked.get("runs", state[K + "runs"]))
steps = int(picked.get("steps", state[K + "steps"]))

# the seed: this page's box, else the sidebar's, else the tutorial's
seed, device = ui.settings(PRESETS[preset].seed)
if state.get(K + "seed") is not None:
    seed, source = int(state[K + "seed"]), "page"
else:
    source = "sidebar" if state.get("w.seed") is not None else "tutorial"
# the link carries any seed but the tutorial's
state[lr_explorer.LINK_SEED_KEY] = None if source == "tutorial" else seed
st.caption(T("lr_explorer.settings.caption", note=lr_explorer.preset_note(preset), lr=PRESETS[preset].lr, seed=seed,
             source=T(f"lr_explorer.settings.source_{source}")))

b = st.columns([1, 1.6, 3] if show_presets else [1, 4.6])
train = b[0].button(T("lr_explorer.buttons.train"), icon=":material/rocket_launch:", key="b.lr_explorer.train",
                    type="primary", width="stretch", help=T("lr_explorer.buttons.train_help"))
if show_presets:
    with b[1]:
        ui.preset_button(T("lr_explorer.buttons.tutorial"), _preset_values(preset), key="b.lr_explorer.preset",
                          help=T("lr_explorer.buttons.tutorial_help", preset=T(f"ui.preset_name.{preset}")))
if lr_lo == lr_hi:
    st.warning(T("lr_explorer.settings.same_ends"))

settings_key = (preset, lr_lo, lr_hi, runs, steps, seed, device)

if train or (auto_train and lesson.extra.get("key") != settings_key):
    bar = st.progress(0.0, text=T("lr_explorer.progress.start"))

    def _progress(done: int, total: int) -> None:
        bar.progress(done / total, text=T("lr_explorer.progress.step", runs=runs, done=done, total=total))

    try:
        config = lr_explorer.make_config(preset, steps, seed=seed, device=device)
        result = sweep(config, lr_grid(lr_lo, lr_hi, runs), callback=_progress)
    except GdError as exc:
        msg = T(exc.message)
        st.error(msg if msg.endswith((".", "。")) else T("ui.error_sentence", error=msg))
    else:
        lesson.extra.update(sweep=result, key=settings_key)
    bar.empty()

result = lesson.extra.get("sweep")
summ = None if result is None else lr_explorer.summary(result)
# while the best lr's single run is shown, its controls carry the share link (with the steps taken)
replaying = bool(state.get(K + "replay")) and summ is not None and summ.best_lr is not None
if not replaying:
    with b[-1]:
        ui.share_button(NAME, lr_explorer.LINK_FIELDS)
if result is None:
    st.info(T("lr_explorer.results.none_yet"))
    st.stop()

# -- results ---------------------------------------------------------------------------------------------
if lesson.extra.get("key") != settings_key:
    st.info(T("lr_explorer.results.stale"))
cc = st.columns([1.2, 1, 2])
factor = cc[0].select_slider(T("lr_explorer.results.factor"), options=lr_explorer.FACTOR_CHOICES, key=K + "factor",
                             persist_state="session",
                             help=T("lr_explorer.results.factor_help"))
log_y = cc[1].toggle(T("lr_explorer.results.log"), key=K + "log", persist_state="session",
                     help=T("lr_explorer.results.log_help"))
band = lr_explorer.goldilocks(result.lrs, result.final_loss, factor, floor=lr_explorer.converged_floor(result))
label = T(lr_explorer.limit_label(result.config.optimizer))

m = st.columns(4)
m[0].metric(T("lr_explorer.metrics.best_lr"), "—" if summ.best_lr is None else f"{summ.best_lr:.3g}",
            help=T("lr_explorer.metrics.best_lr_help"))
m[1].metric(T("lr_explorer.metrics.best_loss"), "—" if summ.best_loss is None else f"{summ.best_loss:.3g}",
            help=T("lr_explorer.metrics.best_loss_help"))
m[2].metric(T("lr_explorer.metrics.diverged"), T("lr_explorer.metrics.diverged_value", diverged=summ.diverged,
                                                 runs=summ.runs),
            help=T("lr_explorer.metrics.diverged_help"))
m[3].metric(label if summ.limit is not None else T("lr_explorer.metrics.limit"),
            "—" if summ.limit is None else f"{summ.limit:.3g}", help=T("lr_explorer.metrics.limit_help"))

chart = scharts.final_loss_chart(T.frame(lr_explorer.frame(result, band)), limit=summ.limit,
                                 band=None if band is None else (band.lo_edge, band.hi_edge),
                                 best_lr=summ.best_lr, log_y=log_y, limit_label=label,
                                 title=T("lr_explorer.results.chart_title"), labels=T.labels)
ui.chart(chart, "final_loss")
zones_shown = lr_explorer.zones(result, band)
st.caption(T("lr_explorer.results.chart_caption", runs=result.n_runs, steps=result.steps,
             preset=T(f"ui.preset_name.{result.config.preset}"), seconds=result.seconds, device=result.device,
             colours=T.capitalized(lr_explorer.zones_caption(zones_shown, factor))))
if summ.diverged:
    st.warning(T("lr_explorer.results.diverged", diverged=summ.diverged, runs=summ.runs, lr=summ.first_diverged_lr))
sentence = lr_explorer.limit_sentence(result)
if sentence:
    st.markdown(T(sentence))
if band is not None:
    text = T("lr_explorer.results.goldilocks", lo=band.lo, hi=band.hi, width=band.hi / band.lo, factor=factor,
             best_loss=band.best_loss, best_lr=band.best_lr)
    if band.floor > band.best_loss:
        text += T("lr_explorer.results.goldilocks_floor", floor=band.floor, factor=factor)
    st.markdown(text)

t1, t2 = st.columns(2)
with t1:
    st.markdown(T("lr_explorer.zones_text.header"))
    st.markdown(T("lr_explorer.zones_text.body"))
with t2:
    if result.lambda_max is not None:
        st.markdown(T("lr_explorer.theory.header"))
        st.markdown(T("lr_explorer.theory.bowl"))
        st.latex(r"\theta_{k+1}-\theta^* = (I - \mathrm{lr}\,H)\,(\theta_k-\theta^*)")
        lam_max, lam_min = result.lambda_max, result.lambda_min or 0.0
        best_fixed = 2 / (lam_max + lam_min) if lam_max + lam_min > 0 else None
        st.markdown(T("lr_explorer.theory.factor", lam_max=lam_max, limit=2 / lam_max, lam_min=lam_min)
                    + (T("lr_explorer.theory.best_fixed",
                         best=best_fixed) if best_fixed else T("lr_explorer.theory.end")))
        if result.config.mode != "batch" and not result.config.full_tensor_pitfall:
            st.caption(T("lr_explorer.theory.minibatch"))
    else:
        st.markdown(T("lr_explorer.theory.ce_header"))
        st.markdown(T("lr_explorer.theory.ce_body"))

chosen = lr_explorer.picks(result.lrs, result.final_loss, result.diverged_at,
                           tutorial_lr=PRESETS[result.config.preset].lr)
window = lr_explorer.smoothing_window(result)
if chosen:
    title = T("lr_explorer.curves.title_window", window=window) if window > 1 else T("lr_explorer.curves.title")
    ui.chart(scharts.curves_chart([(T(c), y) for c, y in lr_explorer.curves(result, chosen, window)], log=log_y,
                                  title=title, labels=T.labels), "curves")
    noisy = ("lr_explorer.curves.caption_window_sample" if result.config.mode == "stochastic"
             else "lr_explorer.curves.caption_window_batch")
    st.caption(T(lr_explorer.curves_caption(result, chosen, window)) + (T(noisy, window=window) if window > 1 else ""))

with st.expander(T("lr_explorer.results.table")):
    st.dataframe(T.frame(lr_explorer.table(result, band)), hide_index=True, width="stretch")
    st.download_button(T("lr_explorer.results.download"), lr_explorer.results_csv(result),
                       file_name=f"sweep_{result.config.preset}.csv", mime="text/csv", key="b.lr_explorer.dl_results",
                       icon=":material/download:")

# -- the best lr, on its own -----------------------------------------------------------------------------
st.subheader(T("lr_explorer.best.header"))
if summ.best_lr is None:
    st.info(T("lr_explorer.best.all_diverged"))
    st.stop()
st.toggle(T("lr_explorer.best.replay", lr=summ.best_lr), key=K + "replay",
          persist_state="session", help=T("lr_explorer.best.replay_help"))
if state[K + "replay"]:
    try:
        run = lesson.ensure(result.config.replace(lr=summ.best_lr))
    except GdError as exc:
        st.error(T(exc.message))
        run = None
    if run is None:
        ui.share_button(NAME, lr_explorer.LINK_FIELDS)
    else:
        ui.replay(lesson, NAME)  # a link's steps taken
        best_curve = result.loss_history(result.best)
        single = T("lr_explorer.best.series_single")

        def _draw(r) -> None:
            ui.chart(scharts.curves_chart(
                [(T("lr_explorer.best.series_sweep"), lr_explorer.moving_average(best_curve, window)),
                 (single, lr_explorer.moving_average(r.losses(), window))],
                log=log_y, title=T("lr_explorer.best.chart_title"), dashed=[single], labels=T.labels), "single_run")

        ui.live(lesson, NAME, _draw, fields=lr_explorer.LINK_FIELDS)
        ui.code_and_downloads(run, NAME)
