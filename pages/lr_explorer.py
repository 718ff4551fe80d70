"""Lesson: the learning-rate explorer. Dozens of lrs trained at once as one batched program."""
import streamlit as st

from gdcore.charts import sweep as scharts
from gdcore.errors import GdError
from gdcore.lessons import sweep as S
from gdcore.presets import DESCRIPTIONS, PRESETS
from gdcore.sweep import lr_grid, sweep
from pages import _ui

_ui.page_guard("pages/lr_explorer.py")

NAME = "lr_explorer"
K = "w.lrx."


def _preset_values(preset: str, runs: bool = True) -> dict:
    d = S.defaults(preset)
    values = {K + "lr_min": d.lr_min, K + "lr_max": d.lr_max, K + "steps": d.steps}
    if runs:
        values[K + "runs"] = d.runs
    return values


def _on_preset() -> None:
    """A new preset brings its own lr range and steps (the number of runs stays)."""
    _ui.set_values(_preset_values(st.session_state[K + "preset"], runs=False))


def _fmt_lr(v: float) -> str:
    return f"{v:g}"


# first visit: the widgets' starting values live in session state (no value= on the widgets)
if K + "preset" not in st.session_state:
    st.session_state[K + "preset"] = "linreg-manual"
for _k, _v in {**_preset_values(st.session_state[K + "preset"]), K + "factor": S.DEFAULT_FACTOR,
               K + "log": True, K + "replay": False}.items():
    st.session_state.setdefault(_k, _v)

lesson = _ui.lesson(NAME)

st.title(":material/tune: Learning-rate explorer")
st.markdown(
    "Every point below is the same tutorial loop trained with a different **lr**: same data `X, y`, same "
    "initial `w, b`, same batches. Only the step size in the update line changes:")
st.code("w.data -= lr * w.grad.data     # the only line that differs between the runs", language="python")
st.markdown(
    "All runs train **together as one batched PyTorch program**: `w` and `b` get a leading *run* dimension "
    "(`theta` has shape `(runs, 2)`), `y_hat = theta @ [X, 1].T` is every run's prediction at once, and one "
    "`backward()` on the sum of the runs' losses gives each run exactly its own gradient. So 64 runs cost about "
    "as much as one.")

# -- settings ----------------------------------------------------------------------------------------
c = st.columns([1.3, 2.2, 1, 1])
preset = c[0].selectbox("preset", S.PRESETS, key=K + "preset", on_change=_on_preset,
                        help="Which tutorial's data, model and loop to train. " + " · ".join(
                            f"{p}: {DESCRIPTIONS[p]}" for p in S.PRESETS))
d = S.defaults(preset)
with c[1]:
    r = st.columns(2)
    lr_lo = r[0].select_slider("smallest lr", options=S.LR_CHOICES, key=K + "lr_min", format_func=_fmt_lr,
                               help="The smallest lr to try. The runs are spaced evenly on a log scale from here "
                                    "to the largest lr (each one a constant factor larger than the last).")
    # the largest lr can only be picked at or above the smallest (a stale value resets to the smallest)
    lr_hi = r[1].select_slider("largest lr", options=[v for v in S.LR_CHOICES if v >= lr_lo], key=K + "lr_max",
                               format_func=_fmt_lr, help="The largest lr to try.")
runs = c[2].slider("runs", min_value=2, max_value=S.MAX_UI_RUNS, step=1, key=K + "runs",
                   help="How many lrs to train at once. They share one batched program, so 64 cost about as much as 8.")
if st.session_state.get(K + "steps", 1) > d.max_steps:  # a value kept from another preset
    st.session_state[K + "steps"] = d.max_steps
steps = c[3].number_input("steps", min_value=1, max_value=d.max_steps, step=100, key=K + "steps",
                          help=f"Updates per run (the same for every run). At most {d.max_steps:,} here, so a "
                               f"sweep finishes in seconds.")
st.caption(f"{d.note} Tutorial lr: {PRESETS[preset].lr:g}.")

b = st.columns([1, 1.6, 3])
train = b[0].button("Train all", icon=":material/rocket_launch:", key="b.lrx.train", type="primary", width="stretch",
                    help="Train every lr in the range for the given steps, all at once.")
with b[1]:
    _ui.preset_button("↺ Tutorial settings", _preset_values(preset), key="b.lrx.preset",
                      help=f"Load the lr range, runs and steps suggested for {preset} "
                           f"(a range around the tutorial's lr that reaches divergence).")
