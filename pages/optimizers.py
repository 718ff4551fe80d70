"""Lesson: nn.Module and optimizers (seed 002): Lr(nn.Module), nn.MSELoss, torch.optim, the race."""
import streamlit as st

from gdcore import charts
from gdcore.charts import optim as ocharts
from gdcore.config import OPTIMIZERS
from gdcore.devices import available_devices, resolve_device
from gdcore.errors import GdError
from gdcore.lessons import optim as O
from gdcore.presets import SOURCES, preset_config
from pages import _ui

_ui.page_guard("pages/optimizers.py")

NAME = "optim"
PRESET = "linreg-module"
TUTORIAL = {"w.optim.optimizer": "sgd", "w.optim.lr": 1e-3, "w.optim.steps": 30000}
HELP = {
    "lr": "Learning rate: how far each step moves along the gradient (for adaptive methods: the step scale).",
    "momentum": "μ: the share of the previous velocity kept each step (0 = plain SGD).",
    "beta1": "β1: decay of Adam's moving average of gradients (the first moment).",
    "beta2": "β2: decay of Adam's moving average of squared gradients (the second moment).",
    "alpha": "α: decay of RMSProp's moving average of squared gradients.",
    "eps": "ε: added to the square root in the denominator so a tiny gradient history never divides by 0.",
}
HP_FORMAT = {"lr": "%g", "momentum": "%.3f", "beta1": "%.3f", "beta2": "%.4f", "alpha": "%.3f", "eps": "%.0e"}
HP_MAX = {"lr": 1e6, "momentum": 0.999, "beta1": 0.999, "beta2": 0.9999, "alpha": 0.9999, "eps": 1.0}

DEFAULTS = {**TUTORIAL, "w.optim.momentum": 0.9, "w.optim.beta1": 0.9, "w.optim.beta2": 0.999,
            "w.optim.alpha": 0.99, "w.optim.log": True, "w.optim.race_steps": O.RACE_STEPS,
            "w.optim.race_nesterov": False, "w.optim.race_log": True, "w.optim.x": 0.5,
            **{f"w.optim.race.{n}.{k}": v for n, hp in O.RACE_DEFAULTS.items() for k, v in hp.items()}}
_ui.defaults(DEFAULTS)

lesson = _ui.lesson(NAME)
seed, device = _ui.settings(0)

st.title(":material/sports_score: nn.Module and optimizers")
st.caption(f"Follows: *{SOURCES[PRESET]}*. Data: 50 points `x = torch.rand([50, 1])`, `y = 3*x + 0.8` (no noise).")
_ui.preset_button("Load the tutorial: SGD, lr 1e-3, 30000 full-batch steps", TUTORIAL, key="b.optim.preset",
                  help="Sets optimizer, lr and steps to the tutorial's values (preset linreg-module).")

# -- the model and the loop ------------------------------------------------------------------------
c1, c2 = st.columns(2)
with c1:
    st.subheader("The model is an nn.Module")
    st.code("class Lr(nn.Module):\n"
            "    def __init__(self):\n"
            "        super(Lr, self).__init__()\n"
            "        self.linear = nn.Linear(1, 1)   # holds w (weight) and b (bias)\n\n"
            "    def forward(self, x):\n"
            "        out = self.linear(x)            # y_hat = x w + b\n"
            "        return out\n\n"
            "model = Lr()\n"
            "y_hat = model(x)   # nn.Module.__call__ runs forward(x)", language="python")
    st.markdown("`nn.Linear(1, 1)` creates **w** and **b** with `requires_grad=True` and draws them at random; "
                "`model.parameters()` hands them to the optimizer.")
with c2:
    st.subheader("The loop: zero_grad, backward, step")
    st.code("criterion = nn.MSELoss()\n"
            "optimizer = optim.SGD(model.parameters(), lr=1e-3)\n"
            "for i in range(30000):\n"
            "    out = model(x)                 # forward\n"
            "    loss = criterion(y, out)       # mean((y_hat - y)**2)\n"
            "    optimizer.zero_grad()          # Δw, Δb := 0\n"
            "    loss.backward()                # Δw, Δb := ∂loss/∂w, ∂loss/∂b\n"
            "    optimizer.step()               # w -= lr * Δw  (for SGD)", language="python")
    st.markdown("The three lines replace the manual `w.data -= lr * w.grad; w.grad.zero_()`. "
                "Swap `optim.SGD` for `optim.Adam` and nothing else in the loop changes.")

# -- the main run --------------------------------------------------------------------------------
st.subheader("Train it")
cc = st.columns([1.2, 1, 1])
opt_name = cc[0].selectbox("optimizer", OPTIMIZERS, key="w.optim.optimizer", persist_state="session",
                           format_func=lambda n: f"{O.LABELS[n]}  ({n})",
                           help="Which torch.optim optimizer updates w and b. The tutorial uses SGD.")
