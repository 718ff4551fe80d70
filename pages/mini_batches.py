"""Mini-batches (seeds 000 and 001): TensorDataset + DataLoader made visible; batch vs stochastic vs
mini-batch gradient descent; seed 000's full-tensor pitfall; d2l's data_iter / squared_loss / sgd."""
import streamlit as st

from gdcore.charts import loss_frame
from gdcore.charts import minibatch as mbc
from gdcore.devices import resolve_device
from gdcore.errors import GdError
from gdcore.lessons import minibatch as mb
from gdcore.presets import get_preset, preset_config
from pages import _ui

_ui.page_guard("pages/mini_batches.py")

NAME = "minibatch"
SESSION = "session"  # keep widget values across page switches (and across fragment reruns)
P = f"w.{NAME}."
B = f"b.{NAME}."
BASE, BS, LR, EP, SH, PIT = (P + k for k in ("base", "batch_size", "lr", "epochs", "shuffle", "pitfall"))
PIT_COLUMNS = ("run", "samples per step", "steps", "w", "b", "loss (all data)", "steps where loss rose",
               "ms per epoch")
CMP_COLUMNS = ("run", "samples per step", "steps per epoch", "steps", "w", "b", "loss (all data)",
               "steps where loss rose", "ms per epoch")
BASE_LABELS = {
    "linreg-minibatch": "Tutorial 000: 150 points, 1 feature, TensorDataset + DataLoader",
    "linreg-d2l": "d2l: 1000 points, 2 features, data_iter + squared_loss + sgd",
}


def preset_values(base: str) -> dict:
    """Widget values of a tutorial's preset (its batch_size, lr, num_epochs, shuffle)."""
    c = get_preset(base)
    return {BASE: base, BS: c.batch_size, LR: c.lr, EP: c.epochs, SH: c.shuffle, PIT: False}


def _base_changed() -> None:
    _ui.set_values(preset_values(st.session_state[BASE]))


def _chart(chart) -> None:
    st.altair_chart(chart, width="stretch")


for _k, _v in {**preset_values("linreg-minibatch"), P + "cmp_view": "step", P + "cmp_log": True,
               P + "cmp_logx": True}.items():
    st.session_state.setdefault(_k, _v)

st.title(":material/view_module: Mini-batches")
st.markdown(
    "A step does not need all the data. `DataLoader` shuffles the samples and cuts them into batches of "
    "`batch_size`; each step computes the loss and Δw **on one batch only** and updates w and b. "
    "One pass over all batches is an **epoch**. Below: the batches made visible, batch vs stochastic vs "
    "mini-batch gradient descent on the same data, a slip in tutorial 000's loop, and d2l's version."
)
c1, c2, c3 = st.columns([1.35, 1.1, 1.55])
with c1:
    _ui.preset_button("Tutorial 000 (DataLoader, batch 20)", preset_values("linreg-minibatch"), B + "preset_000",
                      help="150 points around y = 2x + 6, batch_size 20, lr 0.01, 99 epochs (8 steps each).")
with c2:
    _ui.preset_button("d2l (data_iter, batch 10)", preset_values("linreg-d2l"), B + "preset_d2l",
                      help="1000 points, y = X @ [2, -3.4] + 4.2, batch_size 10, lr 0.03, 3 epochs.")
c3.caption("Each button loads its tutorial's data, batch_size, lr and num_epochs.")

# -- settings ---------------------------------------------------------------------------------
base = st.session_state[BASE] if st.session_state.get(BASE) in BASE_LABELS else "linreg-minibatch"
n = mb.data_size(base)
bs_fixed, bs_note = mb.clamp_batch_size(st.session_state.get(BS), n)
if bs_note:
    st.session_state[BS] = bs_fixed  # before the widget is drawn: allowed, and the value fits its max

s = st.columns([2.2, 1, 1, 1])
s[0].selectbox("Data and loop", list(BASE_LABELS), format_func=BASE_LABELS.get, key=BASE, persist_state=SESSION, on_change=_base_changed,
               help="Which tutorial's data and batching code to run. Changing it loads that tutorial's settings.")