if lr_lo == lr_hi:
    st.warning("Both ends of the lr range are the same: every run would train with the same lr. Widen the range.")

seed, device = _ui.settings(PRESETS[preset].seed)
settings_key = (preset, float(lr_lo), float(lr_hi), int(runs), int(steps), seed, device)

if train:
    bar = st.progress(0.0, text="training…")

    def _progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"training {runs} runs: step {done:,} of {total:,}")

    try:
        config = S.make_config(preset, int(steps), seed=seed, device=device)
        result = sweep(config, lr_grid(float(lr_lo), float(lr_hi), int(runs)), callback=_progress)
    except GdError as exc:
        st.error(f"{exc}." if not str(exc).endswith(".") else str(exc))
    else:
        lesson.extra.update(sweep=result, key=settings_key)
    bar.empty()

result = lesson.extra.get("sweep")
if result is None:
    st.info("Pick a range and press **Train all**. The default range runs from far too small to past the "
            "point where the loss blows up.")
    st.stop()

# -- results ---------------------------------------------------------------------------------------------
if lesson.extra.get("key") != settings_key:
    st.info("These results are from the previous settings; press **Train all** to train the current ones.")
cc = st.columns([1.2, 1, 2])
factor = cc[0].select_slider("Goldilocks: within ×", options=[1.1, 1.5, 2.0, 3.0, 5.0, 10.0], key=K + "factor",
                             help="Shade the lrs whose final loss is at most this many times the best one.")
log_y = cc[1].toggle("log-scale loss", key=K + "log", help="Losses span many decades: a log scale shows them all.")
band = S.goldilocks(result.lrs, result.final_loss, factor, floor=S.converged_floor(result))
summ = S.summary(result)
label = S.limit_label(result.config.optimizer)

m = st.columns(4)
m[0].metric("best lr", "—" if summ.best_lr is None else f"{summ.best_lr:.3g}",
            help="The lr with the lowest final loss.")
m[1].metric("best final loss", "—" if summ.best_loss is None else f"{summ.best_loss:.3g}", help="Loss over the whole training set after the last step.")
m[2].metric("diverged", f"{summ.diverged} of {summ.runs}", help="Runs whose loss, w or b became inf or nan.")
m[3].metric(label if summ.limit is not None else "stability limit", "—" if summ.limit is None else f"{summ.limit:.3g}",
            help="The full-batch stability limit of this data: GD on the squared loss diverges above it "
                 "(none for cross-entropy, whose curvature changes as w grows).")

chart = scharts.final_loss_chart(S.frame(result, band), limit=summ.limit,
                                 band=None if band is None else (band.lo_edge, band.hi_edge),
                                 best_lr=summ.best_lr, log_y=log_y, limit_label=label)
st.altair_chart(chart, width="stretch")
st.caption(f"{result.n_runs} runs × {result.steps:,} steps of {result.config.preset} in {result.seconds:.2f} s on "
           f"{result.device}, as one batched program. Blue: too small · green band: within ×{factor:g} of the best · "
           f"orange: too large but still finite · red crosses at the top: diverged (hover for the step).")
if summ.diverged:
    st.warning(f"{summ.diverged} of {summ.runs} runs diverged: from lr {summ.first_diverged_lr:.3g} up, the loss "
               f"became inf or nan and those runs stopped there (hover a red cross for the step).")
sentence = S.limit_sentence(result)
if sentence:
    st.markdown(sentence)
if band is not None:
    width = band.hi / band.lo
    text = (f"**Goldilocks region:** lr {band.lo:.3g} to {band.hi:.3g} (a factor of {width:.3g}) ends within "
            f"×{factor:g} of the best loss {band.best_loss:.3g}, reached at lr {band.best_lr:.3g}.")
    if band.floor > band.best_loss:
        text += (f" Losses below {band.floor:.1g} (a billionth of the starting loss) count as fully converged: "
                 f"on this noise-free data the best runs end at float32 rounding noise, where ×{factor:g} means nothing.")
    st.markdown(text)

t1, t2 = st.columns(2)
with t1:
    st.markdown("#### Too small, just right, too large")
    st.markdown(
        "- **Too small:** every step is tiny, so after the same number of steps the loss is still high. "
        "Nothing is wrong; it is just slow (the curve is still falling).\n"
        "- **Just right:** the lowest loss. The flat bottom of the curve is the Goldilocks region.\n"
        "- **Too large:** each step jumps across the valley of the loss. Up to a limit it zigzags in, "
        "beyond it every jump lands farther out and the run **diverges** to inf.")