cc[1].number_input("lr", min_value=1e-6, max_value=1e6, step=1e-3, format="%g", key="w.optim.lr", persist_state="session", help=HELP["lr"])
cc[2].number_input("steps", min_value=1, max_value=1_000_000, step=1000, key="w.optim.steps", persist_state="session",
                   help="Full-batch iterations (the tutorial: `for i in range(30000)`).")
hp_names = [h for h in O.HYPER[opt_name] if h not in ("lr", "eps")]
if hp_names:
    hc = st.columns(len(hp_names) + 1)
    for col, h in zip(hc, hp_names):
        col.number_input(h, min_value=0.0, max_value=HP_MAX[h], step=0.01, format=HP_FORMAT[h],
                         key=f"w.optim.{h}", persist_state="session", help=HELP[h])


def make_config():
    # 'auto' is resolved here so the run's config names the device it really uses
    changes = dict(seed=seed, device=str(resolve_device(device)), optimizer=opt_name,
                   lr=float(st.session_state["w.optim.lr"]),
                   steps=int(st.session_state["w.optim.steps"]))
    for h in hp_names:
        changes[h] = float(st.session_state[f"w.optim.{h}"])
    return preset_config(PRESET, **changes)


run = _ui.build(lesson, make_config)


def draw(run):
    a, b = st.columns(2)
    p = run.params()
    lines = [{"label": "model", "w": p["w"][0], "b": p["b"][0]},
             {"label": "y = 3x + 0.8", "w": run.data.true_w[0], "b": run.data.true_b, "dash": True}]
    a.altair_chart(ocharts.fit_width(charts.scatter_fit(run.data.X.numpy(), run.data.y.numpy(), lines,
                                                        height=220)), width="stretch")
    a.caption(f"model: y_hat = {p['w'][0]:.4f}·x + {p['b'][0]:.4f}  (w = model.linear.weight, "
              f"b = model.linear.bias)")
    log = b.toggle("log scale", key="w.optim.log", persist_state="session", help="Loss on a log axis: slow late progress stays visible.")
    b.altair_chart(ocharts.fit_width(charts.loss_curve(charts.loss_frame(run.losses()), log=log,
                                                       title="loss per step", height=200)), width="stretch")
    keys = O.state_keys(run)
    st.markdown("**The optimizer's state** — what `optimizer.state[p]` holds for w and b after the last step")
    if not keys:
        st.caption("Plain SGD keeps no state: `optimizer.state` stays empty, the step is just w -= lr·Δw. "
                   "Pick Momentum, AdaGrad, RMSProp or Adam above to see one.")
        return
    for k in keys:
        st.caption(f"`{k}`: {O.STATE_MEANING[k]}")
    if run.step_count:
        st.dataframe(O.state_frame(run, last=5), hide_index=True, width="stretch")
        tc = st.columns(len(keys))
        for col, chart in zip(tc, ocharts.state_traces(O.state_history(run), keys)):
            col.altair_chart(chart, width="stretch")


if run is not None:
    _ui.live(lesson, NAME, draw)

# -- the race -------------------------------------------------------------------------------------
st.divider()
st.subheader("The optimizer race")
st.markdown(
    "Same data, same start (one seed ⇒ one `nn.Linear` init), same number of full-batch steps; only the update "
    "rule differs. The landscape is long and narrow (curvatures 0.13 and 2.4 along its two axes), which is "
    "where the methods part ways: SGD crawls along the valley floor, Momentum builds speed and overshoots, "
    "AdaGrad and RMSProp rescale each coordinate, Adam does both.")
with st.expander("The update rules (g = Δw, the gradient)", expanded=False):
    st.latex(r"\textbf{SGD: } w \leftarrow w - \eta g \qquad "
             r"\textbf{Momentum: } v \leftarrow \mu v + g,\; w \leftarrow w - \eta v")
    st.latex(r"\textbf{AdaGrad: } s \leftarrow s + g^2,\; w \leftarrow w - \eta\, g / (\sqrt{s} + \epsilon) \qquad "
             r"\textbf{RMSProp: } s \leftarrow \alpha s + (1-\alpha) g^2,\; "
             r"w \leftarrow w - \eta\, g / (\sqrt{s} + \epsilon)")
    st.latex(r"\textbf{Adam: } m \leftarrow \beta_1 m + (1-\beta_1) g,\; v \leftarrow \beta_2 v + (1-\beta_2) g^2,\; "
             r"w \leftarrow w - \eta\, \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}")
    st.caption("η is lr. These are torch.optim's SGD, SGD(momentum=μ), Adagrad, RMSprop and Adam with their defaults "
               "otherwise. Nesterov looks ahead: it uses g + μv as the step instead of v.")