s[1].number_input("batch_size", min_value=1, max_value=n, step=1, key=BS, persist_state=SESSION,
                  help=f"Samples per step, 1 to n = {n} (the data set's size). 1 is stochastic GD, {n} is batch GD.")
s[2].number_input("lr", min_value=1e-6, max_value=100.0, step=0.01, format="%g", key=LR, persist_state=SESSION,
                  help="Learning rate: each step moves w and b by -lr × Δw (the batch's gradient).")
s[3].number_input("num_epochs", min_value=1, max_value=1000, step=1, key=EP, persist_state=SESSION,
                  help="Passes over the whole data set. Total steps = num_epochs × len(dataloader).")
t = st.columns([1, 3])
t[0].toggle("shuffle", key=SH, persist_state=SESSION, help="shuffle=True: a new random order every epoch. Off: batches are fixed slices 0..19, 20..39, ...")
t[1].toggle("full-tensor pitfall (tutorial 000's slip, section 4)", key=PIT, persist_state=SESSION,
            help="Tutorial 000's slip: the loop body uses tensorX / tensorY instead of the batch data / label, "
                 "so every step really uses all samples.")
if bs_note:
    st.warning(bs_note)

seed, device = _ui.settings(get_preset(base).seed)
try:  # 'auto' and the device it picks are the same run: keep one name so the run is not rebuilt
    device = str(resolve_device(device))
except GdError as exc:
    st.error(str(exc))
    st.stop()
lesson = _ui.lesson(NAME)


def make_config():
    return preset_config(base, batch_size=int(st.session_state[BS]), lr=float(st.session_state[LR]),
                         epochs=int(st.session_state[EP]), shuffle=bool(st.session_state[SH]),
                         full_tensor_pitfall=bool(st.session_state[PIT]), seed=seed, device=device)


run = _ui.build(lesson, make_config)
if run is None:
    st.stop()
cfg = run.config
is_d2l = cfg.loader == "d2l"
one_feature = run.data.n_features == 1

# -- 1. the DataLoader ---------------------------------------------------------------------------
st.header("1 · What the DataLoader hands out")
loader = mb.describe_loader(run.n, run.batch_size)
left, right = st.columns([1.3, 1])
with left:
    if is_d2l:
        st.code(f"for X, y in data_iter({cfg.batch_size}, features, labels):\n"
                f"    ...  # X: ({cfg.batch_size}, 2) features, y: ({cfg.batch_size}, 1) labels", language="python",
                wrap_lines=True)
    else:
        st.code(f"tensorX = torch.from_numpy(x).float()  # ({run.n}, 1)\n"
                f"tensorY = torch.from_numpy(y).float()\n"
                f"dataset = TensorDataset(tensorX, tensorY)\n"
                f"dataloader = DataLoader(dataset, batch_size={cfg.batch_size}, shuffle={cfg.shuffle})\n"
                f'print("dataloader len =%d" % (len(dataloader)))\n'
                f"for index, (data, label) in enumerate(dataloader):\n"
                f'    print("index=%d num = %d" % (index, len(data)))', language="python", wrap_lines=True)
    st.markdown(
        f"`len(dataloader)` = ⌈n / batch_size⌉ = ⌈{run.n} / {run.batch_size}⌉ = **{loader.length}** steps per epoch"
        + (f"; the last batch holds only the **{loader.sizes[-1]}** samples left over."
           if loader.sizes[-1] != loader.batch_size else "; every batch is full."))
with right:
    st.code("\n".join(loader.lines()), language=None)
    st.caption("What the loop prints (tutorial 000's own lines)." if not is_d2l else
               "Tutorial 000's printout applied to data_iter (d2l itself prints nothing here): "
               "len(dataloader) is the number of batches one epoch yields.")

