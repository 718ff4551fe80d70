"""Lesson: logistic regression by hand (seed 004): sigmoid, cross-entropy, per-sample SGD, the boundary."""
import streamlit as st

from gdcore import charts
from gdcore.charts import logreg as lcharts
from gdcore.charts.optim import fit_width
from gdcore.devices import resolve_device
from gdcore.lessons import logreg as LR
from gdcore.presets import SOURCES
from pages import _ui

_ui.page_guard("pages/logistic_regression.py")

NAME = "logreg"
TUTORIAL = {"w.logreg.impl": "manual", "w.logreg.safe": False, "w.logreg.mode": "stochastic",
            "w.logreg.loader": "index", "w.logreg.shuffle": False, "w.logreg.lr": 0.001, "w.logreg.epochs": 100,
            "w.logreg.source": "tutorial"}
DEFAULTS = {**TUTORIAL, "w.logreg.batch_size": 32, "w.logreg.log": True}
_ui.defaults(DEFAULTS)

lesson = _ui.lesson(NAME)
seed, device = _ui.settings(123)

st.title(":material/scatter_plot: Logistic regression")
st.caption(f"Follows: *{SOURCES[LR.PRESET]}*. 1000 points with 2 features; label 1 where 0.5·x1 − 1.5·x2 > 0.")
_ui.preset_button("Load the tutorial: per-sample SGD, lr 0.001, 100 epochs, hand-written loss", TUTORIAL,
                  key="b.logreg.preset",
                  help="The manual model, its own cross-entropy, one sample per step in order, lr 0.001, "
                       "100 epochs x 1000 steps (preset logreg-manual).")

# -- the model ------------------------------------------------------------------------------------
c1, c2 = st.columns([1.1, 1])
with c1:
    st.code("torch.manual_seed(123)\n"
            "data_x = torch.randn(size=(1000, 2))\n"
            "data_y = torch.where(data_x[:, 0]*0.5 - data_x[:, 1]*1.5 > 0, 1., 0.)\n\n"
            "w = torch.randn(size=(2, 1), requires_grad=True)\n"
            "b = torch.zeros(size=(1, 1), requires_grad=True)\n\n"
            "def forward(x):            # x: ONE sample, shape (2,)\n"
            "    return F.sigmoid(torch.matmul(w.transpose(0, 1), x) + b)\n\n"
            "def loss_func(y_hat, y):\n"
            "    return -(torch.log(y_hat)*y + (1-y)*torch.log(1-y_hat))", language="python")
with c2:
    st.markdown("**Forward.** A linear score, squashed into a probability:")
    st.latex(r"z = w_1 x_1 + w_2 x_2 + b, \qquad \hat y = \sigma(z) = \frac{1}{1 + e^{-z}}")
    st.markdown("**Loss.** Cross-entropy: small when ŷ is near the label y, huge when it is confidently wrong:")
    st.latex(r"\text{loss} = -\big(y \log \hat y + (1-y)\log(1-\hat y)\big)")
    st.markdown("**Decision boundary.** ŷ = 0.5 exactly where z = 0, i.e. on the line "
                "w1·x1 + w2·x2 + b = 0. Training turns and shifts that line until it separates the classes. "
                "Its gradient is simple: Δw = (ŷ − y)·x, Δb = ŷ − y.")

# -- settings -------------------------------------------------------------------------------------
st.subheader("Train it")
source = st.radio("data", ["tutorial", "upload"], key="w.logreg.source", persist_state="session", horizontal=True,
                  format_func={"tutorial": "the tutorial's 1000 points", "upload": "uploaded CSV (your own x1, x2, y)"}.get,
                  help="The tutorial's points (label 1 where 0.5·x1 − 1.5·x2 > 0), or your own table: "
                       "two feature columns and a label column of 0 and 1.")
upload = None
if source == "upload":
    upload = _ui.upload_data(NAME, binary_labels=True, one_feature=False, two_features=True)
    if upload is None:
        st.info("Upload a CSV with a header row, two numeric feature columns and a 0/1 label column to train "
                "on your own points. Until then there is nothing to train here.")
s = st.columns([1.2, 1.4, 1, 1])
impl = s[0].radio("implementation", ["manual", "module"], key="w.logreg.impl", persist_state="session",
                  format_func=lambda v: {"manual": "manual (tutorial)", "module": "nn.Module + torch.optim"}[v],
                  help="manual: raw tensors w, b and `w.data -= lr * w.grad`. module: nn.Linear(2, 1), "
                       "a torch loss and optim.SGD. Same numbers, different code.")