with_nesterov = st.checkbox("add Nesterov momentum as a sixth runner", key="w.optim.race_nesterov", persist_state="session",
                            help="SGD(momentum=μ, nesterov=True): momentum with a look-ahead correction.")
runners = O.RACE_OPTIMIZERS + (O.EXTRA_OPTIMIZERS if with_nesterov else ())
cols = st.columns(len(runners))
for col, name in zip(cols, runners):
    col.markdown(f"**{O.LABELS[name]}**")
    for h in O.HYPER[name]:
        col.number_input(h, min_value=1e-12 if h in ("lr", "eps") else 0.0, max_value=HP_MAX[h],
                         step=0.01 if h != "eps" else 1e-8, format=HP_FORMAT[h],
                         key=f"w.optim.race.{name}.{h}", persist_state="session", help=HELP[h])


def _race(names):
    settings = O.race_settings({n: {h: st.session_state[f"w.optim.race.{n}.{h}"] for h in O.HYPER[n]}
                                for n in names}, optimizers=names)
    base = lesson.config or preset_config(PRESET, seed=seed, device=device)
    data = lesson.run.data if lesson.run is not None else None
    try:
        lesson.extra["race"] = O.run_race(base, settings, int(st.session_state["w.optim.race_steps"]), data)
        lesson.extra.pop("race_error", None)
    except GdError as exc:
        lesson.extra["race_error"] = str(exc)


rc = st.columns([1, 1, 3])
rc[0].number_input("race steps", min_value=1, max_value=O.MAX_RACE_STEPS, step=50, key="w.optim.race_steps", persist_state="session",
                   help=f"Full-batch steps for every runner (at most {O.MAX_RACE_STEPS:,}).")
rc[1].button(f"🏁 Race {int(st.session_state['w.optim.race_steps']):,} steps", key="b.optim.race",
             on_click=_race, args=(runners,), type="primary", width="stretch",
             help="Train every optimizer above from the same start for that many steps.")
race = lesson.extra.get("race")
if lesson.extra.get("race_error"):
    st.error(lesson.extra["race_error"])
if race:
    log_race = st.toggle("log scale", key="w.optim.race_log", persist_state="session", help="Loss on a log axis.")
    a, b = st.columns(2)
    a.altair_chart(ocharts.race_losses(O.race_loss_frame(race), log=log_race), width="stretch")
    paths = O.race_path_frame(race)
    any_run = next(iter(race.values()))
    grid, ws, bs, opt = O.landscape_data(any_run.data, paths)
    b.altair_chart(ocharts.race_landscape(grid, ws, bs, paths, opt), width="stretch")
    summary = O.race_summary(race)
    st.dataframe(summary.style.format({"w": "{:.4f}", "b": "{:.4f}", "final loss": "{:.2e}",
                                       summary.columns[5]: "{:.0f}"}, na_rep="not reached"),
                 hide_index=True, width="stretch")
    starts = O.start_params(race)
    w0, b0 = next(iter(starts.values()))
    limit = any_run.stability_limit() if "sgd" not in race else race["sgd"].stability_limit()
    hint = (f"raise SGD's lr to {0.95 * limit:.2f} (just under its stability limit 2/λmax ≈ {limit:.3g}) and to "
            f"{1.1 * limit:.2f} (it diverges); " if limit else "")
    st.caption(f"Every runner started at w = {w0[0]:.4f}, b = {b0[0]:.4f}. Try: {hint}set Momentum's μ to 0; "
               f"give Adam lr 0.5.")
else:
    st.info("Press **Race** to train every optimizer from the same start.")

# -- manual vs module in lockstep -------------------------------------------------------------------
st.divider()
st.subheader("The manual loop and the nn.Module loop, in lockstep")
l1, l2 = st.columns(2)
l1.code("# manual (lesson 2)\ny_hat = x * w + b\nloss = torch.mean((y_hat - y) ** 2)\nloss.backward()\n"
        "w.data -= lr * w.grad.data\nb.data -= lr * b.grad.data\nw.grad.zero_(); b.grad.zero_()", language="python")
l2.code("# nn.Module + torch.optim\nout = model(x)\nloss = criterion(y, out)\noptimizer.zero_grad()\n"
        "loss.backward()\noptimizer.step()", language="python")
st.markdown("Both start from the same `nn.Linear` init, see the same data and use the lr above with plain SGD. "
            "If `optimizer.step()` is really `w -= lr * Δw`, the two columns must agree step for step.")
pair = O.ensure_lockstep(lesson.extra, lesson.config, lesson.run.data) if lesson.run is not None else None


def _step_both(n):
    p = lesson.extra.get("lockstep")
    if p is not None:
        O.step_both(p[0], p[1], n)


