"""Linear regression by hand (seeds 003 and 000): the manual loop, one step at a time."""
import streamlit as st

from gdcore import charts
from gdcore.charts import linreg as lr_charts
from gdcore.devices import resolve_device
from gdcore.lessons import linreg as lesson_math
from gdcore.presets import PRESETS, preset_config
from gdcore.reference import loss_grid
from pages import _ui

_ui.page_guard("pages/linear_regression.py")

K = "linreg"  # this page's key prefix: widgets "w.linreg.*", buttons "b.linreg.*"
W = f"w.{K}."

RECIPES = {
    "linreg-manual": "Tutorial 003: x = torch.rand([n]), w, b = torch.rand(1)",
    "linreg-minibatch": "Tutorial 000: x = x_range · np.random.rand(n, 1), w, b = torch.randn(1)",
    "upload": "uploaded CSV (your own x, y)",
}
UPLOAD = "upload"


def _preset_values(name: str) -> dict:
    """A tutorial's data and loop settings as this page's widget values (seed: the tutorial's own)."""
    c = PRESETS[name]
    return {W + "recipe": name, W + "true_w": float(c.true_w[0]), W + "true_b": float(c.true_b),
            W + "noise": float(c.noise), W + "n": int(c.n), W + "x_range": float(c.x_range), W + "seed": None,
            W + "lr": float(c.lr), W + "steps": int(c.total_steps(c.n))}


TUT_003 = _preset_values("linreg-manual")  # 3000 full-batch steps at lr 0.01 on 50 points
TUT_000 = _preset_values("linreg-minibatch")  # 150 noisy points; 99 epochs × 8 batches = 792 updates

lesson = _ui.lesson(K)
_ui.defaults({**TUT_003, W + "log": True, W + "show_ls": False})


def _load(values: dict) -> None:
    _ui.set_values(values)
    lesson.reset()


def _effective_seed() -> tuple[int, str]:
    recipe = st.session_state.get(W + "recipe", "linreg-manual")
    own = st.session_state.get(W + "seed")
    if own is not None:
        return int(own), "this page's seed"
    seed, _ = _ui.settings(PRESETS.get(recipe, PRESETS["linreg-manual"]).seed)
    source = "the sidebar seed" if st.session_state.get("w.seed") is not None else "the tutorial's seed"
    return seed, source


def _new_sample() -> None:
    st.session_state[W + "seed"] = (_effective_seed()[0] + 1) % 2**31


# -- intro ---------------------------------------------------------------------------------------

st.title(":material/show_chart: Linear regression by hand")
st.markdown(
    "The loop of the tutorials, with nothing hidden: **forward** (`y_hat = X*w + b`, the loss), "
    "**backward** (`loss.backward()` fills `w.grad` and `b.grad`), **update** (`w.data -= lr * w.grad`). "
    "Press **Step** and watch one turn of it: the numbers, the line over the data, the point on the loss "
    "landscape. Then push `lr` past the stability limit and see why gradient descent blows up.")
with st.expander("The tutorial's loop (seed 003)", expanded=False):
    st.code("""x = torch.rand([50]); y = 3*x + 0.8
w = torch.rand(1, requires_grad=True); b = torch.rand(1, requires_grad=True)
for i in range(3000):
    y_predict = x*w + b                          # forward
    loss = (y_predict - y).pow(2).mean()
    for p in [w, b]:                             # zero old gradients, they accumulate
        if p.grad is not None: p.grad.data.zero_()
    loss.backward()                              # backward
    w.data -= 0.01 * w.grad.data                 # update
    b.data -= 0.01 * b.grad.data""", language="python")
    st.caption("Tutorial 000 runs the same update on 150 noisy points. Its loop iterates a DataLoader but computes "
               "`h = tensorX * w + b` on the full tensors, so each of its 99 × 8 = 792 updates is a full-batch step: "
               "exactly what its preset here runs.")

c1, c2 = st.columns(2)
c1.button("Tutorial 003 (full batch, lr 0.01, 3000 steps)", key=f"b.{K}.preset003", on_click=_load,
          args=(TUT_003,), width="stretch",
          help="y = 3x + 0.8 on 50 points x ~ torch.rand, no noise; w, b from torch.rand(1); lr 0.01, 3000 steps.")