# -- 2. stepping ----------------------------------------------------------------------------------
st.header("2 · Step through an epoch")
st.latex(r"w \leftarrow w - lr\cdot \frac{1}{|B|}\sum_{i\in B}\frac{\partial\,\ell_i}{\partial w},\qquad "
         r"b \leftarrow b - lr\cdot \frac{1}{|B|}\sum_{i\in B}\frac{\partial\,\ell_i}{\partial b}")
st.caption("B is the current batch. Press Step: the red points are the batch this step used; blue ones were "
           "used earlier in this epoch; grey ones are still waiting. After the last batch, the epoch is over and "
           "the DataLoader reshuffles.")


def _replay(r):
    rep = lesson.extra.get("replay")
    if rep is None or rep.config != r.config or rep.n != r.n:
        rep = mb.ShuffleReplay(r.config, r.n)
        lesson.extra["replay"] = rep
    return rep


def draw(r):
    c = r.config
    view = mb.epoch_view(r)
    roles = mb.point_roles(r.n, r.epoch_batches, r.last_batch)
    p = r.params()
    a, b = st.columns([1.7, 1])
    with a:
        if one_feature:
            lines = [{"label": "fit: y_hat = w·x + b", "w": p["w"][0], "b": p["b"][0]}]
            if r.data.true_w is not None:
                lines.append({"label": "true line", "w": r.data.true_w[0], "b": r.data.true_b, "dash": True})
            x0, y = mb.feature_xy(r.data, 0)
            _chart(mbc.batch_scatter(x0, y, roles, lines, title=f"Data: epoch {view.epoch}, the batches so far"))
        else:
            st.session_state.setdefault(P + "feature", 1)
            k = st.radio("Feature on the x axis", list(range(r.data.n_features)), horizontal=True, key=P + "feature", persist_state=SESSION,
                         format_func=lambda j: f"feature {j + 1} (features[:, {j}])",
                         help="The data has two features. The d2l book plots features[:, 1] against the labels "
                              "(slope -3.4); the tutorial's code plots features[:, 0] (slope 2).")
            k = k if k is not None and k < r.data.n_features else 0
            xk, y = mb.feature_xy(r.data, k)
            _chart(mbc.batch_scatter(xk, y, roles, None, x_title=f"features[:, {k}]", y_title="labels",
                                     title=f"Data: epoch {view.epoch}, the batches so far"))
            st.caption("y also depends on the other feature, so the points form a band, not a line.")
    with b:
        if r.step_count == 0:
            st.markdown(f"**Epoch 1**, no batch drawn yet ({view.total} to come).")
            st.code(mb.format_batch([]), language=None)
        else:
            batch_no = view.drawn - 1
            size = r.n if r.last_batch is None else len(r.last_batch)
            st.markdown(f"**Epoch {view.epoch}, batch index={batch_no} of {view.total - 1}**, num = {size}"
                        + (" · epoch complete" if view.complete else ""))
            st.code(mb.format_batch(r.last_batch), language=None, wrap_lines=True)
        st.markdown(f"w = **{mb.fmt_w(p['w'])}**, b = **{p['b'][0]:.4f}**")
        if c.full_tensor_pitfall:
            note = mb.pitfall_note(c, r.n)
            st.warning("Pitfall on: the DataLoader still hands over this batch, but the loop computes h and the "
                       "loss on all samples (tensorX, tensorY), so the batch is ignored." + (f" {note}." if note else ""))
        if r.epoch_batches:
            st.dataframe(mb.batch_table(r.epoch_batches), hide_index=True, height=min(320, 38 + 35 * len(r.epoch_batches)),
                         column_config={"index": st.column_config.NumberColumn("index", help="batch index in this epoch"),
                                        "num": st.column_config.NumberColumn("num", help="samples in the batch")})

    # reshuffled every epoch: this epoch's batches against the next one's
    if c.mode != "batch":
        rep = _replay(r)
        frame = mb.reshuffle_frame(rep, view.epoch)
        share = mb.same_batches_share(rep.batches(view.epoch), rep.batches(view.next_epoch))
        _chart(mbc.reshuffle_chart(frame, title=f"Which batch each sample lands in: epoch {view.epoch} vs epoch {view.next_epoch}"))
        st.caption((f"Top row: epoch {view.epoch}'s batches, side by side. Bottom row: the same samples in epoch "
                    f"{view.next_epoch}. shuffle=True draws a new order every epoch, so the blocks break up "
                    if c.shuffle else "shuffle=False: the same fixed slices every epoch, so both rows look the same ")
                   + f"({share:.0%} of the batches hold the same samples in both epochs).")

    # the loss
    st.session_state.setdefault(P + "log", True)
    log = st.toggle("log scale (loss)", key=P + "log", persist_state=SESSION, help="A log axis shows the late, small losses.")
    L = r.losses()
    step_frame = loss_frame(L)
    ends = mb.epoch_end_frame(r.epoch_losses(), r.steps_per_epoch)
    _chart(mbc.loss_with_epochs(step_frame, ends, log=log, title="Loss: each step's batch, and all data after each epoch"))
    st.caption("Each step's loss is measured on its own batch, so it jumps with the batch drawn; the loss on all data "
               "after each epoch is the smooth one to judge progress by."
               if not c.full_tensor_pitfall else
               "With the pitfall every step's loss is the loss on all data: the curve is smooth, like batch GD.")
    if is_d2l:
        st.markdown("**What d2l prints** (mean of squared_loss on all 1000 samples after each epoch, then the "
                    "estimation errors true_w − w and true_b − b):")
        errs = mb.estimation_errors(r.data.true_w, r.data.true_b, p)
        lines_out = mb.d2l_epoch_lines(r.epoch_losses()) or ["(no epoch finished yet)"]
        st.code("\n".join(lines_out[-12:] + mb.error_lines(errs)), language=None)
    elif len(L):
        st.markdown("**What tutorial 000 prints** (the last steps):")
        st.code("\n".join(mb.tutorial_lines(r.records(last=8))), language=None)