def _reset_both():
    p = lesson.extra.get("lockstep")
    if p is not None:
        p[0].reset()
        p[1].reset()


if pair is not None:
    manual, module = pair
    bc = st.columns([1, 1, 1, 3])
    bc[0].button("Step both", key="b.optim.lock_step", on_click=_step_both, args=(1,), width="stretch",
                 help="One update in each loop, then compare.")
    bc[1].button("Step both ×100", key="b.optim.lock_step100", on_click=_step_both, args=(100,),
                 width="stretch", help="A hundred updates in each loop.")
    bc[2].button("Reset both", key="b.optim.lock_reset", on_click=_reset_both, width="stretch")
    if manual.step_count:
        diff = O.lockstep_diff(manual, module, last=8)
        worst = O.max_abs_diff(manual, module)
        bc[3].metric("largest |manual − module| so far", f"{worst:.2e}",
                     help="Over every step, for w, b and the loss. Float32 rounding is about 1e-7 of a value.")
        fmt = {c: "{:.3e}" if c.startswith("|Δ") else "{:.7f}" for c in diff.columns if c != "step"}
        st.dataframe(diff.style.format(fmt),
                     hide_index=True, width="stretch")
        st.caption(f"Step {manual.step_count:,}. Differences of 0 or ~1e-7 (one float32 rounding step) are "
                   "rounding: nn.Linear computes x·w + b with one fused addmm, the manual line with a multiply "
                   "and an add.")
    else:
        st.caption("Press **Step both**.")

# -- device and timing --------------------------------------------------------------------------------
st.divider()
st.subheader("CPU or GPU: `.to(device)`")
st.code('device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")\n'
        "x, y = x.to(device), y.to(device)           # data onto the device\n"
        "model = Lr().to(device)                     # parameters onto the device\n"
        "...                                         # the loop is unchanged\n"
        "predict = model(x)\n"
        "predict = predict.cpu().detach().numpy()    # back to host memory, off the graph, to numpy",
        language="python")
d1, d2 = st.columns([1, 2])
with d1:
    if run is not None:
        us = O.us_per_step(run)
        st.metric(f"this run's device: {run.device}", f"{us:,.0f} µs per step" if us else "—",
                  help="Measured training time so far divided by the steps taken (pick the device in the sidebar).")
with d2:
    st.markdown("`.cpu()` copies a tensor to host memory, `.detach()` cuts it from the autograd graph "
                "(numpy cannot hold a tensor that needs grad), `.numpy()` shares its memory as an array. "
                "For 50 points a step is a few tiny kernels: a GPU spends its time launching them and wins "
                "nothing. It pays off when one step has a lot of arithmetic: large data or large models.")
    devs = [d for d in available_devices() if d != "auto"]

    def _measure():
        try:
            lesson.extra["timing"] = O.timing_table(lesson.config or preset_config(PRESET), devs)
        except GdError as exc:
            lesson.extra["timing"] = None
            lesson.extra["timing_error"] = str(exc)

    st.button(f"⏱ Measure n = 50 and n = 200,000 on {', '.join(devs)}", key="b.optim.measure", on_click=_measure,
              help="Times full-batch steps of this optimizer on fresh runs, per device and data size (about a second).")
if lesson.extra.get("timing") is not None:
    tt = lesson.extra["timing"]
    t1, t2 = st.columns(2)
    t1.altair_chart(ocharts.timing_bars(tt), width="stretch")
    t2.dataframe(tt.style.format({"µs per step": "{:,.1f}", "steps per second": "{:,.0f}"}), hide_index=True,
                 width="stretch")
    if len(devs) == 1:
        t2.caption("This server has no GPU, so only the CPU is listed; the 4000× more data costs far less than "
                   "4000× the time, because a step of 50 points is mostly fixed overhead.")

# -- eval and predict --------------------------------------------------------------------------------
st.divider()
st.subheader("`model.eval()` and prediction")
e1, e2 = st.columns([1, 1])
e1.code("model.eval()                 # evaluation mode (matters for dropout / batch norm; not for Linear)\n"
        "predict = model(torch.tensor([[x]]))\n"
        "predict = predict.cpu().detach().numpy()", language="python")
with e2:
    x = st.number_input("x", min_value=-1e6, max_value=1e6, step=0.1, format="%g", key="w.optim.x", persist_state="session",
                        help="A new input; the trained model predicts y_hat = w·x + b for it.")
    if run is not None:
        y_hat = float(run.predict([x])[0])
        st.metric("y_hat = model(x)", _ui.fmt(y_hat),
                  delta=f"{y_hat - (3 * x + 0.8):+.4g} vs 3x + 0.8", delta_color="off",
                  help="The current parameters' prediction; the delta is its error against the rule "
                       "that made the data.")

if run is not None:
    st.divider()
    _ui.code_and_downloads(run, NAME)