c2.button("Tutorial 000 data (150 noisy points)", key=f"b.{K}.preset000", on_click=_load, args=(TUT_000,),
          width="stretch",
          help="y = 2x + 6 + 0.3·randn on 150 points x ~ 5·np.random.rand (np.random.seed(100)); "
               "lr 0.01, 792 full-batch steps (the tutorial's 99 epochs × 8 batches, each on the full tensors).")
st.caption("A preset loads the tutorial's data and settings and starts the run over. Every control below can then "
           "be changed; the run restarts whenever a setting changes.")

# -- the data -------------------------------------------------------------------------------------

st.subheader("1 · The data")
st.radio("Data recipe", list(RECIPES), key=W + "recipe", persist_state="session", format_func=RECIPES.get, horizontal=True,
         help="Which tutorial's code draws x and the starting w, b (both then compute y = w_true·x + b_true + noise), "
              "or your own x, y from a CSV file (the starting w, b then come from torch.rand(1)).")
own = st.session_state.get(W + "recipe") == UPLOAD
upload = None
if own:
    upload = _ui.upload_data(K, binary_labels=False, one_feature=True)
    if upload is None:
        st.info("Upload a CSV with a header row and two numeric columns, x and y, to train on your own points. "
                "Until then there is nothing to train here.")
        st.stop()
    st.caption("Your points are used as they are, so there is no true line; the controls below that make "
               "the tutorials' points are switched off.")
d = st.columns(3)
d[0].number_input("true w", disabled=own, min_value=-1000.0, max_value=1000.0, step=0.5, key=W + "true_w", persist_state="session",
                  help="The slope the data is generated from: y = true w · x + true b + noise.")
d[1].number_input("true b", disabled=own, min_value=-1000.0, max_value=1000.0, step=0.5, key=W + "true_b", persist_state="session",
                  help="The intercept the data is generated from.")
d[2].number_input("noise σ", disabled=own, min_value=0.0, max_value=100.0, step=0.1, key=W + "noise", persist_state="session",
                  help="Standard deviation of the Gaussian noise added to y. With noise the best line "
                       "(least squares) differs a little from the true one.")
d = st.columns(3)
d[0].number_input("n", disabled=own, min_value=1, max_value=100_000, step=10, key=W + "n", persist_state="session",
                  help="Number of points. One step uses all of them (full batch).")
d[1].number_input("x range", disabled=own, min_value=0.01, max_value=1000.0, step=0.5, key=W + "x_range", persist_state="session",
                  help="x is drawn uniformly from [0, x range). Wider x means a steeper loss bowl and a "
                       "smaller stable lr.")
d[2].number_input("seed", min_value=0, max_value=2**31 - 1, step=1, value=None, key=W + "seed", persist_state="session",
                  placeholder="sidebar seed, else the tutorial's",
                  help="Seeds the data and the starting w, b. Empty: the sidebar seed, else the tutorial's own.")
seed, seed_source = _effective_seed()
r1, r2 = st.columns([1, 3], vertical_alignment="center")
r1.button("New sample", icon=":material/casino:", key=f"b.{K}.regen", on_click=_new_sample, width="stretch",
          help="Draw new points (and a new start) by moving to the next seed.")
r2.caption(f"The points are a pure function of these controls: change one and they are drawn again "
           f"(now seed {seed:,}, {seed_source}).")

# -- lr and length --------------------------------------------------------------------------------

st.subheader("2 · The learning rate")
t1, t2, t3 = st.columns(3)
t1.number_input("lr", min_value=1e-6, max_value=1000.0, step=0.01, format="%g", key=W + "lr", persist_state="session",
                help="Step size in w.data -= lr * w.grad. Compare it with the stability limit on the right.")
t2.number_input("steps (num_epochs)", min_value=1, max_value=1_000_000, step=500, key=W + "steps", persist_state="session",
                help="Number of updates. Every step uses all n points, so one step is one epoch.")
limit_box = t3.container()
sentence_box = st.container()