_ui.live(lesson, NAME, draw)

# -- 3. batch vs stochastic vs mini-batch ---------------------------------------------------------
st.header("3 · Batch vs stochastic vs mini-batch")
st.markdown(
    "Three runs on the **same data** from the **same initial w, b** (same seed) with the same lr; only the "
    f"number of samples per step differs: all {run.n} (batch GD), 1 (stochastic GD) or batch_size = "
    f"{run.batch_size} (mini-batch GD). Per step, small batches are noisy but cheap; per epoch, they make "
    "many more updates.")
cap = mb.max_compare_epochs(run.n)
CE = P + "cmp_epochs"
if not isinstance(st.session_state.get(CE), int) or not 1 <= st.session_state[CE] <= cap:
    st.session_state[CE] = min(cap, 10 if run.n <= 200 else 3)
q = st.columns([1, 1.7, 2.3])
q[0].number_input("epochs (N)", min_value=1, max_value=cap, step=1, key=CE, persist_state=SESSION,
                  help=f"Epochs for each of the three runs (at most {cap}: stochastic GD makes {run.n} steps an epoch).")
if q[1].button(f"Run all three for {st.session_state[CE]} epochs", key=B + "compare", type="primary", width="stretch"):
    try:
        configs = mb.comparison_configs(cfg, st.session_state[CE])
    except GdError as exc:
        st.error(str(exc))
    else:
        bar = st.progress(0.0, text="training the three runs")
        runs = mb.train_all(configs, run.data, callback=lambda d, t: bar.progress(min(1.0, d / max(1, t)),
                                                                              text=f"training: step {d:,} of {t:,}"))
        bar.empty()
        lesson.extra["compare"] = {"source": cfg, "epochs": st.session_state[CE], "runs": runs}
cmp = lesson.extra.get("compare")
if cmp is None:
    q[2].caption("Press the button to train the three runs (a few seconds).")