safe = s[0].toggle("numerically safe loss", key="w.logreg.safe", persist_state="session",
                   help="Off: the tutorial's log(ŷ) (manual) or nn.BCELoss (module). "
                        "On: BCEWithLogitsLoss, computed from z without ever taking log(0).")
mode = s[1].radio("samples per step", LR.MODES, key="w.logreg.mode", persist_state="session", horizontal=False,
                  format_func=lambda v: {"stochastic": "1 sample (per-sample SGD, tutorial)",
                                         "minibatch": "mini-batch", "batch": f"all {upload.n if upload else 1000:,} (full batch)"}[v],
                  help="How many samples each update looks at.")
s[1].selectbox("batch_size", [v for v in LR.BATCH_SIZES if 1 < v <= 1000], key="w.logreg.batch_size", persist_state="session",
               disabled=mode != "minibatch",
               help="Samples averaged per update in mini-batch mode (at most the 1000 samples there are).")
s[2].selectbox("loader", LR.LOADERS, key="w.logreg.loader", persist_state="session", disabled=mode == "batch",
               format_func=lambda v: {"index": "index: data_x[step]", "dataloader": "DataLoader"}[v],
               help="index: plain indexing as the tutorial does; DataLoader: TensorDataset + DataLoader.")
s[2].checkbox("shuffle", key="w.logreg.shuffle", persist_state="session", disabled=mode == "batch",
              help="Reshuffle the order every epoch. The tutorial walks the samples in order.")
s[3].number_input("lr", min_value=1e-6, max_value=1e6, step=0.001, format="%g", key="w.logreg.lr", persist_state="session",
                  help="Learning rate. Try 10 with the tutorial's loss: ŷ soon rounds to exactly 0 or 1 "
                       "and log gives -inf.")
s[3].number_input("num_epochs", min_value=1, max_value=1000, step=10, key="w.logreg.epochs", persist_state="session",
                  help="Passes over the 1000 samples. The tutorial: 100 (100,000 steps in per-sample mode).")


def make_config():
    config = LR.variant_config(seed=seed, device=str(resolve_device(device)), impl=impl, safe=safe, mode=mode,
                             batch_size=int(st.session_state["w.logreg.batch_size"]),
                             loader=st.session_state["w.logreg.loader"],
                             shuffle=bool(st.session_state["w.logreg.shuffle"]),
                             lr=float(st.session_state["w.logreg.lr"]),
                             epochs=int(st.session_state["w.logreg.epochs"]))
    if upload is not None:  # the uploaded points; a run of its own size
        config = config.replace(data="custom", n=upload.n)
    return config


if source == "upload" and upload is None:
    run = None  # the last run stays in the lesson; it comes back with the tutorial's data or the upload
else:
    run = _ui.build(lesson, make_config, upload)
if run is not None:
    code_line = LR.LOSS_CODE[run.config.loss]
    st.caption(f"Loss in use: `{code_line.splitlines()[-1].split('#')[0].strip()}`  ·  "
               f"{run.total_steps:,} steps = {run.total_steps // run.steps_per_epoch:,} epochs × "
               f"{run.steps_per_epoch:,} steps of {run.batch_size:,} sample{'s' if run.batch_size > 1 else ''}")