with t2:
    if result.lambda_max is not None:
        st.markdown("#### Why the limit is 2/λmax")
        st.markdown("The squared loss is a bowl. Near its bottom θ*, one gradient step does")
        st.latex(r"\theta_{k+1}-\theta^* = (I - \mathrm{lr}\,H)\,(\theta_k-\theta^*)")
        lam_max, lam_min = result.lambda_max, result.lambda_min or 0.0
        best_fixed = 2 / (lam_max + lam_min) if lam_max + lam_min > 0 else None
        st.markdown(
            f"so along a direction of curvature λ (an eigenvalue of the Hessian H) the distance to θ* is "
            f"multiplied by **1 − lr·λ** every step. It shrinks only while |1 − lr·λ| < 1, i.e. lr < 2/λ. "
            f"The steepest direction, λmax = {lam_max:.3g}, sets the limit **lr < 2/λmax = {2 / lam_max:.3g}**; "
            f"the flattest, λmin = {lam_min:.3g}, sets the speed (small lrs crawl along it)"
            + (f"; the best fixed lr balances both: 2/(λmin+λmax) = {best_fixed:.3g}." if best_fixed else "."))
        if result.config.mode != "batch" and not result.config.full_tensor_pitfall:
            st.caption("The line is the full-batch limit. Mini-batch gradients are noisy estimates of the full one, "
                       "so runs near the limit can blow up a little earlier, and the loss levels off at the noise.")
    else:
        st.markdown("#### Why large lrs fail here")
        st.markdown(
            "Cross-entropy is not a bowl with one fixed curvature, so no single line marks the limit. Here large "
            "lrs fail for a different reason: the tutorial's hand-written loss takes `log(0)` once `y_hat` rounds "
            "to exactly 0 or 1, and the loss becomes inf.")

chosen = S.picks(result.lrs, result.final_loss, result.diverged_at, tutorial_lr=PRESETS[result.config.preset].lr)
window = S.smoothing_window(result)
if chosen:
    title = "Loss per step of a few runs" + (f" (moving average over {window:,} steps)" if window > 1 else "")
    st.altair_chart(scharts.curves_chart(S.curves(result, chosen, window), log=log_y, title=title), width="stretch")
    st.caption("The smallest lr is still sliding down when the steps run out; the best one drops fastest; the one "
               "just below divergence zigzags across the valley (its loss can jump up and down) before it settles. "
               "≈ tutorial lr: the run nearest to the lr the tutorial uses."
               + (f" A {'one-sample' if result.config.mode == 'stochastic' else 'mini-batch'} loss jumps from "
                  f"step to step, so each line is the mean of the last {window:,} steps." if window > 1 else ""))

with st.expander("Every run as a table"):
    st.dataframe(S.frame(result, band).drop(columns=["run"]), hide_index=True, width="stretch")
    st.download_button("⬇ Results (.csv)", S.results_csv(result), file_name=f"sweep_{result.config.preset}.csv",
                       mime="text/csv", key="b.lrx.dl_results")

# -- the best lr, on its own -----------------------------------------------------------------------------
st.subheader("The best lr, trained on its own")
if summ.best_lr is None:
    st.info("Every run diverged: lower the range to find a working lr.")
    st.stop()
st.toggle(f"Replay lr {summ.best_lr:.3g} as an ordinary single run (step by step, with its code)", key=K + "replay",
          help="Builds the ordinary one-lr run of this tutorial. Its loss curve retraces the batched run's exactly.")
if st.session_state[K + "replay"]:
    try:
        run = lesson.ensure(result.config.replace(lr=summ.best_lr))
    except GdError as exc:
        st.error(str(exc))
        run = None
    if run is not None:
        best_curve = result.loss_history(result.best)

        def _draw(r) -> None:
            st.altair_chart(scharts.curves_chart(
                [("the same lr in the batched sweep", S.moving_average(best_curve, window)),
                 ("this run, step by step", S.moving_average(r.losses(), window))],
                log=log_y, title="The single run (dashed) retraces the batched one",
                dashed=["this run, step by step"]), width="stretch")

        _ui.live(lesson, "lrx", _draw)
        _ui.code_and_downloads(run, "lrx")