else:
    runs = cmp["runs"]
    src = cmp["source"]
    if src != cfg:
        q[2].info(f"Made with lr {src.lr:g}, batch_size {src.batch_size}, data {src.preset}; press the button "
                  "to redo it with the current settings.")
    labels = {m: mb.MODE_LABELS[m] for m in mb.MODES}
    v = st.columns([1.4, 1, 1])
    per = v[0].radio("Loss against", ["step", "epoch"], horizontal=True, key=P + "cmp_view", persist_state=SESSION,
                     format_func={"step": "per step (each update's batch loss)",
                                  "epoch": "per epoch (loss on all data)"}.get,
                     help="Per step: one point per update. Per epoch: the loss on all samples after each pass.")
    log_y = v[1].toggle("log scale (loss)", key=P + "cmp_log", persist_state=SESSION, help="A log axis shows the late, small losses.")
    log_x = v[2].toggle("log scale (steps)", key=P + "cmp_logx", persist_state=SESSION, disabled=per != "step",
                        help="Batch GD makes few steps and stochastic GD many: a log axis shows both.")
    order = [labels[m] for m in mb.MODES]
    if per == "step":
        frame = mb.step_loss_frame({labels[m]: r.losses() for m, r in runs.items()})
        _chart(mbc.compare_chart(frame, "step", log_y=log_y, log_x=log_x, order=order,
                                 title="Loss per step (each on its own batch)"))
    else:
        frame = mb.epoch_loss_frame({labels[m]: r.epoch_losses() for m, r in runs.items()})
        _chart(mbc.compare_chart(frame, "epoch", log_y=log_y, order=order, points=True,
                                 title="Loss on all data after each epoch"))
    st.dataframe(mb.summary_table(runs, labels, CMP_COLUMNS), hide_index=True, width="stretch")
    start = mb.start_params(runs["batch"])
    st.caption(f"All three started from w = {mb.fmt_w(start['w'])}, b = {start['b'][0]:.4f}. 'steps where loss rose' counts steps whose batch loss was "
               "higher than the step before: 0% is a smooth descent, stochastic GD's single samples make it jumpy.")
    for m, r in runs.items():
        if r.status != "ok":
            st.error(f"{labels[m]}: {r.message}.")

# -- 4. the pitfall --------------------------------------------------------------------------------
st.header("4 · The pitfall: tensorX instead of data")
st.markdown(
    "Tutorial 000's loop draws each batch `(data, label)` from the DataLoader, then computes `h` and the loss on "
    "the full tensors `tensorX`, `tensorY`. Two lines differ, and every \"mini-batch\" step becomes a **full-batch** "
    f"step: {loader.length} full-batch steps per epoch, exactly batch GD with {loader.length}× the steps."
    + (" With d2l's data loaded, the same slip in d2l's loop reads `features, labels` instead of the batch `X, y`."
       if is_d2l else ""))
lr_txt = f"{cfg.lr:g}"
k1, k2 = st.columns(2)
if is_d2l:
    with k1:
        st.markdown(f"**With the slip** (features, labels): all {run.n} samples, every step")
        st.code("l = squared_loss(linreg(features, w, b), labels)", language="python", wrap_lines=True)
    with k2:
        st.markdown(f"**As d2l writes it**: only this batch's {run.batch_size} samples")
        st.code("l = squared_loss(linreg(X, w, b), y)", language="python")
else:
    with k1:
        st.markdown(f"**As printed in the tutorial** (the pitfall): all {run.n} samples, every step")
        st.code("h = tensorX * w + b\nloss = torch.mean((h - tensorY) ** 2)", language="python")
    with k2:
        st.markdown(f"**As intended**: only this batch's {run.batch_size} samples")
        st.code("h = data * w + b\nloss = torch.mean((h - label) ** 2)", language="python")
with st.expander("Tutorial 000's whole loop, as intended"):
    st.code(f"for batch_index, (data, label) in enumerate(dataloader):\n"
            f"    h = data * w + b                     # the pitfall: tensorX\n"
            f"    loss = torch.mean((h - label) ** 2)  # the pitfall: tensorY\n"
            f"    loss.backward()\n"
            f"    w.data -= {lr_txt} * w.grad.data\n"
            f"    b.data -= {lr_txt} * b.grad.data\n"
            f"    w.grad.zero_()\n"
            f"    b.grad.zero_()", language="python")