def draw(run):
    p = run.params()
    acc = run.accuracy()
    m = st.columns(5)
    m[0].metric("accuracy", f"{acc:.1%}",
                help="Share of the samples on the right side of the boundary (ŷ > 0.5 ⇔ z > 0).")
    m[1].metric("w1", f"{p['w'][0]:.4f}")
    m[2].metric("w2", f"{p['w'][1]:.4f}")
    m[3].metric("b", f"{p['b'][0]:.4f}")
    m[4].metric("loss on all samples", _ui.fmt(run.current_loss()),
                help=f"Mean cross-entropy over the {run.n:,} samples at the current w, b (computed the safe way).")
    seg, box = LR.boundary(run)
    cur = LR.current_sample(run)
    tw = run.data.true_w
    true_label = ("rule that made the labels" if tw is None or len(tw) < 2 else
                  f"rule that made the labels: {tw[0]:g}·x1 {'−' if tw[1] < 0 else '+'} {abs(tw[1]):g}·x2 = 0")
    fast = lesson.mode == "running"  # a long run: spend each tick on training, draw the essentials
    a, b = st.columns([1.6, 1])
    grid = None if fast else LR.probability_grid(p["w"], p["b"][0], box, k=30)
    a.altair_chart(lcharts.boundary_chart(LR.points_frame(run), box, seg, LR.true_boundary(run, box), grid, cur,
                                          true_label=true_label), width="stretch")
    with b:
        if fast:
            st.caption("The sigmoid view and the ŷ shading pause during a long run; they come back when it stops.")
        else:
            st.altair_chart(lcharts.sigmoid_chart(cur), width="stretch")
        if cur is None:
            st.caption("Take a step: the sample it used is ringed on the left and marked on the sigmoid here.")
        else:
            which = "Last step's sample" if run.batch_size == 1 else "Last sample of the last step's batch:"
            st.markdown(f"{which} **#{cur['i']}**: x = ({cur['x1']:.3f}, {cur['x2']:.3f}), "
                        f"label y = **{cur['y']:.0f}**  \n"
                        f"now z = w·x + b = **{cur['z']:.3f}**, ŷ = σ(z) = **{cur['y_hat']:.4f}**")
            if not fast:
                st.caption("The shading is ŷ everywhere: blue → class 0, red → class 1; "
                           "the solid line is ŷ = 0.5.")
        if seg is None:
            st.warning("The boundary lies outside the data's box right now (all points on one side).")
    log = st.toggle("log scale", key="w.logreg.log", persist_state="session", help="Loss on a log axis.")
    st.altair_chart(fit_width(charts.loss_curve(LR.loss_frames(run), log=log, title="loss", height=200)),
                    width="stretch")
    st.caption("Each step's loss is that step's own sample (or batch) only, so it jumps: near 0 for a point "
               "classified confidently right, large for one on the wrong side. The epoch-end line is the loss "
               "over all samples: that is the one that falls steadily.")
    if run.epoch:
        with st.expander(f"What the tutorial prints: `Epoch: %03d, Loss: %.3f` ({run.epoch} epochs so far)"):
            printed = LR.printed_losses(run)
            st.code("\n".join(f"Epoch: {e:03d}, Loss: {v:.3f}" for e, v in
                              zip(printed["epoch"].tail(100), printed["loss"].tail(100))), language="text")
            st.caption("The loss of the LAST sample of each epoch only, exactly as `print` in the tutorial's loop.")


if run is not None:
    _ui.live(lesson, NAME, draw)

# -- manual vs module, and the safe loss ------------------------------------------------------------
st.divider()
st.subheader("Manual or nn.Module; the safe cross-entropy")
v1, v2 = st.columns(2)
v1.code("# manual (tutorial)\ny_hat = forward(data_x[step])\nloss = loss_func(y_hat, data_y[step])\n"
        "loss.backward()\nwith torch.no_grad():\n    w.data -= lr * w.grad\n    b.data -= lr * b.grad\n"
        "    w.grad.data.zero_(); b.grad.data.zero_()", language="python")
v2.code("# nn.Module\nmodel = nn.Linear(2, 1)               # w: weight, b: bias\n"
        "criterion = nn.BCEWithLogitsLoss()      # or nn.BCELoss() after a sigmoid\n"
        "optimizer = optim.SGD(model.parameters(), lr=0.001)\n"
        "z = model(x)                            # logits, no sigmoid\nloss = criterion(z, y)\n"
        "optimizer.zero_grad(); loss.backward(); optimizer.step()", language="python")
st.markdown(
    "**Why `log(ŷ)` can break.** In float32, σ(z) is exactly 1.0 once z > ~17 and exactly 0 below z ≈ −104. "
    "Then `torch.log(1 - y_hat)` is `log(0) = -inf`, and even for a correct label the tutorial's formula computes "
    "`0 * -inf = nan`. Small lr keeps z moderate, so the tutorial never sees it; with lr 10 it happens within a "
    "few steps and this dashboard stops the run with the reason. `nn.BCELoss` clamps log at −100 so it stays "
    "finite. `nn.BCEWithLogitsLoss` never forms ŷ at all:")
st.latex(r"\text{loss}(z, y) = \max(z, 0) - z\,y + \log\!\left(1 + e^{-|z|}\right)")
st.caption("This is the same cross-entropy, rewritten so no exp overflows and no log sees 0. "
           "Flip 'numerically safe loss' on, keep lr 10, and the run goes through.")

if run is not None:
    st.divider()
    _ui.code_and_downloads(run, NAME)