def _config():
    _, device = _ui.settings(0)
    device = str(resolve_device(device))  # "auto" -> the device it picks, so the config names it
    s = st.session_state
    if upload is not None:  # the uploaded points, the 003 loop (its init); the true line is unknown
        return preset_config("linreg-manual", mode="batch", impl="manual", optimizer="sgd", data="custom",
                             n=upload.n, seed=seed, lr=float(s[W + "lr"]), epochs=int(s[W + "steps"]), device=device)
    return preset_config(
        s[W + "recipe"], mode="batch", impl="manual", optimizer="sgd", true_w=(float(s[W + "true_w"]),),
        true_b=float(s[W + "true_b"]), noise=float(s[W + "noise"]), n=int(s[W + "n"]),
        x_range=float(s[W + "x_range"]), seed=seed, lr=float(s[W + "lr"]), epochs=int(s[W + "steps"]),
        device=device)


run = _ui.build(lesson, _config, upload)
if run is None:
    st.stop()


def _facts(run):
    """The data's optimum, curvatures and stability limit, computed once per data set."""
    cached = lesson.extra.get("linreg.facts")
    if cached is None or cached[0] is not run.data:
        cached = (run.data, lesson_math.facts(run.data.X, run.data.y))
        lesson.extra["linreg.facts"] = cached
    return cached[1]


facts = _facts(run)
lr = run.config.lr
if facts.limit is None:
    limit_box.info("The loss is flat here (all x are 0): no step changes anything.")
else:
    limit_box.metric("stability limit 2/λmax", f"{facts.limit:.4g}",
                     help="λmax is the largest eigenvalue of the Hessian of the MSE over (w, b): the curvature of "
                          "the loss bowl along its steepest direction. It depends only on the x values.")
    icon = {"smooth": "🟢", "zigzag": "🟡", "edge": "🟡"}.get(lesson_math.lr_regime(lr, facts.lambda_max), "🔴")
    sentence_box.markdown(f"{icon} **Above {facts.limit:.4g} (= 2/λmax, λmax = {facts.lambda_max:.4g}), "
                          f"full-batch GD diverges.** {lesson_math.lr_sentence(lr, facts)}")
if not facts.unique:
    st.warning("All points share one x value, so every line through their mean fits equally well: the optimum "
               "is not unique (shown: the one closest to w = 0, b = 0).")

# -- the run --------------------------------------------------------------------------------------

st.subheader("3 · Train")


def _forward_backward_update(run) -> None:
    recs = run.records(last=2)
    p = run.params()
    if not recs:
        st.info(f"Step 0: w = {p['w'][0]:.6g}, b = {p['b'][0]:.6g} (drawn by "
                f"`{'torch.rand(1)' if run.config.init == 'rand' else 'torch.randn(1)'}`). "
                "Press **Step** to run one forward, backward and update.")
        return
    ex = lesson_math.explain_last_step(recs, float(run.w0.reshape(-1)[0]), float(run.b0.reshape(-1)[0]),
                                         run.config.lr)
    st.markdown(f"**What just happened in step {ex.step:,}** (`epoch({ex.epoch}) batch({ex.batch})`): "
                "the three phases of the loop, each line with the numbers it produced")
    st.code(ex.text(), language="text")


def _printout(run) -> None:
    recs = run.records(last=15)
    if not recs:
        return
    st.markdown("**The tutorial's printout** (last 15 steps, newest last)")
    st.caption("Tutorial 000 prints this line after every update (3 decimals); tutorial 003 prints only "
               "`print(i, loss)` every 500 steps. Δw and Δb are w.grad and b.grad; w and b are the values after "
               "the update.")
    tab1, tab2 = st.tabs(["as printed", "as a table"])
    tab1.code(lesson_math.tutorial_lines(recs), language="text")
    tab2.dataframe(lesson_math.step_table(recs), hide_index=True, width="stretch",
                   column_config={c: st.column_config.NumberColumn(format="%.6g")
                                  for c in ("loss", "Δw", "Δb", "w", "b")})