st.caption("Switch **full-tensor pitfall** on at the top to step through the tutorial's version; the button below "
           "trains both loops (same data, same start, same lr) and puts them side by side.")
pit_cap = max(1, mb.COMPARE_STEP_BUDGET // 2 // max(1, run.steps_per_epoch))
pit_epochs = min(cfg.epochs or 1, pit_cap)
pq = st.columns([1.3, 2.7])
if pq[0].button(f"Run both for {pit_epochs} epochs", key=B + "pitfall_run", type="primary", width="stretch",
                help="Trains the loop as intended and the loop with the pitfall, same data, same start, same lr."):
    try:
        configs = mb.pitfall_configs(cfg, pit_epochs)
    except GdError as exc:
        st.error(str(exc))
    else:
        with st.spinner("training both loops"):
            lesson.extra["pitfall"] = {"source": cfg, "runs": mb.train_all(configs, run.data)}
if pit_epochs < (cfg.epochs or 1):
    pq[1].caption(f"Capped at {pit_epochs} epochs to keep the click short.")
pit = lesson.extra.get("pitfall")
if pit is None:
    pq[1].caption("Press the button to compare the two loops side by side.")
else:
    runs = pit["runs"]
    if pit["source"] != cfg:
        pq[1].info("Made with other settings; press the button to redo it with the current ones.")
    labels = mb.PITFALL_LABELS
    frame = mb.step_loss_frame({labels[key]: r.losses() for key, r in runs.items()})
    _chart(mbc.compare_chart(frame, "step", log_y=True, order=[labels[False], labels[True]],
                             title="Loss per step: batch loss (as intended) vs all-data loss (pitfall)"))
    st.dataframe(mb.summary_table(runs, labels, PIT_COLUMNS), hide_index=True, width="stretch")
    if all(r.status == "ok" for r in runs.values()):
        st.caption(f"The pitfall's curve is smooth: every step is a full-batch step, so at a small lr the loss never "
                   f"rises. Each step uses all {run.n} samples instead of batch_size = {run.batch_size}: on big data that "
                   f"is {run.n / run.batch_size:.3g}× the arithmetic per step; on data this small the time per epoch is "
                   "mostly per-step overhead, so the two times are close.")
    for key, r in runs.items():
        if r.status != "ok":
            st.error(f"{labels[key]}: {r.message}.")
    note = mb.pitfall_note(runs[True].config, run.n)
    if note and runs[True].status != "ok":
        st.info(note + ": that, not the batch noise, is why the pitfall run diverged.")

# -- 5. d2l's version ------------------------------------------------------------------------------
st.header("5 · d2l's version: data_iter, squared_loss, sgd")
st.markdown(
    "d2l writes the three pieces by hand. `data_iter` is a DataLoader in seven lines: shuffle the indices with "
    "`random.shuffle`, then slice. `squared_loss` is per example and halved; the loop calls `l.sum().backward()`, "
    "so `sgd` divides by `batch_size` to turn the summed gradient into the batch's mean.")
d1, d2 = st.tabs(["the three functions", "the training loop"])
with d1:
    st.code("""def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)  # samples are read in random order
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(
            indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]

def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()""", language="python")
with d2:
    st.code("""true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 1000)
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr, num_epochs, batch_size = 0.03, 3, 10
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = squared_loss(linreg(X, w, b), y)
        l.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = squared_loss(linreg(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')
print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
print(f'error in estimating b: {true_b - b}')""", language="python")
if is_d2l:
    st.caption("The d2l data is loaded: its printout and estimation errors are under the loss chart in section 2.")
else:
    st.caption("Press **d2l (data_iter, batch 10)** at the top to run this version; its printout "
               "(`epoch 1, loss 0.039163` ...) and the estimation errors then appear under the loss chart in section 2.")

# -- code and downloads ------------------------------------------------------------------------------
st.header("The code of this run")
_ui.code_and_downloads(run, NAME)