def _charts(run) -> None:
    f = _facts(run)
    opt = f.optimum
    p = run.params()
    w, b = p["w"][0], p["b"][0]
    g1, g2 = st.columns(2)
    with g1:
        show_ls = st.toggle("show the least-squares line", key=W + "show_ls", persist_state="session",
                            help="The best line for these points, solved in closed form. With noise it "
                                 "differs slightly from the true line; GD heads for it.")
        lines = [{"label": "y_hat = w·x + b (now)", "w": w, "b": b}]
        if run.data.true_w is not None:  # an uploaded table has no true line
            lines.append({"label": "true line", "w": run.data.true_w[0], "b": run.data.true_b, "dash": True})
        if show_ls:
            lines.append({"label": "least squares", "w": opt.w[0], "b": opt.b, "dash": True})
        st.altair_chart(lr_charts.fit_view(run.data.X, run.data.y, lines), width="stretch")
    with g2:
        log = st.toggle("log scale", key=W + "log", persist_state="session",
                        help="A log axis shows the steady exponential decrease of the loss as a straight line.")
        losses = run.losses()
        frame = charts.loss_frame(losses)
        st.altair_chart(lr_charts.loss_curve_with_optimum(frame, opt.mse, log=log), width="stretch")
        if len(losses) and lr_charts.optimum_rule_value(opt.mse, losses, log) is None:
            why = " (no noise: the best line fits the points exactly)" if run.data.noise == 0 else ""
            st.caption(f"loss* = {opt.mse:.3g}{why} lies far below this log axis, so its line is not drawn.")
        else:
            st.caption("Dashed red line: loss*, the smallest MSE any line can reach on these points.")

    recs = run.records()
    w0, b0 = float(run.w0.reshape(-1)[0]), float(run.b0.reshape(-1)[0])
    steps, pw, pb = lesson_math.path_arrays(recs, w0, b0)
    window = lesson_math.landscape_window(opt, (w0, b0), pw, pb)
    wv, bv = lesson_math.grid_axes(window)
    grid = loss_grid(run.data.X, run.data.y, wv, bv)
    path = charts.path_frame(steps, pw, pb, series="path of (w, b)")
    st.altair_chart(lr_charts.landscape_with_current(grid, wv, bv, path, (opt.w[0], opt.b), (w, b), height=360),
                    width="stretch")
    st.caption("Colour: the MSE at each (w, b) (log scale, dark = low). ◆ the optimum, ○ the current w, b. "
               "The bowl is a long narrow valley: GD first drops steeply into it, then crawls along its floor.")
    if not lesson_math.in_window(window, w, b):
        st.caption(f"⚠️ The current w = {w:.4g}, b = {b:.4g} is far outside this window (the path has left it): "
                   f"the steps are growing instead of shrinking.")
    if run.status == "diverged":
        st.warning("**Why it diverged.** " + lesson_math.divergence_explanation(run.config.lr, f.lambda_max))

    dist = lesson_math.distance_to_optimum(run.data.X, run.data.y, w, b, opt)
    prev = None
    if len(recs) >= 2 and recs[-2]["step"] == recs[-1]["step"] - 1:
        prev = lesson_math.distance_to_optimum(run.data.X, run.data.y, recs[-2]["w"], recs[-2]["b"], opt)

    def delta(now, before):
        return None if before is None else f"{now - before:+.2g}"

    st.markdown("**The closed-form optimum** (least squares, solved exactly) **and how far the run still is from it**")
    q1, q2, q3 = st.columns(3)
    q1.metric("w*", f"{opt.w[0]:.5g}", help="The slope of the least-squares line.")
    q2.metric("b*", f"{opt.b:.5g}", help="The intercept of the least-squares line.")
    q3.metric("loss*", f"{opt.mse:.3g}", help="The MSE of the least-squares line: the lowest loss any w, b reach.")
    q1.metric("|w − w*|", f"{dist.dw:.3g}", delta(dist.dw, prev and prev.dw), delta_color="inverse")
    q2.metric("|b − b*|", f"{dist.db:.3g}", delta(dist.db, prev and prev.db), delta_color="inverse")
    q3.metric("loss − loss*", f"{dist.dloss:.3g}", delta(dist.dloss, prev and prev.dloss), delta_color="inverse",
              help="How much lower the loss can still go (loss over all n points at the current w, b).")
    st.caption("Small print under a distance: its change in the last step (green = closer).")


def draw(run) -> None:
    _forward_backward_update(run)
    _charts(run)
    _printout(run)


_ui.live(lesson, K, draw)
_ui.code_and_downloads(run, K)
